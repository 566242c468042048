"""Verbs that change tenancy state: workspaces, memberships, invitations."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from studio.models import Invitation, Membership, Role, User, Workspace


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
    from billing.services import account_open  # billing depends on studio, not the reverse

    account_open(workspace=workspace)  # with the 50-credit welcome bonus
    return workspace


def personal_workspace_create(*, user: User) -> Workspace:
    """The workspace every new account starts with."""
    local_part = user.email.split("@", 1)[0]
    return workspace_create(name=f"{local_part}'s studio", owner=user)


def user_get_or_create(*, email: str, password: str | None = None) -> tuple[User, bool]:
    """Find a user by e-mail (case-insensitive) or create one; the e-mail counts as verified
    because an operator vouched for it."""
    from allauth.account.models import EmailAddress

    existing = User.objects.filter(email__iexact=email).first()
    if existing:
        return existing, False
    user = User.objects.create_user(email=email, password=password)
    if password is None:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user, True


def _require_manager(*, workspace: Workspace, user: User) -> Membership:
    membership = Membership.objects.filter(workspace=workspace, user=user).first()
    if membership is None or not membership.can_manage:
        raise PermissionDenied("Only workspace owners and admins can do that.")
    return membership


def invitation_create(
    *, workspace: Workspace, email: str, role: str, invited_by: User
) -> Invitation:
    """Invite ``email`` to the workspace and e-mail them a link (after commit)."""
    _require_manager(workspace=workspace, user=invited_by)
    email = User.objects.normalize_email(email.strip())
    if role not in Role.values or role == Role.OWNER:
        raise ValidationError({"role": "Invite people as admin or member."})
    if workspace.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already a member of this workspace."})
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                workspace=workspace, email=email, role=role, invited_by=invited_by
            )
    except IntegrityError as exc:
        raise ValidationError({"email": f"{email} already has a pending invitation."}) from exc
    transaction.on_commit(lambda: _send_invitation_email(invitation))
    return invitation


def _send_invitation_email(invitation: Invitation) -> None:
    context = {
        "invitation": invitation,
        "accept_url": settings.SITE_URL + reverse("studio:invitation_accept",
                                                  args=[invitation.token]),
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
        raise ValidationError("This invitation is no longer valid.")
    if invitation.email.lower() != user.email.lower():
        raise ValidationError(
            f"This invitation was sent to {invitation.email}. Sign in with that address to "
            "accept it."
        )
    membership, _ = Membership.objects.get_or_create(
        workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
    )
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_by = user
    invitation.save(update_fields=["status", "accepted_by"])
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, revoked_by: User) -> None:
    _require_manager(workspace=invitation.workspace, user=revoked_by)
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationError("Only pending invitations can be revoked.")
    invitation.status = Invitation.Status.REVOKED
    invitation.expires_at = min(invitation.expires_at, timezone.now())
    invitation.save(update_fields=["status", "expires_at"])


@transaction.atomic
def membership_remove(*, membership: Membership, removed_by: User) -> None:
    _require_manager(workspace=membership.workspace, user=removed_by)
    if membership.role == Role.OWNER and not membership.workspace.memberships.filter(
        role=Role.OWNER
    ).exclude(pk=membership.pk).exists():
        raise ValidationError("A workspace needs at least one owner.")
    membership.delete()


def webhook_secret_rotate(*, workspace: Workspace, rotated_by: User) -> str:
    _require_manager(workspace=workspace, user=rotated_by)
    workspace.webhook_secret = secrets.token_hex(32)
    workspace.save(update_fields=["webhook_secret"])
    return workspace.webhook_secret
