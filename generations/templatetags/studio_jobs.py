from django import template

from generations.files import file_url
from generations.selectors import thumbnail_asset

register = template.Library()

STATUS_BADGES = {"completed": "badge-ok", "failed": "badge-bad", "cancelled": "badge-warn"}


@register.filter
def asset_url(asset) -> str:
    return file_url(asset.file.name)


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
