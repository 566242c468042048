from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        # Connect the receivers (Django's convention: modules imported once the apps load).
        from billing import receivers, tasks  # noqa: F401
