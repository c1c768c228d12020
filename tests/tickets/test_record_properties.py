"""Random lives of a ticket against a brute-force oracle: breaches stay, met verdicts stay,
and every due instant is what counting minutes over the ticket's own history gives.

The oracle knows nothing of the engine: it walks minute by minute from the report, counting
the minutes the calendar is open (weekdays 09:00-18:00 local, minus the country's public
holidays) outside the waits this test itself caused, until the budget is spent.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from django.core.exceptions import ValidationError
from django.db.models import F
from django.forms.models import model_to_dict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sla.models import ClockMetric, PriorityTarget, SLAClock
from tests import factories
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
Status = Ticket.Status
MINUTE = timedelta(minutes=1)
LEVELS = ["critica", "alta", "media", "baixa"]
ACTIONS = [
    "assign",
    "wait",
    "answer",
    "answer_late",
    "priority",
    "reapply",
    "resolve",
    "reopen",
    "sweep",
]


@dataclass
class Oracle:
    zone: ZoneInfo
    country: str
    _holidays: dict = field(default_factory=dict)

    def is_open(self, instant: datetime) -> bool:
        local = instant.astimezone(self.zone)
        if local.weekday() >= 5 or not 9 <= local.hour < 18:
            return False
        year = local.year
        if year not in self._holidays:
            self._holidays[year] = holidays.country_holidays(self.country, years=year)
        return local.date() not in self._holidays[year]

    def due(self, start, budget, around_the_clock: bool, pauses) -> datetime | None:
        """The first instant at which `budget` minutes have counted; None inside an open wait."""
        needed = int(budget / MINUTE)
        cursor, counted = start, 0
        while counted < needed:
            paused = next(
                (p for p in pauses if p[0] <= cursor and (p[1] is None or cursor < p[1])), None
            )
            if paused is not None:
                if paused[1] is None:
                    return None
                cursor = paused[1]
                continue
            if around_the_clock or self.is_open(cursor):
                counted += 1
            cursor += MINUTE
        return cursor


def steps():
    return st.lists(
        st.tuples(
            st.sampled_from(ACTIONS),
            st.integers(min_value=1, max_value=9 * 60),  # minutes since the previous step
            st.sampled_from(LEVELS),
            st.integers(min_value=0, max_value=6 * 60),  # how late an answer is processed
        ),
        min_size=1,
        max_size=8,
    )


def run_life(world, oracle, level, reported_minute, life):
    analyst, customer, levels = world["analyst"], world["customer"], world["levels"]
    reported_at = world["start"] + reported_minute * MINUTE
    now = reported_at
    ticket = services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="Vida aleatória",
        description="x",
        priority=levels[level],
        reported_at=reported_at,
        now=now,
    )
    waits: list[list] = []  # the resolution clock's waits, as this test caused them
    seen_breach: dict[str, datetime] = {}
    seen_met: dict[str, tuple] = {}
    for action, gap, new_level, lag in life:
        now += gap * MINUTE
        ticket.refresh_from_db()
        try:
            if action == "assign" and ticket.status in services.ASSIGNABLE_STATUSES:
                ticket = services.ticket_assign(
                    ticket=ticket, analyst=analyst, actor=analyst, now=now
                )
            elif (
                action == "wait"
                and Status.WAITING_ON_CUSTOMER in services.TRANSITIONS[ticket.status]
            ):
                ticket = services.ticket_transition(
                    ticket=ticket,
                    to_status=Status.WAITING_ON_CUSTOMER,
                    actor=analyst,
                    now=now,
                    reason="log",
                )
                waits.append([now, None])
            elif (
                action in ("answer", "answer_late") and ticket.status == Status.WAITING_ON_CUSTOMER
            ):
                answered = now - lag * MINUTE if action == "answer_late" else now
                ticket = services.ticket_customer_replied(
                    ticket=ticket, actor=customer, now=now, answered_at=answered
                )
                waits[-1][1] = max(answered, waits[-1][0])
            elif (
                action == "priority"
                and ticket.is_open
                and levels[new_level].pk != ticket.priority_id
            ):
                ticket = services.ticket_change_priority(
                    ticket=ticket, level=levels[new_level], actor=analyst, now=now, reason="r"
                )
            elif action == "resolve" and Status.RESOLVED in services.TRANSITIONS[ticket.status]:
                if ticket.status == Status.WAITING_ON_CUSTOMER:
                    waits[-1][1] = now  # meeting ends the wait
                ticket = services.ticket_transition(
                    ticket=ticket, to_status=Status.RESOLVED, actor=analyst, now=now
                )
                waits.append([now, None])  # time spent met does not count if reopened
            elif action == "reopen" and ticket.status == Status.RESOLVED:
                ticket = services.ticket_transition(
                    ticket=ticket,
                    to_status=Status.IN_PROGRESS,
                    actor=analyst,
                    now=now,
                    reason="voltou",
                )
                waits[-1][1] = now
            elif action == "reapply" and ticket.is_open:
                # the policy's targets for this level grow by one unit; open tickets move
                policy = world["policy"]
                PriorityTarget.objects.filter(policy=policy, level_id=ticket.priority_id).update(
                    first_response_amount=F("first_response_amount") + 1,
                    resolution_amount=F("resolution_amount") + 1,
                )
                services.tickets_reapply_policy(policy=policy, actor=analyst, now=now)
            elif action == "sweep":
                services.tickets_sla_sweep(now=now)
        except ValidationError:
            continue  # a step the rules refuse changes nothing
        check(ticket, oracle, now, waits, seen_breach, seen_met)


def check(ticket, oracle, now, waits, seen_breach, seen_met):
    for clock in SLAClock.objects.filter(ticket=ticket):
        metric = clock.metric
        if metric in seen_breach:  # a breach is a fact
            assert clock.breached_at == seen_breach[metric]
            assert clock.state in ("breached", "paused")
        if clock.breached_at is not None:
            seen_breach[metric] = clock.breached_at
        if metric == ClockMetric.FIRST_RESPONSE:  # never reopened: a met verdict is history
            if metric in seen_met:
                assert (clock.met_at, clock.due_at, clock.state) == seen_met[metric]
            elif clock.met_at is not None:
                seen_met[metric] = (clock.met_at, clock.due_at, clock.state)
                continue
        if clock.met_at is not None:
            continue
        pauses = [tuple(w) for w in waits] if metric == ClockMetric.RESOLUTION else []
        expected = oracle.due(
            clock.started_at, clock.budget, clock.clock == "around_the_clock", pauses
        )
        assert clock.due_at == expected, (metric, clock.clock, clock.budget, pauses)


def make_world(default_policy, levels, *, zone: str, country: str):
    """A customer whose contract names a policy of its own (re-applies touch nobody else):
    the default policy's targets on a calendar in `zone`."""
    customer = factories.make_customer()
    calendar = (
        default_policy.calendar
        if zone == "America/Sao_Paulo"
        else factories.make_calendar(timezone=zone, holiday_country=country)
    )
    policy = factories.make_policy(calendar=calendar)
    PriorityTarget.objects.filter(policy=policy).delete()
    PriorityTarget.objects.bulk_create(
        [
            PriorityTarget(
                **{
                    **model_to_dict(target, exclude=["id", "policy"]),
                    "policy": policy,
                    "level": target.level,
                }
            )
            for target in PriorityTarget.objects.filter(policy=default_policy)
        ]
    )
    factories.make_contract(organization=customer.membership.organization, policy=policy)
    return {
        "analyst": factories.make_analyst(),
        "customer": customer,
        "levels": levels,
        "policy": policy,
        # a fortnight with a national holiday (Nov 20 in Brazil, Thanksgiving in the US) and,
        # in New York, the end of daylight saving time (Nov 1)
        "start": datetime(2026, 10, 30, 8, 0, tzinfo=ZoneInfo(zone)),
    }


