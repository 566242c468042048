from django.core.management.base import BaseCommand, CommandError

from billing import services
from billing.services import account_for_workspace
from studio.models import Workspace


class Command(BaseCommand):
    help = "Grant N free credits to WORKSPACE (slug) with a memo; prints the new balance."

    def add_arguments(self, parser):
        parser.add_argument("workspace", help="Workspace slug")
        parser.add_argument("credits", type=int, help="Credits to grant (positive)")
        parser.add_argument("--memo", required=True, help="Why (shown in the ledger)")
        parser.add_argument("--reference", default=None,
                            help="Idempotency reference: re-running with it grants once")

    def handle(self, *args, workspace: str, credits: int, memo: str, reference: str | None,
               **options):
        target = Workspace.objects.filter(slug=workspace).first()
        if target is None:
            raise CommandError(f"No workspace with slug {workspace!r}.")
        if credits <= 0:
            raise CommandError("CREDITS must be a positive number.")
        if not memo.strip():
            raise CommandError("--memo must not be empty.")
        account = account_for_workspace(target)
        entry = services.grant(account=account, credits=credits, memo=memo,
                               reference=reference)
        self.stdout.write(f"Granted {entry.amount} credits to {target.slug}; "
                          f"balance {entry.balance_after}.")
