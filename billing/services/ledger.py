"""Ledger verbs: every change to a balance goes through ``_post_entry``. (``debit``, which may
charge the card first, is ``billing.services.debits``.)

``_post_entry`` locks the account row, returns the existing entry when the reference was used
before (idempotency), checks the balance, then updates the account and inserts the entry in the
same transaction. It can run inside a caller's ``transaction.atomic()`` (the generation pipeline
debits inside its submit transaction); the lock is then held until the caller commits.
"""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from billing.exceptions import InsufficientCredits, LedgerConflict
from billing.models import CreditAccount, LedgerEntry
from billing.selectors import default_auto_recharge_pack
from studio.exceptions import Conflict, InvalidInput
from studio.models import User, Workspace

Kind = LedgerEntry.Kind

WELCOME_BONUS_CREDITS = 50
WELCOME_BONUS_REFERENCE = "welcome-bonus"


def _post_entry(
    *,
    account: CreditAccount,
    kind: str,
    amount: int,
    reference: str,
    may_overdraw: bool,
    purchased: int = 0,
    used: int = 0,
    **fields,
) -> tuple[LedgerEntry, bool]:
    """Apply ``amount`` to the account and record it. Returns (entry, created).

    A replayed reference is answered before taking the lock. Two first-time requests with
    the same reference race to the unique constraint: the loser's insert fails, its
    transaction (a savepoint inside a caller's) rolls back, and it returns the winner's entry.
    Keeping the lookup out of the locked section keeps the lock short on a busy account.
    """
    if amount == 0:
        raise InvalidInput("A ledger entry must change the balance.", field="credits")
    if not reference:
        raise InvalidInput("A ledger entry needs a reference.", field="reference")
    existing = _existing_entry(account=account, kind=kind, amount=amount, reference=reference)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            locked = CreditAccount.objects.select_for_update().get(pk=account.pk)
            overdraws = amount < 0 and locked.balance + amount < 0
            if overdraws and not may_overdraw and not locked.unlimited:
                raise InsufficientCredits(needed=-amount, balance=locked.balance)
            # Computed from the locked row: nobody else can change it before we commit.
            locked.balance += amount
            locked.lifetime_purchased = max(0, locked.lifetime_purchased + purchased)
            locked.lifetime_used = max(0, locked.lifetime_used + used)
            locked.updated_at = timezone.now()
            locked.save(update_fields=["balance", "lifetime_purchased", "lifetime_used",
                                       "updated_at"])
            entry = LedgerEntry.objects.create(
                account=locked, kind=kind, amount=amount, balance_after=locked.balance,
                reference=reference, **fields,
            )
    except (IntegrityError, InsufficientCredits):
        # Lost the race for this reference (or it spent the credits we wanted): same answer
        # as a replay. Anything else is a real error.
        existing = _existing_entry(account=account, kind=kind, amount=amount,
                                   reference=reference)
        if existing is None:
            raise
        return existing, False
    _copy_balances(source=locked, target=account)
    return entry, True


def _existing_entry(*, account: CreditAccount, kind: str, amount: int,
                    reference: str) -> LedgerEntry | None:
    existing = LedgerEntry.objects.filter(account_id=account.pk, reference=reference).first()
    if existing is None:
        return None
    if existing.kind != kind or existing.amount != amount:
        raise LedgerConflict(
            f"Reference {reference!r} was already used for {existing.kind} "
            f"{existing.amount:+d}."
        )
    account.refresh_from_db(fields=_FRESH_FIELDS)
    return existing


# What the caller's (possibly stale) instance learns from the locked row.
_FRESH_FIELDS = ("balance", "lifetime_purchased", "lifetime_used", "unlimited",
                 "auto_recharge_enabled", "auto_recharge_threshold", "auto_recharge_pack_id",
                 "stripe_customer_id", "default_payment_method_id")


def _copy_balances(*, source: CreditAccount, target: CreditAccount) -> None:
    if target is not source:
        for field in _FRESH_FIELDS:
            setattr(target, field, getattr(source, field))


def _positive(credits: int) -> int:
    if not isinstance(credits, int) or isinstance(credits, bool) or credits <= 0:
        raise InvalidInput(f"credits must be a positive integer, got {credits!r}.",
                           code="invalid_credits", field="credits")
    return credits


def account_open(*, workspace: Workspace, welcome_bonus: bool = True) -> CreditAccount:
    """The workspace's credit account, created on first use with the 50-credit welcome bonus.

    Billing opens it when a workspace is created (``billing.receivers``); a workspace made
    without ``workspace_create`` (fixtures, old rows) gets it the first time it is used."""
    account, created = CreditAccount.objects.get_or_create(
        workspace=workspace, defaults={"auto_recharge_pack": default_auto_recharge_pack()}
    )
    if created and welcome_bonus:
        _post_entry(account=account, kind=Kind.BONUS, amount=WELCOME_BONUS_CREDITS,
                    reference=WELCOME_BONUS_REFERENCE, may_overdraw=False,
                    memo="Welcome bonus")
    return account


