"""Benchmark of a large desk: 100,000 tickets with their clocks.

Prints the time to find the clocks breaching in the next hour (with the query plan), the
median time and query count of the admin ticket list, and the time to re-apply a changed
policy to every open ticket. Runs in a throwaway test database: SQLite by default,
PostgreSQL when DATABASE_URL points at one.

    .venv/bin/python bench/tickets.py [--tickets 100000]
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

import django

django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

from sla import business_time, clocks  # noqa: E402
from sla import selectors as sla_selectors  # noqa: E402
from sla import services as sla_services  # noqa: E402
from sla.models import (  # noqa: E402
    ClockEventKind,
    PriorityLevel,
    PriorityTarget,
    SLAClock,
    SLAClockEvent,
)
from tests import factories  # noqa: E402
from tickets import services as ticket_services  # noqa: E402
from tickets.models import Ticket  # noqa: E402

SEED = 20261125
BATCH = 5000


def seed(count: int, now) -> None:
    """Tickets with clocks and their 'started' events, written in bulk (as an import would)."""
    rng = random.Random(SEED)
    policy = sla_selectors.default_policy()
    snapshot = sla_services.snapshot_take(policy)
    engine = sla_services.snapshot_engine(snapshot)
    levels = list(PriorityLevel.objects.all())
    customers = [factories.make_customer() for _ in range(50)]
    span = int(timedelta(days=20).total_seconds())
    statuses = [Ticket.Status.NEW] * 5 + [Ticket.Status.IN_PROGRESS] * 4 + [Ticket.Status.RESOLVED]
    tickets = []
    for number in range(1, count + 1):
        customer = rng.choice(customers)
        tickets.append(
            Ticket(
                reference=f"HD-2026-{number:06d}",
                organization_id=customer.membership.organization_id,
                requester=customer,
                subject=f"Incidente {number}",
                description="bench",
                priority=rng.choice(levels),
                reported_at=now - timedelta(seconds=rng.randrange(span)),
                status=rng.choice(statuses),
                sla_snapshot=snapshot,
            )
        )
    Ticket.objects.bulk_create(tickets, batch_size=BATCH)
    tickets = list(Ticket.objects.select_related("priority").order_by("pk"))

    all_clocks = []
    for metric in ("first_response", "resolution"):
        groups: dict[tuple, list[Ticket]] = {}
        for ticket in tickets:
            target = sla_services.snapshot_targets(
                snapshot, level_code=ticket.priority.code, integration_24x7=False
            )[metric]
            groups.setdefault((target.duration, target.clock), []).append(ticket)
        for (duration, clock_kind), members in groups.items():
            starts = np.fromiter(
                (business_time.to_microseconds(t.reported_at) for t in members), dtype=np.int64
            )
            dues = engine.add_many(starts, duration // timedelta(microseconds=1), clock_kind)
            for ticket, due in zip(members, dues.tolist(), strict=True):
                due_at = business_time.from_microseconds(due)
                met = metric == "first_response" and ticket.status != Ticket.Status.NEW
                met = met or ticket.status == Ticket.Status.RESOLVED
                met_at = ticket.reported_at + (due_at - ticket.reported_at) / 2 if met else None
                all_clocks.append(
                    SLAClock(
                        ticket=ticket,
                        metric=metric,
                        clock=clock_kind.code,
                        budget=duration,
                        started_at=ticket.reported_at,
                        due_at=due_at,
                        met_at=met_at,
                        state=clocks.clock_state(due_at=due_at, met_at=met_at, now=now),
                    )
                )
    SLAClock.objects.bulk_create(all_clocks, batch_size=BATCH)
    SLAClockEvent.objects.bulk_create(
        [
            SLAClockEvent(
                sla_clock=c,
                kind=ClockEventKind.STARTED,
                at=c.started_at,
                recorded_at=c.started_at,
                budget=c.budget,
                clock=c.clock,
                due_at=c.due_at,
            )
            for c in all_clocks
        ],
        batch_size=BATCH,
    )
    by_ticket: dict[int, list[SLAClock]] = {}
    for clock in all_clocks:
        by_ticket.setdefault(clock.ticket_id, []).append(clock)
    for ticket in tickets:
        ticket.next_due_at = sla_services.next_due(by_ticket[ticket.pk])
    Ticket.objects.bulk_update(tickets, ["next_due_at"], batch_size=BATCH)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(function, repeat: int = 5) -> tuple[float, object]:
    """Median seconds of `repeat` calls, and the last result."""
    durations, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    args = parser.parse_args()
    settings.DEBUG = False  # no query log: it would cost time and fill up
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    old_config = setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
    try:
        run(args.tickets)
    finally:
        teardown_databases(old_config, verbosity=0)


def run(count: int) -> None:
    vendor = connection.vendor
    now = timezone.now()
    print(f"database {vendor}; {count:,} tickets, {2 * count:,} clocks")
    started = time.perf_counter()
    seed(count, now)
    print(f"seeded in {time.perf_counter() - started:.1f} s")

    window = sla_selectors.clocks_breaching_between(now, now + timedelta(hours=1))
    seconds, found = timed(lambda: list(window.values_list("ticket_id", "due_at")))
    print(f"breaching in the next hour: {len(found):,} clocks in {seconds * 1000:.1f} ms (median)")
    print("query plan:")
    for line in window.explain().splitlines():
        print(f"    {line}")

    analyst = factories.make_user(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(analyst)
    client.get("/admin/tickets/ticket/")  # warm caches (engine index, templates)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/admin/tickets/ticket/")
    page_queries = len(queries)  # read now: the next request resets the query log
    assert response.status_code == 200, response.status_code
    seconds, _ = timed(lambda: client.get("/admin/tickets/ticket/"), repeat=7)
    print(
        f"admin ticket list (first page, default ordering): {seconds * 1000:.0f} ms median, "
        f"{page_queries} queries"
    )

    target = PriorityTarget.objects.get(policy=sla_selectors.default_policy(), level__code="media")
    target.resolution_amount = 4
    target.save()
    open_count = Ticket.objects.open().count()
    started = time.perf_counter()
    moved = ticket_services.tickets_reapply_policy(
        policy=sla_selectors.default_policy(), actor=analyst, now=timezone.now()
    )
    elapsed = time.perf_counter() - started
    print(f"re-apply a changed policy: {moved:,} of {open_count:,} open tickets in {elapsed:.1f} s")


if __name__ == "__main__":
    main()
