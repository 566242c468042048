"""Onboard each fixture website end to end (crawl → DNA → database) and check what a person
looking at the page would write down."""

from decimal import Decimal

import pytest

from brands.models import Brand, BrandScrape, Product
from brands.selectors import brand_to_brand_json
from brands.services import brand_create, brand_run_scrape, brand_start_scrape
from studio.visual.colour import distance, hex_to_rgb

pytestmark = pytest.mark.django_db


def onboard(workspace, url, django_capture_on_commit_callbacks):
    brand = brand_create(workspace=workspace, name="pending", website=url)
    with django_capture_on_commit_callbacks(execute=False):
        scrape = brand_start_scrape(brand=brand, url=url)
    brand_run_scrape(scrape_id=scrape.id)
    brand.refresh_from_db()
    scrape.refresh_from_db()
    return brand, scrape


def assert_close(actual_hex, expected_hex, tolerance=10):
    assert distance(hex_to_rgb(actual_hex), hex_to_rgb(expected_hex)) < tolerance, \
        f"{actual_hex} is not close to {expected_hex}"


# name, logo?, primary, heading font, body font, product count, first product (name, price, cur)
EXPECTED = {
    "shopify": ("Northwind Tea", True, "#1f6f50", "Playfair Display", "Inter", 3,
                ("Morning Mist Green", Decimal("14.50"), "EUR")),
    "woocommerce": ("Maison Lumière", True, "#b5651d", "Cormorant Garamond", "Montserrat", 2,
                    ("Figue Noire", Decimal("34.00"), "EUR")),
    "saas": ("Flowbase", True, "#4f46e5", "DM Sans", "Inter", 0, None),
    "cssvars": ("Pebble & Co", True, "#e4572e", "Playfair Display", "DM Sans", 0, None),
    "svglogo": ("Orbit Coffee Roasters", True, "#c0392b", "Bebas Neue", "JetBrains Mono", 2,
                ("House Blend", Decimal("9.50"), "GBP")),
    "broken": ("Rusty Bikes", False, "#d35400", "Inter", "Inter", 0, None),
}


@pytest.mark.parametrize("site", sorted(EXPECTED))
def test_fixture_site_dna(site, fixture_sites, allow_loopback, workspace,
                          django_capture_on_commit_callbacks):
    name, has_logo, primary, heading, body, count, first = EXPECTED[site]
    brand, scrape = onboard(workspace, fixture_sites[site], django_capture_on_commit_callbacks)

    assert scrape.status == BrandScrape.Status.SUCCEEDED, scrape.error
    assert scrape.progress == 100
    assert brand.name == name
    assert bool(brand.logo) is has_logo
    assert_close(brand.color_primary, primary)
    assert brand.heading_font == heading
    assert brand.body_font == body
    products = list(brand.products.order_by("position"))
    assert len(products) == count
    if first:
        assert (products[0].name, products[0].price, products[0].currency) == first
        assert products[0].images.count() == 1
        assert products[0].source == Product.Source.SCRAPED
    assert scrape.pages[0]["kind"] == "home"
    assert scrape.found["name"]["value"] == name


def test_shopify_details(fixture_sites, allow_loopback, workspace,
                         django_capture_on_commit_callbacks):
    brand, scrape = onboard(workspace, fixture_sites["shopify"],
                            django_capture_on_commit_callbacks)
    assert brand.tagline == "Tea that tastes like somewhere"
    assert brand.language == "en"
    assert brand.value_props[:3] == ["Direct from family-run gardens",
                                     "Blended by hand in small batches",
                                     "Plastic-free, compostable packaging"]
    assert brand.social_links == {"instagram": "https://www.instagram.com/northwindtea",
                                  "facebook": "https://www.facebook.com/northwindtea"}
    assert brand.heading_font_source == "Playfair Display"
    assert brand.body_font_source == "Lato"
    assert_close(brand.color_background, "#fbf8f1", 3)
    assert brand.tone_of_voice
    # robots.txt disallows /pages/wholesale: it was never fetched.
    assert not any("wholesale" in page["url"] for page in scrape.pages)
    # The missing second photo of Ruby Rooibos is reported, not fatal.
    assert any("missing.png" in error for error in scrape.errors)
    assert brand.logo.name.startswith(f"brands/{workspace.id}/logos/")
    data = brand_to_brand_json(brand)
    assert data["colors"]["primary"] == brand.color_primary
    assert data["fonts"] == {"heading": "Playfair Display", "body": "Inter"}
    assert data["logo"] == brand.logo.name
    assert [p["name"] for p in data["products"]] == ["Morning Mist Green", "Smoky Lapsang",
                                                      "Ruby Rooibos"]


