from __future__ import annotations

from studio.models import Membership
from studio.selectors import memberships_for_user

SESSION_WORKSPACE_KEY = "studio_workspace_id"


def current_membership(request) -> Membership | None:
    """The membership of the workspace this browser session works in (None when signed out)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    memberships = memberships_for_user(user)
    chosen_id = request.session.get(SESSION_WORKSPACE_KEY)
    if chosen_id is not None:
        chosen = memberships.filter(workspace_id=chosen_id).first()
        if chosen is not None:
            return chosen
    return memberships.first()


class WorkspaceMiddleware:
    """Sets ``request.membership`` and ``request.workspace`` for signed-in browser requests.

    API requests set ``request.workspace`` from their API key instead (see ``api/``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = current_membership(request)
        request.workspace = request.membership.workspace if request.membership else None
        return self.get_response(request)


PROBE_PATHS = ("/healthz", "/readyz")


class ProbeMiddleware:
    """Answers ``/healthz`` and ``/readyz`` before anything looks at the Host header or the
    scheme: a load balancer or orchestrator probes by IP over plain HTTP from inside the
    network, and must get the probe's answer, not an ALLOWED_HOSTS error or an HTTPS redirect.
    First in MIDDLEWARE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info in PROBE_PATHS:
            from studio import views

            view = views.healthz if request.path_info == "/healthz" else views.readyz
            response = view(request)
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)


class RequestGuardMiddleware:
    """Refuses requests no view should see, before any of them runs:

    * a NUL byte in the path or the query string (PostgreSQL cannot store or compare one, so
      it would surface as a database error): 400;
    * a body larger than ``STUDIO_MAX_REQUEST_BYTES`` (by its Content-Length; WSGI servers cap
      chunked bodies themselves): 413.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        from studio.exceptions import AppError

        error = None
        if "\x00" in request.path_info or "%00" in request.META.get("QUERY_STRING", ""):
            error = AppError("The address contains a NUL character.", code="invalid_request",
                             status=400)
        else:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = settings.STUDIO_MAX_REQUEST_BYTES
            if length > limit:
                error = AppError(f"The request body must be at most {limit // 1_000_000} MB.",
                                 code="payload_too_large", status=413)
        if error is None:
            return self.get_response(request)
        return _plain_error(request, error)


def _plain_error(request, error):
    """An error answered before sessions and templates: JSON for API clients, else text."""
    from django.http import HttpResponse, JsonResponse

    wants_json = request.path_info.startswith(("/api/", "/v1/", "/mcp")) or (
        "application/json" in request.META.get("HTTP_ACCEPT", ""))
    if wants_json:
        return JsonResponse({"error": error.as_dict()}, status=error.status)
    return HttpResponse(error.message, status=error.status,
                        content_type="text/plain; charset=utf-8")


class PermissionsPolicyMiddleware:
    """Adds ``Permissions-Policy`` (settings.PERMISSIONS_POLICY) to every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
