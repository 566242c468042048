from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction

from studio.services import personal_workspace_create


class StudioAccountAdapter(DefaultAccountAdapter):
    """Every account signed up through the site starts with its own workspace."""

    def save_user(self, request, user, form, commit=True):
        with transaction.atomic():
            user = super().save_user(request, user, form, commit=commit)
            if commit:
                personal_workspace_create(user=user)
        return user

    def is_safe_url(self, url: str) -> bool:
        # ``urlparse`` raises on a malformed address (``next=http://[::1``): that is simply not
        # a safe place to send anyone, not a server error.
        try:
            return super().is_safe_url(url)
        except ValueError:
            return False
