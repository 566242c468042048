"""``manage.py branddna URL [--json]``: the same scrape, nothing saved."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from brands.models import Brand, BrandScrape, Product

pytestmark = pytest.mark.django_db


def test_json_prints_the_dna_and_saves_nothing(fixture_sites, allow_loopback):
    out = StringIO()
    call_command("branddna", fixture_sites["shopify"], "--json", stdout=out)
    dna = json.loads(out.getvalue())
    assert list(dna) == ["name", "tagline", "description", "language", "logo", "colors",
                         "fonts", "social", "products"]
    assert dna["name"] == "Northwind Tea"
    # the site's own families, before mapping to bundled fonts (Lato is drawn with Inter)
    assert dna["fonts"] == {"heading": "Playfair Display", "body": "Lato"}
    assert dna["logo"].startswith(fixture_sites["shopify"])
    assert set(dna["colors"]) == {"primary", "secondary", "accent", "background", "text",
                                  "theme"}
    first = dna["products"][0]
    assert (first["name"], first["price"], first["currency"]) == ("Morning Mist Green", 14.5,
                                                                  "EUR")
    assert set(first) == {"name", "price", "currency", "image", "url"}
    assert (Brand.objects.count(), BrandScrape.objects.count(), Product.objects.count()) == \
        (0, 0, 0)


def test_plain_output_is_readable(fixture_sites, allow_loopback):
    out = StringIO()
    call_command("branddna", fixture_sites["svglogo"], stdout=out)
    text = out.getvalue()
    assert "Name         Orbit Coffee Roasters" in text
    assert "Products     2" in text


@pytest.mark.parametrize("url, message", [
    ("javascript:alert(1)", "is not a web address. Enter one like yourbrand.com"),
    ("ftp://example.com/", "Enter a web address starting with http:// or https://."),
])
def test_bad_address_is_a_clear_error(url, message):
    with pytest.raises(CommandError, match=message):
        call_command("branddna", url, stdout=StringIO())
    assert Brand.objects.count() == 0


def test_unreachable_site_is_a_clear_error(settings):
    settings.STUDIO_OUTBOUND_ALLOW_LOOPBACK = False
    with pytest.raises(CommandError, match="private or local network address"):
        call_command("branddna", "http://127.0.0.1:9/", stdout=StringIO())


def test_preview_raises_the_application_error():
    from brands.services import brand_scrape_preview
    from studio.exceptions import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        brand_scrape_preview(url="")
    assert (caught.value.code, caught.value.field, caught.value.status) == ("invalid_url", "url",
                                                                            400)
