"""Dessert's error envelope: ``{"error": {"code", "message", "doc_url"}}`` (+ ``request_id``)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from api.errors import as_app_error
from api.surface import error_response
from billing.exceptions import InsufficientCredits
from studio.exceptions import AppError


def doc_url() -> str:
    return settings.SITE_URL + reverse("api-docs")


def envelope(error: AppError, *, request_id: str) -> dict:
    message = error.message
    if isinstance(error, InsufficientCredits):
        message = error.message_with_top_up(settings.SITE_URL + reverse("billing:overview"))
    return {"error": {"code": error.code, "message": message, "doc_url": doc_url(),
                      "request_id": request_id}}


def exception_handler(exc: Exception, context: dict):
    view = context.get("view")
    error = as_app_error(exc, field_codes=getattr(view, "field_error_codes", {}),
                         not_found_code=getattr(view, "not_found_code", "not_found"))
    request = context.get("request")
    request_id = getattr(getattr(request, "_request", request), "request_id", "")
    return error_response(error, envelope(error, request_id=request_id))
