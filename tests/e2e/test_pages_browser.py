"""Every main page at desktop (1440) and phone (390) width: nothing wider than the screen, a
menu on phones, tables as cards; a screenshot of each goes to test-artifacts/ to look at."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from billing import services as ledger
from billing.services import account_for_workspace
from brands.models import Brand, Product, ProductImage
from generations.models import Concept, Job, JobStatus
from generations.render.samples import dropper_bottle
from tests.browser import fits_viewport, save_screenshot, sign_in
from tests.generations.factories import full_concept_assets

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def studio_data(workspace, owner):
    brand = Brand.objects.create(
        workspace=workspace, name="Lumen Skin", status=Brand.Status.READY, is_default=True,
        website="https://lumen-skin.example/", color_primary="#C8553D",
        color_secondary="#F2D0A4", color_accent="#588B8B", color_background="#FFF8F0",
        color_text="#2D1E2F", heading_font="Playfair Display", body_font="Inter",
        tagline="Skin that glows from within", tone_of_voice="warm, expert, reassuring",
        value_props=["Dermatologist tested", "Vegan formula"], language="en")
    product = Product.objects.create(workspace=workspace, brand=brand, name="Glow Serum",
                                     description="Vitamin C brightening serum", price="34.00",
                                     currency="USD")
    image = ProductImage(product=product)
    image.image.save("glow-serum.png", ContentFile(dropper_bottle()), save=True)
    account = account_for_workspace(workspace)
    ledger.grant(account=account, credits=200, memo="Welcome credits", actor=owner)
    job = Job.objects.create(workspace=workspace, brand=brand, status=JobStatus.COMPLETED,
                             format="full", count=3, credits_charged=45, progress=100,
                             stage="completed", finished_at=timezone.now(),
                             share_token="share-token-for-screenshots-0123456789",
                             request={"sizes": ["9:16"], "format": "full", "count": 3})
    ledger.debit(account=account, credits=45, reference=f"job:{job.public_id}",
                 job_id=job.public_id, memo="3 full ads")
    headlines = ["Glow that lasts all day", "Morning light, bottled", "Your 7-day glow"]
    for index, headline in enumerate(headlines):
        concept = Concept.objects.create(
            job=job, index=index, copy_angle="sensory", product=product, headline=headline,
            body="Vitamin C serum for brighter skin", cta="Shop now", credits=15,
            template_slug="product-hero", style_id="soft-gradient", product_name="Glow Serum",
            animation_prompt="Serum Droplets", status="completed")
        full_concept_assets(concept=concept, heavy=False)
    Job.objects.create(workspace=workspace, brand=brand, status=JobStatus.QUEUED,
                       format="static", count=2, credits_charged=10, stage="accepted",
                       request={"sizes": ["9:16"], "format": "static", "count": 2})
    return {"brand": brand, "job": job}


def _pages(data) -> list[tuple[str, str]]:
    brand, job = data["brand"], data["job"]
    return [
        ("dashboard", "/"), ("brands", "/brands/"), ("brand", f"/brands/{brand.pk}/"),
        ("brand-new", "/brands/new/"), ("brand-review", f"/brands/{brand.pk}/review/"),
        ("brand-products", f"/brands/{brand.pk}/products/"), ("create", "/create/"),
        ("queue", "/queue/"), ("job", f"/jobs/{job.public_id}/"),
        ("shared", f"/v/{job.share_token}/"), ("shared-revoked", "/v/no-such-token/"),
        ("gallery", "/gallery/"), ("gallery-styles", "/gallery/?kind=styles"),
        ("billing", "/billing/"), ("ledger", "/billing/ledger/"), ("settings", "/settings/"),
        ("webhooks", "/settings/webhooks/"), ("account-email", "/accounts/email/"),
        ("account-password", "/accounts/password/change/"),
    ]


def _visit_all(page, live_server, data, width: int) -> list[str]:
    too_wide = []
    for name, path in _pages(data):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == (404 if name == "shared-revoked" else 200), path
        page.wait_for_load_state("networkidle")
        size = fits_viewport(page)
        if size["scroll"] > size["inner"]:
            too_wide.append(f"{path}: {size['scroll']} > {size['inner']}")
        save_screenshot(page, f"page-{name}-{width}")
    return too_wide


def test_every_main_page_at_desktop_width(live_server, page, owner, studio_data):
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, live_server, owner)

    assert _visit_all(page, live_server, studio_data, 1440) == []


def test_every_main_page_at_phone_width_fits_with_a_menu_and_card_tables(
        live_server, phone_page, owner, studio_data):
    page = phone_page
    sign_in(page, live_server, owner)
    assert page.locator("nav.mainnav").is_hidden()
    page.click("button.menu-toggle")
    assert page.locator("nav.mainnav a:has-text('Billing')").is_visible()
    save_screenshot(page, "phone-menu-open-390")

    assert _visit_all(page, live_server, studio_data, 390) == []

    page.goto(f"{live_server.url}/queue/")
    status_cell = page.locator("tr td[data-label=Status]").first
    box = status_cell.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # Status is on screen, in a card
    assert page.locator("thead").first.is_hidden()


@pytest.mark.parametrize("width", [1440, 390])
def test_signed_out_pages(live_server, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    for name, path in [("login", "/accounts/login/"), ("signup", "/accounts/signup/"),
                       ("password-reset", "/accounts/password/reset/")]:
        page.goto(f"{live_server.url}{path}")
        size = fits_viewport(page)
        assert size["scroll"] <= size["inner"], path
        save_screenshot(page, f"page-{name}-{width}")
    assert page.locator("button.btn-primary").count() >= 1
    context.close()
