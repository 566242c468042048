"""Verbs that change tenancy state: workspaces, memberships, invitations."""

from __future__ import annotations

import secrets
import unicodedata

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from studio.events import workspace_created
from studio.exceptions import Conflict, Forbidden, InvalidInput
from studio.models import Invitation, Membership, Role, User, Workspace, normalise_email
from studio.permissions import Action, authorize


def _unique_slug(name: str) -> str:
    base = slugify(name)[:48] or "workspace"
    slug = base
    while Workspace.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


@transaction.atomic
def workspace_create(*, name: str, owner: User) -> Workspace:
    """Create a workspace with ``owner`` as its owner."""
    workspace = Workspace.objects.create(name=name.strip()[:100] or "Workspace",
                                         slug=_unique_slug(name))
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    # Billing opens the credit account (with the welcome bonus) in this same transaction.
    workspace_created.send(sender=Workspace, workspace=workspace)
    return workspace


def personal_workspace_create(*, user: User) -> Workspace:
    """The workspace every new account starts with."""
    local_part = user.email.split("@", 1)[0]
    return workspace_create(name=f"{local_part}'s studio", owner=user)


def user_get_or_create(*, email: str, password: str | None = None) -> tuple[User, bool]:
    """Find a user by e-mail (case-insensitive) or create one; the e-mail counts as verified
    because an operator vouched for it."""
    email = normalise_email(email)
    existing = User.objects.filter(email__iexact=email).first()
    if existing:
        return existing, False
    user = User.objects.create_user(email=email, password=password)
    if password is None:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user, True


def workspace_rename(*, workspace: Workspace, name: str, by: Membership | None) -> Workspace:
    authorize(membership=by, workspace=workspace, action=Action.WORKSPACE_RENAME)
    name = name.strip()
    if not name or len(name) > 100 or any(unicodedata.category(c) == "Cc" for c in name):
        raise InvalidInput("Give the workspace a name of up to 100 characters, without "
                           "control characters.", field="name")
    workspace.name = name
    workspace.save(update_fields=["name"])
    return workspace


def invitation_create(
    *, workspace: Workspace, email: str, role: str, by: Membership | None, base_url: str = ""
) -> Invitation:
    """Invite ``email`` to the workspace and e-mail them a link (after commit).

    ``base_url`` is the studio's address as the inviter reached it (scheme and host); the link
    uses it so it works wherever the studio runs, falling back to ``SITE_URL``.
    """
    authorize(membership=by, workspace=workspace, action=Action.MEMBER_INVITE)
    email = normalise_email(email)
    if role not in Role.values or role == Role.OWNER:
        raise InvalidInput("Invite people as admin or member.", code="invalid_role", field="role")
    if workspace.memberships.filter(user__email__iexact=email).exists():
        raise Conflict(f"{email} is already a member of this workspace.", code="already_member",
                       field="email")
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                workspace=workspace, email=email, role=role, invited_by=by.user if by else None
            )
    except IntegrityError as exc:
        raise Conflict(f"{email} already has a pending invitation.", code="invitation_pending",
                       field="email") from exc
    transaction.on_commit(lambda: _send_invitation_email(invitation, base_url=base_url))
    return invitation


def invitation_url(invitation: Invitation, *, base_url: str = "") -> str:
    """The absolute accept link of ``invitation``."""
    return ((base_url or settings.SITE_URL).rstrip("/")
            + reverse("studio:invitation_accept", args=[invitation.token]))


def _send_invitation_email(invitation: Invitation, *, base_url: str = "") -> None:
    context = {
        "invitation": invitation,
        "accept_url": invitation_url(invitation, base_url=base_url),
    }
    send_mail(
        subject=render_to_string("emails/invitation_subject.txt", context).strip(),
        message=render_to_string("emails/invitation_body.txt", context),
        html_message=render_to_string("emails/invitation_body.html", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """Join the invitation's workspace. The invitation must be open and addressed to ``user``."""
    invitation = Invitation.objects.select_for_update().filter(token=token).first()
    if invitation is None or not invitation.is_open:
        raise Conflict("This invitation is no longer valid.", code="invitation_closed")
    if invitation.email.lower() != user.email.lower():
        raise Forbidden(
            f"This invitation was sent to {invitation.email}. Sign in with that address to "
            "accept it.", code="invitation_for_someone_else",
        )
    membership, _ = Membership.objects.get_or_create(
        workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
    )
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_by = user
    invitation.save(update_fields=["status", "accepted_by"])
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: Membership | None) -> None:
    authorize(membership=by, workspace=invitation.workspace_id, action=Action.MEMBER_INVITE)
    if invitation.status != Invitation.Status.PENDING:
        raise Conflict("Only pending invitations can be revoked.", code="invitation_closed")
    invitation.status = Invitation.Status.REVOKED
    invitation.expires_at = min(invitation.expires_at, timezone.now())
    invitation.save(update_fields=["status", "expires_at"])


@transaction.atomic
def membership_remove(*, membership: Membership, by: Membership | None) -> None:
    """Take someone out of the workspace; an owner only by another owner, never the last."""
    authorize(membership=by, workspace=membership.workspace_id,
              action=Action.OWNER_REMOVE if membership.role == Role.OWNER
              else Action.MEMBER_REMOVE)
    if membership.role == Role.OWNER and not membership.workspace.memberships.filter(
        role=Role.OWNER
    ).exclude(pk=membership.pk).exists():
        raise Conflict("A workspace needs at least one owner.", code="last_owner")
    membership.delete()


def webhook_secret_rotate(*, workspace: Workspace, by: Membership | None) -> str:
    authorize(membership=by, workspace=workspace, action=Action.WEBHOOK_SECRET_ROTATE)
    workspace.webhook_secret = secrets.token_hex(32)
    workspace.save(update_fields=["webhook_secret"])
    return workspace.webhook_secret
