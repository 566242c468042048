"""Brand facts for pages composed outside brands (the studio dashboard)."""

from django import template

from brands.models import Brand

register = template.Library()


@register.simple_tag
def workspace_brand_state(workspace) -> dict:
    """``{% workspace_brand_state workspace as brands %}``: whether the workspace has a brand
    at all, and one ready to brief ads for (the dashboard's next step depends on it)."""
    brands = Brand.objects.filter(workspace=workspace)
    return {"has_brand": brands.exists(),
            "has_ready_brand": brands.filter(status=Brand.Status.READY).exists()}
