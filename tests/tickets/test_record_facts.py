"""An SLA record no one can rewrite: breaches stay breached, met clocks are history, a ticket
opened late is announced, one meaning of "at risk", final verdicts on finished tickets."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from communications.models import OutboundEmail
from sla import selectors as sla_selectors
from sla import services as sla_services
from sla.models import ClockEventKind, SLAClock
from tests import factories
from tickets import selectors, services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
SP = ZoneInfo("America/Sao_Paulo")
Status = Ticket.Status


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SP)


@pytest.fixture
def desk(default_policy, levels, settings):
    lead = factories.make_analyst(username="lia", email="lia@vendor.example")
    lead.groups.add(Group.objects.get_or_create(name=settings.SLA_TEAM_LEADS_GROUP)[0])
    return {
        "levels": levels,
        "analyst": factories.make_analyst(username="ana", email="ana@vendor.example"),
        "lead": lead,
        "customer": factories.make_customer(username="cliente", email="c@acme.example"),
    }


def open_ticket(desk, level: str, reported_at: datetime, now: datetime | None = None) -> Ticket:
    customer = desk["customer"]
    return services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="Relatórios fora do ar",
        description="x",
        priority=desk["levels"][level],
        reported_at=reported_at,
        now=now or reported_at,
    )


def clock(ticket: Ticket, metric: str) -> SLAClock:
    return SLAClock.objects.get(ticket=ticket, metric=metric)


def test_a_downgrade_never_erases_a_breach(desk):
    ticket = open_ticket(desk, "alta", at(23, 9))  # Mon: resolution due Mon 17:00
    assert clock(ticket, "resolution").due_at == at(23, 17)
    services.tickets_sla_sweep(now=at(23, 17, 5))
    ticket = services.ticket_change_priority(
        ticket=ticket, level=desk["levels"]["baixa"], actor=desk["analyst"], now=at(24, 10),
        reason="Era só uma dúvida",
    )  # fmt: skip
    resolution = clock(ticket, "resolution")
    assert resolution.due_at > at(24, 10)  # five business days now
    assert (resolution.breached_at, resolution.state) == (at(23, 17), "breached")
    recalculated = resolution.events.get(kind=ClockEventKind.RECALCULATED)
    assert "stands" in recalculated.reason  # the timeline says the breach stays
    assert selectors.tickets_in_sla_state(Ticket.objects.all(), "breached", now=at(24, 10)).get()
    assert sla_selectors.clock_verdict(resolution, at(24, 10)) == "breached"
    # resolved on time for the new level: still breached
    services.ticket_assign(ticket=ticket, analyst=desk["analyst"], actor=desk["analyst"],
                           now=at(24, 11))  # fmt: skip
    services.ticket_transition(ticket=ticket, to_status=Status.RESOLVED, actor=desk["analyst"],
                               now=at(24, 12))  # fmt: skip
    resolution.refresh_from_db()
    assert (resolution.state, resolution.breached_at) == ("breached", at(23, 17))


def test_a_priority_change_never_rejudges_a_met_first_response(desk):
    ticket = open_ticket(desk, "media", at(23, 9))  # first response due 13:00
    ticket = services.ticket_assign(
        ticket=ticket, analyst=desk["analyst"], actor=desk["analyst"], now=at(23, 12)
    )
    first = clock(ticket, "first_response")
    met = (first.due_at, first.met_at, first.state, first.time_used, first.budget)
    services.ticket_change_priority(
        ticket=ticket, level=desk["levels"]["alta"], actor=desk["analyst"], now=at(23, 14),
        reason="Afeta vários clientes",
    )  # fmt: skip
    first.refresh_from_db()
    assert (first.due_at, first.met_at, first.state, first.time_used, first.budget) == met
    assert met[0] == at(23, 13) and met[2] == "met"
    assert not first.events.filter(kind=ClockEventKind.RECALCULATED).exists()


def test_a_ticket_reported_already_late_is_announced_once(desk):
    now = at(24, 12)
    ticket = open_ticket(desk, "critica", now - timedelta(minutes=130), now=now)
    first = clock(ticket, "first_response")  # 1 h around the clock: ran out 70 minutes ago
    assert first.breached_at == now - timedelta(minutes=70)
    notices = OutboundEmail.objects.filter(key__startswith="sla-breached:")
    assert set(notices.values_list("to", flat=True)) == {"ana@vendor.example", "lia@vendor.example"}
    count = notices.count()
    services.tickets_sla_sweep(now=now + timedelta(minutes=1))
    assert notices.count() == count  # the sweep does not tell it again
    assert first.events.filter(kind=ClockEventKind.BREACHED).count() == 1


def test_an_upgrade_into_lateness_is_announced(desk):
    ticket = open_ticket(desk, "baixa", at(23, 9))
    services.ticket_change_priority(
        ticket=ticket, level=desk["levels"]["critica"], actor=desk["analyst"], now=at(23, 15),
        reason="Todos os clientes fora do ar",
    )  # fmt: skip
    first = clock(ticket, "first_response")
    assert first.breached_at == at(23, 10) and first.state == "breached"
    assert OutboundEmail.objects.filter(key__startswith=f"sla-breached:{first.pk}:").exists()


def test_a_deadline_that_passed_before_a_wait_is_a_breach(desk):
    ticket = open_ticket(desk, "alta", at(23, 9))
    services.ticket_assign(ticket=ticket, analyst=desk["analyst"], actor=desk["analyst"],
                           now=at(23, 10))  # fmt: skip
    # no sweep ran; the analyst puts it on hold after the 17:00 deadline
    ticket = services.ticket_transition(
        ticket=ticket, to_status=Status.WAITING_ON_CUSTOMER, actor=desk["analyst"],
        now=at(24, 10), reason="Precisamos do log",
    )  # fmt: skip
    resolution = clock(ticket, "resolution")
    # it ran out before the wait began: the wait cannot hide it
    assert (resolution.state, resolution.breached_at, resolution.due_at) == (
        "breached",
        at(23, 17),
        at(23, 17),
    )
    assert resolution.events.filter(kind=ClockEventKind.BREACHED).count() == 1
    assert selectors.tickets_in_sla_state(Ticket.objects.all(), "breached", now=at(24, 11)).get()


def test_at_risk_is_the_levels_warning_threshold_everywhere(desk):
    level = desk["levels"]["alta"]
    level.warning_percent = 50
    level.save()
    ticket = open_ticket(desk, "alta", at(23, 9))  # first response: 2 h, warned at 10:00
    first = clock(ticket, "first_response")
    assert first.warn_at == at(23, 10)
    assert sla_selectors.clock_verdict(first, at(23, 9, 59)) == "on_track"
    assert sla_selectors.clock_verdict(first, at(23, 10, 1)) == "at_risk"  # 50% used
    tickets = Ticket.objects.all()
    assert not selectors.tickets_in_sla_state(tickets, "at_risk", now=at(23, 9, 59)).exists()
    assert selectors.tickets_in_sla_state(tickets, "at_risk", now=at(23, 10, 1)).get() == ticket
    swept = services.tickets_sla_sweep(now=at(23, 10, 1))
    assert [c.metric for c in swept.warned] == ["first_response"]


def test_a_cancelled_ticket_shows_final_verdicts_not_a_countdown(desk, client: Client):
    ticket = open_ticket(desk, "alta", at(23, 9))
    ticket = services.ticket_assign(
        ticket=ticket, analyst=desk["analyst"], actor=desk["analyst"], now=at(23, 10)
    )
    ticket = services.ticket_transition(
        ticket=ticket, to_status=Status.CANCELLED, actor=desk["analyst"], now=at(23, 11),
        reason="Aberto por engano",
    )  # fmt: skip
    now = at(25, 9)
    engine = sla_services.snapshot_engine(ticket.sla_snapshot)
    verdicts = {
        c.metric: sla_selectors.clock_status(c, engine, now, finished=True).state
        for c in SLAClock.objects.filter(ticket=ticket)
    }
    assert verdicts == {"first_response": "met", "resolution": "not_applicable"}
    client.force_login(desk["customer"])
    page = client.get(ticket.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "waiting on you" not in page and "left" not in page
    api = client.get(f"/api/tickets/{ticket.reference}/").json()
    assert {c["metric"]: c["verdict"] for c in api["clocks"]} == verdicts


def test_the_contract_is_matched_on_its_own_calendars_date(desk):
    organization = desk["customer"].membership.organization
    new_york = factories.make_policy(
        calendar=factories.make_calendar(timezone="America/New_York", holiday_country="US")
    )
    contract = factories.make_contract(
        organization=organization, policy=new_york, valid_from=date(2026, 12, 1)
    )
    # 23:30 of Nov 30 in New York is already 01:30 of Dec 1 in São Paulo: not yet in force
    late_evening = datetime(2026, 11, 30, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    assert sla_selectors.contract_in_force_at(organization, late_evening) is None
    ticket = open_ticket(desk, "media", late_evening, now=late_evening + timedelta(hours=1))
    assert ticket.sla_snapshot.policy.is_default
    next_morning = late_evening + timedelta(hours=1)  # 00:30 of Dec 1 in New York
    assert sla_selectors.contract_in_force_at(organization, next_morning) == contract
    ticket = open_ticket(desk, "media", next_morning, now=next_morning)
    assert ticket.sla_snapshot.policy == new_york
