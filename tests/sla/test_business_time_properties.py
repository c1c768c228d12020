"""Property-based tests of the business-time engine against a brute-force oracle.

The oracle below shares nothing with the engine but the written semantics: it walks time
minute by minute, asks zoneinfo for each minute's local wall-clock time, looks the local date
up (extra working day, then closure or holiday, then the weekly periods) and spends the
minute's weight. It is slow and obviously right; the engine is fast and clever. Random
calendars, starts biased towards DST transitions and year ends, and the three clocks must
make them agree to the microsecond.

Period bounds lie on a 15-minute grid and zone offsets on a 30-minute one, so working time
never changes inside a whole UTC minute: the oracle may judge a minute by its first second.
Starts are whole minutes, sometimes pushed a few microseconds off (the oracle then spends the
first, partial minute first), which is what exercises the engine's rounding.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from functools import cache
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import pytest
from hypothesis import assume, event, given, reject, settings
from hypothesis import strategies as st

from sla.business_time import (
    AROUND_THE_CLOCK,
    BUSINESS,
    INTEGRATION_24X7,
    BusinessTime,
    CalendarSpec,
    Clock,
    Period,
)

pytestmark = pytest.mark.slow

US = 1_000_000  # microseconds per second
MINUTE = 60
MINUTE_US = MINUTE * US
DAY = 86_400
QUARTER = 15 * MINUTE
ZONES = (
    "America/Sao_Paulo",
    "America/New_York",
    "Europe/Lisbon",
    "UTC",
    "Asia/Kolkata",
    "Australia/Lord_Howe",  # a 30-minute DST shift
)
# The engine's clocks next to the weights the product defines for them (working, off hours),
# written out here so that the oracle does not read them from the engine.
CLOCKS: dict[str, tuple[Clock, Fraction, Fraction]] = {
    "business": (BUSINESS, Fraction(1), Fraction(0)),
    "around_the_clock": (AROUND_THE_CLOCK, Fraction(1), Fraction(1)),
    "integration_24x7": (INTEGRATION_24X7, Fraction(1), Fraction(1, 2)),
}
FIRST_START = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())
LAST_START = int(datetime(2028, 12, 31, 23, 59, tzinfo=UTC).timestamp())
MAX_DURATION_MINUTES = 50 * 60
# Hard stop for the oracle. The strategies keep it well below (a few weeks at most); a case
# that would run past it is rejected rather than left to run.
ORACLE_MAX_MINUTES = 45 * 1440


# -- the oracle ------------------------------------------------------------------------


@dataclass
class Oracle:
    """Working time by its definition, one local date and one minute at a time."""

    zone_name: str
    weekly: dict[int, list[tuple[int, int]]]  # weekday -> [(start, end) seconds of the day]
    country: str = ""
    subdivision: str = ""
    closures: frozenset[date] = frozenset()
    extra: dict[date, list[tuple[int, int]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.zone = ZoneInfo(self.zone_name)
        self._periods: dict[date, list[tuple[int, int]]] = {}

    def periods(self, day: date) -> list[tuple[int, int]]:
        """Periods (seconds since local midnight) of a local date."""
        found = self._periods.get(day)
        if found is None:
            if day in self.extra:
                found = self.extra[day]
            elif day in self.closures or day in _holidays(self.country, self.subdivision):
                found = []
            else:
                found = self.weekly.get(day.weekday(), [])
            self._periods[day] = found
        return found

    def is_working(self, instant_us: int) -> bool:
        """Whether an instant (epoch microseconds) is working time, by its local wall clock."""
        local = datetime.fromtimestamp(instant_us // US, self.zone)
        seconds = local.hour * 3600 + local.minute * 60 + local.second
        return any(a <= seconds < b for a, b in self.periods(local.date()))

    def add(self, start_us: int, duration_us: int, working: Fraction, off: Fraction) -> int:
        """Earliest instant (epoch microseconds, rounded up) at which the budget is spent."""
        if duration_us == 0:
            return start_us
        # Count in 1/scale microseconds so that both weights are whole numbers.
        scale = math.lcm(working.denominator, off.denominator)
        rates = {True: int(working * scale), False: int(off * scale)}
        remaining = duration_us * scale
        moment = start_us
        for _ in range(ORACLE_MAX_MINUTES):
            following = (moment // MINUTE_US + 1) * MINUTE_US
            rate = rates[self.is_working(moment)]
            if rate and remaining <= (following - moment) * rate:
                if remaining % rate:
                    event("oracle: deadline rounded up to the microsecond")
                return moment + -(-remaining // rate)  # finish inside this minute
            remaining -= (following - moment) * rate
            moment = following
        reject()  # the strategies should never get here
        raise AssertionError("unreachable")

    def elapsed(
        self,
        start_us: int,
        end_us: int,
        working: Fraction,
        off: Fraction,
        pauses: Sequence[tuple[int, int]] = (),
    ) -> int:
        """Weighted microseconds (floored) in [start, end), leaving out whole-minute pauses."""
        working_us = off_us = 0
        moment = start_us
        while moment < end_us:
            following = min((moment // MINUTE_US + 1) * MINUTE_US, end_us)
            if not any(a <= moment < b for a, b in pauses):
                if self.is_working(moment):
                    working_us += following - moment
                else:
                    off_us += following - moment
            moment = following
        return math.floor(working_us * working + off_us * off)

    def working_runs(self, start_us: int, end_us: int) -> list[tuple[int, int]]:
        """Maximal runs of working minutes in a whole-minute window."""
        runs: list[tuple[int, int]] = []
        for minute in range(start_us, end_us, MINUTE_US):
            if not self.is_working(minute):
                continue
            if runs and runs[-1][1] == minute:
                runs[-1] = (runs[-1][0], minute + MINUTE_US)
            else:
                runs.append((minute, minute + MINUTE_US))
        return runs


@cache
def _holidays(country: str, subdivision: str) -> holidays.HolidayBase | frozenset[date]:
    if not country:
        return frozenset()
    return holidays.country_holidays(country, subdiv=subdivision or None, categories=("public",))


@cache
def _transitions(zone_name: str) -> tuple[int, ...]:
    """Epoch seconds (to 6 hours) at which the zone's UTC offset changes in 2024-2028."""
    zone = ZoneInfo(zone_name)
    found = []
    instant = FIRST_START
    offset = datetime.fromtimestamp(instant, zone).utcoffset()
    while instant < LAST_START:
        instant += 6 * 3600
        current = datetime.fromtimestamp(instant, zone).utcoffset()
        if current != offset:
            found.append(instant)
            offset = current
    return tuple(found)


