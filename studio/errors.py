"""How errors become answers for the HTML views, and the hook the API surfaces share."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from studio.exceptions import AppError, Forbidden, NotFound


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Rendered without context processors: the failure may be the database they would query.
    return HttpResponseServerError(loader.get_template("500.html").render())


class AppErrorMiddleware:
    """The one place an uncaught ``AppError`` becomes an HTML answer: a page with the message and
    the error's status (an htmx request gets the bare message, for the target to show).

    Views that want the message inline (a form error) catch ``AppError`` itself and call
    ``form.add_error``; nothing catches a service's own subclass by hand.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, AppError):
            return None
        if getattr(request, "htmx", False):
            return HttpResponse(exception.message, status=exception.status,
                                content_type="text/plain; charset=utf-8")
        return render(request, "error.html", {"error": exception}, status=exception.status)


def flash_error(request, error: AppError) -> None:
    """Show a refusal the person can act on as a message on the next page. A 403 or 404 is not
    that kind of refusal: it propagates to ``AppErrorMiddleware`` (the error page)."""
    if error.status in (403, 404):
        raise error
    messages.error(request, error.message)


def as_app_error(exception: Exception) -> AppError | None:
    """The hook every surface's exception handler starts from: the ``AppError`` an exception
    means, or None for a real bug (which stays a 500).

    Services raise ``AppError`` already; Django's own refusals (``Http404`` from a scoped
    lookup, ``PermissionDenied``) and framework errors that carry a ``status_code`` (DRF's
    ``APIException``: parse errors, throttling, authentication) are translated here so no
    surface writes its own mapping. The surface then renders ``code``, ``message``, ``status``,
    ``field``, ``retryable`` and ``details`` in its own envelope.
    """
    if isinstance(exception, AppError):
        return exception
    if isinstance(exception, Http404):
        return NotFound(str(exception) or None)
    if isinstance(exception, PermissionDenied):
        return Forbidden(str(exception) or None)
    status = getattr(exception, "status_code", None)
    if isinstance(status, int) and 400 <= status < 600:
        code = getattr(exception, "default_code", None) or "error"
        detail = getattr(exception, "detail", None)
        message = detail if isinstance(detail, str) else str(exception)
        details = {"errors": detail} if isinstance(detail, dict | list) else None
        wait = getattr(exception, "wait", None)
        if wait is not None:
            details = {**(details or {}), "retry_after": wait}
        return AppError(message, code=str(code), status=status, details=details,
                        retryable=status in (429, 502, 503, 504))
    return None
