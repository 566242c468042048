"""Taking credits for work. A debit the balance cannot cover may charge the saved card first
(auto-recharge), so this sits above both the ledger and ``recharge``."""

from __future__ import annotations

from typing import Any

from billing.exceptions import InsufficientCredits
from billing.models import CreditAccount, LedgerEntry
from billing.services import recharge
from billing.services.ledger import _FRESH_FIELDS, Kind, _positive, _post_entry
from studio.models import User


def debit(
    *,
    account: CreditAccount,
    credits: int,
    reference: str,
    job_id: str = "",
    memo: str = "",
    actor: User | None = None,
    auto_recharge: bool = True,
) -> LedgerEntry:
    """Take ``credits`` for work (idempotent on ``reference``, e.g. ``job:<id>``).

    When the balance is short and auto-recharge is on, the saved card is charged first,
    synchronously; if that fails the debit raises ``InsufficientCredits`` (surfaces: 402).
    A debit that leaves the balance under the threshold schedules a recharge after commit.
    """
    _positive(credits)
    fields: dict[str, Any] = {"job_id": str(job_id or ""), "memo": memo[:255], "actor": actor}
    try:
        entry, created = _post_entry(account=account, kind=Kind.DEBIT, amount=-credits,
                                     reference=reference, may_overdraw=False, used=credits,
                                     **fields)
    except InsufficientCredits as short:
        account.refresh_from_db(fields=_FRESH_FIELDS)
        if not (auto_recharge and recharge.is_possible(account=account)):
            raise
        outcome = recharge.run_isolated(account_id=account.pk, needed=credits)
        if not outcome.succeeded:
            account.refresh_from_db(fields=["balance"])
            raise InsufficientCredits(needed=credits, balance=account.balance,
                                      auto_recharge_error=outcome.error) from short
        entry, created = _post_entry(account=account, kind=Kind.DEBIT, amount=-credits,
                                     reference=reference, may_overdraw=False, used=credits,
                                     **fields)
    if created and auto_recharge:
        recharge.schedule_if_below_threshold(account=account, balance=entry.balance_after)
    return entry
