"""Settings → API keys: list, create (shown once, with a copy button), revoke; and admin."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from api.keys import api_key_create
from api.models import ApiKey
from tests.api.conftest import ApiClient

URL = "/settings/api-keys/"


def test_the_nav_links_the_page_and_it_lists_keys_without_secrets(owner_client, workspace,
                                                                  owner):
    created = api_key_create(workspace=workspace, name="Shopify sync", created_by=owner)

    page = owner_client.get(URL)

    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="{URL}"' in owner_client.get(reverse("studio:dashboard")).content.decode()
    assert "Shopify sync" in html
    assert created.api_key.display in html
    assert created.plaintext not in html
    assert "owner@example.com" in html
    assert "never" in html


def test_an_owner_creates_a_key_shown_once_with_a_copy_button(owner_client, workspace):
    response = owner_client.post(URL, {"name": "Zapier", "scopes": ["generations:read",
                                                                     "credits:read"]})

    assert response.status_code == 200
    key = ApiKey.objects.get(workspace=workspace)
    assert key.scopes == ["generations:read", "credits:read"]
    html = response.content.decode()
    plaintext = html.split('id="new-api-key">')[1].split("<")[0]
    assert plaintext.startswith("dsrt_live_")
    assert 'data-copy="#new-api-key"' in html
    assert ApiClient(plaintext).get("/v1/balance").status_code == 200
    assert plaintext not in owner_client.get(URL).content.decode()


def test_creating_without_a_name_or_scope_is_refused(owner_client, workspace):
    assert owner_client.post(URL, {"name": "", "scopes": ["credits:read"]}).status_code == 400
    assert owner_client.post(URL, {"name": "x"}).status_code == 400
    assert owner_client.post(URL, {"name": "x", "scopes": ["root"]}).status_code == 400
    assert ApiKey.objects.count() == 0


def test_a_member_sees_keys_but_cannot_create_or_revoke(client, member, workspace):
    key = api_key_create(workspace=workspace, name="CI").api_key
    client.force_login(member)

    assert client.get(URL).status_code == 200
    assert client.post(URL, {"name": "x", "scopes": ["credits:read"]}).status_code == 403
    assert client.post(f"{URL}{key.pk}/revoke/").status_code == 403
    assert ApiKey.objects.count() == 1
    key.refresh_from_db()
    assert key.revoked_at is None


def test_revoke_stops_the_key_and_outsiders_get_404(owner_client, outsider, workspace):
    created = api_key_create(workspace=workspace, name="CI")
    outsider_client = Client()
    outsider_client.force_login(outsider)

    assert outsider_client.post(f"{URL}{created.api_key.pk}/revoke/").status_code == 404
    assert ApiClient(created.plaintext).get("/v1/balance").status_code == 200
    response = owner_client.post(f"{URL}{created.api_key.pk}/revoke/")

    assert response.status_code == 302
    assert ApiClient(created.plaintext).get("/v1/balance").status_code == 401
    assert "Revoked" in owner_client.get(URL).content.decode()
    assert owner_client.get(f"{URL}{created.api_key.pk}/revoke/").status_code == 405


def test_admin_creates_a_key_and_shows_it_once(client, workspace, django_user_model):
    staff = django_user_model.objects.create_superuser(email="ops@example.com", password="x")
    client.force_login(staff)

    response = client.post(reverse("admin:api_apikey_add"), {
        "workspace": workspace.pk, "name": "ops key", "scopes": '["credits:read"]',
        "rate_limit_per_minute": ""}, follow=True)

    assert response.status_code == 200
    key = ApiKey.objects.get()
    assert key.scopes == ["credits:read"]
    assert key.created_by == staff
    message = next(m.message for m in response.context["messages"])
    plaintext = message.rsplit(" ", 1)[1]
    assert ApiClient(plaintext).get("/v1/balance").status_code == 200
    refused = client.post(reverse("admin:api_apikey_add"), {
        "workspace": workspace.pk, "name": "bad", "scopes": '["root"]'})
    assert refused.status_code == 200
    assert ApiKey.objects.count() == 1
