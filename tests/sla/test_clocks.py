"""Pause and resume arithmetic against a brute-force oracle, pure and through the services."""

from datetime import UTC, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sla import business_time, clocks
from sla.business_time import DEFAULT_SPEC

SP = ZoneInfo("America/Sao_Paulo")
MINUTE = timedelta(minutes=1)
BR_HOLIDAYS = holidays.country_holidays("BR", years=range(2025, 2029), categories=("public",))
RATES = {
    "business": (Fraction(1), Fraction(0)),
    "around_the_clock": (Fraction(1), Fraction(1)),
    "integration_24x7": (Fraction(1), Fraction(1, 2)),
}
CLOCKS = business_time.CLOCKS


def is_working(instant: datetime) -> bool:
    """Mon-Fri 09:00-18:00 in São Paulo, minus Brazilian national holidays: by definition."""
    local = instant.astimezone(SP)
    return local.weekday() < 5 and local.date() not in BR_HOLIDAYS and 9 <= local.hour < 18


def oracle_due(start, budget: timedelta, clock: str, pauses) -> datetime | None:
    """Step minute by minute; paused minutes count nothing; finish exactly inside a minute."""
    working_rate, off_rate = RATES[clock]
    remaining = Fraction(budget.total_seconds())
    moment = start
    for _ in range(60 * 24 * 60):
        paused = [(a, b) for a, b in pauses if a <= moment and (b is None or moment < b)]
        if any(b is None for _a, b in paused):
            return None
        rate = 0 if paused else (working_rate if is_working(moment) else off_rate)
        if rate and remaining <= 60 * rate:
            if remaining == 0:
                return moment
            return moment + timedelta(seconds=float(remaining / rate))
        remaining -= 60 * rate
        moment += MINUTE
    raise AssertionError("oracle ran too long")


minutes_2026 = st.integers(min_value=0, max_value=365 * 24 * 60).map(
    lambda minute: datetime(2026, 1, 1, 3, tzinfo=UTC) + minute * MINUTE
)


@st.composite
def pause_plans(draw, *, allow_open: bool):
    """A start, a budget in whole minutes, and pauses of whole minutes after the start."""
    start = draw(minutes_2026)
    budget = timedelta(minutes=draw(st.integers(min_value=1, max_value=16 * 60)))
    offsets = sorted(draw(st.lists(st.integers(0, 6 * 24 * 60), max_size=6, unique=True)))
    pauses = []
    for first, second in zip(offsets[::2], offsets[1::2], strict=False):
        pauses.append((start + first * MINUTE, start + second * MINUTE))
    if allow_open and draw(st.booleans()):
        opened = start + draw(st.integers(0, 7 * 24 * 60)) * MINUTE
        if all(b <= opened for _a, b in pauses):
            pauses.append((opened, None))
    return start, budget, pauses


@settings(max_examples=150, deadline=None)
@given(plan=pause_plans(allow_open=True), clock=st.sampled_from(sorted(CLOCKS)))
def test_due_with_pauses_matches_the_oracle(plan, clock):
    start, budget, pauses = plan
    engine = business_time.for_calendar(DEFAULT_SPEC)
    due = clocks.due_with_pauses(engine, start, budget, CLOCKS[clock], pauses)
    expected = oracle_due(start, budget, clock, pauses)
    if expected is None:
        assert due is None
    else:
        assert due is not None
        assert abs(due - expected) < timedelta(microseconds=2)


@settings(max_examples=100, deadline=None)
@given(plan=pause_plans(allow_open=False), clock=st.sampled_from(["business", "around_the_clock"]))
def test_spent_until_the_due_instant_is_the_budget(plan, clock):
    start, budget, pauses = plan
    engine = business_time.for_calendar(DEFAULT_SPEC)
    due = clocks.due_with_pauses(engine, start, budget, CLOCKS[clock], pauses)
    assert clocks.spent(engine, start, due, CLOCKS[clock], pauses) == budget


# -- through the services: a ticket waits on the customer at random moments -------------------


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    waits=st.lists(
        st.tuples(st.integers(1, 3 * 24 * 60), st.integers(1, 2 * 24 * 60)), min_size=1, max_size=3
    )
)
def test_waiting_and_resuming_a_ticket_matches_the_oracle(default_policy, levels, waits):
    from sla.models import SLAClock
    from tests import factories
    from tickets import services

    reported = datetime(2026, 11, 23, 9, 0, tzinfo=SP)
    customer = factories.make_customer()
    analyst = factories.make_analyst()
    ticket = services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="s",
        description="d",
        priority=levels["media"],
        reported_at=reported,
        now=reported,
    )
    services.ticket_assign(ticket=ticket, analyst=analyst, actor=analyst, now=reported)
    moment, pauses = reported, []
    for gap, length in waits:
        pause_start = moment + gap * MINUTE
        services.ticket_transition(
            ticket=ticket,
            to_status="waiting_on_customer",
            actor=analyst,
            now=pause_start,
            reason="info",
        )
        moment = pause_start + length * MINUTE
        services.ticket_customer_replied(ticket=ticket, actor=customer, now=moment)
        pauses.append((pause_start, moment))
    resolution = SLAClock.objects.get(ticket=ticket, metric="resolution")
    assert resolution.due_at == oracle_due(reported, timedelta(hours=45), "business", pauses)
    assert resolution.paused_total == sum((b - a for a, b in pauses), start=timedelta(0))


@pytest.mark.django_db
def test_the_breach_command_and_task(default_policy, levels):
    from io import StringIO

    from django.core.management import call_command

    from sla.models import SLAClock
    from sla.tasks import mark_breaches
    from tests import factories
    from tickets import services

    customer = factories.make_customer()
    reported = datetime(2026, 11, 2, 9, tzinfo=SP)  # long past: both deadlines ran out
    services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="s",
        description="d",
        priority=levels["baixa"],
        reported_at=reported,
        now=reported,
    )
    out = StringIO()
    call_command("sla_mark_breaches", stdout=out)
    assert out.getvalue().startswith("0 clock(s) warned, 2 breached")
    assert set(SLAClock.objects.values_list("state", flat=True)) == {"breached"}
    assert mark_breaches.call() == 0
