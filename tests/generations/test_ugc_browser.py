"""The presenter picker in a real browser at desktop and phone widths: every presenter shows
its portrait, the card fits the phone's width, and picking one queues a presenter video."""

import pytest

from generations import catalogue
from generations.models import Job
from tests.browser import ARTIFACTS, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _card_fits(page) -> dict:
    return page.evaluate("""() => {
        const card = document.querySelector('#ugc');
        const imgs = [...card.querySelectorAll('.presenters img')];
        return {overflow: card.scrollWidth - card.clientWidth,
                page_overflow: document.documentElement.scrollWidth - window.innerWidth,
                loaded: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
                total: imgs.length};
    }""")


def test_the_presenter_picker_on_desktop_and_phone(live_server, page, phone_page, owner,
                                                   brand, product, credits):
    ARTIFACTS.mkdir(exist_ok=True)
    for name, tab in (("desktop", page), ("phone", phone_page)):
        sign_in(tab, live_server, owner)
        tab.goto(f"{live_server.url}/create/#ugc")
        tab.locator("#ugc").scroll_into_view_if_needed()
        tab.wait_for_function("() => [...document.querySelectorAll('#ugc .presenters img')]"
                              ".every(i => i.complete && i.naturalWidth > 0)")
        fits = _card_fits(tab)
        assert fits == {"overflow": 0, "page_overflow": 0,
                        "loaded": len(catalogue.avatars()), "total": len(catalogue.avatars())}
        tab.locator("#ugc").screenshot(path=str(ARTIFACTS / f"create-ugc-{name}.png"))

    page.click("#ugc label.pick:has(input[value=avatar_marcus])")
    page.select_option("#id_ugc_duration", "10")
    page.click("#ugc form.ugc-brief button[type=submit]")
    page.wait_for_url(f"{live_server.url}/jobs/**")
    job = Job.objects.get(workspace=brand.workspace)
    assert job.request["extra"]["ugc"]["avatar_id"] == "avatar_marcus"
    assert job.credits_charged == 20
