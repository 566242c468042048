"""The review page offers the scan's runner-up logo, colours and fonts; a logo can be swapped."""

import pytest
from django.urls import reverse
from PIL import Image

from brands.models import BrandScrape
from tests.brands.factories import BrandFactory
from tests.brands.sites import FixtureSite

pytestmark = pytest.mark.django_db


def candidates(logo_urls):
    return {
        "logo": [{"value": u, "source": "img: in the header", "evidence": "layout",
                  "score": 2005.0 - i} for i, u in enumerate(logo_urls)],
        "color_primary": [{"value": "#111111", "source": "css", "evidence": "layout",
                           "score": 2010.0},
                          {"value": "#e4572e", "source": "colour used on the site",
                           "evidence": "frequency", "score": 1008.0}],
        "heading_font": [{"value": "Playfair Display", "source": "web font in heading rules",
                          "evidence": "declared", "score": 4003.0}],
    }


def make_scrape(brand, logo_urls):
    return BrandScrape.objects.create(workspace=brand.workspace, brand=brand,
                                      url="https://x.example/",
                                      status=BrandScrape.Status.SUCCEEDED,
                                      candidates=candidates(logo_urls))


def test_review_page_shows_runner_ups(owner_client, workspace):
    brand = BrandFactory(workspace=workspace, color_primary="#111111",
                         heading_font_source="Inter")
    make_scrape(brand, ["https://x.example/a.png", "https://x.example/b.png"])
    html = owner_client.get(reverse("brands:review", args=[brand.id])).content.decode()
    assert html.count('form="logo-swap"') == 2
    assert 'data-set="color_primary" data-value="#e4572e"' in html
    assert 'data-value="#111111"' not in html  # the current colour is not a runner-up
    assert 'data-set="heading_font" data-value="Playfair Display"' in html


def test_swap_logo_downloads_the_candidate(owner_client, workspace, tmp_path,
                                           allow_loopback):
    Image.new("RGB", (90, 30), (10, 90, 200)).save(tmp_path / "b.png")
    site = FixtureSite("logos", tmp_path).start()
    try:
        brand = BrandFactory(workspace=workspace)
        make_scrape(brand, [site.url + "a.png", site.url + "b.png"])
        response = owner_client.post(reverse("brands:use_logo", args=[brand.id]), {"index": 1})
        assert response.status_code == 302
        brand.refresh_from_db()
        assert brand.logo and brand.logo_url == site.url + "b.png"
        assert "logo" in brand.edited_fields
    finally:
        site.stop()


@pytest.mark.parametrize("index", ["7", "-1", "x", ""])
def test_swap_with_a_bad_index_changes_nothing(owner_client, workspace, index):
    brand = BrandFactory(workspace=workspace)
    make_scrape(brand, ["https://x.example/a.png"])
    response = owner_client.post(reverse("brands:use_logo", args=[brand.id]), {"index": index},
                                 follow=True)
    assert response.status_code == 200
    assert "That logo is not one the scan found." in response.content.decode()
    brand.refresh_from_db()
    assert (bool(brand.logo), brand.logo_url, brand.edited_fields) == (False, "", [])


def test_swap_that_cannot_download_changes_nothing(owner_client, workspace, tmp_path,
                                                   allow_loopback):
    site = FixtureSite("empty", tmp_path).start()
    try:
        brand = BrandFactory(workspace=workspace)
        make_scrape(brand, [site.url + "missing.png"])
        response = owner_client.post(reverse("brands:use_logo", args=[brand.id]),
                                     {"index": 0}, follow=True)
        assert "could not be downloaded (HTTP 404)" in response.content.decode()
        brand.refresh_from_db()
        assert (bool(brand.logo), brand.edited_fields) == (False, [])
    finally:
        site.stop()


def test_swap_is_post_only_and_scoped_to_the_workspace(owner_client, workspace):
    other = BrandFactory()
    make_scrape(other, ["https://x.example/a.png"])
    assert owner_client.post(reverse("brands:use_logo", args=[other.id]),
                             {"index": 0}).status_code == 404
    mine = BrandFactory(workspace=workspace)
    assert owner_client.get(reverse("brands:use_logo", args=[mine.id])).status_code == 405
