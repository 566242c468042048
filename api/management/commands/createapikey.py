from django.core.management.base import BaseCommand, CommandError

from api.keys import api_key_create
from api.models import Scope
from studio.exceptions import AppError
from studio.models import Workspace


class Command(BaseCommand):
    help = ("Create an API key for WORKSPACE (slug). Prints the key, shown only this once, "
            "as the last line.")

    def add_arguments(self, parser):
        parser.add_argument("workspace", help="Workspace slug")
        parser.add_argument("--name", required=True, help="What the key is for")
        parser.add_argument("--scopes", nargs="+", default=None, metavar="SCOPE",
                            help="Scopes (space- or comma-separated); default all: "
                                 + ", ".join(Scope.values))
        parser.add_argument("--rate-limit", type=int, default=None,
                            help="Requests per minute for this key (default: the setting)")

    def handle(self, *args, workspace: str, name: str, scopes, rate_limit, **options):
        target = Workspace.objects.filter(slug=workspace).first()
        if target is None:
            raise CommandError(f"No workspace with slug {workspace!r}.")
        if rate_limit is not None and rate_limit < 1:
            raise CommandError("--rate-limit must be a positive number.")
        wanted = [s for part in (scopes or []) for s in part.split(",") if s.strip()]
        try:
            created = api_key_create(workspace=target, name=name, scopes=wanted or None,
                                     rate_limit_per_minute=rate_limit)
        except AppError as exc:
            raise CommandError(exc.message) from exc
        key = created.api_key
        self.stdout.write(f"Created API key {key.name!r} ({key.display}) for {target.slug} "
                          f"with scopes {', '.join(key.scopes)}. Store it now; it is not "
                          "shown again:")
        self.stdout.write(created.plaintext)
