"""Benchmark of issues 7 and 13 at scale: the SLA sweep and the compliance report.

Bulk-creates 100,000 tickets (20% open) with both clocks, rebuilds the report's daily rollups,
times the year's compliance report from rollups and by the clock scan it replaced (checking
both give the same figures), then grows the same desk to 1,000,000 (with --million) and times
it all again, printing the ratios.
Runs in a throwaway test database: SQLite by default, PostgreSQL when DATABASE_URL points at
one.

    .venv/bin/python bench/sweep_and_reports.py              # 100,000 tickets
    .venv/bin/python bench/sweep_and_reports.py --million    # and 1,000,000 (a few minutes)
"""

import argparse
import os
import statistics
import sys
import time
from dataclasses import asdict
from datetime import timedelta
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

import django

django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.bulk_values import datetimes, durations  # noqa: E402
from reports import selectors as report_selectors  # noqa: E402
from reports import triggers  # noqa: E402
from sla import business_time  # noqa: E402
from sla import selectors as sla_selectors  # noqa: E402
from sla import services as sla_services  # noqa: E402
from sla.models import PriorityLevel, SLAClock  # noqa: E402
from tests import factories  # noqa: E402
from tickets import services as ticket_services  # noqa: E402
from tickets.models import Ticket  # noqa: E402

SEED = 20261125
MICROSECOND = timedelta(microseconds=1)
BATCH = 10_000
SPAN = timedelta(days=365)  # tickets reported over the last year
OPEN_SHARE = 0.2
ORGANIZATIONS, ANALYSTS = 200, 40
WARN_PERCENT = 75


class Desk:
    """What the seeded tickets point at, made once."""

    def __init__(self, now) -> None:
        self.now = now
        self.snapshot = sla_services.snapshot_take(sla_selectors.default_policy())
        self.engine = sla_services.snapshot_engine(self.snapshot)
        self.levels = list(PriorityLevel.objects.order_by("number"))
        self.customers = [factories.make_customer() for _ in range(ORGANIZATIONS)]
        self.analysts = [factories.make_analyst() for _ in range(ANALYSTS)]
        self.targets = [
            sla_services.snapshot_targets(
                self.snapshot, level_code=level.code, integration_24x7=False
            )
            for level in self.levels
        ]
        self.seeded = 0
        customer = self.customers[0]
        self.ticket_template = Ticket(
            reference="",
            organization_id=customer.membership.organization_id,
            requester=customer,
            subject="",
            description="bench",
            priority=self.levels[0],
            reported_at=now,
            sla_snapshot=self.snapshot,
            created_at=now,
            updated_at=now,
        )
        self.clock_template = SLAClock(budget=timedelta(0), started_at=now)


def seed(desk: Desk, count: int, rng: np.random.Generator) -> None:
    """Add `count` tickets and their two clocks, in batches of plain INSERTs (as an import
    would; the ORM's bulk_create spends most of its time building the SQL). The report's
    triggers are off meanwhile, as for any bulk load: the rollups are rebuilt after."""
    triggers.triggers_remove()
    for first in range(0, count, BATCH):
        _seed_batch(desk, min(BATCH, count - first), rng)
    triggers.triggers_install()
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Ticket, SLAClock]):
            cursor.execute(sql)
        cursor.execute("ANALYZE")


def _insert(model, template, columns: dict[str, list]) -> None:
    """One INSERT per row, sent with executemany: given columns, others from `template`."""
    fields = model._meta.concrete_fields
    size = len(next(iter(columns.values())))
    series = [
        columns[field.column]
        if field.column in columns
        else [field.get_db_prep_save(getattr(template, field.attname), connection)] * size
        for field in fields
    ]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    rows = zip(*series, strict=True)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # COPY: the fast path for bulk loads
            columns = ", ".join(quote(field.column) for field in fields)
            copy_sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(sql, list(rows))


def _seed_batch(desk: Desk, size: int, rng: np.random.Generator) -> None:
    now_us = business_time.to_microseconds(desk.now)
    reported = now_us - rng.integers(3_600_000_000, int(SPAN / MICROSECOND), size)
    level_of = rng.integers(0, len(desk.levels), size)
    customer_of = rng.integers(0, len(desk.customers), size)
    analyst_of = rng.integers(0, len(desk.analysts), size)
    is_open = rng.random(size) < OPEN_SHARE
    first_id = desk.seeded + 1
    ids = np.arange(first_id, first_id + size)
    desk.seeded += size
    customer_ids = np.array([c.pk for c in desk.customers])[customer_of]
    organization_ids = np.array([c.membership.organization_id for c in desk.customers])
    reported_db = datetimes(reported)
    _insert(
        Ticket,
        desk.ticket_template,
        {
            "id": ids.tolist(),
            "created_at": reported_db,
            "updated_at": reported_db,
            "reference": [f"HD-B-{number:07d}" for number in ids.tolist()],
            "organization_id": organization_ids[customer_of].tolist(),
            "requester_id": customer_ids.tolist(),
            "subject": [f"Incidente {number}" for number in ids.tolist()],
            "priority_id": np.array([level.pk for level in desk.levels])[level_of].tolist(),
            "reported_at": reported_db,
            "status": np.where(is_open, Ticket.Status.IN_PROGRESS, Ticket.Status.CLOSED).tolist(),
            "assignee_id": np.array([a.pk for a in desk.analysts])[analyst_of].tolist(),
        },
    )
    # Share of the budget used when each goal was reached: about 1 in 8 comes late.
    shares = {
        "first_response": rng.uniform(0.05, 1.15, size),
        "resolution": rng.uniform(0.1, 1.2, size),
    }
    for offset, metric in enumerate(("first_response", "resolution")):
        budget = np.empty(size, dtype=np.int64)
        due = np.empty(size, dtype=np.int64)
        warn = np.empty(size, dtype=np.int64)
        kind = np.empty(size, dtype=object)
        for index, targets in enumerate(desk.targets):
            chosen = level_of == index
            target = targets[metric]
            budget[chosen] = target.duration // MICROSECOND
            kind[chosen] = target.clock.code
            due[chosen] = desk.engine.add_many(reported[chosen], budget[chosen], target.clock)
            warning = budget[chosen] * WARN_PERCENT // 100
            warn[chosen] = desk.engine.add_many(reported[chosen], warning, target.clock)
        reached = np.ones(size, dtype=bool) if metric == "first_response" else ~is_open
        # wall-clock share of the span to the deadline: close enough for a bench
        met = reported + ((due - reported) * shares[metric]).astype(np.int64)
        state = np.where(
            reached,
            np.where(met <= due, "met", "breached"),
            np.where(now_us <= due, "running", "breached"),
        )
        _insert(
            SLAClock,
            desk.clock_template,
            {
                "id": (ids * 2 - 1 + offset).tolist(),
                "ticket_id": ids.tolist(),
                "metric": [metric] * size,
                "clock": kind.tolist(),
                "budget": durations(budget),
                "started_at": reported_db,
                "due_at": datetimes(due),
                "state": state.tolist(),
                "met_at": datetimes(met, reached),
                "warn_at": datetimes(warn),
                # earlier sweeps warned what crossed its threshold before now (steady state)
                "warned_at": datetimes(warn, warn <= now_us),
                "time_used": durations((budget * shares[metric]).astype(np.int64), reached),
            },
        )


