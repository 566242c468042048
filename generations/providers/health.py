"""Provider health for admin: per provider, whether it is configured, its breaker state, the
last success, the error rate over the last day and what it cost today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from . import breaker


@dataclass(frozen=True)
class ProviderHealth:
    provider: str
    configured: bool
    paid: bool
    base_url: str
    model: str
    state: str  # closed | open | half-open
    last_success_at: datetime | None
    last_error: str
    calls_24h: int
    failures_24h: int
    spend_today_usd: Decimal

    @property
    def error_rate(self) -> float | None:
        """Share of the last day's calls that failed (None: no calls)."""
        return self.failures_24h / self.calls_24h if self.calls_24h else None


def provider_health(*, now: datetime | None = None) -> list[ProviderHealth]:
    """Every configured provider and every provider with recorded calls, by name."""
    from generations.models import ProviderBreaker, ProviderCall

    now = now or timezone.now()
    day_ago = now - timedelta(days=1)
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    calls = {row["provider"]: row for row in ProviderCall.objects.filter(
        created_at__gte=min(day_ago, midnight)).values("provider").annotate(
        calls=Count("id", filter=Q(created_at__gte=day_ago)),
        failures=Count("id", filter=Q(created_at__gte=day_ago, ok=False)),
        spend=Sum("cost_usd", filter=Q(created_at__gte=midnight)),
        last_ok=Max("created_at", filter=Q(ok=True)))}
    breakers = {row.provider: row for row in ProviderBreaker.objects.all()}
    names = sorted({*(n for n, c in settings.PROVIDERS.items() if c.get("enabled")),
                    *calls, *breakers})
    out = []
    for name in names:
        config = settings.PROVIDERS.get(name, {})
        row = breakers.get(name)
        stats: dict[str, Any] = dict(calls.get(name) or {})
        last_ok = max((t for t in (stats.get("last_ok"), row.last_success_at if row else None)
                       if t is not None), default=None)
        out.append(ProviderHealth(
            provider=name, configured=bool(config.get("enabled")),
            paid=bool(config.get("paid")), base_url=config.get("base_url", ""),
            model=config.get("model", ""), state=breaker.state(name),
            last_success_at=last_ok, last_error=row.last_error if row else "",
            calls_24h=stats.get("calls", 0), failures_24h=stats.get("failures", 0),
            spend_today_usd=stats.get("spend") or Decimal("0")))
    return out
