"""Thin Celery tasks: take ids, call one service."""

from celery import shared_task


@shared_task(name="brands.scrape_brand", acks_late=True)
def scrape_brand(scrape_id: int) -> None:
    from brands.services import brand_run_scrape

    brand_run_scrape(scrape_id=scrape_id)
