"""Running ``bria/ads-generate`` as a task: Bria's input mapped onto one creative brief.

A task renders the chosen template once per scene; a scene is one size, and each scene is a
concept of the job, so it is priced, stored, streamed and refunded on its own. Images named
by URL (the smart image, image elements) are fetched through the SSRF-safe client and stored
as the workspace's Uploads before anything is charged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from brands.scrape.http import FetchFailed, OutboundRefused, SafeClient
from generations import catalogue
from generations.briefs import AdBrief
from generations.catalogue import CatalogueError
from generations.errors import BrandNotFound
from generations.models import Job, Surface, Upload
from generations.providers import registry as providers
from generations.services import Submission, cancel_job, submit_job, upload_create
from studio.exceptions import AppError, InvalidInput, NotFound
from studio.images import ImageRefused, check_image
from studio.models import Workspace

APP = "bria/ads-generate"
APP_VERSION = "59rhfgqz"  # the version inference.sh pins on the app page
_APP_RE = re.compile(r"^(?P<name>[a-z0-9][a-z0-9_.-]*/[a-z0-9][a-z0-9_.-]*)"
                     r"(?:@(?P<version>[A-Za-z0-9]+))?$")
DEFAULT_TEMPLATE_ID = "1061"  # the reference's examples send no input: the plain template
# One scene per size, in this order: Bria's example resolutions (1080x1080, 1920x1080) first.
SCENE_SIZES = ("1:1", "16:9", "9:16", "4:5")
# Bria's element content types onto our template slots; #3-#5 have no slot in our templates.
TEXT_SLOTS = {"Heading #1": "headline", "Heading #2": "badge", "Body #1": "body",
              "Body #2": "cta"}
IMAGE_SLOTS = {"Image #1": "product_upload", "Image #2": "logo_upload"}
TEXT_LIMITS = {"headline": 200, "body": 400, "cta": 60, "badge": 40}
HEX_COLOUR = re.compile(r"^#?(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$")
INVALID_IMAGE_URL = "URL does not point to a valid image or is inaccessible"


class AppNotFound(NotFound):
    code = "app_not_found"


class TaskNotFound(NotFound):
    code = "task_not_found"


class InvalidImageUrl(AppError):
    """Bria's 422 for an image URL it cannot use (its message, word for word)."""

    code = "invalid_image_url"
    status = 422


class ContentModerationFailed(AppError):
    """Bria's 422 for an input that did not pass content moderation (nothing is charged)."""

    code = "content_moderation_failed"
    status = 422


@dataclass
class TaskRequest:
    """The parsed POST /run body (validated types; rules are checked by ``task_submit``)."""

    app: str
    input: dict
    raw_input: dict
    webhook: str = ""
    session: str | None = None
    session_timeout: int | None = None
    variant: str = ""
    ignored: dict = field(default_factory=dict)


def check_app(app: str) -> None:
    match = _APP_RE.match(app.strip())
    if match is None or match["name"] != APP:
        raise AppNotFound(f"App {app!r} was not found. This server runs {APP}.")
    if match["version"] not in (None, APP_VERSION):
        raise AppNotFound(f"Version {match['version']!r} of {APP} was not found; the version "
                          f"served is {APP_VERSION}.")


def _check_hosting_options(request: TaskRequest) -> None:
    if request.session not in (None, ""):
        raise InvalidInput("Sessions are not supported: leave session out (each task runs on "
                           "its own).", code="invalid_session", field="session")
    if request.session_timeout is not None:
        raise InvalidInput('session_timeout applies only to session "new", which is not '
                           "supported.", code="invalid_session_timeout",
                           field="session_timeout")
    if request.variant not in ("", "default"):
        raise InvalidInput(f"{APP} has only the default variant.", code="invalid_variant",
                           field="variant")


