import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from billing import pricing, services
from billing.exceptions import InsufficientCredits, LedgerConflict
from billing.models import CreditAccount, LedgerEntry
from billing.selectors import balance_summary, ledger_drift
from billing.services import account_for_workspace
from studio.exceptions import Conflict, InvalidInput
from studio.services import workspace_create
from tests.studio.factories import UserFactory


def entries(account):
    return list(account.entries.order_by("id").values_list("kind", "amount", "balance_after"))


def test_new_workspace_gets_welcome_bonus(db):
    workspace = workspace_create(name="Northwind", owner=UserFactory())

    account = account_for_workspace(workspace)

    assert account.balance == 50
    assert entries(account) == [("bonus", 50, 50)]
    assert account.entries.get().memo == "Welcome bonus"


def test_account_for_workspace_opens_once(workspace):
    first = account_for_workspace(workspace)
    second = account_for_workspace(workspace)

    assert first.pk == second.pk
    assert first.entries.count() == 1


def test_debit_takes_credits_and_counts_usage(account):
    entry = services.debit(account=account, credits=15, reference="job:1", job_id="1",
                           memo="1 full ad")

    account.refresh_from_db()
    assert (entry.kind, entry.amount, entry.balance_after) == ("debit", -15, 35)
    assert account.balance == 35
    assert account.lifetime_used == 15


def test_debit_same_reference_twice_makes_one_entry(account):
    first = services.debit(account=account, credits=5, reference="job:7")
    second = services.debit(account=account, credits=5, reference="job:7")

    account.refresh_from_db()
    assert first.pk == second.pk
    assert account.balance == 45
    assert account.entries.filter(reference="job:7").count() == 1


def test_reference_reused_for_other_amount_is_a_conflict(account):
    services.debit(account=account, credits=5, reference="job:7")

    with pytest.raises(LedgerConflict):
        services.debit(account=account, credits=6, reference="job:7")
    account.refresh_from_db()
    assert account.balance == 45


def test_database_refuses_duplicate_reference(account):
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(account=account, kind="grant", amount=1, balance_after=51,
                                   reference="welcome-bonus")


def test_insufficient_credits_refuses_and_changes_nothing(account):
    with pytest.raises(InsufficientCredits) as info:
        services.debit(account=account, credits=51, reference="job:big")

    assert str(info.value) == "Balance 50 credits, need 51."
    assert info.value.code == "insufficient_credits"
    assert info.value.context == {"credits_required": 51, "credits_available": 50}
    assert info.value.message_with_top_up("https://studio.example/billing/") == (
        "Balance 50 credits, need 51. Top up at https://studio.example/billing/")
    account.refresh_from_db()
    assert account.balance == 50
    assert not account.entries.filter(reference="job:big").exists()


def test_debit_inside_outer_transaction_rolls_back_with_it(account):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.debit(account=account, credits=5, reference="job:9")
        raise RuntimeError("job creation failed")

    account.refresh_from_db()
    assert account.balance == 50
    assert not account.entries.filter(reference="job:9").exists()


def test_unlimited_account_may_go_negative(account):
    account.unlimited = True
    account.save()

    services.debit(account=account, credits=80, reference="job:u")

    account.refresh_from_db()
    assert account.balance == -30
    assert ledger_drift() == []


def test_refund_gives_back_and_is_capped_by_the_debit(account):
    services.debit(account=account, credits=15, reference="job:3", job_id="3")

    services.refund(account=account, credits=10, reference="job:3:refund:a", job_id="3")
    services.refund(account=account, credits=10, reference="job:3:refund:a", job_id="3")
    with pytest.raises(Conflict, match="cannot refund 6 more") as refused:
        services.refund(account=account, credits=6, reference="job:3:refund:b", job_id="3")

    assert (refused.value.code, refused.value.status) == ("refund_exceeds_charge", 409)
    account.refresh_from_db()
    assert account.balance == 45
    assert account.lifetime_used == 5
    assert account.entries.filter(kind="refund").count() == 1


