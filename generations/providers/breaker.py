"""A circuit breaker per provider, kept in the database so every process sees one state.

Closed: calls go through; each failed call (after its retries) adds one to
``consecutive_failures`` and a success resets it. At ``PROVIDER_BREAKER_FAILURES`` it opens:
calls are refused at once (``ProviderUnavailable``, nothing sent) for
``PROVIDER_BREAKER_COOLDOWN_SECONDS``. Then it is half-open: one process claims the probe with a
conditional update (so one call, not a stampede, tests the provider); the probe's success
closes the breaker, its failure opens it for another cool-down. A probe whose process died
never reports; its claim expires after a cool-down.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .base import ProviderUnavailable


def _cooldown() -> timedelta:
    return timedelta(seconds=settings.PROVIDER_BREAKER_COOLDOWN_SECONDS)


def _row(provider: str):
    from generations.models import ProviderBreaker

    try:
        return ProviderBreaker.objects.get_or_create(provider=provider)[0]
    except IntegrityError:  # another process created it between the get and the insert
        return ProviderBreaker.objects.get(provider=provider)


def state(provider: str) -> str:
    """``closed``, ``open`` or ``half-open`` (the cool-down is over; the next call probes)."""
    from generations.models import ProviderBreaker

    row = ProviderBreaker.objects.filter(provider=provider).first()
    if row is None or row.opened_at is None:
        return "closed"
    return "open" if timezone.now() < row.opened_at + _cooldown() else "half-open"


def allow(provider: str) -> None:
    """Return if a call may go out now; raise ``ProviderUnavailable`` if the breaker is open
    or another process holds the half-open probe."""
    from generations.models import ProviderBreaker

    row = ProviderBreaker.objects.filter(provider=provider).first()
    if row is None or row.opened_at is None:
        return
    now = timezone.now()
    reopen = row.opened_at + _cooldown()
    if now < reopen:
        raise ProviderUnavailable(
            f"The {provider} provider failed repeatedly; it is paused for a moment.",
            provider=provider, retry_after=(reopen - now).total_seconds())
    claimed = ProviderBreaker.objects.filter(pk=row.pk, opened_at=row.opened_at).filter(
        Q(probe_started_at__isnull=True) | Q(probe_started_at__lt=now - _cooldown()),
    ).update(probe_started_at=now)
    if not claimed:
        raise ProviderUnavailable(
            f"The {provider} provider is being re-checked; try again shortly.",
            provider=provider, retry_after=settings.PROVIDER_BREAKER_COOLDOWN_SECONDS)


def record_success(provider: str, *, answered_ok: bool = True) -> None:
    """The provider answered: the breaker closes. ``answered_ok=False`` is an answer that
    refused this request (a 400): the provider is up, but it is not a success to show."""
    from generations.models import ProviderBreaker

    _row(provider)
    ProviderBreaker.objects.filter(provider=provider).update(
        consecutive_failures=0, opened_at=None, probe_started_at=None,
        **({"last_success_at": timezone.now()} if answered_ok else {}))


def record_failure(provider: str, *, error: str) -> None:
    from generations.models import ProviderBreaker

    _row(provider)
    now = timezone.now()
    with transaction.atomic():
        row = ProviderBreaker.objects.select_for_update().get(provider=provider)
        row.consecutive_failures += 1
        probing = row.opened_at is not None
        if probing or row.consecutive_failures >= settings.PROVIDER_BREAKER_FAILURES:
            row.opened_at = now
            row.probe_started_at = None
        row.last_failure_at = now
        row.last_error = error[:300]
        row.save()
