"""Shared fixtures: named users for the roles, their workspaces, a MEDIA_ROOT per run, and a
headless browser (Playwright driving Debian's Chromium, never a downloaded browser)."""

import ipaddress
import os
import socket
from pathlib import Path

import pytest

from studio.models import Role
from tests.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.studio.factories import MembershipFactory, WorkspaceFactory

PASSWORD = "correct-horse-battery"


class NonLoopbackConnection(AssertionError):
    """A test tried to reach the network: the suite talks to loopback servers only."""


def _is_loopback(address) -> bool:
    if isinstance(address, (str, bytes)):
        return True  # a unix socket path
    host = address[0] if isinstance(address, tuple) and address else address
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return False
    if host == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False  # a name: resolving it is the caller's job; refuse the shortcut
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


_seen_escapes: list[str] = []


@pytest.fixture(autouse=True, scope="session")
def _loopback_only():
    """Fail the suite if any socket connects to a non-loopback address (127.0.0.0/8, ::1 and
    unix sockets are fine). The connection is refused, and the session fails at its end even
    when the code under test swallowed the error."""
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def check(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            _seen_escapes.append(repr(address))
            raise NonLoopbackConnection(f"test tried to connect to {address!r}")

    def connect(self, address):
        check(self, address)
        return real_connect(self, address)

    def connect_ex(self, address):
        check(self, address)
        return real_connect_ex(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    yield
    socket.socket.connect, socket.socket.connect_ex = real_connect, real_connect_ex
    assert not _seen_escapes, f"connections to non-loopback addresses: {_seen_escapes}"


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path_factory):
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="Acme Skincare")


@pytest.fixture
def owner(workspace):
    return MembershipFactory(workspace=workspace, role=Role.OWNER,
                             user__email="owner@example.com").user


@pytest.fixture
def admin_user(workspace):
    return MembershipFactory(workspace=workspace, role=Role.ADMIN,
                             user__email="admin@example.com").user


@pytest.fixture
def member(workspace):
    return MembershipFactory(workspace=workspace, role=Role.MEMBER,
                             user__email="member@example.com").user


@pytest.fixture
def other_workspace(db):
    return WorkspaceFactory(name="Globex Coffee")


@pytest.fixture
def outsider(other_workspace):
    """Owner of another workspace: must never see ``workspace``'s objects."""
    return MembershipFactory(workspace=other_workspace, role=Role.OWNER,
                             user__email="outsider@example.com").user


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def outsider_client(client, outsider):
    client.force_login(outsider)
    return client


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium. Missing locally: the browser tests skip saying what to install; in CI
    (``CI=true``) a missing browser is a failure, never a silent skip."""
    require_chromium(CHROMIUM)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; Django's async-safety check would refuse ORM
    # calls made by the test body in the same thread.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def phone_page(browser):
    """A 390 × 844 phone (iPhone 12–14 size) with touch and a 2× screen."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()
