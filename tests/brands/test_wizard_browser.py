"""The onboarding wizard in headless Chromium against a fixture shop, scrape running in-process.

Screenshots land in ``test-artifacts/`` (git-ignored): progress, review, products, detail.
"""

import threading

import pytest
from django.conf import settings as django_settings
from django.db import connection

from brands.models import Brand
from brands.services import brand_run_scrape
from tests.browser import ARTIFACTS


def _run_in_thread(scrape_id: int) -> None:
    def work():
        try:
            brand_run_scrape(scrape_id=scrape_id)
        finally:
            connection.close()

    threading.Thread(target=work, daemon=True).start()


@pytest.fixture
def browser_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_onboarding_wizard_in_the_browser(live_server, client, owner, workspace, fixture_sites,
                                          settings, monkeypatch, browser_page):
    settings.STUDIO_OUTBOUND_ALLOW_LOOPBACK = True
    monkeypatch.setattr("brands.tasks.scrape_brand.delay", _run_in_thread)
    ARTIFACTS.mkdir(exist_ok=True)

    client.force_login(owner)
    browser_page.add_cookies([{
        "name": django_settings.SESSION_COOKIE_NAME,
        "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }])
    page = browser_page.new_page()
    page.set_default_timeout(30_000)  # a loaded 2-core CI machine

    # Step 1: the website address.
    page.goto(f"{live_server.url}/brands/new/")
    page.fill("#id_site-url", fixture_sites["shopify"])
    page.click("#website-form button[type=submit]")

    # Step 2: live progress, then htmx sends us on to the review. A fast scrape may finish
    # before the progress bar is first drawn, so the bar is photographed only when seen.
    page.wait_for_selector("#scrape-status .progress, #id_name")
    if page.locator("#scrape-status .progress").count():
        page.screenshot(path=str(ARTIFACTS / "brands-wizard-progress.png"), full_page=True)
    page.wait_for_url("**/review/")

    # Step 3: review and edit the DNA.
    assert page.input_value("#id_name") == "Northwind Tea"
    assert page.input_value("#id_color_primary") == "#1f6f50"
    assert page.input_value("#id_heading_font") == "Playfair Display"
    assert page.locator("#logo-current").is_visible()
    page.wait_for_function("document.fonts.check('700 16px \"Playfair Display\"')")
    page.screenshot(path=str(ARTIFACTS / "brands-wizard-review.png"), full_page=True)
    page.select_option("#id_body_font", "Lora")
    page.fill("#id_audience", "Tea lovers who care where it comes from")
    page.click("button[name=next]")

    # Step 4: products — switch one off with htmx, then finish.
    page.wait_for_url("**/products/")
    rows = page.locator(".products-table tbody tr")
    assert rows.count() == 3
    first_toggle = rows.nth(1).locator("button.toggle")
    first_toggle.click()
    page.wait_for_selector(".products-table tbody tr.is-inactive")
    assert rows.nth(1).locator("button.toggle").inner_text() == "Off"
    page.screenshot(path=str(ARTIFACTS / "brands-wizard-products.png"), full_page=True)
    page.click("#finish")

    page.wait_for_selector(".badge-ok")
    page.screenshot(path=str(ARTIFACTS / "brands-detail.png"), full_page=True)
    brand = Brand.objects.get(workspace=workspace)
    assert (brand.status, brand.body_font, brand.audience) == (
        Brand.Status.READY, "Lora", "Tea lovers who care where it comes from")
    assert brand.products.filter(active=False).count() == 1
    # ORM calls made while Playwright's loop runs get their own connection (asgiref's
    # context-local storage); close it so the test database can be dropped at the end.
    connection.close()