def account_for_workspace(workspace: Workspace) -> CreditAccount:
    """The workspace's account, opened (with the welcome bonus) on first use."""
    account = CreditAccount.objects.filter(workspace=workspace).first()
    return account if account is not None else account_open(workspace=workspace)


def refund(
    *,
    account: CreditAccount,
    credits: int,
    reference: str,
    job_id: str = "",
    memo: str = "",
    actor: User | None = None,
) -> LedgerEntry:
    """Give back credits taken for a job (idempotent on ``reference``, e.g.
    ``job:<id>:refund:<output>``). A job's refunds never exceed its debits."""
    _positive(credits)
    job_id = str(job_id or "")
    with transaction.atomic():
        if job_id:
            # The account lock taken by _post_entry serialises refunds of one job; take it
            # first so the cap below is computed from settled figures.
            list(CreditAccount.objects.select_for_update().filter(pk=account.pk).values_list("pk"))
            taken = -(LedgerEntry.objects.filter(account=account, job_id=job_id,
                                                 kind=Kind.DEBIT)
                      .aggregate(total=Sum("amount"))["total"] or 0)
            given = (LedgerEntry.objects.filter(account=account, job_id=job_id,
                                                kind=Kind.REFUND)
                     .exclude(reference=reference)
                     .aggregate(total=Sum("amount"))["total"] or 0)
            if credits > taken - given:
                raise Conflict(f"Job {job_id} was charged {taken} credits and refunded "
                               f"{given}; cannot refund {credits} more.",
                               code="refund_exceeds_charge")
        entry, _ = _post_entry(account=account, kind=Kind.REFUND, amount=credits,
                               reference=reference, may_overdraw=False, used=-credits,
                               job_id=job_id, memo=memo[:255], actor=actor)
    return entry


def grant(
    *,
    account: CreditAccount,
    credits: int,
    memo: str,
    reference: str | None = None,
    actor: User | None = None,
    kind: str = Kind.GRANT,
) -> LedgerEntry:
    """Give free credits (operator grant, bonus). ``createworkspace --credits`` and
    ``grantcredits`` call this; pass a ``reference`` to make a retry safe."""
    _positive(credits)
    if kind not in (Kind.GRANT, Kind.BONUS):
        raise InvalidInput("grant() records grants and bonuses only.", field="kind")
    if not memo.strip():
        raise InvalidInput("A grant needs a memo saying why.", code="memo_required", field="memo")
    entry, _ = _post_entry(account=account, kind=kind, amount=credits,
                           reference=reference or f"grant:{uuid.uuid4().hex}",
                           may_overdraw=False, memo=memo.strip()[:255], actor=actor)
    return entry


def adjust(
    *,
    account: CreditAccount,
    credits: int,
    memo: str,
    actor: User | None = None,
    reference: str | None = None,
) -> LedgerEntry:
    """Staff correction, either sign; may take the balance below zero. Memo required."""
    if not isinstance(credits, int) or credits == 0:
        raise InvalidInput("An adjustment must be a non-zero whole number of credits.",
                           code="invalid_credits", field="credits")
    if not memo.strip():
        raise InvalidInput("An adjustment needs a memo saying why.", code="memo_required",
                           field="memo")
    entry, _ = _post_entry(account=account, kind=Kind.ADJUSTMENT, amount=credits,
                           reference=reference or f"adjustment:{uuid.uuid4().hex}",
                           may_overdraw=True, memo=memo.strip()[:255], actor=actor)
    return entry


def purchase(
    *,
    account: CreditAccount,
    credits: int,
    reference: str,
    amount_paid_cents: int,
    currency: str,
    stripe_object_id: str = "",
    receipt_url: str = "",
    memo: str = "",
    actor: User | None = None,
    kind: str = Kind.PURCHASE,
) -> tuple[LedgerEntry, bool]:
    """Credits paid for (Checkout or auto-recharge), idempotent on ``reference``
    (``checkout:<session>``, ``auto_recharge:<payment_intent>``). Returns (entry, created)."""
    _positive(credits)
    if kind not in (Kind.PURCHASE, Kind.AUTO_RECHARGE):
        raise InvalidInput("purchase() records purchases and auto-recharges only.", field="kind")
    return _post_entry(account=account, kind=kind, amount=credits, reference=reference,
                       may_overdraw=False, purchased=credits,
                       amount_paid_cents=amount_paid_cents, currency=currency.lower(),
                       stripe_object_id=stripe_object_id, receipt_url=receipt_url or "",
                       memo=memo[:255], actor=actor)


def claw_back(
    *,
    account: CreditAccount,
    credits: int,
    reference: str,
    stripe_object_id: str,
    memo: str,
) -> tuple[LedgerEntry, bool]:
    """Remove credits whose payment was refunded or disputed; the balance may go negative."""
    _positive(credits)
    return _post_entry(account=account, kind=Kind.CHARGEBACK, amount=-credits,
                       reference=reference, may_overdraw=True,
                       stripe_object_id=stripe_object_id, memo=memo[:255])
