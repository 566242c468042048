from __future__ import annotations

from django.urls import NoReverseMatch, reverse

# The studio's sections in navigation order. A section appears once its app mounts the URL,
# so the navigation never shows a dead link.
NAVIGATION = [
    ("Dashboard", "studio:dashboard"),
    ("Create", "generations:create"),
    ("Queue", "generations:queue"),
    ("Gallery", "generations:gallery"),
    ("Brands", "brands:list"),
    ("Billing", "billing:overview"),
    ("API keys", "api:keys"),
    ("Settings", "studio:settings"),
]


def _navigation() -> list[dict[str, str]]:
    items = []
    for label, url_name in NAVIGATION:
        try:
            items.append({"label": label, "url": reverse(url_name), "name": url_name})
        except NoReverseMatch:
            continue
    return items


def studio(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from studio.selectors import memberships_for_user

    return {
        "navigation": _navigation(),
        "current_workspace": getattr(request, "workspace", None),
        "current_membership": getattr(request, "membership", None),
        "user_memberships": memberships_for_user(user),
    }
