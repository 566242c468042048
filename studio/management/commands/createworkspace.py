from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from studio.services import user_get_or_create, workspace_create


class Command(BaseCommand):
    help = "Create a workspace owned by EMAIL (created if needed); prints the slug last."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Workspace name")
        parser.add_argument("--owner", required=True, help="Owner's e-mail address")

    def handle(self, *args, name: str, owner: str, **options):
        try:
            validate_email(owner)
        except ValidationError as exc:
            raise CommandError(f"--owner must be an e-mail address, got {owner!r}.") from exc
        if not name.strip():
            raise CommandError("NAME must not be empty.")
        with transaction.atomic():
            user, created = user_get_or_create(email=owner)
            workspace = workspace_create(name=name, owner=user)
        if created:
            self.stdout.write(f"Created user {user.email} (no password: use password reset).")
        self.stdout.write(f"Created workspace {workspace.name!r} owned by {user.email}.")
        self.stdout.write(workspace.slug)
