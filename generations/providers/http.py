"""The one HTTP call every provider adapter makes: timeouts, retries, breaker, records.

``ProviderClient(name).call(...)`` sends one request to the provider's operator-configured base
URL and returns what the adapter's ``parse`` made of the answer. Around it:

- explicit timeouts (``PROVIDER_<NAME>_TIMEOUT_SECONDS`` / ``_CONNECT_TIMEOUT_SECONDS``) and a
  response-size cap;
- retries on 408/429/5xx, connection errors, time-outs and malformed bodies, with exponential
  backoff plus jitter, honouring ``Retry-After`` (seconds or an HTTP date); a server asking for
  a longer wait than ``PROVIDER_RETRY_AFTER_MAX_SECONDS`` is not retried now;
- the provider's circuit breaker (:mod:`.breaker`): refused at once while open;
- a ``ProviderCall`` row per call (latency, status, attempts, cost, error) for admin health
  and the job's cost.

The base URL may be loopback or a private address (a model server of the operator's own), so
it is not sent through the SSRF-safe client; URLs that a provider *returns* (an output file on
a CDN) are user-grade input and are fetched with :func:`fetch_url`, which is.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from . import breaker
from .base import NO_CONTEXT, CallContext, ProviderError, ProviderUnavailable

T = TypeVar("T")
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# A wrong key or a revoked account is the provider being unusable, not the request being bad.
BREAKER_STATUSES = frozenset({401, 403})

_sleep = time.sleep  # one seam: tests record the waits instead of sleeping through them
_semaphores: dict[str, threading.BoundedSemaphore] = {}
_semaphores_lock = threading.Lock()


class Malformed(ValueError):
    """The provider answered 2xx with a body the adapter cannot use (retried like a 5xx)."""


@dataclass(frozen=True)
class ProviderResponse:
    status: int
    headers: httpx.Headers
    content: bytes

    def json(self) -> Any:
        import json

        try:
            return json.loads(self.content)
        except ValueError as exc:
            raise Malformed(f"response is not JSON: {exc}") from exc


def provider_config(name: str) -> dict:
    """The settings of provider ``name`` (``settings.PROVIDERS``); KeyError for an unknown one."""
    return settings.PROVIDERS[name]


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date (RFC 9110 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, moment.timestamp() - current)


def retry_delay_in_body(response: ProviderResponse) -> float | None:
    """Google APIs say how long to wait in the error body, not in ``Retry-After``: a
    ``google.rpc.RetryInfo`` detail with ``retryDelay`` as a duration string ("30s", "1.5s")."""
    try:
        details = response.json()["error"]["details"]
    except (Malformed, KeyError, TypeError):
        return None
    for detail in details if isinstance(details, list) else []:
        if not isinstance(detail, dict) or not str(detail.get("@type", "")).endswith(
                "google.rpc.RetryInfo"):
            continue
        delay = str(detail.get("retryDelay", ""))
        if delay.endswith("s"):
            try:
                return max(0.0, float(delay[:-1]))
            except ValueError:
                return None
    return None


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with full jitter on top: base * 2**attempt + U(0, base)."""
    base = settings.PROVIDER_BACKOFF_BASE_SECONDS
    return base * (2 ** attempt) + random.uniform(0, base)


def _semaphore(name: str, size: int) -> threading.BoundedSemaphore:
    with _semaphores_lock:
        if name not in _semaphores:
            _semaphores[name] = threading.BoundedSemaphore(max(1, size))
        return _semaphores[name]


