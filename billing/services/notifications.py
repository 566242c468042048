"""E-mails to a workspace's owners about billing (always sent after commit)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from billing.models import CreditAccount
from studio.models import Role


def _owner_emails(account: CreditAccount) -> list[str]:
    return list(account.workspace.memberships.filter(role=Role.OWNER)
                .values_list("user__email", flat=True))


def _send(*, template: str, account: CreditAccount, context: dict) -> None:
    recipients = _owner_emails(account)
    if not recipients:
        return
    context = {
        "account": account,
        "workspace": account.workspace,
        "billing_url": settings.SITE_URL + reverse("billing:overview"),
        **context,
    }
    send_mail(
        subject=render_to_string(f"emails/{template}_subject.txt", context).strip(),
        message=render_to_string(f"emails/{template}_body.txt", context),
        html_message=render_to_string(f"emails/{template}_body.html", context),
        from_email=None,
        recipient_list=recipients,
    )


def auto_recharge_failed(*, account_id: int, reason: str, requires_action: bool) -> None:
    account = CreditAccount.objects.select_related("workspace", "auto_recharge_pack").get(
        pk=account_id)
    template = ("billing_payment_action_required" if requires_action
                else "billing_auto_recharge_failed")
    _send(template=template, account=account, context={"reason": reason})
