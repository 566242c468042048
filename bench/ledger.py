"""Ledger throughput: debits per second for 1, 4 and 16 concurrent workers on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/billing_dev python bench/ledger.py

Two shapes: every worker debiting its own account (throughput of the write path) and all
workers debiting one shared account (every debit waits for the row lock). Each worker is a
process with its own connection. The bench creates its workspaces and removes them after.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")


def _setup() -> None:
    import django

    django.setup()


def _worker(account_id: int, seconds: float, start_at: float, tag: str, queue) -> None:
    _setup()
    from billing import services
    from billing.models import CreditAccount

    account = CreditAccount.objects.get(pk=account_id)
    while time.time() < start_at:
        time.sleep(0.001)
    done, deadline, pid = 0, start_at + seconds, os.getpid()
    while time.time() < deadline:
        services.debit(account=account, credits=1, reference=f"bench:{tag}:{pid}:{done}",
                       auto_recharge=False)
        done += 1
    queue.put(done)


def _accounts(count: int, credits: int) -> list[int]:
    from billing import services
    from studio.models import Workspace

    ids = []
    for _ in range(count):
        workspace = Workspace.objects.create(name="bench", slug=f"bench-{uuid.uuid4().hex[:12]}")
        account = services.account_open(workspace=workspace, welcome_bonus=False)
        services.grant(account=account, credits=credits, memo="bench")
        ids.append(account.pk)
    return ids


def _cleanup() -> None:
    from billing.models import LedgerEntry
    from studio.models import Workspace

    LedgerEntry.objects.filter(account__workspace__slug__startswith="bench-").delete()
    Workspace.objects.filter(slug__startswith="bench-").delete()


def run(workers: int, shared: bool, seconds: float) -> float:
    from django.db import connections

    account_ids = _accounts(1 if shared else workers, credits=10_000_000)
    connections.close_all()  # no connection inherited by the forked workers
    queue = mp.Queue()
    start_at = time.time() + 1.0 + workers * 0.05
    tag = uuid.uuid4().hex[:8]
    processes = [
        mp.Process(target=_worker, args=(account_ids[0 if shared else i], seconds, start_at,
                                         tag, queue))
        for i in range(workers)
    ]
    for process in processes:
        process.start()
    total = sum(queue.get() for _ in processes)
    for process in processes:
        process.join()
    return total / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4, 16])
    args = parser.parse_args()
    _setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Run the bench on PostgreSQL: set DATABASE_URL=postgres://...")
    call_command("migrate", verbosity=0)
    print(f"ledger debits/s on {connection.settings_dict['NAME']} "
          f"({os.cpu_count()} CPUs, {args.seconds:.0f} s per run)")
    print(f"{'workers':>8} {'own account':>14} {'shared account':>16}")
    try:
        for workers in args.workers:
            own = run(workers, shared=False, seconds=args.seconds)
            shared = run(workers, shared=True, seconds=args.seconds)
            print(f"{workers:>8} {own:>14.0f} {shared:>16.0f}")
        call_command("verify_ledger", verbosity=0)
        print("verify_ledger: clean")
    finally:
        _cleanup()


if __name__ == "__main__":
    main()
