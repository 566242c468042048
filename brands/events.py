"""Events brands emits. ``brands.tasks`` turns them into Celery tasks, so services never import
the tasks module."""

from django.dispatch import Signal

# Sent after commit when a scrape was queued. Arguments: scrape_id.
scrape_requested = Signal()
