"""The surface's error envelope: RFC 9457 problem details (``application/problem+json``), the
shape the inferencesh SDK reads (``detail``), plus our ``code`` and ``request_id``."""

from __future__ import annotations

from http import HTTPStatus

from django.http import JsonResponse

from api.errors import as_app_error
from api.surface import error_response
from studio.exceptions import AppError

CONTENT_TYPE = "application/problem+json"


def envelope(error: AppError, *, request_id: str) -> dict:
    try:
        title = HTTPStatus(error.status).phrase
    except ValueError:
        title = "Error"
    body = {"type": "about:blank", "title": title, "status": error.status,
            "detail": error.message, "code": error.code, "request_id": request_id}
    if error.field:
        body["field"] = error.field
    return body


def exception_handler(exc: Exception, context: dict):
    view = context.get("view")
    error = as_app_error(exc, field_codes=getattr(view, "field_error_codes", {}),
                         not_found_code=getattr(view, "not_found_code", "not_found"))
    request = context.get("request")
    request_id = getattr(getattr(request, "_request", request), "request_id", "")
    response = error_response(error, envelope(error, request_id=request_id))
    response.content_type = CONTENT_TYPE
    return response


def problem_response(error: AppError, *, request_id: str) -> JsonResponse:
    """The same envelope for the plain (non-DRF) stream view."""
    response = JsonResponse(envelope(error, request_id=request_id), status=error.status,
                            content_type=CONTENT_TYPE)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
