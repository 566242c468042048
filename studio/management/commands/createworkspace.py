from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from studio.services import user_get_or_create, workspace_create


class Command(BaseCommand):
    help = "Create a workspace owned by EMAIL (created if needed); prints the slug last."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Workspace name")
        parser.add_argument("--owner", required=True, help="Owner's e-mail address")
        parser.add_argument("--credits", type=int, default=0,
                            help="Credits to grant on top of the welcome bonus")

    def handle(self, *args, name: str, owner: str, credits: int, **options):
        try:
            validate_email(owner)
        except ValidationError as exc:
            raise CommandError(f"--owner must be an e-mail address, got {owner!r}.") from exc
        if not name.strip():
            raise CommandError("NAME must not be empty.")
        if credits < 0:
            raise CommandError("--credits must be zero or more.")
        with transaction.atomic():
            user, created = user_get_or_create(email=owner)
            workspace = workspace_create(name=name, owner=user)
            if created:
                self.stdout.write(f"Created user {user.email} (no password: use password "
                                  "reset).")
            self.stdout.write(f"Created workspace {workspace.name!r} owned by {user.email}.")
            if credits:
                # Credits are billing's: its command grants them (studio imports no billing).
                call_command("grantcredits", workspace.slug, str(credits),
                             memo="Granted when the workspace was created (createworkspace)",
                             stdout=self.stdout)
        self.stdout.write(workspace.slug)
