"""The saved-page corpus: Brand DNA must be right on >= 95% of labelled fields overall and
>= 85% of each field. Run with ``-s`` to see the per-field table."""

import json

import pytest

from tests.brands.corpus import PAGES_DIR, page_names, score_corpus, score_page, table

PLATFORMS = ("shopify", "woocommerce", "magento", "bigcommerce", "squarespace", "wix",
             "wordpress", "nextjs", "microdata")


def test_corpus_has_the_platforms_and_languages_it_claims():
    names = page_names()
    assert len(names) >= 30
    for platform in PLATFORMS:
        assert any(platform in name for name in names), platform
    languages = {json.loads((PAGES_DIR / f"{n}.json").read_text())["expected"].get("language")
                 for n in names}
    assert {"ar", "he", "ja", "zh", "pt", "de", "pl", "cs"} <= languages
    for name in names:
        assert (PAGES_DIR / f"{name}.json").exists(), name


def test_scorer_counts_a_wrong_field_as_wrong():
    expected = {"name": "Acme", "products": [{"name": "Mug", "price": 5.0}]}
    actual = {"name": "Other", "colors": {}, "fonts": {}, "social": [],
              "products": [{"name": "Mug", "price": 6.0}]}
    assert score_page(expected, actual) == {"name": (0, 1), "product name": (1, 1),
                                            "price": (0, 1)}


@pytest.mark.django_db
def test_corpus_accuracy(capsys):
    totals, misses = score_corpus()
    with capsys.disabled():
        print("\n" + table(totals))
        if misses:
            print("missed: " + ", ".join(misses))
    right = sum(r for r, _ in totals.values())
    total = sum(t for _, t in totals.values())
    assert right / total >= 0.95, misses
    for field, (field_right, field_total) in totals.items():
        assert field_right / field_total >= 0.85, (field, misses)
