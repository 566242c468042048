from django.apps import AppConfig


class BrandsConfig(AppConfig):
    name = "brands"
    verbose_name = "Brands"

    def ready(self) -> None:
        # Connect the task receivers (Django's convention: imported once the apps load).
        from brands import tasks  # noqa: F401
        from brands.services import scrape_sweep
        from studio.worker import register_sweep

        register_sweep("scrapes", scrape_sweep)
