"""Ledger verbs: every change to a balance goes through ``_post_entry``. (``debit``, which may
charge the card first, is ``billing.services.debits``.)

``_post_entry`` locks the account row, checks the balance, updates the account and inserts the
entry in one statement, and answers a reference used before with the existing entry
(idempotency). It can run inside a caller's ``transaction.atomic()`` (the generation pipeline
debits inside its submit transaction); the lock is then held until the caller commits.
"""

from __future__ import annotations

import functools
import uuid
from datetime import datetime
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import Field, Sum
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

    The lock, the balance check, the update and the entry insert are one statement
    (``_statements``): the conditional ``UPDATE`` takes the row lock and refuses an overdraft
    in the same step, and the entry is inserted from its ``RETURNING`` row. Outside a
    transaction that statement is its own transaction (one round trip, the lock held only
    while it commits); inside a caller's it runs in a savepoint, so a refused debit leaves
    no lock behind for the auto-recharge thread to wait on, and a lost race leaves the
    caller's transaction usable.

    A reference already used is filtered out by the same statement (no lock taken); two
    first-time requests with the same reference race to the unique constraint, and the
    loser's statement rolls back whole and returns the winner's entry.
    """
    if amount == 0:
        raise InvalidInput("A ledger entry must change the balance.", field="credits")
    if not reference:
        raise InvalidInput("A ledger entry needs a reference.", field="reference")
    now = timezone.now()
    entry = LedgerEntry(account_id=account.pk, kind=kind, amount=amount, balance_after=0,
                        reference=reference, created_at=now, **fields)
    try:
        if connection.in_atomic_block:
            try:
                with transaction.atomic():
                    applied = _apply(entry=entry, may_overdraw=may_overdraw,
                                     purchased=purchased, used=used, now=now)
                    if applied is None:
                        # An update that waited for the row and then found it short still
                        # holds the lock: rolling the savepoint back releases it.
                        raise _NothingApplied
            except _NothingApplied:
                applied = None
        else:
            applied = _apply(entry=entry, may_overdraw=may_overdraw, purchased=purchased,
                             used=used, now=now)
    except IntegrityError:
        # Lost the race for this reference: same answer as a replay. Anything else (a
        # constraint the entry broke) is a real error.
        existing = _existing_entry(account=account, kind=kind, amount=amount,
                                   reference=reference)
        if existing is None:
            raise
        return existing, False
    if applied is None:
        # Nothing changed: the reference was used before, or the balance cannot cover it.
        existing = _existing_entry(account=account, kind=kind, amount=amount,
                                   reference=reference)
        if existing is not None:
            return existing, False
        account.refresh_from_db(fields=_FRESH_FIELDS)
        raise InsufficientCredits(needed=-amount, balance=account.balance)
    for field, value in zip(_FRESH_FIELDS, applied[1:], strict=True):
        setattr(account, field, value)
    account.updated_at = now
    entry.pk, entry.balance_after = applied[0], account.balance
    entry.account = account
    entry._state.adding = False
    entry._state.db = connection.alias
    return entry, True


class _NothingApplied(Exception):
    pass


# The lock, the overdraft check and the update in one step; a reference used before matches
# no row (and takes no lock). Returns the account's fresh fields (_FRESH_FIELDS order).
_ACCOUNT_UPDATE = """
    UPDATE billing_creditaccount
       SET balance = balance + %(amount)s,
           lifetime_purchased = CASE WHEN lifetime_purchased + %(purchased)s < 0 THEN 0
                                     ELSE lifetime_purchased + %(purchased)s END,
           lifetime_used = CASE WHEN lifetime_used + %(used)s < 0 THEN 0
                                ELSE lifetime_used + %(used)s END,
           updated_at = %(now)s
     WHERE id = %(account_id)s
       AND (%(may_overdraw)s OR unlimited OR balance + %(amount)s >= 0)
       AND NOT EXISTS (SELECT 1 FROM billing_ledgerentry
                        WHERE account_id = %(account_id)s AND reference = %(reference)s)
 RETURNING {returning}
"""


def _apply(*, entry: LedgerEntry, may_overdraw: bool, purchased: int, used: int,
           now: datetime) -> tuple | None:
    """Run the posting. Returns (entry id, *_FRESH_FIELDS after it) or None when nothing
    changed (reference used before, or an overdraft refused)."""
    params: dict = {
        "amount": entry.amount, "purchased": purchased, "used": used, "now": now,
        "account_id": entry.account_id, "may_overdraw": may_overdraw,
        "reference": entry.reference,
    }
    for field in _entry_columns():
        params[f"e_{field.attname}"] = field.get_db_prep_save(getattr(entry, field.attname),
                                                              connection)
    statements = _statements(connection.vendor)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(statements.combined, params)
            return cursor.fetchone()
        with transaction.atomic():
            cursor.execute(statements.update, params)
            row = cursor.fetchone()
            if row is None:
                return None
            params["e_balance_after"] = row[0]
            cursor.execute(statements.insert, params)
            return (cursor.fetchone()[0], *row)


class _Statements(NamedTuple):
    combined: str  # PostgreSQL: the update's row feeds the insert, in one statement
    update: str  # elsewhere (SQLite cannot nest a write in WITH): the same update ...
    insert: str  # ... and then the insert, in one transaction


def _entry_columns() -> list:
    return [f for f in LedgerEntry._meta.concrete_fields if not f.primary_key]


@functools.cache
def _statements(vendor: str) -> _Statements:
    # Identifiers come from the models' metadata and every value is a parameter, so the
    # string building below cannot carry input into the SQL.
    columns = _entry_columns()
    names = ", ".join(connection.ops.quote_name(f.column) for f in columns)
    fresh = [_column(name) for name in _FRESH_FIELDS]
    update = _ACCOUNT_UPDATE.format(returning=", ".join(fresh))
    from_account = ", ".join("account.balance" if f.attname == "balance_after"
                             else f"%(e_{f.attname})s" for f in columns)
    # A unique violation in the insert undoes the update with it: one statement, one outcome.
    combined = (
        f"WITH account AS ({update}), "  # noqa: S608
        f"entry AS (INSERT INTO billing_ledgerentry ({names}) "
        f"SELECT {from_account} FROM account RETURNING id) "
        f"SELECT entry.id, {', '.join('account.' + c for c in fresh)} "
        "FROM account CROSS JOIN entry")
    values = ", ".join(f"%(e_{f.attname})s" for f in columns)
    insert = f"INSERT INTO billing_ledgerentry ({names}) VALUES ({values}) RETURNING id"  # noqa: S608
    return _Statements(combined=combined, update=update, insert=insert)


def _column(attname: str) -> str:
    field = CreditAccount._meta.get_field(attname)
    assert isinstance(field, Field) and field.column  # a concrete column, not a relation
    return field.column


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
