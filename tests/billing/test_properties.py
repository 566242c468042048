"""Property: any sequence of grants, debits and refunds keeps balance == sum of entries and
never takes the balance below zero through a debit."""

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing import services
from billing.exceptions import InsufficientCredits
from billing.models import CreditAccount
from studio.exceptions import Conflict
from tests.billing.factories import CreditAccountFactory

operations = st.lists(
    st.one_of(
        st.tuples(st.just("grant"), st.integers(1, 60)),
        st.tuples(st.just("debit"), st.integers(1, 60)),
        st.tuples(st.just("refund"), st.integers(0, 30), st.integers(1, 30)),
        st.tuples(st.just("replay"), st.integers(0, 30)),
    ),
    max_size=25,
)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_any_interleaving_keeps_the_ledger_consistent(ops):
    account = CreditAccountFactory()
    expected = 0
    debits: list[tuple[str, int]] = []  # (reference, credits)
    refunded: dict[str, int] = {}
    for number, op in enumerate(ops):
        if op[0] == "grant":
            services.grant(account=account, credits=op[1], memo="p")
            expected += op[1]
        elif op[0] == "debit":
            try:
                services.debit(account=account, credits=op[1], reference=f"job:{number}",
                               job_id=str(number))
            except InsufficientCredits as exc:
                assert op[1] > expected
                assert exc.balance == expected
            else:
                assert op[1] <= expected
                expected -= op[1]
                debits.append((str(number), op[1]))
        elif op[0] == "refund" and debits:
            job, taken = debits[op[1] % len(debits)]
            credits = op[2]
            try:
                services.refund(account=account, credits=credits,
                                reference=f"job:{job}:refund:{number}", job_id=job)
            except Conflict:
                assert refunded.get(job, 0) + credits > taken
            else:
                refunded[job] = refunded.get(job, 0) + credits
                assert refunded[job] <= taken
                expected += credits
        elif op[0] == "replay" and debits:
            job, taken = debits[op[1] % len(debits)]
            services.debit(account=account, credits=taken, reference=f"job:{job}")  # no-op
        account.refresh_from_db()
        total = account.entries.aggregate(total=Sum("amount"))["total"] or 0
        assert account.balance == expected == total
        assert account.balance >= 0
    last = account.entries.order_by("-id").first()
    assert last is None or last.balance_after == account.balance
    assert CreditAccount.objects.get(pk=account.pk).balance == expected
