"""/mcp through the official MCP SDK's client (streamable HTTP + ClientSession) against the
studio's ASGI app served by uvicorn on loopback, with real Celery workers rendering the ads."""

from __future__ import annotations

import base64
import io
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from PIL import Image

from api.keys import api_key_create
from api.models import Scope
from billing import services as ledger
from billing.services import account_for_workspace
from generations.models import Asset, Job
from tests.generations.conftest import (
    REPO,
    wait_for,
    worker_environment,
    workers,  # noqa: F401 - the real-worker fixture
)
from tests.studio.factories import WorkspaceFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BRAND_DNA = {
    "name": "Noir Roast", "tagline": "Small batch. Slow roast.", "tone": "premium, refined",
    "colors": {"primary": "#C8A165", "secondary": "#3A2A20", "background": "#16110E",
               "text": "#F5EDE3"},
    "fonts": {"heading": "Playfair Display", "body": "DM Sans"},
    "value_props": ["Single origin", "Roasted to order"],
    "products": [{"name": "Ethiopia Guji", "price": "19.50",
                  "description": "Single-origin beans, roasted the day we ship."}],
}


class StudioServer:
    """``uvicorn studio.asgi:application`` in a subprocess on a socket bound here (no port
    race), against the test database, with its own media folder."""

    def __init__(self, tmp_path: Path):
        self.media_root = tmp_path / "media"
        self.media_root.mkdir()
        self.log_path = tmp_path / "server.log"
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        env = {**worker_environment(tmp_path), "SITE_URL": self.url,
               "MEDIA_ROOT": str(self.media_root)}
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "studio.asgi:application",
                 "--fd", str(self.sock.fileno()), "--log-level", "warning"],
                cwd=REPO, env=env, pass_fds=(self.sock.fileno(),), stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        self.sock.close()
        wait_for(self._healthy, timeout=60, interval=0.25,
                 message=f"the studio did not start: {self.log()}")

    def _healthy(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"the studio exited: {self.log()}")
        try:
            return httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def studio(tmp_path):
    server = StudioServer(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def funded_workspace(workspace):
    account = account_for_workspace(workspace)
    ledger.grant(account=account, credits=500 - account.balance, memo="test credits")
    return workspace


def key_for(workspace, scopes: list[str] | None = None) -> str:
    return api_key_create(workspace=workspace, name="agent", scopes=scopes).plaintext


def run_session(url: str, key: str | None,
                body: Callable[[ClientSession], Awaitable[Any]]) -> Any:
    """Connect with the SDK's client, initialize, run ``body`` and return what it returns."""
    async def main():
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        async with httpx2.AsyncClient(headers=headers, timeout=30) as http, \
                streamable_http_client(f"{url}/mcp", http_client=http) as (read, write), \
                ClientSession(read, write) as session:
            await session.initialize()
            return await body(session)

    try:
        return anyio.run(main)
    except BaseExceptionGroup as group:
        # The client's task groups wrap what the session raised; surface that one error.
        error: BaseException = group
        while isinstance(error, BaseExceptionGroup) and len(error.exceptions) == 1:
            error = error.exceptions[0]
        raise error from group


def test_tools_list_returns_every_tool_with_its_schema(studio, workspace):
    async def body(session: ClientSession):
        return session.initialize_result, (await session.list_tools()).tools

    initialized, tools = run_session(studio.url, key_for(workspace), body)

    assert initialized.protocol_version == "2025-11-25"
    assert initialized.server_info.name == "creative-studio"
    by_name = {tool.name: tool for tool in tools}
    assert sorted(by_name) == sorted([
        "generate_ads", "get_delivery", "cancel_job", "list_brands", "get_brand",
        "create_brand", "list_styles", "search_styles", "list_generation_catalog",
        "get_balance", "get_usage"])
    assert all(tool.input_schema["type"] == "object" for tool in tools)
    assert by_name["generate_ads"].input_schema["properties"]["count"]["maximum"] == 10
    assert by_name["search_styles"].input_schema["properties"]["top_n"]["maximum"] == 50


def test_an_agent_creates_a_brand_generates_polls_and_downloads(studio, funded_workspace,
                                                                workers):  # noqa: F811
    workers.start(concurrency=2, extra_env={"MEDIA_ROOT": str(studio.media_root)})

    async def body(session: ClientSession):
        created = await session.call_tool("create_brand", BRAND_DNA)
        assert created.is_error is False, created.content
        brand_id = created.structured_content["brand"]["brand_id"]
        accepted = await session.call_tool("generate_ads", {
            "brand_id": brand_id, "count": 1, "format": "static",
            "creative": {"copy_angle": "sensory"}, "idempotency_key": "first-batch"})
        assert accepted.is_error is False, accepted.content
        delivery_id = accepted.structured_content["delivery_id"]
        with anyio.fail_after(150):
            while True:
                polled = await session.call_tool("get_delivery", {"delivery_id": delivery_id})
                if polled.structured_content["status"] in ("completed", "failed"):
                    break
                await anyio.sleep(0.5)  # the poll interval an agent would use, not a proof
        replay = await session.call_tool("generate_ads", {
            "brand_id": brand_id, "count": 1, "format": "static",
            "creative": {"copy_angle": "sensory"}, "idempotency_key": "first-batch"})
        return accepted.structured_content, polled, replay.structured_content

    accepted, polled, replay = run_session(studio.url, key_for(funded_workspace), body)

    delivery = polled.structured_content
    assert delivery["status"] == "completed", workers.logs()
    assert accepted["credits_charged"] == 5
    assert replay == {**accepted, "replayed_from_idempotency_key": True}
    assert Job.objects.filter(workspace=funded_workspace).count() == 1
    assert [ad["aspect_ratio"] for ad in delivery["ads"]] == ["9:16", "4:5"]
    ad = delivery["ads"][0]
    assert ad["static_url"].startswith(f"{studio.url}/")
    assert ad["headline"]
    downloaded = httpx.get(ad["static_url"], timeout=30)
    assert downloaded.status_code == 200
    asset = Asset.objects.get(public_id=ad["ad_id"])
    assert len(downloaded.content) == asset.size_bytes
    assert int(downloaded.headers["Content-Length"]) == asset.size_bytes
    with Image.open(io.BytesIO(downloaded.content)) as image:
        assert (image.format, image.size) == ("PNG", (1080, 1920))
    images = [block for block in polled.content if block.type == "image"]
    assert len(images) == 2
    assert images[0].mime_type == "image/webp"
    with Image.open(io.BytesIO(base64.b64decode(images[0].data))) as preview:
        assert preview.size == (480, 853)


def test_a_key_without_generations_write_is_refused_by_generate_ads(studio, funded_workspace):
    balance = account_for_workspace(funded_workspace).balance

    async def body(session: ClientSession):
        return await session.call_tool("generate_ads", {"count": 1})

    result = run_session(studio.url, key_for(funded_workspace, [Scope.GENERATIONS_READ,
                                                                Scope.BRANDS_READ]), body)

    assert result.is_error is True
    assert result.structured_content["error"]["code"] == "insufficient_scope"
    assert "generations:write" in result.content[0].text
    assert Job.objects.count() == 0
    assert account_for_workspace(funded_workspace).balance == balance


def test_workspace_b_cannot_see_workspace_as_delivery(studio, workspace):
    job = Job.objects.create(workspace=workspace, format="static", count=1, credits_charged=5)
    other = WorkspaceFactory(name="Globex Coffee")

    async def body(session: ClientSession):
        return await session.call_tool("get_delivery", {"delivery_id": job.public_id})

    result = run_session(studio.url, key_for(other), body)

    assert result.is_error is True
    assert result.structured_content["error"]["code"] == "delivery_not_found"
    assert job.public_id not in result.content[0].text


def test_bad_arguments_are_tool_errors_never_a_500(studio, funded_workspace):
    calls = [("generate_ads", {"count": 0}), ("generate_ads", {"count": "ten"}),
             ("generate_ads", {"format": "gif", "creative": {"copy_angle": 1}}),
             ("generate_ads", {"brand_id": ["x"]}), ("get_delivery", {"delivery_id": None}),
             ("get_brand", {"brand_id": "../../etc"}), ("create_brand", {"colors": "red"}),
             ("search_styles", {"q": "x" * 501}), ("get_usage", {"limit": -1}),
             ("cancel_job", {}), ("list_brands", {"extra": True})]

    async def body(session: ClientSession):
        return [await session.call_tool(name, arguments) for name, arguments in calls]

    results = run_session(studio.url, key_for(funded_workspace), body)

    codes = [result.structured_content["error"]["code"] for result in results]
    assert all(result.is_error for result in results)
    assert codes == ["invalid_count", "invalid_count", "invalid_format", "invalid_request",
                     "invalid_delivery_id", "brand_not_found", "invalid_request",
                     "invalid_query", "invalid_limit", "invalid_delivery_id",
                     "invalid_request"]
    assert "internal_error" not in codes
    assert "Traceback" not in studio.log()
    assert Job.objects.count() == 0


def test_without_a_key_the_client_gets_the_401_as_an_error(studio, db):
    with pytest.raises(MCPError) as refused:
        run_session(studio.url, None, lambda session: session.list_tools())

    assert refused.value.error.data["code"] == "missing_authorization"
