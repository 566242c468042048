"""Turn whatever a surface view raised into the one application error.

Each surface's exception handler calls ``as_app_error`` and renders the result in its own
envelope, so a malformed body, a wrong type, a missing object or a refused debit all take the
same path. Anything unexpected becomes a logged 500 ``internal_error``, never an HTML page.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions as drf

from studio.exceptions import AppError, Forbidden, InvalidInput, NotFound

logger = logging.getLogger(__name__)


class PayloadTooLarge(AppError):
    code = "payload_too_large"
    status = 413


def _first_error(detail, path: str = "") -> tuple[str, str]:
    """The first (field path, message) of a DRF ValidationError detail."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            sub = key if key != "non_field_errors" else ""
            return _first_error(value, f"{path}.{sub}".strip(".") if sub else path)
    if isinstance(detail, list) and detail:
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                return _first_error(value, f"{path}[{index}]")
            return path, str(value)
    return path, str(detail)


def validation_error(exc: drf.ValidationError, *, field_codes: dict[str, str]) -> InvalidInput:
    field, message = _first_error(exc.detail)
    top = field.split(".")[0].split("[")[0]
    code = field_codes.get(field) or field_codes.get(top) or "invalid_request"
    text = f"{field}: {message}" if field else message
    return InvalidInput(text, code=code, field=field or None)


def as_app_error(exc: Exception, *, field_codes: dict[str, str] | None = None,
                 not_found_code: str = "not_found") -> AppError:
    if isinstance(exc, AppError):
        return exc
    if isinstance(exc, drf.ParseError):
        return InvalidInput(f"The request body is not valid JSON: {exc.detail}",
                            code="invalid_json")
    if isinstance(exc, drf.ValidationError):
        return validation_error(exc, field_codes=field_codes or {})
    if isinstance(exc, drf.UnsupportedMediaType):
        return AppError("Send the body as JSON with 'Content-Type: application/json'.",
                        code="unsupported_media_type", status=415)
    if isinstance(exc, drf.MethodNotAllowed):
        return AppError(str(exc.detail), code="method_not_allowed", status=405)
    if isinstance(exc, drf.NotAcceptable):
        return AppError("This API answers in JSON only.", code="not_acceptable", status=406)
    if isinstance(exc, Http404 | drf.NotFound):
        return NotFound("Not found, or not visible to this API key.", code=not_found_code)
    if isinstance(exc, PermissionDenied | drf.PermissionDenied):
        return Forbidden()
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge("The request body is too large.")
    if isinstance(exc, drf.APIException):
        return AppError(str(exc.detail), code=str(exc.default_code), status=exc.status_code)
    logger.exception("Unhandled error in an API view", exc_info=exc)
    return AppError("Something went wrong on our side; it is safe to retry with the same "
                    "Idempotency-Key.", code="internal_error", status=500, retryable=True)
