"""UGC presenter videos: presenters (built-in and uploaded), voice tracks and the brief a UGC
job is. Every surface and the Create page build their UGC jobs here, so the rules (tiers,
durations, presenters, audio) are the same everywhere; the job then runs through the normal
pipeline (``pipeline.render_special("ugc", …)``), charged and refunded like any other."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageOps

from generations import catalogue
from generations.briefs import AdBrief
from generations.errors import InvalidRequest
from generations.models import AdFormat, Avatar, Upload
from generations.providers import speech as speech_providers
from generations.render.ugc.presenter import face_centre
from generations.render.ugc.voice import AudioRefused, decode_audio
from generations.services import fetch_request_url, upload_create
from generations.storage import storage_call
from studio.exceptions import NotFound
from studio.models import User, Workspace

TIER_DURATIONS: dict[str, tuple[int, ...]] = {"high": (8, 10, 15, 20, 30),
                                              "low": (8, 10, 15, 20, 30, 45, 60)}
TIER_SCALE = {"high": 1.0, "low": 2 / 3}  # low renders 720 px on the short side
DEFAULT_TIER, DEFAULT_DURATION = "high", 15
ASPECT_RATIOS = ("9:16", "4:5", "1:1", "16:9")
AUDIO_MAX_BYTES = 20_000_000
AUDIO_FETCH_SECONDS = 15.0
# The cut-away's look: a product-hero layout in the style the prompt or preset picks.
CUTAWAY_TEMPLATE = "product-hero"


@dataclass(frozen=True)
class UgcTemplate:
    slug: str
    name: str
    description: str


TEMPLATES = (
    UgcTemplate("ugc-product-video", "UGC Product Video",
                "A creator testimonial: hook on a close-up, the problem, a cut-away to the "
                "product, proof, and an end card with the CTA and logo."),
    UgcTemplate("ugc-review", "UGC Honest Review",
                "An honest-review take that opens on a question, with the same cuts, captions "
                "and end card."),
)


def template_get(slug: str) -> UgcTemplate | None:
    return next((t for t in TEMPLATES if t.slug == slug), None)


def speech_available(*, workspace=None) -> bool:
    """Whether a speech provider may voice ``workspace``'s scripts (configured, and paid
    providers allowed for it)."""
    return speech_providers.speech_available(workspace=workspace)


# --------------------------------------------------------------------------- presenters
@dataclass(frozen=True)
class PresenterChoice:
    """A resolved ``avatar_id``: a built-in (catalogue parameters) or an uploaded portrait."""

    id: str
    name: str
    builtin: bool
    avatar: Avatar | None = None

    def to_extra(self) -> dict:
        if self.builtin:
            return {"builtin": self.id}
        assert self.avatar is not None
        return {"upload": self.avatar.upload.public_id, "face": [
            self.avatar.face_x, self.avatar.face_y, self.avatar.face_size]}


def builtin_avatars() -> tuple[dict, ...]:
    return catalogue.avatars()


def workspace_avatars(*, workspace: Workspace):
    return Avatar.objects.for_workspace(workspace).select_related("upload")


def presenter_resolve(*, workspace: Workspace, avatar_id: str | None,
                      field: str = "avatar_id") -> PresenterChoice:
    """The presenter ``avatar_id`` names (the first built-in when none is named); an id that
    is neither built in nor this workspace's is a 404, like any id of another workspace."""
    if not avatar_id:
        first = builtin_avatars()[0]
        return PresenterChoice(id=first["id"], name=first["name"], builtin=True)
    try:
        params = catalogue.avatar_by_id(avatar_id)
    except catalogue.CatalogueError:
        params = None
    if params is not None:
        return PresenterChoice(id=params["id"], name=params["name"], builtin=True)
    pk = avatar_id.removeprefix("avatar_")
    avatar = (workspace_avatars(workspace=workspace).filter(pk=int(pk)).first()
              if pk.isdigit() else None)
    if avatar is None:
        raise NotFound(f"Avatar {avatar_id!r} does not exist in this workspace; GET "
                       "/api/v1/assets lists the presenters.", code="avatar_not_found",
                       field=field)
    return PresenterChoice(id=avatar.public_id, name=avatar.name, builtin=False, avatar=avatar)


@transaction.atomic
def avatar_create(*, workspace: Workspace, content: bytes, name: str,
                  created_by: User | None = None, field: str = "photo") -> Avatar:
    """A presenter from a portrait photo: checked like every image (``check_image`` through
    ``upload_create``), stored as an Upload, and its face located (``face_centre``: a YCbCr
    skin-range heuristic weighted to the upper centre) so every video crops around it."""
    upload = upload_create(workspace=workspace, content=content, created_by=created_by,
                           original_name=name, field=field)
    with upload.file.open("rb") as fh, Image.open(fh) as opened:
        image = ImageOps.exif_transpose(opened).convert("RGB")
    if image.width < 256 or image.height < 256:
        upload.file.delete(save=False)
        raise InvalidRequest("invalid_avatar", "A presenter photo must be at least 256 × 256 "
                             f"pixels (this one is {image.width} × {image.height}).",
                             field=field)
    fx, fy, size = face_centre(image)
    return Avatar.objects.create(workspace=workspace, name=(name or "Presenter")[:80],
                                 upload=upload, face_x=fx, face_y=fy, face_size=size,
                                 created_by=created_by)


