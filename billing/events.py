"""Events billing emits. ``billing.tasks`` turns them into Celery tasks, so services never
import the tasks module."""

from django.dispatch import Signal

# Sent after commit when a debit left an account under its auto-recharge threshold.
# Arguments: account_id.
recharge_wanted = Signal()