def _us(instant: datetime) -> int:
    """Epoch microseconds of an aware datetime, computed without the engine."""
    return (instant - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def _aware(epoch_us: int, zone: str) -> datetime:
    """The instant as an aware datetime in `zone` (exact to the microsecond)."""
    return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=epoch_us)).astimezone(
        ZoneInfo(zone)
    )


# -- strategies ------------------------------------------------------------------------

# Shapes worth over-sampling (in quarter hours): the whole day, office hours, and periods
# with an end at 01:00, 01:30, 02:00, 02:30 or 03:00, the wall-clock times at which New York,
# Lisbon and Lord Howe skip or repeat time.
TYPICAL_PERIODS = [
    (0, 96),
    (36, 72),
    (0, 8),
    (88, 96),
    (4, 16),
    (4, 8),
    (8, 12),
    (6, 10),
    (8, 10),
]


def _period() -> st.SearchStrategy[tuple[int, int]]:
    anywhere = st.integers(0, 95).flatmap(lambda a: st.integers(a + 1, 96).map(lambda b: (a, b)))
    return st.one_of(st.sampled_from(TYPICAL_PERIODS), anywhere).map(
        lambda p: (p[0] * QUARTER, p[1] * QUARTER)
    )


def _day_periods(min_size: int = 0) -> st.SearchStrategy[list[tuple[int, int]]]:
    # Periods may overlap or touch each other; the engine has to merge them.
    return st.lists(_period(), min_size=min_size, max_size=2)


@dataclass
class Scenario:
    """A random calendar, both as an engine spec and as an oracle, and a start instant."""

    spec: CalendarSpec
    oracle: Oracle
    start_us: int  # epoch microseconds: a whole minute, sometimes nudged off it
    input_zone: str  # the zone the instants are handed to the engine in

    @property
    def weekly_minutes(self) -> int:
        return sum(b - a for periods in self.oracle.weekly.values() for a, b in periods) // 60

    @property
    def minute_us(self) -> int:
        """The start, rounded down to its whole minute."""
        return self.start_us // MINUTE_US * MINUTE_US

    def aware(self, epoch_us: int) -> datetime:
        return _aware(epoch_us, self.input_zone)

    def engine(self) -> BusinessTime:
        return BusinessTime(self.spec)


