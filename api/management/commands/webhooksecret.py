from django.core.management.base import BaseCommand, CommandError

from api.webhooks import standard_webhooks_secret
from studio.models import Workspace


class Command(BaseCommand):
    help = ("Print WORKSPACE's webhook signing secret (the key of X-Dessert-Signature) as the "
            "last line.")

    def add_arguments(self, parser):
        parser.add_argument("workspace", help="Workspace slug")

    def handle(self, *args, workspace: str, **options):
        target = Workspace.objects.filter(slug=workspace).first()
        if target is None:
            raise CommandError(f"No workspace with slug {workspace!r}.")
        self.stdout.write(f"Webhook secret of {target.slug}. X-Dessert-Signature is the hex "
                          "HMAC-SHA256 of the raw body with it; Standard Webhooks verifiers "
                          f"take {standard_webhooks_secret(target)}")
        self.stdout.write(target.webhook_secret)
