"""Ticket.breached_at, kept by the database from the clocks whoever writes them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sla.models import SLAClock
from tests import factories
from tests.tickets.test_record_facts import at, clock, open_ticket
from tickets import selectors, services, triggers
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(default_policy, levels):
    return {"levels": levels, "customer": factories.make_customer(email="c@acme.example")}


def first_breach(ticket: Ticket):
    return Ticket.objects.values_list("breached_at", flat=True).get(pk=ticket.pk)


def test_a_ticket_opened_late_carries_its_first_breach(desk):
    ticket = open_ticket(desk, "alta", at(23, 9), now=at(24, 12))
    breaches = SLAClock.objects.filter(ticket=ticket).values_list("breached_at", flat=True)
    assert first_breach(ticket) == min(breaches) == clock(ticket, "first_response").due_at


def test_the_sweep_marks_the_ticket_and_a_stale_save_cannot_erase_it(desk):
    ticket = open_ticket(desk, "alta", at(23, 9))
    due = clock(ticket, "first_response").due_at
    stale = Ticket.objects.get(pk=ticket.pk)
    assert first_breach(ticket) is None
    services.tickets_sla_sweep(now=due + timedelta(minutes=5))
    assert first_breach(ticket) == due
    stale.subject = "Edited by someone who read it before the sweep"
    stale.save()  # a whole-row save writes breached_at=None, read before
    assert first_breach(ticket) == due
    Ticket.objects.filter(pk=ticket.pk).update(breached_at=None)  # nor can an update
    assert first_breach(ticket) == due


def test_any_write_to_the_clocks_moves_it(desk):
    ticket = open_ticket(desk, "alta", at(23, 9))
    resolution = clock(ticket, "resolution")
    SLAClock.objects.filter(pk=resolution.pk).update(breached_at=at(23, 17))  # raw, bulk
    assert first_breach(ticket) == at(23, 17)
    first = clock(ticket, "first_response")
    first.breached_at = at(23, 10)
    SLAClock.objects.bulk_update([first], ["breached_at"])
    assert first_breach(ticket) == at(23, 10)
    SLAClock.objects.filter(pk=first.pk).update(breached_at=None)  # a data fix, say
    assert first_breach(ticket) == at(23, 17)


@pytest.mark.parametrize("batch", [None, 2])  # one statement; or two tickets at a time
def test_the_backfill_agrees_with_the_triggers(desk, batch):
    tickets = [open_ticket(desk, "alta", at(23, 9) + timedelta(hours=n)) for n in range(4)]
    dues = [clock(t, "first_response").due_at for t in tickets]
    services.tickets_sla_sweep(now=dues[2] + timedelta(minutes=30))
    kept = [first_breach(t) for t in tickets]
    assert kept == [*dues[:3], None]
    Ticket.objects.update(breached_at=None)  # put back by the ticket's own trigger
    triggers.triggers_remove()
    try:
        Ticket.objects.update(breached_at=None)
        assert [first_breach(t) for t in tickets] == [None] * 4
        triggers.breaches_backfill(batch=batch)
        assert [first_breach(t) for t in tickets] == kept
    finally:
        triggers.triggers_install()


def test_the_breached_list_reads_the_tickets_index_and_catches_unswept_clocks(desk):
    swept = open_ticket(desk, "alta", at(23, 9))
    services.tickets_sla_sweep(now=clock(swept, "first_response").due_at + timedelta(minutes=1))
    unswept = open_ticket(desk, "alta", at(23, 11))  # no sweep after its deadline
    on_time = open_ticket(desk, "baixa", at(23, 11))
    now = clock(unswept, "first_response").due_at + timedelta(minutes=1)
    with CaptureQueriesContext(connection) as queries:
        breached = set(selectors.tickets_in_sla_state(Ticket.objects.all(), "breached", now=now))
    assert breached == {swept, unswept}
    assert '"breached_at" IS NOT NULL' in queries[0]["sql"]
    at_risk = selectors.tickets_in_sla_state(Ticket.objects.all(), "at_risk", now=now)
    assert on_time not in breached and swept not in at_risk and unswept not in at_risk


def test_the_next_deadline_follows_the_clocks_whoever_writes_them(desk):
    ticket = open_ticket(desk, "alta", at(23, 9))
    first, resolution = clock(ticket, "first_response"), clock(ticket, "resolution")

    def next_due():
        return Ticket.objects.values_list("next_due_at", flat=True).get(pk=ticket.pk)

    assert next_due() == first.due_at  # as the services set it
    SLAClock.objects.filter(pk=first.pk).update(due_at=at(23, 9, 30))  # a raw data fix
    assert next_due() == at(23, 9, 30)
    SLAClock.objects.filter(pk=first.pk).update(met_at=at(23, 9, 10))  # met: not a deadline
    assert next_due() == resolution.due_at
    stale = Ticket.objects.get(pk=ticket.pk)
    stale.next_due_at = None  # a whole-row save of a wrong value
    stale.save()
    assert next_due() == resolution.due_at


def _at_risk_by_clocks(now) -> set[int]:
    """The at-risk rule read from the clocks themselves: a running clock past its warning
    instant and not yet due, on a ticket with no clock breached or overdue (that one is
    listed as breached)."""
    clocks = SLAClock.objects.filter(state="running", warn_at__lte=now, due_at__gte=now)
    late = SLAClock.objects.filter(breached_at__isnull=False) | SLAClock.objects.filter(
        met_at__isnull=True, due_at__lt=now
    )
    return set(
        clocks.exclude(ticket__in=late.values("ticket_id")).values_list("ticket_id", flat=True)
    )


def test_the_risk_instant_follows_the_clocks_and_the_at_risk_list_agrees(desk):
    tickets = [open_ticket(desk, level, at(23, 9)) for level in ("alta", "media", "baixa")]
    first = clock(tickets[0], "first_response")

    def at_risk_from(ticket):
        return Ticket.objects.values_list("at_risk_from", flat=True).get(pk=ticket.pk)

    warnings = SLAClock.objects.filter(ticket=tickets[0], state="running")
    assert at_risk_from(tickets[0]) == min(c.warn_at for c in warnings if c.warn_at)
    # every minute of the day, the list and the clocks agree
    for minute in range(0, 10 * 60, 7):
        now = at(23, 9) + timedelta(minutes=minute)
        listed = selectors.tickets_in_sla_state(Ticket.objects.all(), "at_risk", now=now)
        assert set(listed.values_list("pk", flat=True)) == _at_risk_by_clocks(now), now
    # a met clock no longer warns; a raw data fix moves the instant; a stale save cannot
    SLAClock.objects.filter(pk=first.pk).update(met_at=at(23, 9, 5), state="met")
    resolution = clock(tickets[0], "resolution")
    assert at_risk_from(tickets[0]) == resolution.warn_at
    SLAClock.objects.filter(pk=resolution.pk).update(warn_at=at(23, 10))
    assert at_risk_from(tickets[0]) == at(23, 10)
    stale = Ticket.objects.get(pk=tickets[0].pk)
    stale.at_risk_from = None
    stale.save()
    assert at_risk_from(tickets[0]) == at(23, 10)
    # paused clocks are not at risk
    SLAClock.objects.filter(pk=resolution.pk).update(
        state="paused", due_at=None, paused_since=at(23, 9)
    )
    assert at_risk_from(tickets[0]) is None
    # the backfill agrees with the triggers
    kept = [at_risk_from(t) for t in tickets]
    triggers.triggers_remove()
    try:
        Ticket.objects.update(at_risk_from=None)
        triggers.breaches_backfill()
        assert [at_risk_from(t) for t in tickets] == kept
    finally:
        triggers.triggers_install()
