from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from studio.middleware import current_membership
from studio.services import personal_workspace_create


def workspace_required(view):
    """Signed-in pages that work inside ``request.workspace``.

    Someone removed from every workspace gets a fresh personal one rather than a dead end.
    """

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.workspace is None:
            personal_workspace_create(user=request.user)
            request.membership = current_membership(request)
            request.workspace = request.membership.workspace
        return view(request, *args, **kwargs)

    return wrapped


def manager_required(view):
    """Pages only workspace owners and admins may use."""

    @workspace_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.membership.can_manage:
            raise PermissionDenied("Only workspace owners and admins can do that.")
        return view(request, *args, **kwargs)

    return wrapped
