"""One price list: the model registry, the Billing page and every concept share read
``billing.pricing``."""

import json

import pytest

from billing import pricing
from generations import catalogue
from generations.briefs import AdBrief, brief_credits, concept_credits
from generations.selectors import model_registry


def test_the_model_registry_is_priced_from_the_price_table():
    models = {model["id"]: model for model in model_registry()}

    assert models["local-image"]["creditsCost"] == pricing.IMAGE_MODEL_CREDITS["local-image"] == 2
    assert models["local-motion"]["creditsCost"] == 2
    assert models["local-motion"]["creditsPerSecond"] == 2
    assert models["local-transition"]["creditsPerSecond"] == 1
    assert "creditsPerSecond" not in models["local-image"]


def test_the_catalogue_file_holds_no_prices():
    raw = json.loads((catalogue.CATALOGUE_DIR / "models.json").read_text())

    assert [key for model in raw for key in model if "credit" in key.lower()] == []


def test_every_catalogue_video_duration_has_a_price():
    videos = [model for model in model_registry() if model["kind"] == "video"]
    assert videos
    for model in videos:
        for seconds in model["durations"]:
            price = pricing.price_for(kind="video", model=model["id"], duration_seconds=seconds)
            assert price == model["creditsPerSecond"] * seconds


def test_video_prices_per_model_and_duration():
    assert pricing.price_for(kind="video", model="local-motion", duration_seconds=5) == 10
    assert pricing.price_for(kind="video", model="local-motion", duration_seconds=15) == 30
    assert pricing.price_for(kind="video", model="hosted-video", duration_seconds=10) == 50
    assert pricing.price_for(kind="image") == 2
    assert pricing.price_for(kind="image", model="unknown-model") == 4


def test_a_price_without_duration_is_refused_with_the_field():
    with pytest.raises(pricing.UnknownPrice) as refused:
        pricing.price_for(kind="video", model="local-motion")

    assert (refused.value.code, refused.value.field, refused.value.status) == (
        "unknown_price", "duration_seconds", 400)


def test_the_billing_page_rows_come_from_the_same_table():
    rows = {row["label"]: row["credits"] for row in pricing.price_table()}

    assert rows["Image · local-image"] == 2
    assert rows["Video · local-motion · 10s"] == 20
    assert rows["Video · local-transition · 5s"] == 5
    assert rows["Static ad (all placements)"] == pricing.STATIC_AD_CREDITS


@pytest.mark.parametrize(("brief", "share"), [
    (AdBrief(format="static", count=3), 5),
    (AdBrief(format="full", count=4), 15),
    (AdBrief(format="full", count=2, in_situ=True), 23),
])
def test_a_brief_costs_its_concept_share_times_its_count(brief, share):
    assert concept_credits(brief) == share
    assert brief_credits(brief) == share * brief.count
