"""The Create page's parts: previews drawn for the brand, that brand's products, the price with
the balance, and search results a marketer can read."""

import pytest
from django.urls import reverse
from PIL import Image

from brands.models import Brand, Product

pytestmark = pytest.mark.django_db


def test_a_template_preview_is_drawn_for_the_brand_and_cached(owner_client, brand, product,
                                                              monkeypatch):
    url = reverse("generations:brand_template_preview", args=[brand.pk, "product-hero"])

    first = owner_client.get(url)
    calls = []
    monkeypatch.setattr("generations.previews.layout_concept",
                        lambda **kwargs: calls.append(kwargs))
    second = owner_client.get(url)

    assert first.status_code == 200
    assert first["Content-Type"] == "image/webp"
    assert "immutable" in first["Cache-Control"]
    image = Image.open(__import__("io").BytesIO(b"".join(first.streaming_content)))
    assert image.size == (270, 480)
    assert second.status_code == 200
    assert calls == []  # served from the cache, not drawn again


def test_previews_of_another_workspace_or_an_unknown_template_are_404(client, owner, outsider,
                                                                      brand):
    client.force_login(owner)
    unknown = client.get(reverse("generations:brand_template_preview",
                                 args=[brand.pk, "no-such-template"]))
    client.force_login(outsider)
    foreign = client.get(reverse("generations:brand_template_preview",
                                 args=[brand.pk, "product-hero"]))

    assert unknown.status_code == 404
    assert foreign.status_code == 404


def test_create_lists_only_the_selected_brands_products(owner_client, workspace, brand,
                                                        product):
    other = Brand.objects.create(workspace=workspace, name="Borealis", status="ready")
    Product.objects.create(workspace=workspace, brand=other, name="Polar Parka")

    page = owner_client.get(reverse("generations:create")).content.decode()
    parts = owner_client.get(reverse("generations:create_brand_parts"),
                             {"brand": other.pk}).content.decode()

    assert "Glow Serum" in page and "Polar Parka" not in page
    assert 'type="checkbox" name="products"' in page
    assert "Polar Parka" in parts and "Glow Serum" not in parts
    assert f"/create/previews/{other.pk}/product-hero.webp" in parts
    assert 'id="template-picker" hx-swap-oob="true"' in parts


def test_an_out_of_range_count_says_what_to_fix_instead_of_a_stale_price(owner_client, credits):
    response = owner_client.get(reverse("generations:create_price"),
                                {"format": "full", "count": "50"})

    body = response.content.decode()
    assert "Choose from 1 to 10 concepts to see the price." in body
    assert "<strong>—</strong>" in body


def test_the_price_shows_the_balance_and_warns_when_it_is_short(owner_client, credits):
    response = owner_client.get(reverse("generations:create_price"),
                                {"format": "full", "count": "10"})

    body = response.content.decode()
    assert "<strong>150</strong> credits" in body
    assert "of your 500 credits" in body
    assert "That is" not in body


def test_without_a_ready_brand_create_says_what_to_do(owner_client, workspace):
    Brand.objects.create(workspace=workspace, name="Half Done", status=Brand.Status.FAILED)

    body = owner_client.get(reverse("generations:create")).content.decode()

    assert "Your brand is not ready yet" in body
    assert "Half Done (its website scan failed)" in body


def test_search_results_use_display_names_hide_scores_and_drop_noise(owner_client):
    body = owner_client.get(reverse("generations:gallery_search"),
                            {"q": "warm honey drip on amber, minimal, slow",
                             "pick": "1"}).content.decode()

    assert '<span class="badge">Motion</span> <strong>Honey Drip</strong>' in body
    assert 'data-fill-look="Honey Amber"' in body
    assert "Studio White" not in body  # far below the best match
    assert "0.2" not in body and "0.1" not in body and "Animationprompt" not in body


@pytest.mark.parametrize("query", ["qwxz vbnm", "asdf ghjk", "the of and", "12345"])
def test_nonsense_says_no_match(owner_client, query):
    body = owner_client.get(reverse("generations:gallery_search"),
                            {"q": query}).content.decode()

    assert f"No match for “{query}”." in body
    assert "<button" not in body
