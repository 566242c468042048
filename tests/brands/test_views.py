"""The brand pages and wizard through the Django test client; tenancy is a 404."""

from decimal import Decimal

import pytest
from django.urls import reverse

from brands.models import Brand, BrandScrape, Product
from brands.services import brand_run_scrape, product_create
from tests.brands.factories import BrandFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_wizard_end_to_end(owner_client, workspace, fixture_sites, allow_loopback,
                           django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr("brands.tasks.scrape_brand.delay",
                        lambda scrape_id: brand_run_scrape(scrape_id=scrape_id))
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("brands:new"),
                                     {"action": "scrape", "site-url": fixture_sites["shopify"]})
    brand = Brand.objects.get(workspace=workspace)
    assert response.status_code == 302
    assert response["Location"] == reverse("brands:progress", args=[brand.id])
    assert brand.name == "Northwind Tea"

    status = owner_client.get(reverse("brands:progress_status", args=[brand.id]),
                              headers={"HX-Request": "true"})
    assert status["HX-Redirect"] == reverse("brands:review", args=[brand.id])
    assert b"Northwind Tea" in status.content

    review = owner_client.get(reverse("brands:review", args=[brand.id]))
    assert review.status_code == 200
    assert b'value="#1f6f50"' in review.content
    assert b"Playfair Display" in review.content

    form = {
        "name": "Northwind Tea", "tagline": "Tea from somewhere", "description": "",
        "color_primary": "#1F6F50", "color_secondary": "#143d2e", "color_accent": "#c9a227",
        "color_background": "#fbf8f1", "color_text": "#232323", "heading_font": "Lora",
        "body_font": "Inter", "tone_of_voice": "Warm", "value_props": "Fresh\n\nFair\n",
        "audience": "Tea lovers", "language": "en", "next": "products",
    }
    response = owner_client.post(reverse("brands:review", args=[brand.id]), form)
    assert response.status_code == 302
    brand.refresh_from_db()
    assert (brand.heading_font, brand.value_props, brand.color_primary) == \
        ("Lora", ["Fresh", "Fair"], "#1f6f50")

    product = brand.products.get(name="Smoky Lapsang")
    response = owner_client.post(reverse("brands:product_toggle", args=[brand.id, product.id]),
                                 headers={"HX-Request": "true"})
    assert b"Off" in response.content
    product.refresh_from_db()
    assert product.active is False

    response = owner_client.post(reverse("brands:product_new", args=[brand.id]), {
        "name": "Gift card", "price": "25.00", "currency": "eur", "active": "on"})
    assert response.status_code == 302
    assert brand.products.get(name="Gift card").currency == "EUR"

    response = owner_client.post(reverse("brands:finish", args=[brand.id]))
    brand.refresh_from_db()
    assert brand.status == Brand.Status.READY
    detail = owner_client.get(response["Location"])
    assert b"Northwind Tea" in detail.content and b"Gift card" in detail.content


def test_failed_scrape_stops_polling_and_offers_manual_entry(owner_client, workspace):
    brand = BrandFactory(workspace=workspace, status=Brand.Status.FAILED)
    BrandScrape.objects.create(workspace=workspace, brand=brand, url="https://x.example/",
                               status=BrandScrape.Status.FAILED, error="Refused: private")
    response = owner_client.get(reverse("brands:progress_status", args=[brand.id]),
                                headers={"HX-Request": "true"})
    assert response.status_code == 286
    assert b"Refused: private" in response.content
    assert reverse("brands:review", args=[brand.id]).encode() in response.content


def test_manual_brand_without_website(owner_client, workspace):
    response = owner_client.post(reverse("brands:new"), {"action": "manual",
                                                         "manual-name": "Hand Made"})
    brand = Brand.objects.get(workspace=workspace)
    assert response["Location"] == reverse("brands:review", args=[brand.id])
    assert (brand.name, brand.website, brand.scrapes.count()) == ("Hand Made", "", 0)
    assert owner_client.get(reverse("brands:review", args=[brand.id])).status_code == 200


def test_new_brand_with_bad_address_shows_an_error(owner_client, workspace):
    response = owner_client.post(reverse("brands:new"), {"action": "scrape",
                                                         "site-url": "ftp://nope"})
    assert response.status_code == 200
    assert b"http:// or https://" in response.content
    assert not Brand.objects.exists()


def test_list_and_detail(owner_client, workspace):
    brand = BrandFactory(workspace=workspace, name="Visible")
    ProductFactory(brand=brand, name="Thing", price=Decimal("2.00"))
    assert b"Visible" in owner_client.get(reverse("brands:list")).content
    assert b"Thing" in owner_client.get(reverse("brands:detail", args=[brand.id])).content


@pytest.mark.parametrize("name, method", [
    ("brands:detail", "get"), ("brands:review", "get"), ("brands:products", "get"),
    ("brands:progress", "get"), ("brands:progress_status", "get"), ("brands:finish", "post"),
    ("brands:rescrape", "post"), ("brands:make_default", "post"), ("brands:product_new", "get"),
])
def test_another_workspaces_brand_is_a_404(outsider_client, workspace, name, method):
    brand = BrandFactory(workspace=workspace, status=Brand.Status.ONBOARDING)
    response = getattr(outsider_client, method)(reverse(name, args=[brand.id]))
    assert response.status_code == 404
    brand.refresh_from_db()
    assert brand.status == Brand.Status.ONBOARDING and not brand.is_default


def test_another_workspaces_product_is_a_404(owner_client, workspace, other_workspace):
    mine = BrandFactory(workspace=workspace)
    theirs = ProductFactory(brand=BrandFactory(workspace=other_workspace), active=True)
    response = owner_client.post(reverse("brands:product_toggle", args=[mine.id, theirs.id]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.active is True
    own_product = product_create(brand=mine, name="Mine")
    other_brand = BrandFactory(workspace=workspace)
    response = owner_client.get(reverse("brands:product_edit",
                                        args=[other_brand.id, own_product.id]))
    assert response.status_code == 404


def test_rescrape_from_detail_page(owner_client, workspace, monkeypatch,
                                   django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr("brands.tasks.scrape_brand.delay", sent.append)
    brand = BrandFactory(workspace=workspace, website="https://old.example/")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("brands:rescrape", args=[brand.id]),
                                     {"url": "new.example", "overwrite": "on"})
    scrape = brand.scrapes.get()
    assert response["Location"] == reverse("brands:progress", args=[brand.id])
    assert (scrape.url, scrape.overwrite, sent) == ("https://new.example/", True, [scrape.id])
    brand.refresh_from_db()
    assert brand.status == Brand.Status.READY  # a ready brand stays usable while re-scanning
    assert Product.objects.count() == 0