def _template_for(template_id: str) -> dict:
    try:
        return catalogue.template_by_id(template_id.strip())
    except CatalogueError:
        raise InvalidInput(f"template_id {template_id!r} is not a template of this server "
                           f"(1061 plain, 1062 branded, and 1063-"
                           f"{max(t['id'] for t in catalogue.templates())}).",
                           code="invalid_template_id", field="input.template_id") from None


def _brand_id_for(template: dict, brand_id: str | None) -> int | None:
    """Branded templates need the brand; a plain one ignores it (the default brand paints it)."""
    if not template.get("branded"):
        return None
    text = (brand_id or "").strip()
    if not text:
        raise InvalidInput(f"brand_id is required for template {template['id']}.",
                           code="brand_id_required", field="input.brand_id")
    if not text.isdigit() or len(text) > 18:
        raise BrandNotFound(f"Brand {text} does not exist in this workspace.",
                            field="input.brand_id")
    return int(text)


def fetch_image(url: str, *, client: SafeClient | None = None) -> bytes:
    """The bytes of an image URL, fetched with every outbound safety rule, or Bria's 422."""
    limit = settings.STUDIO_IMAGE_MAX_UPLOAD_BYTES
    owned = client is None
    client = client or SafeClient(timeout=10.0, max_bytes=limit)
    try:
        response = client.get(url, max_bytes=limit)
    except (OutboundRefused, FetchFailed):
        raise InvalidImageUrl(INVALID_IMAGE_URL, field="input_image_url") from None
    finally:
        if owned:
            client.close()
    if response.status >= 400:
        raise InvalidImageUrl(INVALID_IMAGE_URL, field="input_image_url")
    try:
        check_image(response.content, label="The image", max_bytes=limit)
    except ImageRefused:
        raise InvalidImageUrl(INVALID_IMAGE_URL, field="input_image_url") from None
    return response.content


@dataclass
class _Plan:
    brief_fields: dict
    extra: dict
    images: dict[str, tuple[str, bytes]]  # extra key -> (source url, bytes)
    parameters: dict[str, str] = field(default_factory=dict)


def _moderator(*, workspace: Workspace, data: dict):
    """The moderation provider when the input asks for moderation (None when it does not);
    without one configured and allowed, Bria's flag is refused before anything is fetched."""
    if not data.get("content_moderation"):
        return None
    moderator = providers.moderator(workspace=workspace)
    if moderator is None:
        raise InvalidInput("content_moderation is not available on this server; send false "
                           "or leave it out.", code="content_moderation_unavailable",
                           field="input.content_moderation")
    return moderator


def _moderate_inputs(moderator, *, plan: _Plan, texts: list[str]) -> None:
    """Bria: the first input visual that fails stops the whole request with 422 (and so does
    text that fails); nothing has been stored or charged yet."""
    for key, (_url, content) in plan.images.items():
        if moderator.moderate(image=content).flagged:
            parameter = plan.parameters.get(key, key)
            raise ContentModerationFailed(
                f"The visual in the '{parameter}' parameter did not pass content moderation.",
                field=f"input.{parameter}")
    text = "\n".join(t for t in texts if t)
    if text and moderator.moderate(text=text).flagged:
        raise ContentModerationFailed(
            "The text in the 'elements' parameter did not pass content moderation.",
            field="input.elements")


