import csv
import io

import pytest
from django.urls import reverse

from billing import services
from billing.models import CreditAccount, LedgerEntry


@pytest.fixture
def history(account, owner):
    for number in range(30):
        services.debit(account=account, credits=1, reference=f"job:{number}", job_id=number)
    services.grant(account=account, credits=500, memo="Conference promo", actor=owner)
    return account


def test_billing_page_without_stripe_says_payments_are_off(owner_client, account, settings):
    settings.STRIPE_SECRET_KEY = ""

    response = owner_client.get(reverse("billing:overview"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Buying credits is not switched on for this studio." in body
    assert "ask them to top up <em>Acme Skincare</em>" in body
    assert "grantcredits" not in body
    assert "STRIPE_" not in body
    assert 'id="credits-balance">50 ' in body
    assert "Buy with card" not in body
    assert "Video ·" not in body  # API-only models are not on the marketer's price list


def test_the_ledger_opened_directly_is_a_whole_page_with_job_links(owner_client, account,
                                                                   workspace):
    from generations.models import Job

    job = Job.objects.create(workspace=workspace, credits_charged=5)
    services.debit(account=account, credits=5, reference=f"job:{job.public_id}",
                   job_id=job.public_id, memo="Job of 1 static ad")

    response = owner_client.get(reverse("billing:ledger"))

    body = response.content.decode()
    assert "<html" in body
    assert "<h1>Transactions</h1>" in body
    assert f'href="{reverse("generations:job", args=[job.public_id])}"' in body


def test_checkout_without_stripe_is_refused_politely(owner_client, account, settings, pack):
    settings.STRIPE_SECRET_KEY = ""

    response = owner_client.post(reverse("billing:checkout", args=[pack.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("billing:overview")
    assert "Buying credits is not switched on for this studio" in response.content.decode()


def test_ledger_is_paginated_and_filterable(owner_client, history):
    page1 = owner_client.get(reverse("billing:overview")).content.decode()
    assert "Page 1 of 2" in page1
    assert "Conference promo" in page1

    grants = owner_client.get(reverse("billing:ledger"), {"kind": "grant"},
                              HTTP_HX_REQUEST="true")
    body = grants.content.decode()
    assert grants.status_code == 200
    assert "<html" not in body
    assert "Conference promo" in body
    assert "job:3" not in body


def test_ledger_csv_export(owner_client, history):
    response = owner_client.get(reverse("billing:ledger_csv"), {"kind": "debit"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["created_at", "kind", "amount", "balance_after"]
    assert len(rows) == 31
    assert {row[1] for row in rows[1:]} == {"debit"}


def test_outsider_sees_only_their_own_ledger(outsider_client, history):
    response = outsider_client.get(reverse("billing:overview"))

    assert "Conference promo" not in response.content.decode()
    assert 'id="credits-balance">50 ' in response.content.decode()


def test_member_cannot_change_auto_recharge(client, member, account, pack):
    client.force_login(member)

    response = client.post(reverse("billing:auto_recharge"),
                           {"enabled": "on", "threshold": "5", "pack": pack.pk})

    assert response.status_code == 403
    account.refresh_from_db()
    assert account.auto_recharge_threshold == 20


def test_auto_recharge_form_needs_a_card(owner_client, account, pack, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_no_calls_made"
    response = owner_client.post(reverse("billing:auto_recharge"),
                                 {"enabled": "on", "threshold": "30", "pack": pack.pk},
                                 HTTP_HX_REQUEST="true")

    assert response.status_code == 422
    assert "Save a card first" in response.content.decode()
    account.refresh_from_db()
    assert account.auto_recharge_enabled is False


def test_auto_recharge_threshold_saved(owner_client, account, pack, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_no_calls_made"
    response = owner_client.post(reverse("billing:auto_recharge"),
                                 {"threshold": "35", "pack": pack.pk}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "Saved." in response.content.decode()
    account.refresh_from_db()
    assert account.auto_recharge_threshold == 35


def test_webhook_is_off_without_stripe(client, settings, db):
    settings.STRIPE_SECRET_KEY = ""

    response = client.post(reverse("billing:stripe_webhook"), b"{}",
                           content_type="application/json")

    assert response.status_code == 404


def test_staff_grant_in_admin_requires_memo(client, account, django_user_model):
    staff = django_user_model.objects.create_superuser(email="ops@example.com", password="x")
    client.force_login(staff)
    url = reverse("admin:billing_creditaccount_credits", args=[account.pk])

    missing = client.post(url, {"kind": "grant", "credits": "100", "memo": ""})
    assert missing.status_code == 200
    assert account.entries.count() == 1

    done = client.post(url, {"kind": "adjustment", "credits": "-20", "memo": "Bad render"})
    assert done.status_code == 302
    entry = LedgerEntry.objects.get(kind="adjustment")
    assert (entry.amount, entry.memo, entry.actor) == (-20, "Bad render", staff)
    assert CreditAccount.objects.get(pk=account.pk).balance == 30
    change_page = client.get(reverse("admin:billing_creditaccount_change", args=[account.pk]))
    assert change_page.status_code == 200
    assert "Bad render" in change_page.content.decode()


def test_auto_recharge_cannot_be_enabled_without_payments(owner_client, account, pack,
                                                          settings):
    settings.STRIPE_SECRET_KEY = ""

    page = owner_client.get(reverse("billing:overview")).content.decode()
    response = owner_client.post(reverse("billing:auto_recharge"),
                                 {"enabled": "on", "threshold": "30", "pack": pack.pk})

    assert "works only with card payments" in page
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.auto_recharge_enabled is False
