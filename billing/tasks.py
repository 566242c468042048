"""Thin Celery tasks over billing services (they take ids and re-check state), and the
receivers that enqueue them."""

import logging

from celery import shared_task
from django.dispatch import receiver
from kombu.exceptions import OperationalError as BrokerError

from billing import events
from billing.services import recharge

logger = logging.getLogger(__name__)


@shared_task
def auto_recharge_account(account_id: int) -> str:
    """Top the account up if it is still under its threshold (safe to run twice)."""
    outcome = recharge.run(account_id=account_id, trigger="threshold")
    if outcome.skipped:
        return "skipped"
    return "recharged" if outcome.succeeded else f"failed: {outcome.error}"


@receiver(events.recharge_wanted, dispatch_uid="billing.tasks.recharge_wanted")
def _enqueue_auto_recharge(sender, *, account_id: int, **kwargs) -> None:
    try:
        auto_recharge_account.delay(account_id)
    except BrokerError:
        # The next debit under the threshold schedules it again.
        logger.warning("Could not enqueue auto-recharge for account %s", account_id)
