"""The presenter picker in a real browser at desktop and phone widths: every presenter shows
its portrait, the card fits the phone's width, and picking one queues a presenter video."""

import pytest

from generations import catalogue
from generations.models import Job, JobStatus
from tests.browser import ARTIFACTS, sign_in
from tests.generations.conftest import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


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
                                                   brand, product, credits, workers):
    workers.start(concurrency=1, extra_env={"SITE_URL": live_server.url})
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

    # A real Celery worker renders it, and the job page plays the presenter video.
    job = wait_for(lambda: Job.objects.filter(pk=job.pk, status__in=[
        JobStatus.COMPLETED, JobStatus.FAILED]).first(), timeout=120,
        message="the UGC job did not finish")
    assert job.status == JobStatus.COMPLETED, workers.logs()
    assert job.credits_refunded == 0
    page.goto(f"{live_server.url}/jobs/{job.public_id}/")
    page.locator("video").first.wait_for()
    playing = page.evaluate("""async () => {
        const v = document.querySelector('video');
        await v.play();
        await new Promise(r => setTimeout(r, 800));
        return {time: v.currentTime, width: v.videoWidth, height: v.videoHeight,
                duration: Math.round(v.duration), error: v.error && v.error.code};
    }""")
    assert playing["error"] is None
    assert (playing["width"], playing["height"], playing["duration"]) == (1080, 1920, 10)
    assert playing["time"] > 0.2
    page.screenshot(path=str(ARTIFACTS / "ugc-job-page.png"))
