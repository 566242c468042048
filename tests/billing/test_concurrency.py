"""The ledger under real PostgreSQL concurrency: row locks, not luck."""

import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from billing import services
from billing.exceptions import InsufficientCredits
from billing.models import CreditAccount
from tests.billing.factories import CreditAccountFactory

pytestmark = pytest.mark.django_db(transaction=True)


def run_in_threads(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def target(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as exc:  # noqa: BLE001 — the test inspects what each thread got
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_fifty_threads_debit_an_account_that_affords_twenty():
    account = CreditAccountFactory()
    services.grant(account=account, credits=20, memo="test funds")

    results = run_in_threads(50, lambda i: services.debit(
        account=CreditAccount.objects.get(pk=account.pk), credits=1, reference=f"job:{i}"))

    successes = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, InsufficientCredits)]
    assert len(successes) == 20
    assert len(refused) == 30
    account.refresh_from_db()
    assert account.balance == 0
    assert account.lifetime_used == 20
    assert account.entries.filter(kind="debit").count() == 20
    call_command("verify_ledger", stdout=io.StringIO())


def test_same_reference_from_many_threads_is_one_entry():
    account = CreditAccountFactory()
    services.grant(account=account, credits=100, memo="test funds")

    results = run_in_threads(10, lambda i: services.debit(
        account=CreditAccount.objects.get(pk=account.pk), credits=7, reference="job:same"))

    assert all(not isinstance(r, Exception) for r in results)
    assert len({r.pk for r in results}) == 1
    account.refresh_from_db()
    assert account.balance == 93
    assert account.entries.filter(reference="job:same").count() == 1


def _lock_from_another_connection(account_id: int) -> str:
    """Try the account's row lock from a fresh connection without waiting."""
    outcome: dict = {}

    def target() -> None:
        from django.db import OperationalError

        try:
            with transaction.atomic():
                list(CreditAccount.objects.select_for_update(nowait=True).filter(pk=account_id))
            outcome["result"] = "locked"
        except OperationalError:
            outcome["result"] = "busy"
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    return outcome["result"]


def test_refused_debit_inside_a_transaction_leaves_the_row_unlocked():
    # Auto-recharge runs on its own connection while the submit transaction is still open:
    # a refused debit must not keep the account locked, or that charge would wait forever.
    account = CreditAccountFactory()
    services.grant(account=account, credits=5, memo="test funds")

    with transaction.atomic():
        with pytest.raises(InsufficientCredits):
            services.debit(account=account, credits=6, reference="job:short",
                           auto_recharge=False)
        assert _lock_from_another_connection(account.pk) == "locked"

    account.refresh_from_db()
    assert account.balance == 5
    assert not account.entries.filter(reference="job:short").exists()


def test_same_reference_inside_callers_transactions_keeps_them_usable():
    # Each thread debits inside its own transaction and then writes more: the losers of the
    # race get the winner's entry and their transactions still commit.
    account = CreditAccountFactory()
    services.grant(account=account, credits=100, memo="test funds")

    def work(i: int):
        with transaction.atomic():
            entry = services.debit(account=CreditAccount.objects.get(pk=account.pk),
                                   credits=7, reference="job:shared")
            services.grant(account=CreditAccount.objects.get(pk=account.pk), credits=1,
                           memo="after the debit", reference=f"after:{i}")
        return entry

    results = run_in_threads(8, work)

    assert all(not isinstance(r, Exception) for r in results), results
    assert len({r.pk for r in results}) == 1
    account.refresh_from_db()
    assert account.balance == 100 - 7 + 8
    assert account.entries.filter(reference="job:shared").count() == 1
    call_command("verify_ledger", stdout=io.StringIO())
