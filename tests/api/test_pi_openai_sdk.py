"""The official ``openai`` package, pointed at this server with ``base_url``, generates an ad
image: the synchronous call waits for the job (run by the eager pipeline after the submit
commits) and gets OpenAI's images response."""

from __future__ import annotations

import base64
import io

import httpx
import openai
import pytest
from django.core.wsgi import get_wsgi_application
from PIL import Image

from generations.models import Job, JobStatus, Surface
from studio.celery import app as celery_app

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def eager_pipeline(settings):
    # Read first: Celery loads its conf from the Django settings lazily, on first read, and
    # would take the eager setting below for the value to restore.
    was = celery_app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = True
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = was


@pytest.fixture
def sdk(api_key, eager_pipeline):
    # The SDK's own HTTP stack (httpx) speaks to the Django app in-process over WSGI.
    http = httpx.Client(transport=httpx.WSGITransport(app=get_wsgi_application()))
    client = openai.OpenAI(api_key=api_key.plaintext, base_url="http://testserver/api/v1",
                           http_client=http, max_retries=0)
    yield client
    client.close()


def test_images_generate_returns_an_image_url(sdk, workspace, ready_brand, funded):
    result = sdk.images.generate(prompt="Launch ad for our Glow Serum, bright and warm")

    assert result.created > 0
    [image] = result.data
    job = Job.objects.get(workspace=workspace)
    assert job.surface == Surface.OPENAI and job.status == JobStatus.COMPLETED
    asset = job.assets.get(kind="static", mime_type="image/png")
    assert image.url and image.url.startswith("http://127.0.0.1:8000/")
    assert image.revised_prompt.startswith("Launch ad for our Glow Serum")
    assert job.concepts.get().headline in image.revised_prompt
    assert (asset.aspect, asset.width, asset.height) == ("1:1", 1080, 1080)
    funded.refresh_from_db()
    assert funded.balance == 245


def test_b64_json_with_a_portrait_size_and_two_images(sdk, workspace, ready_brand, funded):
    result = sdk.images.generate(prompt="Glow Serum ad", n=2, size="1024x1536",
                                 response_format="b64_json", model="gpt-image-1",
                                 quality="high")

    assert len(result.data) == 2
    for item in result.data:
        image = Image.open(io.BytesIO(base64.b64decode(item.b64_json)))
        assert (image.format, image.size) == ("PNG", (1080, 1920))
    assert len({item.revised_prompt for item in result.data}) == 2


def test_an_sdk_error_is_raised_with_pis_code(sdk, workspace, ready_brand, funded):
    with pytest.raises(openai.UnprocessableEntityError) as raised:
        sdk.images.generate(prompt="x" * 5001)

    assert raised.value.body["code"] == "prompt_too_long"
    assert Job.objects.filter(workspace=workspace).count() == 0
