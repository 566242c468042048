from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

from generations import catalogue, files
from generations.selectors import jobs_for_workspace, thumbnail_asset
from generations.thumbnails import still_for, thumbnail_get_or_create, thumbnail_name

register = template.Library()

STATUS_BADGES = {"completed": "badge-ok", "failed": "badge-bad", "cancelled": "badge-warn"}


@register.filter
def asset_url(asset, share_token: str = "") -> str:
    """``{{ asset|asset_url }}`` for members; ``{{ asset|asset_url:share_token }}`` on a shared
    page, so the URL stops working when the share link is revoked."""
    return files.asset_url(asset, share_token=share_token or None)


@register.filter
def product_image_url(image) -> str:
    return files.product_image_url(image)


@register.filter
def brand_logo_url(brand) -> str:
    return files.brand_logo_url(brand)


@register.simple_tag
def recent_jobs(workspace, limit: int = 6):
    """``{% recent_jobs workspace 6 as jobs %}``: the newest jobs with their thumbnails."""
    return jobs_for_workspace(workspace).prefetch_related("concepts__assets")[:limit]


@register.filter
def poster_url(asset, share_token: str = "") -> str:
    """The video's stored first frame, or "" for assets without one."""
    return files.poster_url(asset, share_token=share_token or None) if asset.poster else ""


def _thumbnail(asset, *, width: int, share_token: str | None) -> str:
    still = still_for(asset)
    if still is None:
        return ""
    name = thumbnail_get_or_create(asset=still, width=width)
    if name != thumbnail_name(asset=still, width=width):  # the still does not decode
        return files.asset_url(still, share_token=share_token)
    return files.thumbnail_url(still, width=width, share_token=share_token)


@register.filter
def thumb_url(asset, share_token: str = "") -> str:
    """A 480 px WebP of the still (or, for a video, its still); '' when there is none.
    ``{{ asset|thumb_url:share_token }}`` on a shared page, so it ends with the share link."""
    return _thumbnail(asset, width=480, share_token=share_token or None)


@register.filter
def thumb_small_url(asset) -> str:
    """A 96 px WebP for lists (queue, dashboard), for members."""
    return _thumbnail(asset, width=96, share_token=None)


@register.filter
def concept_thumbnail(concept):
    return thumbnail_asset(concept)


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "")


@register.filter
def job_thumbnails(job, limit: int = 4):
    """Up to ``limit`` concept thumbnails that have landed, for the queue list."""
    thumbs = []
    for concept in job.concepts.all():
        asset = thumbnail_asset(concept)
        if asset is not None:
            thumbs.append(asset)
        if len(thumbs) >= limit:
            break
    return thumbs


@register.filter
def job_title(job) -> str:
    """What a marketer calls a job: brand, product(s) and when, e.g. 'Lumen Skin · Glow
    Serum · 2 Dec'."""
    products = list(dict.fromkeys(c.product_name for c in job.concepts.all() if c.product_name))
    if len(products) > 2:
        product_part = f"{products[0]} + {len(products) - 1} more"
    elif products:
        product_part = " & ".join(products)
    else:
        product_part = "All products"
    when = timezone.localtime(job.created_at)
    date = f"{when.day} {when:%b}" + ("" if when.year == timezone.localtime().year
                                      else f" {when.year}")
    brand = job.brand.name if job.brand else "Deleted brand"
    return f"{brand} · {product_part} · {date}"


@register.filter
def template_name(slug: str) -> str:
    try:
        return catalogue.template_by_slug(slug)["name"]
    except catalogue.CatalogueError:
        return slug.replace("-", " ").capitalize()


@register.filter
def style_name(style_id: str) -> str:
    try:
        return catalogue.style_by_id(style_id)["displayName"]
    except catalogue.CatalogueError:
        return style_id.replace("-", " ").replace("_", " ").capitalize()


@register.filter
def ago(moment) -> str:
    """'just now' for the last minute, else '5 minutes ago' (never '0 minutes ago')."""
    if moment is None:
        return ""
    if timezone.now() - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment, depth=1)} ago"


KIND_LABELS = {"animation_prompt": "Motion", "style": "Style", "template": "Template"}


@register.filter
def match_kind(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())
