"""Create preselects the default brand (not the first alphabetically, not a failed scan), and
a brand can be deleted from its page."""

import pytest

from brands.models import Brand, BrandScrape, Product
from tests.browser import save_screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_create_preselects_the_default_brand_and_lists_only_its_products(live_server, page,
                                                                        owner, workspace):
    Brand.objects.create(workspace=workspace, name="Aardvark", status=Brand.Status.FAILED,
                         website="https://aardvark.example/")
    default = Brand.objects.create(workspace=workspace, name="Lumen Skin", is_default=True,
                                   status=Brand.Status.READY)
    other = Brand.objects.create(workspace=workspace, name="Borealis", status=Brand.Status.READY)
    Product.objects.create(workspace=workspace, brand=default, name="Glow Serum")
    Product.objects.create(workspace=workspace, brand=other, name="Polar Parka")
    sign_in(page, live_server, owner)

    page.goto(f"{live_server.url}/create/")

    assert page.input_value("select[name=brand]") == str(default.pk)
    options = page.eval_on_selector_all("select[name=brand] option", "os => os.map(o => o.text)")
    assert options == ["Lumen Skin (default)", "Borealis"]  # no failed brand to pick
    assert page.locator("#products-field input[type=checkbox]").count() == 1
    assert "Glow Serum" in page.inner_text("#products-field")
    first_preview = page.get_attribute("#template-picker img", "src")
    assert f"/create/previews/{default.pk}/" in first_preview

    page.select_option("select[name=brand]", str(other.pk))
    page.wait_for_selector("#products-field:has-text('Polar Parka')")
    assert "Glow Serum" not in page.inner_text("#products-field")
    page.wait_for_function(f"""() => document.querySelector('#template-picker img')
                               .src.includes('/create/previews/{other.pk}/')""")


def test_a_failed_brand_can_be_deleted_and_the_default_moves_on(live_server, page, owner,
                                                               workspace):
    failed = Brand.objects.create(workspace=workspace, name="not a website", is_default=True,
                                  status=Brand.Status.FAILED)
    BrandScrape.objects.create(workspace=workspace, brand=failed, url="https://x.example/",
                               status=BrandScrape.Status.FAILED,
                               error="We could not reach x.example: nothing answered at that "
                                     "address. Check the address, try again later, or set the "
                                     "brand up by hand.")
    keeper = Brand.objects.create(workspace=workspace, name="Lumen Skin",
                                  status=Brand.Status.READY)
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/brands/{failed.pk}/")
    page.on("dialog", lambda dialog: dialog.accept())

    page.click("button:has-text('Delete brand')")

    page.wait_for_url(f"{live_server.url}/brands/")
    assert "not a website was deleted" in page.inner_text("#messages")
    assert not Brand.objects.filter(pk=failed.pk).exists()
    assert not BrandScrape.objects.filter(brand_id=failed.pk).exists()
    keeper.refresh_from_db()
    assert keeper.is_default
    save_screenshot(page, "brands-after-delete-1440")


def test_cancelling_the_confirmation_deletes_nothing(live_server, page, owner, workspace):
    brand = Brand.objects.create(workspace=workspace, name="Lumen Skin", is_default=True,
                                 status=Brand.Status.READY)
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/brands/{brand.pk}/")
    page.on("dialog", lambda dialog: dialog.dismiss())

    page.click("button:has-text('Delete brand')")
    page.wait_for_timeout(500)

    assert page.url == f"{live_server.url}/brands/{brand.pk}/"
    assert Brand.objects.filter(pk=brand.pk).exists()
