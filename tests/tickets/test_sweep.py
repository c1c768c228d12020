"""The SLA sweep: warnings and breaches at the engine's instants, each told once."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group

from communications.models import OutboundEmail
from sla.models import ClockEventKind, SLAClock, SLAClockEvent
from tests import factories
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
SP = ZoneInfo("America/Sao_Paulo")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SP)


@pytest.fixture
def desk(default_policy, levels, settings):
    analyst = factories.make_analyst(username="ana", email="ana@vendor.example")
    colleague = factories.make_analyst(username="bia", email="bia@vendor.example")
    lead = factories.make_analyst(username="lia", email="lia@vendor.example")
    lead.groups.add(Group.objects.get_or_create(name=settings.SLA_TEAM_LEADS_GROUP)[0])
    customer = factories.make_customer()
    # Alta, Tue 09:00: first response due 11:00 (2 business hours), warned at 75%: 10:30.
    ticket = services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="Relatórios fora do ar",
        description="x",
        priority=levels["alta"],
        reported_at=at(24, 9),
        now=at(24, 9),
    )
    return {"ticket": ticket, "analyst": analyst, "colleague": colleague, "lead": lead}


def alerts(kind: str) -> list[str]:
    return sorted(
        OutboundEmail.objects.filter(key__startswith=f"sla-{kind}:").values_list("to", flat=True)
    )


def events(kind: str) -> list[datetime]:
    return list(SLAClockEvent.objects.filter(kind=kind).values_list("at", flat=True))


def test_the_warning_fires_at_the_engines_instant_once(desk):
    first_response = SLAClock.objects.get(ticket=desk["ticket"], metric="first_response")
    assert first_response.warn_at == at(24, 10, 30)
    assert services.tickets_sla_sweep(now=at(24, 10, 29)).warned == []
    sweep = services.tickets_sla_sweep(now=at(24, 10, 31))
    assert [clock.metric for clock in sweep.warned] == ["first_response"]
    assert events(ClockEventKind.WARNED) == [at(24, 10, 30)]
    # nobody has the ticket yet: the whole queue hears of it (team leads are analysts too)
    assert alerts("warned") == ["ana@vendor.example", "bia@vendor.example", "lia@vendor.example"]
    again = services.tickets_sla_sweep(now=at(24, 10, 32))
    assert (again.warned, again.breached) == ([], [])
    assert len(events(ClockEventKind.WARNED)) == 1
    assert len(alerts("warned")) == 3


def test_an_overlapping_sweep_never_sends_twice(desk):
    services.tickets_sla_sweep(now=at(24, 10, 31))
    # a second sweep that had read the clock before the first one wrote it
    SLAClock.objects.filter(ticket=desk["ticket"]).update(warned_at=None)
    services.tickets_sla_sweep(now=at(24, 10, 31))
    assert len(alerts("warned")) == 3  # the notices are keyed by clock, kind and instant


def test_breaches_go_to_the_assignee_and_the_team_leads(desk):
    ticket = desk["ticket"]
    services.ticket_assign(
        ticket=ticket, analyst=desk["analyst"], actor=desk["analyst"], now=at(24, 9, 5)
    )
    # resolution: 8 business hours from 09:00 -> 17:00, warned at 6 h -> 15:00
    services.tickets_sla_sweep(now=at(24, 15, 1))
    assert alerts("warned") == ["ana@vendor.example"]  # the assignee only
    sweep = services.tickets_sla_sweep(now=at(24, 17, 1))
    assert [clock.metric for clock in sweep.breached] == ["resolution"]
    assert alerts("breached") == ["ana@vendor.example", "lia@vendor.example"]
    resolution = SLAClock.objects.get(ticket=ticket, metric="resolution")
    assert resolution.state == "breached"
    assert events(ClockEventKind.BREACHED) == [at(24, 17)]


def test_a_late_sweep_catches_up_at_each_events_own_instant(desk):
    """The sweep did not run from 09:00 to 13:00: the first response is breached (at 11:00,
    not at 13:00), its warning is moot, and the resolution clock is not due a warning yet."""
    sweep = services.tickets_sla_sweep(now=at(24, 13))
    assert ([c.metric for c in sweep.breached], sweep.warned) == (["first_response"], [])
    assert events(ClockEventKind.BREACHED) == [at(24, 11)]
    assert alerts("warned") == []
    assert alerts("breached") == ["ana@vendor.example", "bia@vendor.example", "lia@vendor.example"]
    ticket = Ticket.objects.get(pk=desk["ticket"].pk)
    assert ticket.clocks.get(metric="first_response").warned_at is not None  # never warned later


def test_the_sweep_costs_the_same_queries_whatever_the_desk(
    desk, levels, django_assert_num_queries
):
    customer = factories.make_customer()
    for _ in range(20):
        services.ticket_create(
            organization=customer.membership.organization,
            requester=customer,
            subject="s",
            description="d",
            priority=levels["baixa"],
            reported_at=at(24, 9),
            now=at(24, 9),
        )
    with django_assert_num_queries(4):  # savepoint, two range scans, release: nothing due
        services.tickets_sla_sweep(now=at(24, 9, 30))


def test_the_command_and_the_task(desk):
    from io import StringIO

    from django.core.management import call_command

    from reports.models import StaleRollup
    from tickets.tasks import sla_sweep

    assert StaleRollup.objects.exists()  # the tickets' days, marked when they opened
    out = StringIO()
    call_command("sla_sweep", stdout=out)  # now: the Tuesday is long past
    assert out.getvalue().startswith("0 clock(s) warned, 2 breached")
    assert "day(s) of SLA figures recounted" in out.getvalue()
    assert not StaleRollup.objects.exists()  # the report's days are current again
    assert sla_sweep.call() == {"warned": 0, "breached": 0}
