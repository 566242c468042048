from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required

from studio.exceptions import Forbidden
from studio.permissions import Action, authorize


def workspace_required(view):
    """Signed-in pages that work inside ``request.workspace``.

    Every account gets its workspace at sign-up (``StudioAccountAdapter``) or from the operator
    (``createworkspace``); someone removed from every workspace is sent to the page that says so
    rather than given a new one as a side effect of a GET.
    """

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.workspace is None:
            raise Forbidden("You are not a member of any workspace. Ask an owner for an "
                            "invitation.", code="no_workspace")
        return view(request, *args, **kwargs)

    return wrapped


def role_required(action: Action):
    """Pages whose action the role matrix restricts (``studio.permissions``): a member whose
    role may not gets 403 before anything runs. The service checks the same rule again."""

    def decorator(view):
        @workspace_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            authorize(membership=request.membership, workspace=request.workspace,
                      action=action)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def manager_required(view):
    """Pages only workspace owners and admins may use (their workspace settings)."""
    return role_required(Action.WORKSPACE_SETTINGS)(view)
