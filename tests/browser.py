"""Where browser tests find Chromium and leave their screenshots, and what they share: signing
in through the real form, counting the bytes a page downloads (Chromium's own accounting over
CDP), and checking a page fits the viewport."""

import os
from pathlib import Path

import pytest

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM = os.environ.get("STUDIO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


def require_chromium(path: str) -> None:
    """Skip (locally) or fail (in CI, ``CI=true``) when there is no Chromium at ``path``."""
    if os.path.isfile(path) and os.access(path, os.X_OK):
        return
    message = (f"no Chromium at {path}: install Debian's chromium (apt-get install chromium) "
               "or point STUDIO_CHROMIUM at one")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
def sign_in(page, live_server, user) -> None:
    from tests.conftest import PASSWORD

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


class ByteCounter:
    """Sums ``encodedDataLength`` (bytes on the wire, headers included) of every response the
    page finishes loading, and counts the requests."""

    def __init__(self, page):
        self.session = page.context.new_cdp_session(page)
        self.session.send("Network.enable")
        self.session.send("Network.setCacheDisabled", {"cacheDisabled": False})
        self.bytes = 0
        self.urls: list[str] = []
        self._pending: dict[str, str] = {}
        self.session.on("Network.requestWillBeSent", self._sent)
        self.session.on("Network.loadingFinished", self._finished)

    def _sent(self, event) -> None:
        self._pending[event["requestId"]] = event["request"]["url"]

    def _finished(self, event) -> None:
        self.bytes += int(event["encodedDataLength"])
        self.urls.append(self._pending.pop(event["requestId"], "?"))

    def reset(self) -> None:
        self.bytes = 0
        self.urls = []


def fits_viewport(page) -> dict:
    return page.evaluate("""() => ({scroll: document.documentElement.scrollWidth,
                                    inner: window.innerWidth})""")


def save_screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
