"""The one application error: how the HTML views render it and what the API hook maps."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from billing.exceptions import InsufficientCredits
from studio.errors import AppErrorMiddleware, as_app_error
from studio.exceptions import AppError, Conflict, Forbidden, InvalidInput, NotFound


def _middleware():
    return AppErrorMiddleware(lambda request: None)


def test_an_uncaught_app_error_renders_the_error_page_with_its_status(db):
    request = RequestFactory().get("/")
    request.htmx = False

    response = _middleware().process_exception(
        request, Conflict("A workspace needs at least one owner.", code="last_owner"))

    assert response.status_code == 409
    assert "A workspace needs at least one owner." in response.content.decode()


def test_an_htmx_request_gets_the_bare_message():
    request = RequestFactory().post("/")
    request.htmx = True

    response = _middleware().process_exception(request, InsufficientCredits(45, 12))

    assert response.status_code == 402
    assert response.content.decode() == "Balance 12 credits, need 45."
    assert response["Content-Type"] == "text/plain; charset=utf-8"


def test_other_exceptions_are_left_to_django():
    request = RequestFactory().get("/")
    request.htmx = False

    assert _middleware().process_exception(request, KeyError("bug")) is None


def test_the_api_hook_maps_framework_refusals_and_leaves_bugs_alone():
    assert isinstance(as_app_error(Http404("No job matches.")), NotFound)
    assert as_app_error(Http404("No job matches.")).as_dict() == {
        "code": "not_found", "message": "No job matches.", "status": 404, "retryable": False}
    assert isinstance(as_app_error(PermissionDenied()), Forbidden)
    assert as_app_error(PermissionDenied()).status == 403
    original = InvalidInput("Bad.", code="invalid_count", field="count")
    assert as_app_error(original) is original
    assert as_app_error(ZeroDivisionError()) is None


def test_the_api_hook_reads_status_code_exceptions():
    class Throttled(Exception):
        status_code = 429
        default_code = "throttled"
        detail = "Request was throttled."
        wait = 7

    error = as_app_error(Throttled())

    assert type(error) is AppError
    assert error.as_dict() == {"code": "throttled", "message": "Request was throttled.",
                               "status": 429, "retryable": True,
                               "details": {"retry_after": 7}}
