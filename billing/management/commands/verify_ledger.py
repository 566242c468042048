from django.core.management.base import BaseCommand, CommandError

from billing.selectors import ledger_drift


class Command(BaseCommand):
    help = "Check every credit account: balance == sum of entries. Exits 1 on drift."

    def handle(self, *args, **options):
        problems = ledger_drift()
        for p in problems:
            self.stderr.write(
                f"DRIFT account {p['account_id']} ({p['workspace']}): balance {p['balance']}, "
                f"sum of entries {p['sum_of_entries']}, last balance_after "
                f"{p['last_balance_after']}"
            )
        if problems:
            raise CommandError(f"{len(problems)} account(s) drifted.", returncode=1)
        self.stdout.write("Ledger OK: every balance equals the sum of its entries.")
