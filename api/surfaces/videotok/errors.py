"""videotok's error envelope: ``{"error": {"code", "message", "retryable", "context"}}``.

videotok documents a closed set of codes; every application error maps onto one of them by its
HTTP status (and, for 401, whether a key was sent at all). Our finer code, the field it is
about and the request id go in ``context`` (``reason``, ``field``, ``request_id``), next to the
error's own details (``credits_required`` / ``credits_available`` for a 402).
"""

from __future__ import annotations

from api.errors import as_app_error
from api.surface import error_response
from studio.exceptions import AppError

# 401s raised before a key was found at all; the rest mean "a key, but not a valid one".
NO_BEARER = ("missing_authorization", "invalid_authorization_scheme")
BY_STATUS = {401: "invalid_api_key", 402: "insufficient_credits", 403: "forbidden",
             404: "not_found", 409: "idempotency_conflict", 429: "rate_limited"}


def envelope_code(error: AppError) -> str:
    if error.status == 401:
        return "unauthorized" if error.code in NO_BEARER else "invalid_api_key"
    if error.status >= 500:
        return "server_error"
    return BY_STATUS.get(error.status, "bad_request")


def envelope(error: AppError, *, request_id: str) -> dict:
    code = envelope_code(error)
    context = dict(error.details)
    if error.code != code:
        context["reason"] = error.code
    if error.field:
        context["field"] = error.field
    context["request_id"] = request_id
    return {"error": {"code": code, "message": error.message,
                      "retryable": error.status == 429 or error.status >= 500,
                      "context": context}}


def exception_handler(exc: Exception, context: dict):
    view = context.get("view")
    error = as_app_error(exc, field_codes=getattr(view, "field_error_codes", {}))
    request = context.get("request")
    request_id = getattr(getattr(request, "_request", request), "request_id", "")
    return error_response(error, envelope(error, request_id=request_id))
