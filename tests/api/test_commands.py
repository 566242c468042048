"""createapikey, webhooksecret and importbrand print what a script needs as their last line."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from api.models import ApiKey
from brands.models import Brand
from generations.render.samples import dropper_bottle
from tests.api.conftest import ApiClient


def run(*args) -> list[str]:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_createapikey_prints_a_working_key_last(workspace):
    lines = run("createapikey", workspace.slug, "--name", "CI bot", "--scopes",
                "generations:read,credits:read", "brands:read")

    key = lines[-1]
    assert key.startswith("dsrt_live_")
    row = ApiKey.objects.get(workspace=workspace)
    assert row.name == "CI bot"
    assert row.scopes == ["generations:read", "brands:read", "credits:read"]
    assert ApiClient(key).get("/v1/balance").status_code == 200
    assert ApiClient(key).post("/v1/ads/generate", {}).status_code == 403


def test_createapikey_refuses_bad_input_and_creates_nothing(workspace):
    with pytest.raises(CommandError, match="No workspace"):
        run("createapikey", "nope", "--name", "x")
    with pytest.raises(CommandError, match="Unknown scope"):
        run("createapikey", workspace.slug, "--name", "x", "--scopes", "admin")
    assert ApiKey.objects.count() == 0


def test_webhooksecret_prints_the_signing_secret_last(workspace):
    assert run("webhooksecret", workspace.slug)[-1] == workspace.webhook_secret
    with pytest.raises(CommandError):
        run("webhooksecret", "nope")


def test_importbrand_makes_a_ready_brand_that_generates(workspace, api, funded, tmp_path):
    (tmp_path / "logo.png").write_bytes(dropper_bottle())
    (tmp_path / "bottle.png").write_bytes(dropper_bottle())
    (tmp_path / "brand.json").write_text(json.dumps({
        "name": "Noir Roast", "tagline": "Small batch. Slow roast.", "tone": "premium, refined",
        "language": "en",
        "colors": {"primary": "#C8A165", "secondary": "#3A2A20", "accent": "#E8D3B0",
                   "background": "#16110E", "text": "#F5EDE3"},
        "fonts": {"heading": "Playfair Display", "body": "DM Sans"},
        "value_props": ["Single origin", "Roasted to order"], "logo": "logo.png",
        "product": {"name": "Ethiopia Guji", "description": "Single-origin beans.",
                    "price": "19.50", "currency": "USD"},
    }))

    lines = run("importbrand", workspace.slug, "--brand-json", str(tmp_path / "brand.json"),
                "--product-image", str(tmp_path / "bottle.png"), "--default")

    brand = Brand.objects.get(pk=int(lines[-1]))
    assert brand.workspace == workspace
    assert brand.status == Brand.Status.READY
    assert brand.is_default is True
    assert brand.color_primary == "#c8a165"
    assert brand.heading_font == "Playfair Display"
    assert bool(brand.logo)
    product = brand.products.get()
    assert (product.name, str(product.price), product.currency) == ("Ethiopia Guji", "19.50",
                                                                    "USD")
    assert product.images.count() == 1
    assert api.post("/v1/ads/generate", {"format": "static"}).status_code == 202


def test_importbrand_refuses_bad_files_and_writes_nothing(workspace, tmp_path):
    (tmp_path / "bad.json").write_text("{nope")
    (tmp_path / "nameless.json").write_text(json.dumps({"tagline": "x"}))
    (tmp_path / "ok.json").write_text(json.dumps({"name": "X", "product": {"name": "P"}}))
    (tmp_path / "not-an-image.png").write_text("hello")

    with pytest.raises(CommandError, match="not valid JSON"):
        run("importbrand", workspace.slug, "--brand-json", str(tmp_path / "bad.json"))
    with pytest.raises(CommandError, match="name is required"):
        run("importbrand", workspace.slug, "--brand-json", str(tmp_path / "nameless.json"))
    with pytest.raises(CommandError, match="not a PNG"):
        run("importbrand", workspace.slug, "--brand-json", str(tmp_path / "ok.json"),
            "--product-image", str(tmp_path / "not-an-image.png"))
    with pytest.raises(CommandError, match="Cannot read"):
        run("importbrand", workspace.slug, "--brand-json", str(tmp_path / "missing.json"))
    assert Brand.objects.count() == 0
