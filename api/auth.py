"""DRF glue shared by every surface: bearer-key authentication, scopes and per-key rate limits.

Failures raise ``AppError`` subclasses; each surface's exception handler renders them.
"""

from __future__ import annotations

import logging
import math
import time

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.throttling import BaseThrottle

from api.keys import authenticate_header
from api.models import ApiKey
from studio.exceptions import AppError, Forbidden

logger = logging.getLogger(__name__)


class RateLimited(AppError):
    code = "rate_limited"
    status = 429
    retryable = True

    def __init__(self, *, retry_after: int, limit: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"Rate limit of {limit} requests per minute reached for this API key. "
                         f"Retry after {retry_after} s.",
                         details={"retry_after": retry_after, "limit": limit})


class ApiKeyAuthentication(BaseAuthentication):
    """``Authorization: Bearer <key>``; sets ``request.auth`` to the ApiKey and
    ``request.workspace`` to its workspace."""

    def authenticate(self, request):
        api_key = authenticate_header(request.META.get("HTTP_AUTHORIZATION"))
        request._request.workspace = api_key.workspace
        # The key acts for the workspace, not for the person who created it.
        return (AnonymousUser(), api_key)

    def authenticate_header(self, request) -> str:
        return "Bearer"


class HasScope(BasePermission):
    """The view's ``required_scope`` must be among the key's scopes (403 naming it)."""

    def has_permission(self, request, view) -> bool:
        scope = getattr(view, "required_scope", None)
        api_key: ApiKey = request.auth
        if scope and scope not in api_key.scopes:
            raise Forbidden(f"This API key lacks the {scope} scope.", code="insufficient_scope",
                            details={"required_scope": scope})
        return True


class KeyRateThrottle(BaseThrottle):
    """A fixed one-minute window per key, counted in the cache (Redis in production, local
    memory in the embedded runtime). The figures go on the response as ``X-RateLimit-*``."""

    window = 60

    def allow_request(self, request, view) -> bool:
        api_key: ApiKey = request.auth
        limit = api_key.rate_limit_per_minute or settings.API_RATE_LIMIT_PER_MINUTE
        now = time.time()
        window_start = int(now // self.window) * self.window
        reset = max(1, math.ceil(window_start + self.window - now))
        counter = f"api:rate:{api_key.pk}:{window_start}"
        try:
            used = _count_request(counter, timeout=self.window + 5)
        except Exception:
            logger.warning("rate-limit cache unavailable; request let through", exc_info=True)
            return True
        request._request.rate_limit = {"limit": limit, "remaining": max(limit - used, 0),
                                       "reset": reset}
        if used > limit:
            raise RateLimited(retry_after=reset, limit=limit)
        return True


def _count_request(counter: str, *, timeout: int) -> int:
    """Add one to the window's counter and return it. On Redis this is one round trip (the
    cache API's add + incr is three: SET NX, EXISTS, INCRBY); elsewhere the cache API."""
    get_client = getattr(getattr(cache, "_cache", None), "get_client", None)
    if get_client is None:
        cache.add(counter, 0, timeout=timeout)
        return cache.incr(counter)
    key = cache.make_and_validate_key(counter)
    pipe = get_client(key, write=True).pipeline(transaction=False)
    pipe.set(key, 0, ex=timeout, nx=True)
    pipe.incr(key)
    return int(pipe.execute()[1])


def rate_limit_headers(request) -> dict[str, str]:
    figures = getattr(request, "rate_limit", None)
    if not figures:
        return {}
    return {"X-RateLimit-Limit": str(figures["limit"]),
            "X-RateLimit-Remaining": str(figures["remaining"]),
            "X-RateLimit-Reset": str(figures["reset"])}