@st.composite
def _start_minute(draw: st.DrawFn, zone_name: str) -> int:
    """A whole-minute start (epoch seconds) in 2024-2028, often near a DST change or new year."""
    kind = draw(st.sampled_from(["anywhere", "transition", "new_year"]))
    transitions = _transitions(zone_name)
    if kind == "transition" and transitions:
        anchor = draw(st.sampled_from(transitions))
        instant = anchor + draw(st.integers(-2 * 1440, 1440)) * MINUTE
    elif kind == "new_year":
        year = draw(st.integers(2025, 2028))
        anchor = int(datetime(year, 1, 1, tzinfo=ZoneInfo(zone_name)).timestamp())
        instant = anchor + draw(st.integers(-3 * 1440, 1440)) * MINUTE
    else:
        instant = draw(st.integers(FIRST_START // MINUTE, LAST_START // MINUTE)) * MINUTE
    return min(max(instant // MINUTE * MINUTE, FIRST_START), LAST_START)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    zone_name = draw(st.sampled_from(ZONES))
    start = draw(_start_minute(zone_name))
    nudge = draw(st.sampled_from([0, 0, 1, 500_001, MINUTE_US - 1]))
    anchor = datetime.fromtimestamp(start, ZoneInfo(zone_name)).date()
    # Closures and extra working days near the start, where they change the answers.
    near = st.integers(-2, 30).map(lambda days: anchor + timedelta(days=days))
    weekly = {weekday: draw(_day_periods()) for weekday in range(7)}
    country = draw(st.sampled_from(["", "BR"]))
    subdivision = draw(st.sampled_from(["", "SP"])) if country else ""
    closures = frozenset(draw(st.lists(near, max_size=4)))
    # An extra working day overrides a closure or a holiday on the same date.
    extra_day = st.one_of(near, st.sampled_from(sorted(closures))) if closures else near
    extra = draw(st.dictionaries(extra_day, _day_periods(min_size=1), max_size=3))
    spec = CalendarSpec.build(
        timezone=zone_name,
        weekly={wd: [Period(a, b) for a, b in periods] for wd, periods in weekly.items()},
        holiday_country=country,
        holiday_subdivision=subdivision,
        closures=closures,
        extra_working_days={
            day: [Period(a, b) for a, b in periods] for day, periods in extra.items()
        },
    )
    oracle = Oracle(
        zone_name,
        {wd: sorted(periods) for wd, periods in weekly.items() if periods},
        country,
        subdivision,
        closures,
        {day: sorted(periods) for day, periods in extra.items()},
    )
    input_zone = draw(st.sampled_from(["UTC", zone_name, "Asia/Tokyo"]))
    return Scenario(spec, oracle, start * US + nudge, input_zone)


clocks = st.sampled_from(sorted(CLOCKS))


def _max_duration_minutes(scenario: Scenario, clock_name: str) -> int:
    """What the oracle can afford: with the business clock, about three weeks of this
    calendar's nominal working time (closures and holidays stretch that a little)."""
    if clock_name == "business":
        return min(MAX_DURATION_MINUTES, 3 * scenario.weekly_minutes)
    return MAX_DURATION_MINUTES


@st.composite
def durations_us(
    draw: st.DrawFn,
    scenario: Scenario,
    clock_name: str,
    measure: Callable[[int, int], int],
) -> int:
    """A budget: half the time whole minutes plus an optional sub-minute tail; otherwise
    exactly what `measure` counts from the start to a later whole minute, which often is the
    end of a period (where the earliest-instant rule decides between 18:00 and 09:00)."""
    if clock_name == "business" and scenario.weekly_minutes == 0:
        return 0
    if draw(st.booleans()):
        minutes = draw(st.integers(1, 7 * 1440))
        return measure(scenario.start_us, scenario.minute_us + minutes * MINUTE_US)
    minutes = draw(st.integers(0, _max_duration_minutes(scenario, clock_name)))
    tail = draw(st.sampled_from([0, 0, 1, 29_999_999, MINUTE_US - 1]))
    return minutes * MINUTE_US + tail


# -- properties ------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(scenario=scenarios(), clock_name=clocks, data=st.data())
def test_add_matches_oracle(scenario: Scenario, clock_name: str, data: st.DataObject) -> None:
    """The deadline is the oracle's earliest instant, to the microsecond, in every clock,
    and it comes back in the calendar's zone whatever zone the start was given in."""
    clock, working, off = CLOCKS[clock_name]

    def measure(a: int, b: int) -> int:
        return scenario.oracle.elapsed(a, b, working, off)

    duration = data.draw(durations_us(scenario, clock_name, measure), label="duration_us")
    expected = scenario.oracle.add(scenario.start_us, duration, working, off)
    due = scenario.engine().add(
        scenario.aware(scenario.start_us), timedelta(microseconds=duration), clock
    )
    assert _us(due) == expected
    assert due.tzinfo == ZoneInfo(scenario.spec.timezone)


@settings(max_examples=200, deadline=None)
@given(scenario=scenarios(), clock_name=clocks, data=st.data())
def test_elapsed_matches_oracle(scenario: Scenario, clock_name: str, data: st.DataObject) -> None:
    """Elapsed time without the pauses (overlapping, open, sticking out) equals the oracle."""
    clock, working, off = CLOCKS[clock_name]
    span = data.draw(st.integers(-60, 14 * 1440), label="span_minutes")
    end_nudge = data.draw(st.sampled_from([0, 0, 0, 1, 700_001]), label="end_nudge_us")
    end = scenario.minute_us + span * MINUTE_US + end_nudge
    pause_start = st.integers(-1440, max(span, 0) + 1440).map(
        lambda m: scenario.minute_us + m * MINUTE_US
    )
    pause = st.tuples(
        pause_start,
        # a closed pause, or an open one (still waiting), passed with its end set to `end`
        st.one_of(st.integers(0, 3 * 1440).map(lambda m: m * MINUTE_US), st.none()),
    )
    raw = data.draw(st.lists(pause, max_size=4), label="pauses")
    pauses = [(a, end if length is None else a + length) for a, length in raw]
    expected = scenario.oracle.elapsed(scenario.start_us, end, working, off, pauses)
    result = scenario.engine().elapsed(
        scenario.aware(scenario.start_us),
        scenario.aware(end),
        clock,
        [(_aware(a, "UTC"), _aware(b, scenario.spec.timezone)) for a, b in pauses],
    )
    assert result == timedelta(microseconds=expected)


@settings(max_examples=150, deadline=None)
@given(scenario=scenarios(), clock_name=clocks, data=st.data())
def test_elapsed_inverts_add(scenario: Scenario, clock_name: str, data: st.DataObject) -> None:
    """Counting from the start to the deadline gives back the budget, over years too, and a
    microsecond earlier falls short (the deadline is the earliest such instant).

    Exact for every clock: the deadline is rounded up by less than a microsecond of
    weighted time, which the floor of `elapsed` drops again. Budgets of years make the
    engine grow its index past the years it first built.
    """
    clock, _, _ = CLOCKS[clock_name]
    if clock_name == "business":
        assume(scenario.weekly_minutes > 0)
        max_minutes = min(200_000, scenario.weekly_minutes * 52 * 3)
    else:
        max_minutes = 3 * 366 * 1440
    minutes = data.draw(st.integers(0, max_minutes), label="duration_minutes")
    tail = data.draw(st.integers(0, MINUTE_US - 1), label="tail_us")
    duration = timedelta(minutes=minutes, microseconds=tail)
    engine = scenario.engine()
    start = scenario.aware(scenario.start_us)
    due = engine.add(start, duration, clock)
    assert engine.elapsed(start, due, clock) == duration
    if duration:
        assert engine.elapsed(start, due - timedelta(microseconds=1), clock) < duration


@settings(max_examples=150, deadline=None)
@given(scenario=scenarios(), clock_name=clocks, data=st.data())
def test_add_is_additive(scenario: Scenario, clock_name: str, data: st.DataObject) -> None:
    """Spending a budget in two steps ends where spending it at once does (whole minutes,
    so that no rounding comes between the two steps)."""
    clock, _, _ = CLOCKS[clock_name]
    limit = _max_duration_minutes(scenario, clock_name)
    first = timedelta(minutes=data.draw(st.integers(0, limit), label="first_minutes"))
    second = timedelta(minutes=data.draw(st.integers(0, limit), label="second_minutes"))
    engine = scenario.engine()
    start = scenario.aware(scenario.minute_us)
    assert engine.add(engine.add(start, first, clock), second, clock) == engine.add(
        start, first + second, clock
    )


@settings(max_examples=150, deadline=None)
@given(scenario=scenarios())
def test_is_open_matches_oracle(scenario: Scenario) -> None:
    """Every minute of the three days around the start is open exactly when the oracle says,
    and the microsecond before a change still belongs to the minute before."""
    engine = scenario.engine()
    first = scenario.minute_us - 2160 * MINUTE_US
    minutes = range(first, first + 3 * 1440 * MINUTE_US, MINUTE_US)
    expected = [scenario.oracle.is_working(m) for m in minutes]
    assert [engine.is_open(scenario.aware(m)) for m in minutes] == expected
    for minute, open_now, open_before in zip(minutes[1:], expected[1:], expected, strict=False):
        if open_now != open_before:
            assert engine.is_open(scenario.aware(minute - 1)) == open_before


@settings(max_examples=80, deadline=None)
@given(scenario=scenarios())
def test_working_intervals_match_oracle(scenario: Scenario) -> None:
    """The displayed working intervals are the oracle's maximal runs, clipped to the window."""
    window_end = scenario.minute_us + 3 * 1440 * MINUTE_US
    expected = scenario.oracle.working_runs(scenario.minute_us, window_end)
    intervals = scenario.engine().working_intervals(
        scenario.aware(scenario.minute_us), scenario.aware(window_end)
    )
    assert [(_us(a), _us(b)) for a, b in intervals] == expected


def _elapsed_us(engine: BusinessTime, start_us: int, end_us: int, clock: Clock) -> int:
    elapsed = engine.elapsed(_aware(start_us, "UTC"), _aware(end_us, "UTC"), clock)
    return elapsed // timedelta(microseconds=1)


@settings(max_examples=150, deadline=None)
@given(scenario=scenarios(), clock_name=clocks, data=st.data())
def test_add_many_matches_add(scenario: Scenario, clock_name: str, data: st.DataObject) -> None:
    """The vectorised path gives the scalar deadline for every element, including budgets
    that end exactly at the end of a period and empty budgets."""
    clock, _, _ = CLOCKS[clock_name]
    engine = scenario.engine()
    size = data.draw(st.integers(1, 12), label="size")
    # Each start is a whole minute near the scenario's, nudged by its own few microseconds.
    start = st.tuples(
        st.integers(-60 * 1440, 60 * 1440), st.sampled_from([0, 0, 1, 500_001, MINUTE_US - 1])
    )
    starts = [
        scenario.minute_us + m * MINUTE_US + nudge
        for m, nudge in data.draw(
            st.lists(start, min_size=size, max_size=size), label="start_minutes_and_nudges"
        )
    ]
    durations = []
    for start in starts:
        if data.draw(st.booleans(), label="to_a_later_minute"):
            later = data.draw(st.integers(0, 7 * 1440), label="minutes") * MINUTE_US
            durations.append(_elapsed_us(engine, start, start + later, clock))
        else:
            durations.append(
                data.draw(st.integers(0, _max_duration_minutes(scenario, clock_name)), label="m")
                * MINUTE_US
            )
    bulk = engine.add_many(
        np.array(starts, dtype=np.int64), np.array(durations, dtype=np.int64), clock
    )
    scalar = [
        _us(engine.add(_aware(s, "UTC"), timedelta(microseconds=d), clock))
        for s, d in zip(starts, durations, strict=True)
    ]
    assert bulk.dtype == np.int64
    assert bulk.tolist() == scalar


# -- the oracle itself -----------------------------------------------------------------


def _sp(*args: int) -> int:
    return _us(datetime(*args, tzinfo=ZoneInfo("America/Sao_Paulo")))


@pytest.mark.parametrize(
    ("start", "hours", "clock_name", "expected"),
    [
        (_sp(2026, 11, 27, 17), 2, "business", _sp(2026, 11, 30, 10)),
        (_sp(2026, 11, 19, 15), 45, "business", _sp(2026, 11, 27, 15)),
        (_sp(2026, 11, 28, 11), 45, "business", _sp(2026, 12, 4, 18)),
        (_sp(2026, 11, 24, 2), 8, "integration_24x7", _sp(2026, 11, 24, 13, 30)),
        (_sp(2026, 11, 28, 2), 8, "integration_24x7", _sp(2026, 11, 28, 18)),
    ],
)
def test_oracle_reproduces_the_worked_examples(
    start: int, hours: int, clock_name: str, expected: int
) -> None:
    """The oracle is only worth trusting if it gets the product's own examples right."""
    _, working, off = CLOCKS[clock_name]
    oracle = Oracle("America/Sao_Paulo", {wd: [(9 * 3600, 18 * 3600)] for wd in range(5)}, "BR")
    assert oracle.add(start, hours * 3600 * US, working, off) == expected


def test_oracle_sees_dst_days_shorter_and_longer() -> None:
    """A whole-day period lasts 23 h and 25 h on New York's transition days."""
    oracle = Oracle("America/New_York", {wd: [(0, DAY)] for wd in range(7)})
    zone = ZoneInfo("America/New_York")
    for day, hours in ((date(2026, 3, 8), 23), (date(2026, 11, 1), 25)):
        start = _us(datetime(day.year, day.month, day.day, tzinfo=zone))
        following = day + timedelta(days=1)
        end = _us(datetime(following.year, following.month, following.day, tzinfo=zone))
        assert oracle.elapsed(start, end, Fraction(1), Fraction(0)) == hours * 3600 * US