def test_svg_logo_is_rasterised(fixture_sites, allow_loopback, workspace,
                                django_capture_on_commit_callbacks):
    brand, _scrape = onboard(workspace, fixture_sites["svglogo"],
                             django_capture_on_commit_callbacks)
    assert brand.logo.name.endswith(".png")
    from PIL import Image

    with brand.logo.open("rb") as handle, Image.open(handle) as img:
        assert img.format == "PNG"
        assert max(img.size) == 1024  # drawn at a bounded size, the long side 1024 px


def test_french_woocommerce_language_and_value_props(fixture_sites, allow_loopback, workspace,
                                                     django_capture_on_commit_callbacks):
    brand, _ = onboard(workspace, fixture_sites["woocommerce"], django_capture_on_commit_callbacks)
    assert brand.language == "fr"
    assert brand.value_props == ["Cire de soja 100 % naturelle", "Coulées à la main à Lyon",
                                 "Parfums de Grasse"]


def test_css_variable_palette_roles(fixture_sites, allow_loopback, workspace,
                                    django_capture_on_commit_callbacks):
    brand, _ = onboard(workspace, fixture_sites["cssvars"], django_capture_on_commit_callbacks)
    assert brand.palette == {"primary": "#e4572e", "secondary": "#29335c", "accent": "#f3a712",
                             "background": "#fdfbf7", "text": "#1b1b1e"}


def test_broken_site_records_its_problems(fixture_sites, allow_loopback, workspace,
                                          django_capture_on_commit_callbacks, settings):
    settings.BRANDS_SCRAPE_TIMEOUT_SECONDS = 1.5  # style.css takes 3 s; slack for a loaded CI box
    _brand, scrape = onboard(workspace, fixture_sites["broken"],
                             django_capture_on_commit_callbacks)
    assert scrape.status == BrandScrape.Status.SUCCEEDED
    errors = " ".join(scrape.errors)
    assert "style.css: timed out" in errors
    assert "about: HTTP 500" in errors
    assert "logo-rusty.png: HTTP 404" in errors


def test_unreachable_site_fails_the_scrape_and_the_brand(allow_loopback, workspace,
                                                         django_capture_on_commit_callbacks):
    # A port nothing listens on: connection refused.
    brand, scrape = onboard(workspace, "http://127.0.0.1:9/", django_capture_on_commit_callbacks)
    assert scrape.status == BrandScrape.Status.FAILED
    assert scrape.error == ("We could not reach 127.0.0.1:9: nothing answered at that address."
                            " Check the address, try again later, or set the brand up by hand.")
    assert brand.status == Brand.Status.FAILED
    assert brand.products.count() == 0


def test_private_site_is_refused_without_loopback(fixture_sites, settings, workspace,
                                                  django_capture_on_commit_callbacks):
    settings.STUDIO_OUTBOUND_ALLOW_LOOPBACK = False
    brand, scrape = onboard(workspace, fixture_sites["shopify"],
                            django_capture_on_commit_callbacks)
    assert scrape.status == BrandScrape.Status.FAILED
    assert "points to a private or local network address" in scrape.error
    assert brand.name == "pending"
    assert not brand.logo


def fake_voice_model(texts, *, language, name):
    assert texts and language == "en" and name == "Flowbase"
    return {"tone_of_voice": "Crisp and confident", "audience": "Operations teams",
            "value_props": ["Fewer tabs", "More focus"]}


def test_configured_voice_model_refines_tone_and_value_props(
        fixture_sites, allow_loopback, workspace, settings, django_capture_on_commit_callbacks):
    settings.BRANDS_VOICE_DESCRIBER = "tests.brands.test_sites.fake_voice_model"
    brand, scrape = onboard(workspace, fixture_sites["saas"], django_capture_on_commit_callbacks)
    assert (brand.tone_of_voice, brand.audience, brand.value_props) == (
        "Crisp and confident", "Operations teams", ["Fewer tabs", "More focus"])
    assert scrape.found["tone_of_voice"]["source"] == "chat model"


def test_a_site_without_https_is_scanned_over_http(fixture_sites, allow_loopback, workspace,
                                                   django_capture_on_commit_callbacks):
    # The fixture server speaks plain HTTP: an https:// request to it fails its TLS handshake.
    http_url = fixture_sites["saas"]
    brand, scrape = onboard(workspace, http_url.replace("http://", "https://"),
                            django_capture_on_commit_callbacks)

    assert scrape.status == BrandScrape.Status.SUCCEEDED, scrape.error
    assert brand.name == "Flowbase"
    assert scrape.pages[0]["url"] == http_url


def test_an_address_that_is_not_a_website_is_refused_before_any_brand_exists(owner_client,
                                                                             workspace):
    from django.urls import reverse

    response = owner_client.post(reverse("brands:new"), {"site-url": "not a website"})

    assert response.status_code == 200
    assert "“not a website” is not a web address." in response.content.decode()
    assert not Brand.objects.filter(workspace=workspace).exists()
    assert not BrandScrape.objects.exists()
