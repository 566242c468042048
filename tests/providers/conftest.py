"""Provider tests: a chat fake configured as the ``chat`` provider, plus the pipeline's brand,
product and credits fixtures."""

from __future__ import annotations

import pytest

from generations.providers import http
from tests.api.conftest import api, api_key, funded, ready_brand  # noqa: F401 - fixtures
from tests.generations.conftest import brand, credits, product  # noqa: F401 - fixtures
from tests.providers.chat_fake import ChatModel
from tests.providers.fakes import FakeProvider, provider_settings


@pytest.fixture
def waits(monkeypatch):
    """Backoff waits are recorded, not slept through."""
    recorded: list[float] = []
    monkeypatch.setattr(http, "_sleep", recorded.append)
    return recorded


@pytest.fixture
def chat_model():
    return ChatModel()


@pytest.fixture
def chat(settings, chat_model, waits):
    """The chat provider pointed at a local fake speaking chat completions."""
    with FakeProvider() as server:
        server.replies["/v1/chat/completions"] = chat_model
        settings.PROVIDERS = {**settings.PROVIDERS, "chat": provider_settings(
            server.base_url, name="chat", model="fake-chat-model")}
        yield server
