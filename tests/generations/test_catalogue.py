import json

from generations import catalogue
from generations.render import fonts
from generations.render.motion import PARTICLE_KINDS

REFERENCE_PROMPTS = {"Serum Droplets", "Lotion Texture", "Serum Drizzles", "Liquid Dripping"}
LAYER_TYPES = {"text", "cta", "logo", "product", "badge", "panel", "gradient", "list", "stars",
               "label"}


def test_templates_cover_every_aspect_with_unique_ids_and_slugs():
    templates = catalogue.templates()
    assert len(templates) >= 16
    assert len({t["id"] for t in templates}) == len(templates)
    assert len({t["slug"] for t in templates}) == len(templates)
    for template in templates:
        assert set(template["layouts"]) == {"tall", "portrait", "square", "wide"}
        for layers in template["layouts"].values():
            assert {layer["type"] for layer in layers} <= LAYER_TYPES
            for layer in layers:
                x, y, w, h = layer["frame"]
                assert 0 <= x <= 1 and 0 <= y <= 1 and w > 0 and h > 0


def test_reference_template_ids_exist():
    assert catalogue.template_by_id(1061)["branded"] is False
    assert catalogue.template_by_id("1062")["slug"] == "product-hero"


def test_template_categories_cover_the_issue_list():
    categories = {t["category"] for t in catalogue.templates()}
    assert {"product hero", "split layout", "benefit list", "social proof", "transformation",
            "offer", "minimal luxury", "bold type", "ugc", "routine", "sensory",
            "comparison"} <= categories


def test_styles_have_the_public_fields_and_known_animation_prompt():
    styles = catalogue.styles()
    names = {p["name"] for p in catalogue.animation_prompts()}
    assert len(styles) >= 20
    for style in styles:
        assert {"id", "displayName", "category", "promptSuffix", "render"} <= set(style)
        assert style["animation_prompt"] in names


def test_thirty_six_animation_prompts_including_the_reference_names():
    prompts = catalogue.animation_prompts()
    assert len(prompts) == 36
    assert len({p["name"] for p in prompts}) == 36
    assert {p["name"] for p in prompts} >= REFERENCE_PROMPTS
    for prompt in prompts:
        assert prompt["description"] and prompt["prompt"]
        particles = prompt["recipe"].get("particles")
        if particles:
            assert particles["kind"] in PARTICLE_KINDS


def test_animation_prompt_lookup_by_name_or_slug():
    assert catalogue.animation_prompt_by_name("serum droplets")["slug"] == "serum-droplets"
    assert catalogue.animation_prompt_by_name("liquid-dripping")["name"] == "Liquid Dripping"


def test_models_registry_lists_the_three_local_models():
    ids = {m["id"]: m for m in catalogue.models()}
    assert set(ids) == {"local-image", "local-motion", "local-transition"}
    assert ids["local-motion"]["durations"][0] == 2 and ids["local-motion"]["durations"][-1] == 15
    assert "first-last-frame" in ids["local-transition"]["capabilities"]


def test_font_catalogue_files_exist_with_licences():
    entries = json.loads((fonts.FONTS_DIR / "catalogue.json").read_text())
    assert len(entries) >= 12
    for entry in entries:
        assert (fonts.FONTS_DIR / entry["slug"] / "OFL.txt").exists()
        for rel in entry["weights"].values():
            assert (fonts.FONTS_DIR / rel).exists()
    assert {e["classification"] for e in entries} >= {"sans", "serif", "display", "mono",
                                                     "script"}


def test_unknown_web_fonts_map_to_the_closest_bundled_family():
    assert fonts.match_family("Inter") == "Inter"
    assert fonts.match_family("'Playfair Display', serif") == "Playfair Display"
    assert fonts.match_family("Times New Roman") == "Playfair Display"
    assert fonts.match_family("Fira Code") == "JetBrains Mono"
    assert fonts.match_family("Helvetica Neue") == "Inter"