PROPERTY = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY
@given(
    level=st.sampled_from(LEVELS),
    reported_minute=st.integers(min_value=0, max_value=26 * 24 * 60),
    life=steps(),
)
def test_random_lives_on_the_default_calendar(default_policy, levels, level, reported_minute, life):
    world = make_world(default_policy, levels, zone="America/Sao_Paulo", country="BR")
    oracle = Oracle(ZoneInfo("America/Sao_Paulo"), "BR")
    run_life(world, oracle, level, reported_minute, life)


@PROPERTY
@given(
    level=st.sampled_from(LEVELS),
    reported_minute=st.integers(min_value=0, max_value=26 * 24 * 60),
    life=steps(),
)
def test_random_lives_on_a_calendar_with_dst(default_policy, levels, level, reported_minute, life):
    world = make_world(default_policy, levels, zone="America/New_York", country="US")
    oracle = Oracle(ZoneInfo("America/New_York"), "US")
    run_life(world, oracle, level, reported_minute, life)


def test_the_oracle_counts_the_worked_example():
    oracle = Oracle(ZoneInfo("America/Sao_Paulo"), "BR")
    friday_17 = datetime(2026, 11, 27, 17, tzinfo=ZoneInfo("America/Sao_Paulo"))
    assert oracle.due(friday_17, timedelta(hours=2), False, []) == friday_17 + timedelta(
        days=3
    ) - timedelta(hours=7)
    assert date(2026, 11, 20) in holidays.country_holidays("BR", years=2026)
