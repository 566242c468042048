import pytest


def test_healthz_answers_without_touching_services(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db
def test_readyz_reports_database_and_broker_ok(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


@pytest.mark.django_db
def test_readyz_reports_a_dead_broker(client, settings):
    # Nothing listens on port 1: the broker connection is refused.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"] != "ok"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_answer_by_ip_over_plain_http_with_https_on(client, settings, path):
    settings.ALLOWED_HOSTS = ["studio.example.com"]
    settings.SECURE_SSL_REDIRECT = True

    response = client.get(path, HTTP_HOST="10.0.3.7:8000")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_other_pages_still_refuse_an_unknown_host_and_redirect_to_https(client, settings):
    settings.ALLOWED_HOSTS = ["studio.example.com"]
    settings.SECURE_SSL_REDIRECT = True

    unknown = client.get("/accounts/login/", HTTP_HOST="10.0.3.7:8000")
    plain = client.get("/accounts/login/", HTTP_HOST="studio.example.com")

    assert unknown.status_code == 400
    assert plain.status_code == 301
    assert plain["Location"] == "https://studio.example.com/accounts/login/"