class ProviderClient:
    """Calls to one configured provider (see module docstring)."""

    def __init__(self, name: str, *, config: Mapping[str, Any] | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.name = name
        self.config = dict(config if config is not None else provider_config(name))
        self._transport = transport

    @property
    def enabled(self) -> bool:
        return bool(self.config.get("enabled"))

    def url(self, path: str) -> str:
        """``path`` under the base URL; an absolute URL must stay on the base URL's origin
        (queue APIs answer with status/result URLs on their own host)."""
        base = self.config["base_url"]
        if path.startswith(("http://", "https://")):
            if urlsplit(path)[:2] != urlsplit(base)[:2]:
                raise ProviderError("the provider pointed at another host", provider=self.name,
                                    retryable=False, code="provider_bad_response")
            return path
        return base + "/" + path.lstrip("/")

    def headers(self) -> dict[str, str]:
        """The key in the provider's auth header (``auth_header``: name and a template with
        ``{key}``; OpenAI's Bearer by default); no key, no header (a local model server)."""
        key = self.config.get("api_key")
        name, template = self.config.get("auth_header") or ("Authorization", "Bearer {key}")
        return {name: template.format(key=key)} if key else {}

    def call(self, method: str, path: str, *, capability: str,
             parse: Callable[[ProviderResponse], T], model: str = "",
             json: Any = None, data: Mapping[str, Any] | None = None,
             files: Any = None, headers: Mapping[str, str] | None = None,
             context: CallContext = NO_CONTEXT, cost_usd: float | None = None,
             max_retries: int | None = None) -> T:
        """Send one request (with retries) and return ``parse(response)`` for a 2xx answer.

        ``parse`` raising ``Malformed`` (or KeyError/TypeError/ValueError) is a malformed
        answer: retried, then a retryable ``ProviderError``. Raises ``ProviderUnavailable``
        when the provider is off or its breaker is open (nothing sent), ``ProviderError``
        otherwise."""
        if not self.enabled:
            raise ProviderUnavailable(f"The {self.name} provider is not configured.",
                                      provider=self.name)
        breaker.allow(self.name)
        retries = self.config.get("max_retries", 2) if max_retries is None else max_retries
        timeout = httpx.Timeout(self.config["timeout"],
                                connect=self.config.get("connect_timeout", 5.0))
        all_headers = {**self.headers(), **(headers or {})}
        url = self.url(path)
        started = time.monotonic()
        attempts = 0
        last_status: int | None = None
        error: ProviderError | None = None
        result: Any = None
        gate = _semaphore(self.name, self.config.get("concurrency", 4))
        with httpx.Client(transport=self._transport, timeout=timeout, trust_env=False,
                          follow_redirects=False) as client:
            for attempt in range(retries + 1):
                attempts = attempt + 1
                wait: float | None = None
                try:
                    with gate:
                        response = self._send(client, method, url, json=json, data=data,
                                              files=files, headers=all_headers)
                    last_status = response.status
                    if 200 <= response.status < 300:
                        try:
                            result = parse(response)
                        except (Malformed, KeyError, TypeError, ValueError, IndexError) as exc:
                            error = ProviderError(
                                f"{self.name} sent a malformed answer: {exc}",
                                provider=self.name, retryable=True,
                                upstream_status=response.status, code="provider_bad_response")
                        else:
                            error = None
                            break
                    else:
                        error = self._status_error(response)
                        if response.status in (429, 503):
                            wait = retry_after_seconds(response.headers.get("retry-after"))
                            if wait is None:
                                wait = retry_delay_in_body(response)
                except ProviderError as exc:  # an answer too large to read
                    error = exc
                except httpx.TimeoutException:
                    error = ProviderError(f"{self.name} did not answer in time.",
                                          provider=self.name, retryable=True,
                                          code="provider_timeout", status=504)
                except httpx.TransportError as exc:
                    error = ProviderError(f"{self.name} could not be reached: {exc}",
                                          provider=self.name, retryable=True)
                if error is None or not error.retryable or attempt == retries:
                    break
                if wait is not None and wait > settings.PROVIDER_RETRY_AFTER_MAX_SECONDS:
                    error.details["retry_after"] = round(wait)
                    break
                _sleep(wait if wait is not None else backoff_seconds(attempt))
        latency_ms = int((time.monotonic() - started) * 1000)
        if error is None:
            breaker.record_success(self.name)
        elif error.retryable or error.upstream_status in BREAKER_STATUSES \
                or error.code == "provider_quota_exhausted":
            breaker.record_failure(self.name, error=error.message)
        else:
            breaker.record_success(self.name, answered_ok=False)
        self._record(capability=capability, model=model, context=context, ok=error is None,
                     status=last_status, attempts=attempts, latency_ms=latency_ms,
                     cost_usd=(cost_usd if cost_usd is not None
                               else self.config.get("cost_per_call_usd", 0.0))
                     if error is None else 0.0,
                     error=error.message if error else "")
        if error is not None:
            raise error
        return result

    def _send(self, client: httpx.Client, method: str, url: str, **kwargs) -> ProviderResponse:
        limit = settings.PROVIDER_MAX_RESPONSE_BYTES
        with client.stream(method, url, **kwargs) as response:
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > limit:
                    raise ProviderError(f"{self.name} answered more than {limit} bytes.",
                                        provider=self.name, retryable=False,
                                        code="provider_bad_response")
            return ProviderResponse(status=response.status_code, headers=response.headers,
                                    content=bytes(body))

    def _status_error(self, response: ProviderResponse) -> ProviderError:
        message = _error_message(response)
        status = response.status
        if status == 429 and _error_code(response) == "insufficient_quota":
            # OpenAI's "out of credit" is a 429 too, but waiting does not fix it.
            return ProviderError(f"{self.name} has no quota left: {message}",
                                 provider=self.name, retryable=False, upstream_status=status,
                                 status=503, code="provider_quota_exhausted")
        if status in BREAKER_STATUSES:
            return ProviderError(f"{self.name} refused the credentials: {message}",
                                 provider=self.name, retryable=False, upstream_status=status,
                                 status=503, code="provider_auth_failed")
        return ProviderError(f"{self.name} answered {status}: {message}", provider=self.name,
                             retryable=status in RETRY_STATUSES, upstream_status=status,
                             status=503 if status in RETRY_STATUSES else 502,
                             code="provider_busy" if status == 429 else None)

    def _record(self, *, capability: str, model: str, context: CallContext, ok: bool,
                status: int | None, attempts: int, latency_ms: int, cost_usd: float,
                error: str) -> None:
        from generations.models import ProviderCall

        ProviderCall.objects.create(
            provider=self.name, model=model[:120], capability=capability,
            job_id=context.job_id, ok=ok, status=status, attempts=attempts,
            latency_ms=latency_ms, cost_usd=Decimal(str(cost_usd)), error=error[:300])


def _error_code(response: ProviderResponse) -> str:
    """OpenAI's ``error.code`` (or ``error.type``), empty when the body has neither."""
    try:
        body = response.json()
    except Malformed:
        return ""
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict):
        return ""
    return str(err.get("code") or err.get("type") or "")


