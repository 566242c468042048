"""API keys: create, revoke, and authenticate a presented key.

A key is a display prefix plus 40 hex characters of secret. The prefix only says what the key is
for a human reading a config file: ``dsrt_live_``, ``sk_live_``, ``vt_live_``, ``pi_live_`` and
``inf_`` are all accepted in front of the same secret, so one key works on every surface. The
first characters of the secret (``lookup``) find the row; the whole secret is checked against
its SHA-512 hash in constant time (djangorestframework-api-key's hasher). The plaintext is
returned once, by ``api_key_create``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework_api_key.crypto import KeyGenerator

from api.models import ApiKey, Scope
from studio.exceptions import AppError, InvalidInput, NotFound
from studio.models import User, Workspace

DISPLAY_PREFIX = "dsrt_live_"
ACCEPTED_PREFIXES = ("dsrt_live_", "sk_live_", "vt_live_", "pi_live_", "inf_")
SECRET_HEX_CHARS = 40
LOOKUP_CHARS = 12
# Vendors' example keys are shorter than real ones (Dessert's has 32 hex): accept a range.
_SECRET_RE = re.compile(r"^[0-9a-f]{24,64}$")
LAST_USED_RESOLUTION = timedelta(seconds=60)

_generator = KeyGenerator()


class KeyAuthError(AppError):
    """A request whose API key is missing or not valid. ``code`` names why (Dessert's codes)."""

    status = 401
    code = "invalid_api_key"


@dataclass(frozen=True)
class CreatedKey:
    api_key: ApiKey
    plaintext: str


def normalise_scopes(scopes: list[str] | tuple[str, ...] | None) -> list[str]:
    """Known scopes in canonical order; every scope when none are given."""
    if not scopes:
        return list(Scope.values)
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown:
        raise InvalidInput(f"Unknown scope(s): {', '.join(unknown)}. Known: "
                           f"{', '.join(Scope.values)}.", code="invalid_scope", field="scopes")
    return [scope for scope in Scope.values if scope in scopes]


def api_key_create(*, workspace: Workspace, name: str, scopes: list[str] | None = None,
                   created_by: User | None = None,
                   rate_limit_per_minute: int | None = None) -> CreatedKey:
    """A new key for ``workspace``; the plaintext is in the result and nowhere else."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput("Give the key a name of 1 to 100 characters.", code="invalid_name",
                           field="name")
    scopes = normalise_scopes(scopes)
    for _ in range(5):
        secret = secrets.token_hex(SECRET_HEX_CHARS // 2)
        try:
            with transaction.atomic():
                api_key = ApiKey.objects.create(
                    workspace=workspace, name=name, lookup=secret[:LOOKUP_CHARS],
                    hashed_key=_generator.hash(secret), last_four=secret[-4:], scopes=scopes,
                    created_by=created_by, rate_limit_per_minute=rate_limit_per_minute,
                )
        except IntegrityError:
            continue  # a lookup collision (48 random bits): draw again
        return CreatedKey(api_key=api_key, plaintext=DISPLAY_PREFIX + secret)
    raise AppError("Could not draw a unique key; try again.", code="key_generation_failed",
                   status=503, retryable=True)


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """Revoke at once; a revoked key answers ``invalid_api_key``. Revoking twice is harmless."""
    ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now())
    api_key.refresh_from_db(fields=["revoked_at"])
    return api_key


def api_key_get_for_workspace(*, workspace: Workspace, key_id: int) -> ApiKey:
    api_key = ApiKey.objects.for_workspace(workspace).filter(pk=key_id).first()
    if api_key is None:
        raise NotFound("No such API key in this workspace.", code="api_key_not_found")
    return api_key


def split_key(presented: str) -> str:
    """The secret part of a presented key, or KeyAuthError ``invalid_key_format``."""
    for prefix in ACCEPTED_PREFIXES:
        if presented.startswith(prefix):
            secret = presented[len(prefix):]
            if _SECRET_RE.match(secret):
                return secret
            break
    raise KeyAuthError(
        f"API keys look like {DISPLAY_PREFIX} followed by {SECRET_HEX_CHARS} hex characters "
        f"(accepted prefixes: {', '.join(ACCEPTED_PREFIXES)}).", code="invalid_key_format")


def authenticate_header(header: str | None) -> ApiKey:
    """The active key an ``Authorization`` header carries, or KeyAuthError naming why not."""
    if not header:
        raise KeyAuthError("Send your API key as 'Authorization: Bearer <key>'.",
                           code="missing_authorization")
    scheme, _, presented = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        raise KeyAuthError("The Authorization header must start with 'Bearer '.",
                           code="invalid_authorization_scheme")
    secret = split_key(presented.strip())
    api_key = (ApiKey.objects.select_related("workspace")
               .filter(lookup=secret[:LOOKUP_CHARS], revoked_at__isnull=True).first())
    if api_key is None or not _generator.verify(secret, api_key.hashed_key):
        raise KeyAuthError("This API key is not valid: it is unknown or was revoked.",
                           code="invalid_api_key")
    _touch(api_key)
    return api_key


def _touch(api_key: ApiKey) -> None:
    """Record use at most once a minute per key: a write per request would cost more than
    the request."""
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
