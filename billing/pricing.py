"""What work costs, in credits: the one price list every surface and the UI use.

Dessert: 1 credit = $0.10; a static ad costs 5, a full ad (static + video) 15. adcreator prices
images per model (``creditsCost``) and video per model and duration. The model registry
(``generations.selectors.model_registry()``) holds no figures of its own: it reads
``model_credits``, so the catalogue, the Billing page, every quote and every refund use this
one table.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from studio.exceptions import InvalidInput

CREDIT_USD = Decimal("0.10")

STATIC_AD_CREDITS = 5
FULL_AD_CREDITS = 15
IN_SITU_CREDITS = 8
# UGC-style presenter video, per started 5 seconds of video and quality tier: ``high`` is
# 1080 px on the short side, ``low`` 720 px (renders in about half the time).
UGC_CREDITS_PER_5_SECONDS = 10
UGC_TIER_CREDITS_PER_5_SECONDS: dict[str, int] = {"high": UGC_CREDITS_PER_5_SECONDS, "low": 6}
DEFAULT_UGC_TIER = "high"
# Clip lengths the Billing page quotes for UGC.
QUOTED_UGC_SECONDS = (15, 30)

# Image models: credits per image, keyed by the catalogue's model id. ``local-image`` is the
# built-in engine.
IMAGE_MODEL_CREDITS: dict[str, int] = {
    "local-image": 2,
    "gpt-image-1": 4,
    "gemini-2.5-flash-image": 3,
    "nano-banana-2": 3,  # served by gemini-2.5-flash-image
}
DEFAULT_IMAGE_MODEL = "local-image"
DEFAULT_IMAGE_MODEL_CREDITS = 4

# Video models: credits per second of video (a 10 s local-motion clip costs 20).
VIDEO_MODEL_CREDITS_PER_SECOND: dict[str, int] = {
    "local-motion": 2,
    "local-transition": 1,
    "hosted-video": 5,
    "kling-v3-pro": 6,
    "veo": 8,
}
DEFAULT_VIDEO_MODEL = "local-motion"
DEFAULT_VIDEO_CREDITS_PER_SECOND = 5
# Clip lengths the Billing page quotes.
QUOTED_VIDEO_SECONDS = (5, 10, 15)

# Slideshow-style video (videotok): credits per slide.
SLIDESHOW_CREDITS_PER_SLIDE = 10

KINDS = ("static", "full", "image", "video", "in_situ", "ugc", "slideshow")


class UnknownPrice(InvalidInput):
    """The kind of work or its parameters have no price."""

    code = "unknown_price"


@dataclass(frozen=True)
class Quote:
    kind: str
    count: int
    unit_credits: int

    @property
    def credits(self) -> int:
        return self.unit_credits * self.count

    @property
    def usd(self) -> Decimal:
        return credits_to_usd(self.credits)


def credits_to_usd(credits: int) -> Decimal:
    return (Decimal(credits) * CREDIT_USD).quantize(Decimal("0.01"))


def usd_to_credits(usd: Decimal | int | str) -> int:
    """Credits bought for ``usd`` at the linear rate ($25 → 250)."""
    return int(Decimal(usd) / CREDIT_USD)


def unit_price(*, kind: str, model: str | None = None, duration_seconds: int | None = None,
               tier: str | None = None) -> int:
    """Credits for one unit of ``kind`` (one ad, one image, one clip, one slide)."""
    if kind == "static":
        return STATIC_AD_CREDITS
    if kind == "full":
        return FULL_AD_CREDITS
    if kind == "in_situ":
        return IN_SITU_CREDITS
    if kind == "image":
        return IMAGE_MODEL_CREDITS.get(model or DEFAULT_IMAGE_MODEL, DEFAULT_IMAGE_MODEL_CREDITS)
    if kind == "video":
        if not duration_seconds or duration_seconds <= 0:
            raise UnknownPrice("A video price needs a positive duration_seconds.",
                               field="duration_seconds")
        return video_credits_per_second(model) * duration_seconds
    if kind == "ugc":
        if not duration_seconds or duration_seconds <= 0:
            raise UnknownPrice("A UGC price needs a positive duration_seconds.",
                               field="duration_seconds")
        per = UGC_TIER_CREDITS_PER_5_SECONDS.get(tier or DEFAULT_UGC_TIER)
        if per is None:
            raise UnknownPrice(f"No UGC price for the {tier!r} tier; tiers: "
                               f"{', '.join(UGC_TIER_CREDITS_PER_5_SECONDS)}.", field="tier")
        return per * -(-duration_seconds // 5)
    if kind == "slideshow":
        return SLIDESHOW_CREDITS_PER_SLIDE
    raise UnknownPrice(f"No price for {kind!r}; known kinds: {', '.join(KINDS)}.")


def video_credits_per_second(model: str | None) -> int:
    return VIDEO_MODEL_CREDITS_PER_SECOND.get(model or DEFAULT_VIDEO_MODEL,
                                              DEFAULT_VIDEO_CREDITS_PER_SECOND)


def model_credits(*, model_id: str, kind: str) -> dict[str, int]:
    """The price fields of one model registry entry: ``creditsCost`` (per image, or per second
    of video) and, for video, ``creditsPerSecond``."""
    if kind == "video":
        per_second = video_credits_per_second(model_id)
        return {"creditsCost": per_second, "creditsPerSecond": per_second}
    return {"creditsCost": unit_price(kind="image", model=model_id)}


def quote(*, kind: str, count: int = 1, model: str | None = None,
          duration_seconds: int | None = None, tier: str | None = None) -> Quote:
    if count < 1:
        raise UnknownPrice("count must be at least 1.", field="count")
    return Quote(kind=kind, count=count,
                 unit_credits=unit_price(kind=kind, model=model,
                                         duration_seconds=duration_seconds, tier=tier))


def price_for(*, kind: str, count: int = 1, model: str | None = None,
              duration_seconds: int | None = None, tier: str | None = None) -> int:
    """Total credits for ``count`` units of ``kind``; what a job is debited when accepted."""
    return quote(kind=kind, count=count, model=model,
                 duration_seconds=duration_seconds, tier=tier).credits


def public_pricing() -> dict:
    """The ``pricing`` object of balance responses (Dessert ``GET /v1/balance``)."""
    return {
        "credit_usd": float(CREDIT_USD),
        "static_ad_credits": STATIC_AD_CREDITS,
        "full_ad_credits": FULL_AD_CREDITS,
    }


def price_table(*, studio_only: bool = False) -> list[dict]:
    """Rows for a price list: everything, or (``studio_only``) just what the studio's Create
    page can order."""
    rows = [
        {"label": "Static ad (all placements)", "credits": STATIC_AD_CREDITS, "unit": "ad"},
        {"label": "Full ad (static + video)", "credits": FULL_AD_CREDITS, "unit": "ad"},
        {"label": "In-situ product scene", "credits": IN_SITU_CREDITS, "unit": "image"},
    ]
    if not studio_only:
        rows += _api_price_rows()
    for row in rows:
        row["usd"] = credits_to_usd(row["credits"])
    return rows


def _api_price_rows() -> list[dict]:
    rows = [{"label": f"UGC presenter video · {tier}", "credits": credits,
             "unit": "5 seconds"} for tier, credits in UGC_TIER_CREDITS_PER_5_SECONDS.items()]
    rows += [{"label": f"Image · {name}", "credits": credits, "unit": "image"}
             for name, credits in IMAGE_MODEL_CREDITS.items()]
    for name in VIDEO_MODEL_CREDITS_PER_SECOND:
        rows += [{"label": f"Video · {name} · {seconds}s", "credits": price_for(
            kind="video", model=name, duration_seconds=seconds), "unit": "clip"}
                 for seconds in QUOTED_VIDEO_SECONDS]
    for row in rows:
        row["usd"] = credits_to_usd(row["credits"])
    return rows
