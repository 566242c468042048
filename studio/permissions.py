"""Who may do what in a workspace: the role matrix and the one helper that checks it.

``docs/roles.md`` is this table in prose; a test keeps the two equal. Services call
``authorize`` before they change anything: it scopes by workspace and checks the role together,
so an outsider gets 404 (``NotFound``: another workspace's object is indistinguishable from a
missing one) and a member of the workspace whose role may not gets 403 (``Forbidden``).

``membership=None`` means the caller is not a person in a browser: an API key (``api/`` checks
its workspace and scopes) or the operator (admin, CLI). Role rules apply to people.
"""

from __future__ import annotations

from enum import StrEnum

from studio.exceptions import Forbidden, NotFound
from studio.models import Membership, Role, Workspace


class Action(StrEnum):
    JOB_SUBMIT = "job.submit"
    JOB_CANCEL = "job.cancel"
    JOB_REGENERATE = "job.regenerate"
    JOB_SHARE = "job.share"
    JOB_DELETE = "job.delete"
    BRAND_EDIT = "brand.edit"
    CREDITS_BUY = "credits.buy"
    CARD_CHANGE = "card.change"
    AUTO_RECHARGE_CHANGE = "auto_recharge.change"
    WORKSPACE_RENAME = "workspace.rename"
    WORKSPACE_SETTINGS = "workspace.settings"
    WEBHOOK_SECRET_ROTATE = "webhook_secret.rotate"  # noqa: S105 - an action name
    MEMBER_INVITE = "member.invite"
    MEMBER_REMOVE = "member.remove"
    OWNER_REMOVE = "owner.remove"


_EVERYONE: frozenset[str] = frozenset({Role.OWNER, Role.ADMIN, Role.MEMBER})
_MANAGERS: frozenset[str] = frozenset({Role.OWNER, Role.ADMIN})
_OWNERS: frozenset[str] = frozenset({Role.OWNER})

# What each role may do. Everyone makes ads (and spends credits on them); money, the team and
# the workspace's settings are the managers'; only an owner removes an owner.
ROLE_MATRIX: dict[Action, frozenset[str]] = {
    Action.JOB_SUBMIT: _EVERYONE,
    Action.JOB_CANCEL: _EVERYONE,
    Action.JOB_REGENERATE: _EVERYONE,
    Action.JOB_SHARE: _EVERYONE,
    Action.JOB_DELETE: _MANAGERS,
    Action.BRAND_EDIT: _EVERYONE,
    Action.CREDITS_BUY: _MANAGERS,
    Action.CARD_CHANGE: _MANAGERS,
    Action.AUTO_RECHARGE_CHANGE: _MANAGERS,
    Action.WORKSPACE_RENAME: _MANAGERS,
    Action.WORKSPACE_SETTINGS: _MANAGERS,
    Action.WEBHOOK_SECRET_ROTATE: _MANAGERS,
    Action.MEMBER_INVITE: _MANAGERS,
    Action.MEMBER_REMOVE: _MANAGERS,
    Action.OWNER_REMOVE: _OWNERS,
}

_REFUSALS: dict[frozenset[str], str] = {
    _MANAGERS: "Only workspace owners and admins can do that.",
    _OWNERS: "Only an owner can do that.",
}


def may(*, membership: Membership | None, action: Action) -> bool:
    """Whether the role allows ``action`` (for showing or hiding a button)."""
    return membership is None or membership.role in ROLE_MATRIX[action]


def authorize(*, membership: Membership | None, workspace: Workspace | int,
              action: Action) -> None:
    """Refuse unless ``membership`` belongs to ``workspace`` and its role allows ``action``.

    Raises ``NotFound`` for someone outside the workspace and ``Forbidden`` for a member whose
    role may not; ``membership=None`` (API key, operator) is not a person and passes.
    """
    if membership is None:
        return
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    if membership.workspace_id != workspace_id:
        raise NotFound()
    allowed = ROLE_MATRIX[action]
    if membership.role not in allowed:
        raise Forbidden(_REFUSALS.get(allowed, Forbidden.default_message),
                        details={"action": str(action), "role": membership.role})
