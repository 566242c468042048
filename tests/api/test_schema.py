"""The OpenAPI schema at /api/schema/ describes every endpoint, the docs page needs no CDN, and
schemathesis finds no 5xx and no response that breaks the schema (bounded to stay fast)."""

from __future__ import annotations

import re

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from api.keys import api_key_create
from brands.models import Brand
from studio.wsgi import application

DESSERT_PATHS = {"/v1/ads/generate", "/v1/deliveries/{delivery_id}", "/v1/brands",
                 "/v1/brands/{brand_id}", "/v1/styles", "/v1/styles/search", "/v1/balance",
                 "/v1/usage"}


def test_the_schema_covers_every_dessert_endpoint_with_examples(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) >= DESSERT_PATHS
    generate = schema["paths"]["/v1/ads/generate"]["post"]
    examples = generate["requestBody"]["content"]["application/json"]["examples"]
    assert examples["SensoryFullAds"]["value"]["creative"]["animation_prompts"] == [
        "Serum Droplets", "Lotion Texture"]
    assert {"202", "400", "401", "402", "404", "409", "425", "429", "502"} <= set(
        generate["responses"])
    assert schema["components"]["securitySchemes"]["ApiKey"] == {
        **schema["components"]["securitySchemes"]["ApiKey"], "type": "http",
        "scheme": "bearer"}


def test_the_docs_page_loads_swagger_ui_from_our_static_files(client, db):
    html = client.get("/api/docs/").content.decode()

    assert "/static/swagger-ui/swagger-ui-bundle.js" in html
    # The CSP allows no inline script: Swagger UI's initialiser comes as a file too.
    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", html) == []
    # Nothing loaded from another host (a CSRF token can contain "cdn": look at the URLs).
    assert re.findall(r'(?:src|href)="((?:https?:)?//[^"]*)"', html) == []
    for name in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css",
                 "favicon-32x32.png"):
        assert f"/static/swagger-ui/{name}" in html
        assert client.get(f"/static/swagger-ui/{name}").status_code == 200


@pytest.fixture
def _wsgi_keeps_the_test_connection(db):
    # Requests go straight to the WSGI app; like Django's test client, keep the request
    # signals from closing the test's database connection (and its transaction).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_key(workspace):
    Brand.objects.create(workspace=workspace, name="Lumen", status=Brand.Status.READY,
                         is_default=True)
    return api_key_create(workspace=workspace, name="fuzz",
                          rate_limit_per_minute=100_000).plaintext


# Loaded at collection through the WSGI app itself (the schema view needs no database).
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_5xx_and_every_answer_matches_the_schema(case, fuzz_key,
                                                    _wsgi_keeps_the_test_connection):
    # Every check except the two that judge business outcomes: a schema-valid brief can still
    # be refused (402 once the fuzzer has spent the credits, 404 for a random brand id), and
    # parsing is lenient where the vendor is ("3" is a count; fields a mode ignores are ignored).
    case.call_and_validate(headers={"Authorization": f"Bearer {fuzz_key}"},
                           excluded_checks=[positive_data_acceptance, negative_data_rejection])
