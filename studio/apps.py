from django.apps import AppConfig


class StudioConfig(AppConfig):
    name = "studio"
    verbose_name = "Studio"

    def ready(self) -> None:
        # The project's Celery app becomes the current one before any task is sent, so
        # every @shared_task of the apps publishes through it.
        from studio import celery  # noqa: F401
