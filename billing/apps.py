from django.apps import AppConfig
from django.core import checks


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        # Connect the receivers (Django's convention: modules imported once the apps load).
        from billing import receivers, tasks  # noqa: F401

        checks.register(stripe_installed_when_configured)


def stripe_installed_when_configured(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """A secret key without stripe-python would leave payments silently off."""
    from django.conf import settings

    from billing import stripe_gateway

    if settings.STRIPE_SECRET_KEY and not stripe_gateway.INSTALLED:
        return [checks.Warning(
            "STRIPE_SECRET_KEY is set but stripe-python is not installed, so payments are off.",
            hint="pip install 'creative-studio[payments]' (the [production] extra includes it).",
            id="billing.W001")]
    return []
