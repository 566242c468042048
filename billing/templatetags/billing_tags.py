"""Billing figures for pages composed outside billing (the studio dashboard)."""

from django import template

from billing.selectors import balance_summary, stripe_enabled

register = template.Library()


@register.simple_tag
def workspace_balance(workspace) -> dict:
    """``{% workspace_balance workspace as balance %}``: the ``balance_summary`` figures."""
    return balance_summary(workspace)


@register.simple_tag
def payments_enabled() -> bool:
    """``{% payments_enabled as payments_enabled %}``: can credits be bought by card here."""
    return stripe_enabled()
