"""A scrape whose worker died is resumed by a redelivery or the sweeper, or failed cleanly;
a live one is left alone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from brands.models import Brand, BrandScrape
from brands.services import brand_create, brand_run_scrape, brand_start_scrape, scrape_sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch):
    sent = []
    monkeypatch.setattr("brands.tasks.scrape_brand.delay", sent.append)
    return sent


def _running(workspace, url, *, lease_offset: float, attempts: int = 1) -> BrandScrape:
    brand = brand_create(workspace=workspace, name="x")
    scrape = brand_start_scrape(brand=brand, url=url)
    BrandScrape.objects.filter(pk=scrape.pk).update(
        status=BrandScrape.Status.RUNNING, attempts=attempts, started_at=timezone.now(),
        lease_until=timezone.now() + timedelta(seconds=lease_offset))
    return scrape


def test_a_redelivered_scrape_resumes_when_its_worker_died(workspace, fixture_sites,
                                                          allow_loopback, published):
    scrape = _running(workspace, fixture_sites["saas"], lease_offset=-1)

    result = brand_run_scrape(scrape_id=scrape.id)

    assert result.status == BrandScrape.Status.SUCCEEDED
    assert result.attempts == 2
    assert result.lease_until is None


def test_a_scrape_held_by_a_live_worker_is_left_alone(workspace, fixture_sites,
                                                     allow_loopback, published):
    scrape = _running(workspace, fixture_sites["saas"], lease_offset=30)

    assert brand_run_scrape(scrape_id=scrape.id) is None
    scrape.refresh_from_db()
    assert (scrape.status, scrape.attempts) == (BrandScrape.Status.RUNNING, 1)


def test_the_sweeper_requeues_a_dead_scrape(workspace, published):
    scrape = _running(workspace, "https://example.com/", lease_offset=-1)
    published.clear()

    counts = scrape_sweep()

    scrape.refresh_from_db()
    assert counts == {"requeued": 1, "republished": 0, "failed": 0}
    assert scrape.status == BrandScrape.Status.QUEUED
    assert published == [scrape.id]
    assert scrape_sweep() == {"requeued": 0, "republished": 0, "failed": 0}  # not twice


def test_a_scrape_that_died_three_times_fails_cleanly(workspace, published):
    scrape = _running(workspace, "https://example.com/", lease_offset=-1, attempts=3)

    counts = scrape_sweep()

    scrape.refresh_from_db()
    assert counts["failed"] == 1
    assert scrape.status == BrandScrape.Status.FAILED
    assert scrape.error.startswith("The scan stopped unexpectedly several times.")
    assert scrape.brand.status == Brand.Status.FAILED
    assert published == []  # not queued again


def test_a_queued_scrape_no_worker_took_is_republished(workspace, published, settings):
    brand = brand_create(workspace=workspace, name="x")
    scrape = brand_start_scrape(brand=brand, url="https://example.com/")
    BrandScrape.objects.filter(pk=scrape.pk).update(
        created_at=timezone.now() - timedelta(seconds=settings.STUDIO_QUEUED_STALE_SECONDS + 1))
    published.clear()

    counts = scrape_sweep()

    assert counts["republished"] == 1
    assert published == [scrape.id]
    assert scrape_sweep()["republished"] == 0