def _error_message(response: ProviderResponse) -> str:
    """The provider's own words: OpenAI's ``{"error": {"message"}}``, Google's
    ``{"error": {"message", "status"}}``, fal's ``{"detail"}``, else the start of the body."""
    try:
        body = response.json()
    except Malformed:
        return response.content[:200].decode("utf-8", "replace").strip() or "no body"
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])[:200]
        if isinstance(err, str):
            return err[:200]
        if body.get("detail"):
            return str(body["detail"])[:200]
    return str(body)[:200]


def fetch_url(url: str, *, provider: str, max_bytes: int | None = None,
              timeout: float | None = None) -> bytes:
    """Download a file a provider pointed at (an output on its CDN) through the SSRF-safe
    client: such URLs are data from outside, like a user's."""
    from brands.scrape.http import FetchFailed, OutboundRefused, safe_get

    try:
        response = safe_get(url, max_bytes=max_bytes or settings.PROVIDER_MAX_RESPONSE_BYTES,
                            timeout=timeout)
    except OutboundRefused as exc:
        raise ProviderError(f"{provider} pointed at a refused address: {exc.reason}",
                            provider=provider, retryable=False,
                            code="provider_bad_response") from exc
    except FetchFailed as exc:
        raise ProviderError(f"{provider} output could not be fetched: {exc.reason}",
                            provider=provider, retryable=exc.retryable) from exc
    if response.status != 200:
        raise ProviderError(f"{provider} output answered {response.status}", provider=provider,
                            retryable=response.status in RETRY_STATUSES,
                            upstream_status=response.status)
    return response.content