def timed(function, repeat: int = 3) -> float:
    """Median seconds of `repeat` calls."""
    durations = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations)


def _year(desk: Desk) -> report_selectors.Period:
    return report_selectors.Period(
        (desk.now - SPAN - timedelta(days=1)).date(), timezone.localdate(desk.now)
    )


def rollups_rebuild() -> float:
    """Seconds of `reports_rebuild_rollups` over every day, as after any bulk load."""
    started = time.perf_counter()
    call_command("reports_rebuild_rollups", stdout=StringIO())
    return time.perf_counter() - started


def time_compliance_reports(desk: Desk) -> dict[str, float]:
    """The year's report from rollups and by the clock scan, checked equal, then timed."""
    period = _year(desk)
    report = report_selectors.compliance_report(period=period, now=desk.now)  # warm up
    oracle = report_selectors.compliance_from_clocks(period=period, now=desk.now)
    assert report.totals["tickets"] == desk.seeded, (report.totals, desk.seeded)
    assert asdict(report) == asdict(oracle), "the rollups differ from the clock scan"
    return {
        "compliance report, a year, from rollups": timed(
            lambda: report_selectors.compliance_report(period=period, now=desk.now)
        ),
        # one run: the warm-up above already read every clock, and each run takes seconds
        "compliance report, a year, clock scan (before)": timed(
            lambda: report_selectors.compliance_from_clocks(period=period, now=desk.now), 1
        ),
    }


def time_sweep(desk: Desk, after: timedelta) -> float:
    """Seconds of one SLA sweep (warnings, breaches, notices) run `after` the last one.

    Rolled back each time, so every run and the next size start from the same desk.
    """
    counts = {}

    def sweep() -> None:
        with transaction.atomic():
            result = ticket_services.tickets_sla_sweep(now=desk.now + after)
            counts["warned"], counts["breached"] = len(result.warned), len(result.breached)
            transaction.set_rollback(True)

    seconds = timed(sweep)
    print(f"    sweep {after} late: {counts['warned']:,} warned, {counts['breached']:,} breached")
    return seconds


def measure(desk: Desk) -> dict[str, float]:
    return {
        "rollups rebuilt (reports_rebuild_rollups)": rollups_rebuild(),
        **time_compliance_reports(desk),
        "sweep, every minute": time_sweep(desk, timedelta(minutes=1)),
        "sweep, an hour late": time_sweep(desk, timedelta(hours=1)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="first size")
    parser.add_argument(
        "--million", action="store_true", help="then grow to 1,000,000 tickets (slow to seed)"
    )
    args = parser.parse_args()
    sizes = [args.tickets] + ([1_000_000] if args.million and args.tickets < 1_000_000 else [])
    settings.DEBUG = False
    if connection.vendor == "postgresql":  # never the test suite's database, which may be in use
        connection.settings_dict["TEST"]["NAME"] = "test_helpdesk_bench_reports"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    old_config = setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
    try:
        run(sizes)
    finally:
        teardown_databases(old_config, verbosity=0)


def run(sizes: list[int]) -> None:
    rng = np.random.default_rng(SEED)
    desk = Desk(timezone.now())
    print(f"database {connection.vendor}; {OPEN_SHARE:.0%} of tickets open")
    results = {}
    for size in sizes:
        started = time.perf_counter()
        seed(desk, size - desk.seeded, rng)
        seconds = time.perf_counter() - started
        print(f"{size:,} tickets ({2 * size:,} clocks) seeded in {seconds:.0f} s")
        results[size] = measure(desk)
        for name, seconds in results[size].items():
            print(f"  {name}: {seconds:.3f} s")
    if len(sizes) == 2:
        small, large = (results[size] for size in sizes)
        factor = sizes[1] / sizes[0]
        for name in small:
            if small[name] and large[name]:
                print(
                    f"{name}: x{large[name] / small[name]:.1f} for x{factor:.0f} tickets "
                    f"({sizes[0]:,} -> {sizes[1]:,})"
                )


if __name__ == "__main__":
    main()
