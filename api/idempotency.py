"""Idempotency-Key for POSTs that create work.

The first request with a key inserts an ``IdempotencyRecord`` and does its work in the same
transaction; the answer is stored on the record before commit. A concurrent duplicate's insert
waits on the unique index until that commit and then finds the stored answer, so 50 parallel
duplicates make one job and one debit. A refused request (any error) rolls back with its record,
so a retry after a 4xx/5xx is a fresh attempt. The same key with a different body is a 409
``idempotency_key_mismatch``; records expire after 24 hours, freeing the key.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from api.models import IdempotencyRecord
from generations.services import job_release_idempotency_key
from studio.exceptions import Conflict, InvalidInput
from studio.models import Workspace

TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict
    replayed: bool


def fingerprint(*, method: str, path: str, data) -> str:
    """The same request always hashes the same, whatever its key order or whitespace."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


# Visible ASCII, spaces inside only: what a header can carry unambiguously.
KEY_PATTERN = r"^[!-~](?:[ -~]*[!-~])?$"
_KEY_RE = re.compile(KEY_PATTERN)


def check_key(key: str | None) -> str | None:
    if key is None:
        return None
    if len(key) > MAX_KEY_LENGTH or not _KEY_RE.match(key):
        raise InvalidInput(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} visible ASCII "
                           "characters.", code="invalid_idempotency_key",
                           field="Idempotency-Key")
    return key


def run_once(*, workspace: Workspace, surface: str, key: str | None, fingerprint: str,
             work: Callable[[], tuple[int, dict]], busy_is_conflict: bool = False) -> Outcome:
    """Do ``work`` (which returns status and JSON body) once per key, or replay its answer.

    ``busy_is_conflict``: a duplicate arriving while the first request with its key is still
    running is refused at once (409 ``idempotency_key_in_progress``) instead of waiting for
    it and replaying its answer (videotok documents it so).
    """
    key = check_key(key)
    if key is None:
        status, body = work()
        return Outcome(status=status, body=body, replayed=False)
    with transaction.atomic():
        if busy_is_conflict and not _try_lock_key(workspace=workspace, surface=surface,
                                                  key=key):
            raise Conflict("The first request with this Idempotency-Key is still being "
                           "processed. Retry in a moment with the same key to get its "
                           "answer.", code="idempotency_key_in_progress",
                           field="Idempotency-Key")
        now = timezone.now()
        record = _claim(workspace=workspace, surface=surface, key=key,
                        fingerprint=fingerprint, now=now)
        if record is None:
            record = IdempotencyRecord.objects.get(workspace=workspace, surface=surface, key=key)
            if record.expires_at <= now:
                # Past its 24 hours: the key is free again.
                record.delete()
                job_release_idempotency_key(workspace=workspace, surface=surface, key=key)
                record = _claim(workspace=workspace, surface=surface, key=key,
                                fingerprint=fingerprint, now=now)
                if record is None:  # another request reclaimed it first: serve theirs
                    return run_once(workspace=workspace, surface=surface, key=key,
                                    fingerprint=fingerprint, work=work,
                                    busy_is_conflict=busy_is_conflict)
            else:
                if record.fingerprint != fingerprint:
                    raise Conflict(
                        "This Idempotency-Key was used with a different request body in the "
                        "last 24 hours. Use a new key for a new request.",
                        code="idempotency_key_mismatch", field="Idempotency-Key")
                return Outcome(status=record.status_code, body=record.response, replayed=True)
        status, body = work()
        record.status_code, record.response = status, body
        record.save(update_fields=["status_code", "response"])
    return Outcome(status=status, body=body, replayed=False)


def _try_lock_key(*, workspace: Workspace, surface: str, key: str) -> bool:
    """Hold the key for this transaction; False when another transaction holds it.

    A PostgreSQL transaction-scoped advisory lock: released by the commit or rollback that
    ends the request, so a crashed request never leaves a key busy. Other databases (SQLite,
    the embedded runtime) serialise writers anyway: there a duplicate waits and replays.
    """
    if connection.vendor != "postgresql":
        return True
    digest = hashlib.sha256(f"{workspace.pk}:{surface}:{key}".encode()).digest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)",
                       [int.from_bytes(digest[:8], "big", signed=True)])
        return bool(cursor.fetchone()[0])


def _claim(*, workspace: Workspace, surface: str, key: str, fingerprint: str,
           now) -> IdempotencyRecord | None:
    """Insert the record, or None when the key has one (waiting for its transaction first)."""
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                workspace=workspace, surface=surface, key=key, fingerprint=fingerprint,
                created_at=now, expires_at=now + TTL)
    except IntegrityError:
        return None


def purge_expired(*, now=None) -> int:
    """Delete records past their 24 hours (the periodic clean-up; reuse does it lazily too)."""
    return IdempotencyRecord.objects.filter(expires_at__lte=now or timezone.now()).delete()[0]
