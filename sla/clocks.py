"""Pure clock arithmetic on top of the engine: pauses, replays, calendar (de)serialisation.

No ORM here either: the services feed it rows, it answers with instants.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from sla.business_time import CLOCKS, BusinessTime, CalendarSpec, Clock, Period

Interval = tuple[datetime, datetime | None]  # a pause; None = still paused


def due_with_pauses(
    engine: BusinessTime,
    start: datetime,
    budget: timedelta,
    clock: Clock,
    pauses: Sequence[Interval],
) -> datetime | None:
    """Earliest instant at which `budget` is spent from `start`, time in pauses not counting.

    Pauses are taken in order and may overlap. Returns None when the budget is not spent
    before a pause that is still open (the deadline is unknown until it resumes).
    """
    remaining = budget
    cursor = start
    for pause_start, pause_end in sorted(pauses, key=lambda pause: pause[0]):
        if pause_end is not None and pause_end <= cursor:
            continue
        if pause_start > cursor:
            available = engine.elapsed(cursor, pause_start, clock)
            if available >= remaining:
                return engine.add(cursor, remaining, clock)
            remaining -= available
        if pause_end is None:
            return None
        cursor = max(cursor, pause_end)
    return engine.add(cursor, remaining, clock)


def spent(
    engine: BusinessTime,
    start: datetime,
    until: datetime,
    clock: Clock,
    pauses: Iterable[Interval],
) -> timedelta:
    """Budget used between `start` and `until`, pauses left out (an open pause runs to `until`)."""
    closed = [(a, b if b is not None else until) for a, b in pauses]
    return engine.elapsed(start, until, clock, closed)


def spec_to_json(spec: CalendarSpec) -> dict:
    return {
        "timezone": spec.timezone,
        "weekly": [[day, [[p.start, p.end] for p in periods]] for day, periods in spec.weekly],
        "holiday_country": spec.holiday_country,
        "holiday_subdivision": spec.holiday_subdivision,
        "holiday_categories": list(spec.holiday_categories),
        "closures": sorted(day.isoformat() for day in spec.closures),
        "extra_working_days": [
            [day.isoformat(), [[p.start, p.end] for p in periods]]
            for day, periods in spec.extra_working_days
        ],
    }


def spec_from_json(data: dict) -> CalendarSpec:
    return CalendarSpec.build(
        timezone=data["timezone"],
        weekly={day: [Period(*p) for p in periods] for day, periods in data["weekly"]},
        holiday_country=data["holiday_country"],
        holiday_subdivision=data["holiday_subdivision"],
        holiday_categories=data["holiday_categories"],
        closures=[date.fromisoformat(day) for day in data["closures"]],
        extra_working_days={
            date.fromisoformat(day): [Period(*p) for p in periods]
            for day, periods in data["extra_working_days"]
        },
    )


@dataclass(frozen=True)
class ReplayedClock:
    due_at: datetime | None
    state: str
    met_at: datetime | None
    paused_total: timedelta
    breached_at: datetime | None = None


def clock_state(
    *,
    due_at: datetime | None,
    met_at: datetime | None,
    now: datetime,
    breached_at: datetime | None = None,
) -> str:
    """running, paused, met or breached: the one rule both the services and replay use.

    A clock that once breached stays breached (`breached_at` is a fact), whatever its due
    instant says now; only a wait shows as paused meanwhile.
    """
    if met_at is not None:
        late = breached_at is not None or due_at is None or met_at > due_at
        return "breached" if late else "met"
    if due_at is None:
        return "paused"
    if breached_at is not None:
        return "breached"
    return "running" if now <= due_at else "breached"


class ClockEventLike(Protocol):
    kind: str
    at: datetime  # the instant the event is about
    recorded_at: datetime  # the `now` of the service that wrote it
    budget: timedelta | None
    clock: str


def pauses_from_events(events: Iterable[ClockEventLike]) -> list[Interval]:
    """Intervals in which a clock did not count: waits, and time spent met before a reopen."""
    pauses: list[list] = []
    met_at = None
    for event in events:
        if event.kind == "paused":
            pauses.append([event.at, None])
        elif event.kind == "resumed" and pauses and pauses[-1][1] is None:
            pauses[-1][1] = event.at
        elif event.kind == "met":
            met_at = event.at
        elif event.kind == "reopened" and met_at is not None:
            pauses.append([met_at, event.at])
            met_at = None
    return [(start, end) for start, end in pauses]


def replay(engine: BusinessTime, events: Sequence[ClockEventLike]) -> ReplayedClock:
    """Rebuild a clock from its events, in order, as the services wrote them.

    Kinds: started and recalculated (carry budget and clock), paused, resumed, met, reopened,
    breached. The state is judged when the last event was recorded, as it was then.
    """
    start = budget = clock = met_at = last_at = breached_at = None
    for event in events:
        last_at = event.recorded_at
        if event.kind == "breached" and breached_at is None:
            breached_at = event.at
        if event.kind == "started":
            start, budget, clock = event.at, event.budget, CLOCKS[event.clock]
        elif event.kind == "recalculated":
            budget, clock = event.budget, CLOCKS[event.clock]
        elif event.kind == "met":
            met_at = event.at
        elif event.kind == "reopened":
            met_at = None
    if start is None:
        raise ValueError("a clock's events begin with 'started'")
    intervals = pauses_from_events(events)
    due = due_with_pauses(engine, start, budget, clock, intervals)
    paused_total = sum(((b - a) for a, b in intervals if b is not None), start=timedelta(0))
    return ReplayedClock(
        due_at=due,
        state=clock_state(due_at=due, met_at=met_at, now=last_at, breached_at=breached_at),
        met_at=met_at,
        paused_total=paused_total,
        breached_at=breached_at,
    )
