"""Pi's Stripe-style error envelope: ``{"error": {"type", "code", "message", "request_id",
"param"}}``.

Statuses follow Pi's table: 400 for a body that cannot be used as sent (not JSON, a missing
field, a wrong type, a file that is not an image), 422 for a well-formed value that breaks a
documented rule (a length, a count, a range, an unknown choice), 401/404/409/429 as documented.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from rest_framework import exceptions as drf

from api.errors import _first_error, as_app_error
from api.surface import error_response
from billing.exceptions import InsufficientCredits
from studio.exceptions import AppError, InvalidInput

# DRF's own detail codes for a value that parsed but breaks a rule: Pi's 422.
RULE_CODES = {"max_length", "min_length", "max_value", "min_value", "invalid_choice",
              "max_string_length", "empty"}
# Our codes, as Pi names the authentication and rate-limit errors.
RENAMED = {"missing_authorization": "missing_authorization_header",
           "invalid_authorization_scheme": "invalid_api_key",
           "invalid_key_format": "invalid_api_key", "rate_limited": "rate_limit_exceeded"}
MISSING_HEADER_MESSAGE = "Missing Authorization header. Use Bearer <api_key>."


def error_type(status: int, code: str) -> str:
    if status == 401:
        return "authentication_error"
    if status == 403:
        return "permission_error"
    if status == 409 and code == "idempotency_key_mismatch":
        return "idempotency_error"
    if status == 429:
        return "rate_limit_error"
    if status >= 500:
        return "api_error"
    return "invalid_request_error"


def _from_validation(exc: drf.ValidationError, field_codes: dict[str, str]) -> InvalidInput:
    field, message = _first_error(exc.detail)
    detail = _first_detail(exc.detail)
    rule = getattr(detail, "code", "") in RULE_CODES
    parent = field.rsplit(".", 1)[0] + ".*" if "." in field else ""
    if getattr(detail, "code", "") in ("required", "null", "blank"):
        code = "parameter_missing"
    elif rule:
        code = field_codes.get(field) or field_codes.get(parent) or "parameter_invalid"
    else:
        code = "parameter_invalid_type"
    text = f"{field}: {message}" if field else message
    return InvalidInput(text, code=code, field=field or None, status=422 if rule else 400)


def _first_detail(detail):
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_detail(value)
    if isinstance(detail, list) and detail:
        return _first_detail(detail[0])
    return detail


def pi_error(exc: Exception, *, field_codes: dict[str, str] | None = None,
             not_found_code: str = "not_found") -> AppError:
    if isinstance(exc, drf.ValidationError):
        return _from_validation(exc, field_codes or {})
    error = as_app_error(exc, field_codes=field_codes, not_found_code=not_found_code)
    if error.code in RENAMED:
        code = RENAMED[error.code]
        message = MISSING_HEADER_MESSAGE if code == "missing_authorization_header" \
            else error.message
        renamed = AppError(message, code=code, status=error.status, field=error.field,
                           retryable=error.retryable, details=error.details)
        if hasattr(error, "retry_after"):
            renamed.retry_after = error.retry_after  # type: ignore[attr-defined]
        return renamed
    return error


def envelope(error: AppError, *, request_id: str) -> dict:
    message = error.message
    if isinstance(error, InsufficientCredits):
        message = error.message_with_top_up(settings.SITE_URL + reverse("billing:overview"))
    body = {"type": error_type(error.status, error.code), "code": error.code,
            "message": message, "request_id": request_id}
    if error.field:
        body["param"] = error.field
    return {"error": body}


def exception_handler(exc: Exception, context: dict):
    view = context.get("view")
    error = pi_error(exc, field_codes=getattr(view, "field_error_codes", {}),
                     not_found_code=getattr(view, "not_found_code", "not_found"))
    request = context.get("request")
    request_id = getattr(getattr(request, "_request", request), "request_id", "")
    return error_response(error, envelope(error, request_id=request_id))