# --------------------------------------------------------------------------- audio
def audio_upload_create_from_url(*, workspace: Workspace, url: str, max_seconds: float,
                                 field: str = "audio_url") -> tuple[Upload, float]:
    """Fetch a voice track through the SSRF-safe client, check it decodes (PyAV) to a track
    of 2 s to ``max_seconds``, and store it as an Upload; returns it and its length."""
    response = fetch_request_url(url=url, code="invalid_audio", field=field,
                                 max_bytes=AUDIO_MAX_BYTES, timeout=AUDIO_FETCH_SECONDS)
    try:
        voice = decode_audio(response.content, max_seconds=max_seconds)
    except AudioRefused as exc:
        raise InvalidRequest("invalid_audio", f"{url} cannot be used as the voice track: "
                             f"{exc}.", field=field) from exc
    name = urlsplit(url).path.rsplit("/", 1)[-1][:200] or "voice"
    upload = Upload(workspace=workspace, original_name=name,
                    mime_type=(response.content_type or "application/octet-stream")[:40],
                    width=0, height=0, size_bytes=len(response.content),
                    checksum=hashlib.sha256(response.content).hexdigest())
    with storage_call(action="stored"):
        upload.file.save("voice.audio", ContentFile(response.content), save=False)
    upload.save()
    return upload, voice.duration


# --------------------------------------------------------------------------- the brief
def ugc_validate(*, template: str, tier: str, duration: float | None, aspect: str,
                 generate_audio: bool, workspace=None) -> None:
    """Every rule of a UGC request that needs no fetch and no database (``duration`` None:
    a supplied track decides it)."""
    if template_get(template) is None:
        raise InvalidRequest("invalid_template", f"Unknown UGC template {template!r}; "
                             f"there are {', '.join(t.slug for t in TEMPLATES)}.",
                             field="template_slug")
    if tier not in TIER_DURATIONS:
        raise InvalidRequest("invalid_quality_tier", "quality_tier must be one of "
                             f"{', '.join(TIER_DURATIONS)}.", field="quality_tier")
    if duration is not None and (duration != int(duration)
                                 or int(duration) not in TIER_DURATIONS[tier]):
        raise InvalidRequest("invalid_duration", f"duration must fit the {tier} tier: one of "
                             f"{', '.join(map(str, TIER_DURATIONS[tier]))} seconds.",
                             field="duration")
    if aspect not in ASPECT_RATIOS:
        raise InvalidRequest("invalid_aspect_ratio", "aspect_ratio must be one of "
                             f"{', '.join(ASPECT_RATIOS)}.", field="aspect_ratio")
    if generate_audio and not speech_available(workspace=workspace):
        raise InvalidRequest("voice_unavailable", "generate_audio needs a speech provider, "
                             "and none is configured on this studio: send audio_url with a "
                             "voice track, or leave generate_audio off for a captioned, "
                             "silent video. Nothing was charged.", field="generate_audio")


def ugc_brief(*, presenter: PresenterChoice, template: str = "ugc-product-video",
              tier: str = DEFAULT_TIER, duration: float = DEFAULT_DURATION,
              aspect: str = "9:16", prompt: str | None = None, brand_id: int | None = None,
              product_ids: tuple[int, ...] = (), style: str | None = None,
              generate_audio: bool = False, audio_upload: str | None = None,
              reference_uploads: tuple[str, ...] = (), count: int = 1,
              workspace=None) -> AdBrief:
    """The brief of a UGC job, priced per started 5 s in its tier by ``billing.pricing``.
    With ``audio_upload`` the duration is the track's length. Raises InvalidRequest for a
    tier, duration, aspect or voice the studio cannot make (``ugc_validate``)."""
    ugc_validate(template=template, tier=tier, duration=None if audio_upload else duration,
                 aspect=aspect, generate_audio=generate_audio, workspace=workspace)
    return AdBrief(
        count=count, format=AdFormat.FULL, brand_id=brand_id, product_ids=product_ids,
        templates=(CUTAWAY_TEMPLATE,), sizes=(aspect,), duration=float(duration),
        prompt=prompt, style_preset=style, featured_styles=(style,) if style else (),
        reference_uploads=reference_uploads,
        extra={"renderer": "ugc",
               "ugc": {"template": template, "tier": tier, "avatar": presenter.to_extra(),
                       "avatar_id": presenter.id, "generate_audio": generate_audio,
                       "scale": TIER_SCALE[tier],
                       "audio_upload": audio_upload},
               "price": {"kind": "ugc", "tier": tier,
                         "duration_seconds": math.ceil(duration)}})


def max_seconds(tier: str) -> float:
    return float(max(TIER_DURATIONS.get(tier, TIER_DURATIONS[DEFAULT_TIER])))

