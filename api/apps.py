from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from api.webhooks import dispatch_due_deliveries
        from generations import events
        from studio.worker import register_sweep

        events.job_terminal.connect(_on_job_terminal, dispatch_uid="api.webhooks.job_terminal")
        events.job_terminal.connect(_on_job_terminal_registered,
                                    dispatch_uid="api.webhooks.job_terminal_registered")
        register_sweep("webhooks", dispatch_due_deliveries)


def _on_job_terminal(sender, *, job_id: int, **kwargs) -> None:
    """The webhook outbox: the delivery row is written in the transaction that finishes the
    job, so a broker outage at that moment cannot lose it."""
    from api import webhooks

    webhooks.webhook_record_for_job(job_id=job_id)


def _on_job_terminal_registered(sender, *, job_id: int, **kwargs) -> None:
    """The same outbox for the endpoints a workspace registered (OpenAI-compatible surface)."""
    from api.surfaces.pi import webhooks

    webhooks.record_for_job(job_id=job_id)