def test_grant_requires_memo_and_records_actor(account, owner):
    with pytest.raises(InvalidInput) as refused:
        services.grant(account=account, credits=10, memo="  ")
    assert (refused.value.code, refused.value.field, refused.value.status) == (
        "memo_required", "memo", 400)

    entry = services.grant(account=account, credits=100, memo="Launch promo", actor=owner)

    assert (entry.kind, entry.amount, entry.balance_after) == ("grant", 100, 150)
    assert entry.actor == owner


def test_adjustment_may_take_balance_below_zero(account):
    services.adjust(account=account, credits=-70, memo="Duplicate grant reversed")

    account.refresh_from_db()
    assert account.balance == -20
    with pytest.raises(InsufficientCredits):
        services.debit(account=account, credits=1, reference="job:neg")


def test_balance_summary_reads_an_unopened_account_as_empty_and_writes_nothing(workspace):
    summary = balance_summary(workspace)

    assert (summary["credits_balance"], summary["auto_recharge_credits"]) == (0, None)
    assert not CreditAccount.objects.filter(workspace=workspace).exists()


def test_balance_summary_has_dessert_fields(workspace, pack):
    account_for_workspace(workspace)
    summary = balance_summary(workspace)

    assert summary == {
        "credits_balance": 50,
        "credits_balance_usd_equivalent": 5.0,
        "credits_lifetime_purchased": 0,
        "credits_lifetime_used": 0,
        "unlimited": False,
        "auto_recharge_enabled": False,
        "auto_recharge_threshold": 20,
        "auto_recharge_amount_usd": 25.0,
        "auto_recharge_credits": 250,
        "pricing": {"credit_usd": 0.10, "static_ad_credits": 5, "full_ad_credits": 15},
    }


def test_pricing_defaults_from_the_references():
    assert pricing.price_for(kind="full", count=3) == 45
    assert pricing.price_for(kind="static", count=2) == 10
    assert pricing.price_for(kind="video", model="local-motion", duration_seconds=10) == 20
    assert pricing.price_for(kind="ugc", duration_seconds=12) == 30
    assert pricing.usd_to_credits(25) == 250
    assert pricing.usd_to_credits(100) == 1000
    with pytest.raises(pricing.UnknownPrice):
        pricing.price_for(kind="hologram")


def test_grantcredits_command(account, workspace):
    out = io.StringIO()

    call_command("grantcredits", workspace.slug, "500", memo="Demo credits", stdout=out)

    account.refresh_from_db()
    assert account.balance == 550
    assert "balance 550" in out.getvalue()
    assert account.entries.filter(kind="grant", memo="Demo credits").count() == 1


def test_grantcredits_unknown_workspace(db):
    with pytest.raises(CommandError, match="No workspace"):
        call_command("grantcredits", "nope", "5", memo="x")


def test_verify_ledger_clean_and_drift(account):
    services.debit(account=account, credits=5, reference="job:v")
    call_command("verify_ledger", stdout=io.StringIO())

    # Simulate a bug that changed a balance without an entry.
    type(account).objects.filter(pk=account.pk).update(balance=999)
    err = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("verify_ledger", stdout=io.StringIO(), stderr=err)
    assert info.value.returncode == 1
    assert "balance 999, sum of entries 45" in err.getvalue()


def test_debit_returns_a_saved_entry_and_fresh_account_figures(account):
    stale = CreditAccount.objects.get(pk=account.pk)
    services.grant(account=account, credits=10, memo="top up")

    entry = services.debit(account=stale, credits=4, reference="job:fresh", job_id="j1",
                           memo="one ad")

    assert (stale.balance, stale.lifetime_used) == (56, 4)
    assert entry.pk is not None
    assert LedgerEntry.objects.get(pk=entry.pk).balance_after == entry.balance_after == 56
    stored = LedgerEntry.objects.get(pk=entry.pk)
    assert (stored.kind, stored.amount, stored.job_id, stored.memo) == ("debit", -4, "j1",
                                                                       "one ad")
    assert stored.created_at == entry.created_at


def test_replayed_debit_after_balance_ran_out_returns_the_first_entry(account):
    first = services.debit(account=account, credits=50, reference="job:all")

    again = services.debit(account=account, credits=50, reference="job:all")

    assert again.pk == first.pk
    account.refresh_from_db()
    assert account.balance == 0
    assert account.entries.filter(reference="job:all").count() == 1
