"""Response headers and request limits: CSP that htmx pages work under, Permissions-Policy,
the body cap, and NUL bytes refused before any view or query runs."""

import re

import pytest
from django.urls import reverse

from generations.models import Job


def test_pages_carry_a_csp_with_a_nonce_for_their_inline_script(owner_client, workspace):
    from brands.models import Brand

    brand = Brand.objects.create(workspace=workspace, name="Lumen", status="ready")

    response = owner_client.get(reverse("brands:review", args=[brand.id]))

    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert f'<script nonce="{nonce}">' in response.content.decode()
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy


def test_htmx_is_served_from_this_site(owner_client):
    page = owner_client.get(reverse("studio:dashboard")).content.decode()

    assert '<script src="/static/vendor/htmx/htmx.min.js" defer></script>' in page


def test_every_response_carries_a_permissions_policy(client, owner_client):
    for response in (client.get("/accounts/login/"), owner_client.get("/")):
        assert "camera=()" in response["Permissions-Policy"]
        assert "microphone=()" in response["Permissions-Policy"]
        assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_a_body_over_the_cap_is_413_before_any_view(client, settings):
    settings.STUDIO_MAX_REQUEST_BYTES = 1000

    html = client.post("/accounts/signup/", data="x" * 2000, content_type="text/plain")
    api = client.post("/v1/ads/generate", data="x" * 2000, content_type="application/json")

    assert html.status_code == 413
    assert html.content.decode() == "The request body must be at most 0 MB."
    assert api.status_code == 413
    assert api.json()["error"]["code"] == "payload_too_large"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/v/%00/", "/invitations/%00/", "/jobs/%00/",
                                  "/jobs/%00/download.zip", "/files/%00", "/v/a%00b/",
                                  "/queue/?page=%00", "/brands/?q=%00"])
def test_a_nul_byte_is_refused_before_the_database(client, owner_client, path):
    anonymous = client.get(path)
    member = owner_client.get(path)

    assert anonymous.status_code == 400
    assert member.status_code == 400
    assert Job.objects.count() == 0
