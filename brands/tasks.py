"""Thin Celery tasks: take ids, call one service; and the receivers that enqueue them."""

from celery import shared_task
from django.dispatch import receiver

from brands import events
from brands.models import BrandScrape
from brands.services import brand_retry_all_pending_images, brand_run_scrape, scrape_sweep


@shared_task(acks_late=True)
def scrape_brand(scrape_id: int) -> None:
    brand_run_scrape(scrape_id=scrape_id)


@shared_task
def sweep_stale_scrapes() -> dict[str, int]:
    return scrape_sweep()


@shared_task
def retry_pending_images() -> None:
    brand_retry_all_pending_images()


@receiver(events.scrape_requested, sender=BrandScrape,
          dispatch_uid="brands.tasks.scrape_requested")
def _enqueue_scrape(sender, *, scrape_id: int, **kwargs) -> None:
    scrape_brand.delay(scrape_id)
