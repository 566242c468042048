"""Billing's reactions to other apps' events."""

from __future__ import annotations

from django.dispatch import receiver

from billing.services import account_open
from studio.events import workspace_created
from studio.models import Workspace


@receiver(workspace_created, dispatch_uid="billing.open_credit_account")
def open_credit_account(sender, *, workspace: Workspace, **kwargs) -> None:
    """Every new workspace starts with a credit account and the welcome bonus."""
    account_open(workspace=workspace)
