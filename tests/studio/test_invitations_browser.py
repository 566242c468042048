"""The invitation link uses the host the studio was reached on (here the live server's random
port, not SITE_URL's 127.0.0.1:8000), and can be copied from the settings page."""

import pytest

from studio.models import Invitation
from tests.browser import save_screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_invitation_link_points_at_the_studio_being_used(live_server, page, owner,
                                                             workspace, mailoutbox, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/settings/")

    page.fill("#id_email", "kim@example.com")
    page.select_option("#id_role", "member")
    page.click("button:has-text('Send invitation')")
    page.wait_for_selector(".invite-link")

    invitation = Invitation.objects.get(workspace=workspace)
    expected = f"{live_server.url}/invitations/{invitation.token}/"
    assert page.input_value(".invite-link") == expected
    assert len(mailoutbox) == 1
    assert expected in mailoutbox[0].body
    assert "127.0.0.1:8000" not in mailoutbox[0].body
    assert mailoutbox[0].subject == "You're invited to Acme Skincare on Creative Studio"
    save_screenshot(page, "settings-invitation-1440")