def _plan(request: TaskRequest, *, client: SafeClient | None, workspace: Workspace) -> _Plan:
    data = request.input
    moderator = _moderator(workspace=workspace, data=data)
    template = _template_for(data.get("template_id") or DEFAULT_TEMPLATE_ID)
    extra: dict = {"scenes": True, "task_app": request.app, "task_input": request.raw_input}
    if moderator is not None:
        extra["content_moderation"] = True  # the pipeline moderates every rendered scene
    fields: dict = {"brand_id": _brand_id_for(template, data.get("brand_id")),
                    "templates": (template["slug"],)}
    copy: dict[str, str] = {}
    urls: dict[str, str] = {}
    parameters: dict[str, str] = {}  # extra key -> the input parameter it came from
    for element in data.get("elements") or []:
        content = element["content"]
        if content == "":
            continue  # Bria: an empty string means "ignore this element"
        kind = element["content_type"]
        if kind in TEXT_SLOTS:
            slot = TEXT_SLOTS[kind]
            if len(content) > TEXT_LIMITS[slot]:
                raise InvalidInput(f"{kind} is limited to {TEXT_LIMITS[slot]} characters.",
                                   code="invalid_elements", field="input.elements")
            copy[slot] = content
        elif kind in IMAGE_SLOTS:
            urls[IMAGE_SLOTS[kind]] = content
            parameters[IMAGE_SLOTS[kind]] = "elements"
    if copy:
        extra["copy"] = copy
    smart = data.get("smart_image")
    if smart:
        urls["product_upload"] = smart["input_image_url"]
        parameters["product_upload"] = "smart_image"
        scene = smart.get("scene") or {"operation": "expand_image"}
        prompt = (scene.get("input") or "").strip()
        if scene["operation"] == "lifestyle_shot_by_text":
            fields["in_situ"] = True
            if HEX_COLOUR.match(prompt):
                extra["background_color"] = "#" + prompt.lstrip("#")
            elif prompt:
                fields["prompt"] = prompt[:1000]
                fields["style_search"] = prompt[:500]
    images = {key: (url, fetch_image(url, client=client)) for key, url in urls.items()}
    plan = _Plan(brief_fields=fields, extra=extra, images=images, parameters=parameters)
    if moderator is not None:
        _moderate_inputs(moderator, plan=plan,
                         texts=[*copy.values(), str(fields.get("prompt") or "")])
    return plan


def task_submit(*, workspace: Workspace, request: TaskRequest, api_key_id: int | None = None,
                idempotency_key: str | None = None, request_id: str | None = None,
                client: SafeClient | None = None) -> Submission:
    """Accept a task: charge one scene per size and queue it, or refuse having changed
    nothing (fetched images are stored only with the job, in its transaction)."""
    check_app(request.app)
    _check_hosting_options(request)
    plan = _plan(request, client=client, workspace=workspace)
    storage = Upload._meta.get_field("file").storage
    stored: list[str] = []
    try:
        with transaction.atomic():
            extra = dict(plan.extra)
            for key, (url, content) in plan.images.items():
                upload = upload_create(workspace=workspace, content=content,
                                       original_name=url.rsplit("/", 1)[-1][:200])
                if upload.file.name:
                    stored.append(upload.file.name)
                extra[key] = upload.public_id
            brief = AdBrief(count=len(SCENE_SIZES), format="static", sizes=SCENE_SIZES,
                            extra=extra, **plan.brief_fields)
            return submit_job(workspace=workspace, brief=brief, surface=Surface.INFERENCE,
                              api_key_id=api_key_id, idempotency_key=idempotency_key,
                              webhook_url=request.webhook, request_id=request_id)
    except Exception:
        for name in stored:
            storage.delete(name)
        raise


def parse_task_id(task_id: str) -> str:
    if not task_id.startswith("task_") or len(task_id) > 40:
        raise TaskNotFound("Task not found, or not visible to this API key.")
    return task_id.removeprefix("task_")


def task_get(*, workspace: Workspace, task_id: str) -> Job:
    """The workspace's task (a Job of this surface), or 404."""
    job = (Job.objects.for_workspace(workspace)
           .filter(surface=Surface.INFERENCE, public_id=parse_task_id(task_id)).first())
    if job is None:
        raise TaskNotFound("Task not found, or not visible to this API key.")
    return job


def task_cancel(*, workspace: Workspace, task_id: str) -> Job:
    """Cancel a queued or running task: what has not rendered yet is refunded."""
    return cancel_job(job=task_get(workspace=workspace, task_id=task_id))
