import pytest

from tests.brands.sites import start_sites


@pytest.fixture(scope="session")
def fixture_sites():
    """Every site under tests/fixtures/sites served on its own loopback port."""
    sites = start_sites()
    yield {name: site.url for name, site in sites.items()}
    for site in sites.values():
        site.stop()


@pytest.fixture
def allow_loopback(settings):
    settings.STUDIO_OUTBOUND_ALLOW_LOOPBACK = True
    settings.BRANDS_SCRAPE_TIMEOUT_SECONDS = 1.0
    return settings
