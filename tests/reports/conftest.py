"""A small desk built through the real ticket services, with every figure worked out by hand.

Default policy, America/Sao_Paulo, business hours Mon-Fri 09:00-18:00 (Nov 2 and 15 are
holidays, not used). The report is read at NOW, Tue 2026-11-10 13:30.

ticket org level  reported         first response             resolution
oct    A   media  Tue 10-06 09:00  x at 10:00: met, 1h        Wed 10-07 09:00: met, 9h
t1     A   alta   Tue 11-03 10:00  x at 11:00: met, 1h        15:00: met, 5h
t2     A   media  Wed 11-04 09:00  y at 14:00: breached, 5h   waits Thu 09-12; Fri 10:00: 16h
t3     B   baixa  Mon 11-09 09:00  x at 10:30: met, 1.5h      open (due Fri 11-13 18:00)
t4     B   alta   Tue 11-10 09:00  none: overdue from 11:00   open, due 17:00 (within 4h)
gone   A   media  Tue 11-03 09:00  cancelled: not measured
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests import factories
from tickets import services
from tickets.models import Ticket

SP = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2026, 11, 10, 13, 30, tzinfo=SP)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SP)


@dataclass
class Desk:
    org_a: object
    org_b: object
    admin_a: object
    member_a: object
    customer_b: object
    analyst_x: object
    analyst_y: object
    tickets: dict


def open_ticket(levels, customer, level: str, reported_at: datetime, subject: str) -> Ticket:
    return services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject=subject,
        description="x",
        priority=levels[level],
        reported_at=reported_at,
        now=reported_at,
    )


def assign(ticket, analyst, when):
    return services.ticket_assign(ticket=ticket, analyst=analyst, actor=analyst, now=when)


def move(ticket, status, actor, when, reason=""):
    return services.ticket_transition(
        ticket=ticket, to_status=status, actor=actor, now=when, reason=reason
    )


@pytest.fixture
def desk(default_policy, levels) -> Desk:
    org_a = factories.make_organization(name="Acme")
    org_b = factories.make_organization(name="Beta")
    admin_a = factories.make_customer(organization=org_a, is_admin=True)
    member_a = factories.make_customer(organization=org_a)
    customer_b = factories.make_customer(organization=org_b, is_admin=True)
    x = factories.make_analyst(username="xavier", first_name="Xavier", last_name="Lima")
    y = factories.make_analyst(username="yara")
    S = Ticket.Status

    oct_ = open_ticket(levels, admin_a, "media", at(10, 6, 9), "October")
    assign(oct_, x, at(10, 6, 10))
    move(oct_, S.RESOLVED, x, at(10, 7, 9))

    t1 = open_ticket(levels, admin_a, "alta", at(11, 3, 10), "Alta resolved")
    assign(t1, x, at(11, 3, 11))
    move(t1, S.RESOLVED, x, at(11, 3, 15))

    t2 = open_ticket(levels, member_a, "media", at(11, 4, 9), "Media waited")
    assign(t2, y, at(11, 4, 14))
    move(t2, S.WAITING_ON_CUSTOMER, y, at(11, 5, 9), reason="logs")
    move(t2, S.IN_PROGRESS, y, at(11, 5, 12))
    move(t2, S.RESOLVED, y, at(11, 6, 10))

    t3 = open_ticket(levels, customer_b, "baixa", at(11, 9, 9), "Baixa open")
    assign(t3, x, at(11, 9, 10, 30))

    t4 = open_ticket(levels, customer_b, "alta", at(11, 10, 9), "Alta unassigned")

    gone = open_ticket(levels, admin_a, "media", at(11, 3, 9), "Cancelled")
    move(gone, S.CANCELLED, x, at(11, 3, 9, 30), reason="duplicate")

    return Desk(
        org_a=org_a,
        org_b=org_b,
        admin_a=admin_a,
        member_a=member_a,
        customer_b=customer_b,
        analyst_x=x,
        analyst_y=y,
        tickets={"oct": oct_, "t1": t1, "t2": t2, "t3": t3, "t4": t4, "gone": gone},
    )


def more_tickets(levels, count: int, *, start: datetime) -> None:
    """Extra tickets (new organizations and analysts too) for the query-count tests."""
    for number in range(count):
        customer = factories.make_customer()
        analyst = factories.make_analyst()
        reported = start.replace(hour=9 + number % 8)
        ticket = open_ticket(levels, customer, "media", reported, f"More {number}")
        assign(ticket, analyst, reported.replace(minute=30))
        if number % 2:
            move(ticket, Ticket.Status.RESOLVED, analyst, reported.replace(minute=45))
