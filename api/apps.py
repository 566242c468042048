from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from generations import events

        events.job_finished.connect(_on_job_finished, dispatch_uid="api.webhooks.job_finished")


def _on_job_finished(sender, *, job_id: int, **kwargs) -> None:
    """A finished job's webhook is built and sent by a worker, not by whoever finished it."""
    from api import tasks

    tasks.send_job_webhook.delay(job_id)
