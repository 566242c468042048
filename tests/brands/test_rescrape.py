"""Applying a scrape: candidates kept, sale prices, image URLs kept when a download fails and
retried later, products no longer on the site marked removed (never deleted)."""

import json

import pytest
from PIL import Image

from brands.models import BrandScrape, Product
from brands.services import (
    brand_create,
    brand_retry_pending_images,
    brand_run_scrape,
    brand_start_scrape,
    product_create,
    product_update,
)
from tests.brands.sites import FixtureSite

pytestmark = pytest.mark.django_db


def write_shop(root, products, *, logo=True, serve_images=True):
    """A one-page shop: JSON-LD products with one photo each."""
    root.mkdir(parents=True, exist_ok=True)
    items = []
    for slug, name, price, regular in products:
        if serve_images:
            Image.new("RGB", (80, 80), (20, 120, 90)).save(root / f"{slug}.png")
        offers = {"@type": "Offer", "price": price, "priceCurrency": "EUR"}
        if regular:
            offers["priceSpecification"] = {"@type": "UnitPriceSpecification", "price": regular,
                                            "priceType": "https://schema.org/ListPrice"}
        items.append({"@type": "Product", "name": name, "sku": slug, "image": f"/{slug}.png",
                      "offers": offers})
    if logo:
        Image.new("RGB", (120, 40), (200, 50, 50)).save(root / "logo.png")
    (root / "index.html").write_text(
        '<html lang="en"><head><title>Shop</title><meta property="og:site_name" content="Kiln">'
        f'<script type="application/ld+json">{json.dumps(items)}</script></head><body>'
        '<header><a href="/"><img src="/logo.png" alt="Kiln"></a></header></body></html>')


def scrape(brand, url, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = brand_start_scrape(brand=brand, url=url)
    brand_run_scrape(scrape_id=job.id)
    brand.refresh_from_db()
    job.refresh_from_db()
    return job


def test_candidates_sale_price_and_failed_photo_kept(tmp_path, workspace, allow_loopback,
                                                      django_capture_on_commit_callbacks):
    root = tmp_path / "shop"
    write_shop(root, [("mug", "Mug", "9.00", "12.00")], serve_images=False)
    site = FixtureSite("shop", root).start()
    try:
        brand = brand_create(workspace=workspace, name="pending")
        job = scrape(brand, site.url, django_capture_on_commit_callbacks)
        assert job.status == BrandScrape.Status.SUCCEEDED
        assert job.candidates["name"][0] == {"value": "Kiln", "source": "og:site_name",
                                             "evidence": "declared", "score": 4010.0}
        (mug,) = Product.objects.filter(brand=brand)
        assert (str(mug.price), str(mug.regular_price)) == ("9.00", "12.00")
        assert mug.images.count() == 0
        assert mug.pending_images == [{"url": site.url + "mug.png", "error": "HTTP 404",
                                       "attempts": 1}]
        assert brand.logo and brand.logo_url == site.url + "logo.png" and brand.logo_error == ""

        Image.new("RGB", (80, 80), (1, 2, 3)).save(root / "mug.png")
        assert brand_retry_pending_images(brand=brand) == 1
        mug.refresh_from_db()
        assert (mug.images.count(), mug.pending_images) == (1, [])
        assert mug.images.get().source_url == site.url + "mug.png"
    finally:
        site.stop()


def test_failed_logo_keeps_its_url_and_error(tmp_path, workspace, allow_loopback,
                                             django_capture_on_commit_callbacks):
    root = tmp_path / "nologo"
    write_shop(root, [("cup", "Cup", "5.00", None)], logo=False)
    site = FixtureSite("nologo", root).start()
    try:
        brand = brand_create(workspace=workspace, name="pending")
        scrape(brand, site.url, django_capture_on_commit_callbacks)
        assert not brand.logo
        assert (brand.logo_url, brand.logo_error) == (site.url + "logo.png", "HTTP 404")
        assert brand_retry_pending_images(brand=brand) == 0
        brand.refresh_from_db()
        assert brand.logo_error == "HTTP 404" and not brand.logo
    finally:
        site.stop()


def test_rescrape_marks_vanished_products_removed_and_keeps_edits(
        tmp_path, workspace, allow_loopback, django_capture_on_commit_callbacks):
    root = tmp_path / "shop2"
    write_shop(root, [("a", "Alpha", "1.00", None), ("b", "Beta", "2.00", None),
                      ("c", "Gamma", "3.00", None)])
    site = FixtureSite("shop2", root).start()
    try:
        brand = brand_create(workspace=workspace, name="pending")
        scrape(brand, site.url, django_capture_on_commit_callbacks)
        beta = Product.objects.get(brand=brand, name="Beta")
        product_update(product=beta, data={"name": "Beta (our favourite)"})
        handmade = product_create(brand=brand, name="Gift card")

        write_shop(root, [("a", "Alpha", "1.50", None)])
        scrape(brand, site.url, django_capture_on_commit_callbacks)

        rows = {p.name: p for p in Product.objects.filter(brand=brand)}
        assert sorted(rows) == ["Alpha", "Beta (our favourite)", "Gamma", "Gift card"]
        assert (str(rows["Alpha"].price), rows["Alpha"].active, rows["Alpha"].removed_at) == \
            ("1.50", True, None)
        for name in ("Beta (our favourite)", "Gamma"):
            assert rows[name].active is False and rows[name].removed_at is not None
        assert rows["Beta (our favourite)"].edited is True
        assert (rows["Gift card"].active, rows["Gift card"].removed_at) == (True, None)
        assert handmade.id == rows["Gift card"].id

        write_shop(root, [("a", "Alpha", "1.50", None), ("c", "Gamma", "3.00", None)])
        scrape(brand, site.url, django_capture_on_commit_callbacks)
        gamma = Product.objects.get(brand=brand, name="Gamma")
        assert (gamma.active, gamma.removed_at) == (True, None)
    finally:
        site.stop()
