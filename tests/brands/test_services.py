"""Brand services: defaults, re-scrapes that respect manual edits, products, the DNA dict."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from PIL import Image

from brands.models import Brand, BrandScrape, Product
from brands.selectors import (
    brand_onboarding_in_progress,
    brand_to_brand_json,
    default_brand_for,
)
from brands.services import (
    brand_create,
    brand_run_scrape,
    brand_set_default,
    brand_start_scrape,
    brand_update_dna,
    normalise_website,
    product_create,
    product_image_add,
    product_update,
)
from studio.exceptions import InvalidInput
from tests.brands.factories import BrandFactory

pytestmark = pytest.mark.django_db


def png_upload(name="photo.png", size=(64, 64), color=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_first_brand_is_the_default_and_only_one_default_per_workspace(workspace):
    first = brand_create(workspace=workspace, name="One")
    second = brand_create(workspace=workspace, name="Two")
    assert (first.is_default, second.is_default) == (True, False)
    assert default_brand_for(workspace) == first
    brand_set_default(brand=second)
    first.refresh_from_db()
    assert (first.is_default, default_brand_for(workspace)) == (False, second)
    with pytest.raises(IntegrityError), transaction.atomic():
        Brand.objects.filter(id=first.id).update(is_default=True)


def test_start_scrape_enqueues_after_commit(workspace, django_capture_on_commit_callbacks,
                                            monkeypatch):
    sent = []
    monkeypatch.setattr("brands.tasks.scrape_brand.delay", lambda scrape_id: sent.append(scrape_id))
    brand = brand_create(workspace=workspace, name="x")
    with django_capture_on_commit_callbacks(execute=True):
        scrape = brand_start_scrape(brand=brand, url="example.com")
        assert sent == []  # not inside the transaction
    assert sent == [scrape.id]
    assert scrape.url == "https://example.com/"
    assert brand_onboarding_in_progress(brand)


@pytest.mark.parametrize("url", ["", "ftp://x.example", "javascript:alert(1)",
                                 "https://user:pw@x.example/", "http://exa mple.com",
                                 "http://%", "http://xn--/", "http://" + "a" * 300 + ".com",
                                 "http://[::1", "http://x\x00y.com",
                                 "https://example.com/" + "p" * 500])
def test_bad_website_addresses_are_refused(url):
    with pytest.raises(InvalidInput):
        normalise_website(url)


@pytest.mark.parametrize("url", ["http://exa mple.com", "http://%", "http://xn--/",
                                 "http://" + "a" * 300 + ".com", "http://[::1"])
def test_whatever_normalise_website_accepts_the_brand_accepts(workspace, url):
    """The review page re-validates the brand: an address refused there must be refused
    here, or the page fails forever."""
    from brands.models import Brand

    brand = Brand(workspace=workspace, name="x", website="https://example.com/")
    try:
        brand.website = normalise_website(url)
    except InvalidInput:
        return
    brand.full_clean()


@pytest.mark.parametrize(("url", "expected"), [
    ("example.com", "https://example.com/"),
    ("https://shop.example.co.uk/path?x=1", "https://shop.example.co.uk/path?x=1"),
    ("https://bücher.de", "https://bücher.de/"),
])
def test_good_website_addresses_are_normalised(url, expected):
    assert normalise_website(url) == expected


def test_running_a_scrape_twice_does_nothing_the_second_time(workspace, fixture_sites,
                                                             allow_loopback,
                                                             django_capture_on_commit_callbacks):
    brand = brand_create(workspace=workspace, name="x")
    with django_capture_on_commit_callbacks(execute=False):
        scrape = brand_start_scrape(brand=brand, url=fixture_sites["saas"])
    assert brand_run_scrape(scrape_id=scrape.id).status == BrandScrape.Status.SUCCEEDED
    assert brand_run_scrape(scrape_id=scrape.id) is None


def _scrape(brand, url, overwrite, capture):
    with capture(execute=False):
        scrape = brand_start_scrape(brand=brand, url=url, overwrite=overwrite)
    brand_run_scrape(scrape_id=scrape.id)
    brand.refresh_from_db()


def test_rescrape_keeps_manual_edits_unless_overwrite(workspace, fixture_sites, allow_loopback,
                                                      django_capture_on_commit_callbacks):
    url = fixture_sites["shopify"]
    brand = brand_create(workspace=workspace, name="x")
    _scrape(brand, url, False, django_capture_on_commit_callbacks)
    brand_update_dna(brand=brand, data={"name": "Northwind", "color_primary": "#000000",
                                        "tagline": brand.tagline})
    assert brand.edited_fields == ["color_primary", "name"]
    green = Product.objects.get(brand=brand, name="Morning Mist Green")
    product_update(product=green, data={"name": "Green Tea", "price": Decimal("15.00")})
    manual = product_create(brand=brand, name="Gift card", price=Decimal("25"))

    _scrape(brand, url, False, django_capture_on_commit_callbacks)
    assert (brand.name, brand.color_primary) == ("Northwind", "#000000")
    assert brand.tagline == "Tea that tastes like somewhere"
    green.refresh_from_db()
    assert (green.name, green.price) == ("Green Tea", Decimal("15.00"))
    assert Product.objects.filter(brand=brand).count() == 4
    assert Product.objects.filter(id=manual.id).exists()

    _scrape(brand, url, True, django_capture_on_commit_callbacks)
    assert (brand.name, brand.color_primary, brand.edited_fields) == ("Northwind Tea",
                                                                     "#1f6f50", [])
    green.refresh_from_db()
    assert (green.name, green.price, green.edited) == ("Morning Mist Green", Decimal("14.50"),
                                                        False)
    assert green.images.count() == 1  # replaced, not duplicated


def test_update_dna_validates_colours_and_logo(workspace):
    brand = BrandFactory(workspace=workspace)
    with pytest.raises(InvalidInput):
        brand_update_dna(brand=brand, data={"color_primary": "red"})
    brand.refresh_from_db()
    with pytest.raises(InvalidInput):
        brand_update_dna(brand=brand, data={},
                         logo_file=SimpleUploadedFile("x.png", b"not an image"))
    brand_update_dna(brand=brand, data={}, logo_file=png_upload())
    assert brand.logo.name.endswith(".png") and "logo" in brand.edited_fields


def test_product_images_are_validated(workspace):
    brand = BrandFactory(workspace=workspace)
    product = product_create(brand=brand, name="Mug", currency="eur")
    assert product.currency == "EUR" and product.workspace_id == workspace.id
    with pytest.raises(InvalidInput):
        product_image_add(product=product, upload=SimpleUploadedFile("a.png", b"<html>"))
    assert product.images.count() == 0
    image = product_image_add(product=product, upload=png_upload())
    assert (image.width, image.height) == (64, 64)


def test_brand_json_shape(workspace):
    brand = BrandFactory(workspace=workspace, name="Acme", tagline="Hi", value_props=["Fast"],
                         color_primary="#ff0000")
    product_create(brand=brand, name="On", price=Decimal("3.50"), currency="USD")
    product_create(brand=brand, name="Off", active=False)
    data = brand_to_brand_json(brand)
    assert data["colors"]["primary"] == "#ff0000"
    assert set(data) >= {"name", "tagline", "tone", "language", "colors", "fonts",
                         "value_props", "logo", "products"}
    assert data["logo"] is None
    assert data["products"] == [{"id": data["products"][0]["id"], "name": "On",
                                 "description": "", "price": "3.50", "currency": "USD",
                                 "url": "", "images": []}]
