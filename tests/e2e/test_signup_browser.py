import pytest

from studio.models import Membership, Role


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_sign_up_lands_on_the_dashboard_of_a_new_workspace(live_server, page, screenshot):
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("input[name=email]", "rosa@example.com")
    page.fill("input[name=password1]", "a-long-passphrase-1")
    page.fill("input[name=password2]", "a-long-passphrase-1")
    page.click("button[type=submit]")

    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "rosa's studio"
    assert page.locator("nav.mainnav a[aria-current=page]").inner_text() == "Dashboard"
    assert screenshot("signup-dashboard").stat().st_size > 10_000
    membership = Membership.objects.get(user__email="rosa@example.com")
    assert membership.role == Role.OWNER
