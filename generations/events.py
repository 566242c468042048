"""Events the pipeline emits. ``api`` subscribes to deliver webhooks; domain code never imports
``api``."""

from django.dispatch import Signal

# Sent after commit when a job reaches a terminal state. Arguments: job_id.
job_finished = Signal()
