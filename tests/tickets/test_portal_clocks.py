"""The portal's deadlines: one wording per state, final verdicts on finished tickets, business
days as days, and 24x7 coverage explained where it moves a deadline."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from helpdesk.formats import format_instant
from tests import factories
from tickets import portal_clocks, services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
NINE_HOURS = timedelta(hours=9)


def _client(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def _ticket(customer, level, reported_at, **fields) -> Ticket:
    return services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="Exports",
        description="d",
        priority=level,
        reported_at=reported_at,
        now=max(reported_at, timezone.now()),
        **fields,
    )


def _lines(ticket, now=None):
    from sla import services as sla_services

    ticket = Ticket.objects.get(pk=ticket.pk)
    engine = sla_services.snapshot_engine(ticket.sla_snapshot)
    with translation.override("en"):
        return portal_clocks.clock_lines(ticket, engine, SAO_PAULO, now or timezone.now())


def test_a_cancelled_ticket_shows_no_clock_waiting_on_the_customer(default_policy, levels):
    customer, analyst = factories.make_customer(), factories.make_analyst()
    ticket = _ticket(customer, levels["media"], timezone.now())
    services.ticket_transition(
        ticket=ticket, to_status="cancelled", actor=analyst, now=timezone.now(), reason="dup"
    )

    lines = _lines(ticket)

    assert [line.text for line in lines] == ["not counted: the ticket was cancelled"] * 2
    assert all(line.label == "" and line.state == "not_applicable" for line in lines)
    html = _client(customer).get(ticket.get_absolute_url()).content.decode()
    assert "waiting on you" not in html and "paused" not in html


def test_a_late_first_response_is_said_once(default_policy, levels):
    customer, analyst = factories.make_customer(), factories.make_analyst()
    monday = datetime(2026, 11, 23, 10, 0, tzinfo=SAO_PAULO)
    ticket = _ticket(customer, levels["alta"], monday)
    assigned = datetime(2026, 11, 24, 16, 0, tzinfo=SAO_PAULO)  # due Mon 12:00; 13h late
    services.ticket_assign(ticket=ticket, analyst=analyst, actor=analyst, now=assigned)

    first = _lines(ticket, assigned)[0]

    assert first.state == "breached" and first.label == "breached"
    assert first.text == (
        f"done on {format_instant(assigned, SAO_PAULO)}, 1 business day 4h 00m after the deadline"
    )
    assert "late" not in first.text and "met" not in first.text


def test_waiting_on_the_customer_is_one_badge_and_a_sentence(default_policy, levels):
    customer, analyst = factories.make_customer(), factories.make_analyst()
    now = timezone.now()
    ticket = _ticket(customer, levels["media"], now)
    services.ticket_assign(ticket=ticket, analyst=analyst, actor=analyst, now=now)
    services.ticket_transition(
        ticket=ticket, to_status="waiting_on_customer", actor=analyst, now=now, reason="logs"
    )

    resolution = _lines(ticket, now)[1]

    assert resolution.label == "waiting on you"
    assert resolution.text.startswith(f"since {format_instant(now, SAO_PAULO)}; ")
    assert resolution.text.endswith(" left once you answer")


def test_the_level_guide_shows_business_days_as_days(default_policy, levels):
    customer = factories.make_customer()

    html = _client(customer).get("/tickets/new/").content.decode()

    assert "Resolution: 5 business days" in html
    assert "45h 00m" not in html
    assert "First response: 4h 00m (business hours)" in html


@given(days=st.integers(0, 30), minutes=st.integers(0, 9 * 60 - 1))
def test_business_durations_read_as_days_and_the_rest(days, minutes):
    duration = days * NINE_HOURS + timedelta(minutes=minutes)
    with translation.override("en"):
        words = portal_clocks.duration_words(duration, "business", NINE_HOURS)
        hours_only = portal_clocks.duration_words(duration, "around_the_clock", NINE_HOURS)
    if days == 0:
        assert words == hours_only
    else:
        unit = "business day" if days == 1 else "business days"
        assert words.startswith(f"{days} {unit}")
        assert words.endswith("m") == bool(minutes)


def test_a_covered_ticket_explains_why_resolution_can_come_first(default_policy, levels):
    customer = factories.make_customer()
    organization = customer.membership.organization
    factories.make_contract(organization=organization, integration_24x7=True)
    integration = factories.make_integration(organization=organization, vendor_built=True)
    saturday = datetime(2026, 11, 28, 2, 0, tzinfo=SAO_PAULO)
    ticket = _ticket(customer, levels["alta"], saturday, integration=integration)

    first, resolution = _lines(ticket, saturday)

    assert resolution.note and not first.note
    due = format_instant(datetime(2026, 11, 28, 18, 0, tzinfo=SAO_PAULO), SAO_PAULO)
    assert due in resolution.text  # Saturday 18:00, before Monday's first response
    html = _client(customer).get(ticket.get_absolute_url()).content.decode()
    assert "24x7 support for integrations built by us" in html
