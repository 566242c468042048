import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from generations.render import engine

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "products"


def _brand_json(tmp_path: Path, **extra) -> Path:
    data = {"name": "Bruma Coffee Co.", "tone": "premium", "language": "en",
            "colors": {"primary": "#C98B4B", "secondary": "#5A3E2B", "accent": "#E9C46A",
                       "background": "#1B1410", "text": "#F4EDE4"},
            "fonts": {"heading": "Lora", "body": "DM Sans"},
            "value_props": ["Direct from family-run gardens", "Roasted in small batches"],
            "product": {"name": "Bruma Espresso Blend",
                        "description": "A dark, syrupy espresso blend from family-run gardens."}}
    data.update(extra)
    path = tmp_path / "brand.json"
    path.write_text(json.dumps(data))
    return path


def test_rendersheet_writes_a_contact_sheet_and_a_report_per_concept(tmp_path):
    out = StringIO()
    call_command("rendersheet", "--brand-json", str(_brand_json(tmp_path)), "--product-image",
                 str(FIXTURES / "coffee_bag.png"), "--templates", "product-hero,spotlight",
                 "--angles", "sensory,social proof", "--seeds", "1", "--out",
                 str(tmp_path / "out"), stdout=out)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["contact-sheet.png",
                                                                    "report.json"]
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["summary"]["concepts"] == 4
    assert report["summary"]["refused"] == 0
    first = report["concepts"][0]
    assert (first["template"], first["angle"], first["seed"]) == ("product-hero", "sensory", 0)
    assert first["headline"] and first["cta"]
    assert sorted(first["sizes"]) == ["4:5", "9:16"]
    size = first["sizes"]["9:16"]
    assert sorted(size["gates"]) == ["contrast", "logo", "primary_colour", "safe_zones",
                                     "text_fits"]
    assert all(g["ok"] for g in size["gates"].values())
    assert size["attempts"][0] == "as designed"
    assert size["seconds"]["static_png_layout_s"] > 0
    assert {c["headline"] for c in report["concepts"][:2]} != {None}
    with Image.open(tmp_path / "out" / "contact-sheet.png") as sheet:
        assert sheet.width > 400 and sheet.height > 400
    assert "0 refused" in out.getvalue()


def test_rendersheet_exits_non_zero_when_a_concept_is_refused(tmp_path, monkeypatch):
    def always_failing(scene, *, brand_has_logo):
        return {"ok": False, "gates": {"contrast": {"ok": False, "failures": ["forced"]},
                                       "text_fits": {"ok": True, "failures": []}}}

    monkeypatch.setattr(engine, "run_gates", always_failing)
    with pytest.raises(CommandError, match="1 of 1 concepts were refused"):
        call_command("rendersheet", "--brand-json", str(_brand_json(tmp_path)), "--templates",
                     "product-hero", "--angles", "sensory", "--sizes", "9:16", "--out",
                     str(tmp_path / "out"), stdout=StringIO())
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    refused = report["concepts"][0]
    assert refused["refused"] is True
    assert refused["attempts"] == ["as designed", "smaller text", "scrim",
                                   "smallest readable type", "taller headline",
                                   "alternate arrangement"]


@pytest.mark.parametrize("args,message", [
    (["--templates", "nope"], "unknown templates: nope"),
    (["--angles", "fear"], "unknown angles: fear"),
    (["--sizes", "2:1"], "unknown sizes: 2:1"),
    (["--seeds", "0"], "--seeds must be between 1 and 20"),
])
def test_rendersheet_refuses_bad_input_and_writes_nothing(tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("rendersheet", "--brand-json", str(_brand_json(tmp_path)), "--out",
                     str(tmp_path / "out"), *args, stdout=StringIO())
    assert not (tmp_path / "out").exists()


def test_rendersheet_refuses_an_unreadable_brand_json(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CommandError, match="cannot read brand JSON"):
        call_command("rendersheet", "--brand-json", str(bad), "--out", str(tmp_path / "out"),
                     stdout=StringIO())
    assert not (tmp_path / "out").exists()


def test_renderad_without_a_template_renders_the_issue_brand(tmp_path):
    """The dark coffee brand that used to be refused by product-hero's body slot."""
    brand = _brand_json(tmp_path, value_props=["Direct from family-run gardens",
                                               "Roasted in small batches every Tuesday",
                                               "Notes of dark chocolate and plum"])
    out = StringIO()
    call_command("renderad", "--brand-json", str(brand), "--product-image",
                 str(FIXTURES / "coffee_bag.png"), "--sizes", "9:16", "--out",
                 str(tmp_path / "out"), stdout=out)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "product-hero_9x16.jpg", "product-hero_9x16.png"]
    assert "family-run'" not in out.getvalue()
