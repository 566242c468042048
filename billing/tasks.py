"""Thin Celery tasks over billing services (they take ids and re-check state)."""

from celery import shared_task

from billing.services import recharge


@shared_task(name="billing.tasks.auto_recharge_account")
def auto_recharge_account(account_id: int) -> str:
    """Top the account up if it is still under its threshold (safe to run twice)."""
    outcome = recharge.run(account_id=account_id, trigger="threshold")
    if outcome.skipped:
        return "skipped"
    return "recharged" if outcome.succeeded else f"failed: {outcome.error}"
