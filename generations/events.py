"""Events the pipeline emits. ``generations.tasks`` turns the queue events into Celery tasks and
``api`` subscribes to ``job_finished`` to deliver webhooks; services and the pipeline import
neither."""

from django.dispatch import Signal

# Sent after commit when a job reaches a terminal state. Arguments: job_id.
job_finished = Signal()

# Sent inside the transaction that makes a job terminal, after its final state is saved.
# Receivers write what must commit or roll back with it (the webhook outbox). Arguments: job_id.
job_terminal = Signal()
# Sent (after commit) when a job needs planning: accepted, or re-published by the sweeper.
# Arguments: job_id. A receiver's error (broker down) reaches the sender.
job_queued = Signal()

# Sent (after commit) when a concept needs rendering. Arguments: concept_id.
concept_queued = Signal()
