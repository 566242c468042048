from django.apps import AppConfig


class GenerationsConfig(AppConfig):
    name = "generations"
    verbose_name = "Generations"

    def ready(self) -> None:
        # Connect the task receivers (Django's convention: imported once the apps load).
        from generations import tasks  # noqa: F401
        from generations.pipeline import sweep
        from studio.worker import register_sweep

        register_sweep("jobs", sweep)
