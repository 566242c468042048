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
