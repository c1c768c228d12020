"""Worked examples and edge cases of the business-time engine, one named rule per test.

The expected instants come from PRODUCT.md and from counting by hand; the property tests in
test_business_time_properties.py compare the engine with a brute-force oracle instead.
Everything here is pure Python: no database, no Django.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from sla.business_time import (
    AROUND_THE_CLOCK,
    BUSINESS,
    DEFAULT_SPEC,
    INTEGRATION_24X7,
    BusinessTime,
    BusinessTimeError,
    CalendarSpec,
    Clock,
    Period,
    for_calendar,
)

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
NEW_YORK = ZoneInfo("America/New_York")
LISBON = ZoneInfo("Europe/Lisbon")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
ALL_CLOCKS = [BUSINESS, AROUND_THE_CLOCK, INTEGRATION_24X7]
OFFICE_HOURS = Period.from_times(time(9), time(18))
# The policy calendar as PRODUCT.md states it, spelled out rather than taken from the engine.
POLICY = CalendarSpec.build(
    timezone="America/Sao_Paulo",
    weekly={weekday: [OFFICE_HOURS] for weekday in range(5)},
    holiday_country="BR",
)


def sp(*args: int) -> datetime:
    """A wall-clock instant in São Paulo (no DST since 2019, so never ambiguous)."""
    return datetime(*args, tzinfo=SAO_PAULO)


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


def us(instant: datetime) -> int:
    """Epoch microseconds, for the bulk API."""
    return (instant - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def same_instant(a: datetime, b: datetime) -> bool:
    """Compare instants, not wall clocks: two datetimes sharing a tzinfo compare by wall
    clock and ignore `fold`, which hides mistakes in the repeated hour of a DST change."""
    return a.astimezone(UTC) == b.astimezone(UTC)


def daily(zone: str, *periods: Period, weekdays: range = range(7)) -> BusinessTime:
    """A calendar with the same periods on the given weekdays and no holidays."""
    return BusinessTime(
        CalendarSpec.build(timezone=zone, weekly={wd: list(periods) for wd in weekdays})
    )


def local_day(zone: ZoneInfo, day: date) -> tuple[datetime, datetime]:
    """First instants of a local date and of the next one."""
    following = day + timedelta(days=1)
    return (
        datetime(day.year, day.month, day.day, tzinfo=zone),
        datetime(following.year, following.month, following.day, tzinfo=zone),
    )


@pytest.fixture
def policy() -> BusinessTime:
    return BusinessTime(POLICY)


def test_default_spec_is_the_policy_calendar() -> None:
    """Mon-Fri 09:00-18:00 in São Paulo minus BR national public holidays."""
    assert DEFAULT_SPEC == POLICY


# -- the worked examples of PRODUCT.md -------------------------------------------------


def test_worked_example_alta_reported_friday_17h(policy: BusinessTime) -> None:
    """2 and 8 business hours from Fri 17:00: one hour on Friday, the rest on Monday."""
    start = sp(2026, 11, 27, 17)
    assert policy.add(start, hours(2)) == sp(2026, 11, 30, 10)
    assert policy.add(start, hours(8)) == sp(2026, 11, 30, 16)


def test_worked_example_media_reported_before_a_national_holiday(policy: BusinessTime) -> None:
    """Fri 2026-11-20 (Consciência Negra) is skipped; 5 business days are 45 hours."""
    start = sp(2026, 11, 19, 15)
    assert not policy.is_open(sp(2026, 11, 20, 10))
    assert policy.add(start, hours(4)) == sp(2026, 11, 23, 10)
    assert policy.add(start, hours(45)) == sp(2026, 11, 27, 15)


def test_worked_example_baixa_reported_on_saturday(policy: BusinessTime) -> None:
    """A weekend report starts counting on Monday 09:00; the answer ends on Friday 18:00."""
    start = sp(2026, 11, 28, 11)
    assert policy.add(start, hours(4)) == sp(2026, 11, 30, 13)
    assert policy.add(start, hours(45)) == sp(2026, 12, 4, 18)


def test_worked_example_alta_24x7_reported_tuesday_2h(policy: BusinessTime) -> None:
    """First response in business hours; resolution spends 7 night hours at half rate
    (3.5 h) and the 4.5 h left from 09:00."""
    start = sp(2026, 11, 24, 2)
    assert policy.add(start, hours(2), BUSINESS) == sp(2026, 11, 24, 11)
    due = policy.add(start, hours(8), INTEGRATION_24X7)
    assert due == sp(2026, 11, 24, 13, 30)
    assert policy.elapsed(start, sp(2026, 11, 24, 9), INTEGRATION_24X7) == hours(3.5)
    assert policy.elapsed(start, due, INTEGRATION_24X7) == hours(8)


def test_worked_example_alta_24x7_reported_saturday_2h(policy: BusinessTime) -> None:
    """16 non-business hours are worth 8 business hours: Saturday 02:00 is due at 18:00."""
    assert policy.add(sp(2026, 11, 28, 2), hours(8), INTEGRATION_24X7) == sp(2026, 11, 28, 18)


def test_critica_counts_around_the_clock(policy: BusinessTime) -> None:
    """Level 1 counts every hour: nights and weekends included."""
    start = sp(2026, 11, 27, 17)
    assert policy.add(start, hours(1), AROUND_THE_CLOCK) == sp(2026, 11, 27, 18)
    assert policy.add(start, hours(6), AROUND_THE_CLOCK) == sp(2026, 11, 27, 23)


# -- deadlines ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "duration", "clock", "expected"),
    [
        (sp(2026, 11, 23, 9), hours(9), BUSINESS, sp(2026, 11, 23, 18)),
        (sp(2026, 11, 23, 17), hours(1), BUSINESS, sp(2026, 11, 23, 18)),
        (sp(2026, 11, 27, 10), hours(8), BUSINESS, sp(2026, 11, 27, 18)),  # not Mon 09:00
        (sp(2026, 11, 19, 9), hours(9), BUSINESS, sp(2026, 11, 19, 18)),  # not Mon 23 09:00
        (sp(2026, 11, 27, 10), hours(8), INTEGRATION_24X7, sp(2026, 11, 27, 18)),
        (sp(2026, 11, 23, 9), hours(18), BUSINESS, sp(2026, 11, 24, 18)),
    ],
)
def test_deadline_that_ends_at_a_period_end_is_that_end_not_the_next_opening(
    policy: BusinessTime, start: datetime, duration: timedelta, clock: Clock, expected: datetime
) -> None:
    """The deadline is the earliest instant the budget is used up: 18:00, never 09:00 of the
    next business day, in the scalar and in the bulk path alike."""
    assert policy.add(start, duration, clock) == expected
    bulk = policy.add_many([us(start)], [duration // timedelta(microseconds=1)], clock)
    assert bulk.tolist() == [us(expected)]


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (sp(2026, 11, 23, 7), sp(2026, 11, 23, 10)),  # before opening
        (sp(2026, 11, 23, 18), sp(2026, 11, 24, 10)),  # exactly at closing
        (sp(2026, 11, 23, 22, 30), sp(2026, 11, 24, 10)),  # at night
        (sp(2026, 11, 29, 12), sp(2026, 11, 30, 10)),  # on Sunday
        (sp(2026, 11, 20, 9), sp(2026, 11, 23, 10)),  # on a holiday
        (utc(2026, 11, 23, 11), sp(2026, 11, 23, 10)),  # 08:00 in São Paulo, given in UTC
    ],
)
def test_start_outside_working_time_counts_from_the_next_period(
    policy: BusinessTime, start: datetime, expected: datetime
) -> None:
    """Nothing is spent until the next period opens."""
    assert policy.add(start, hours(1)) == expected


def test_zero_budget_is_due_at_once(policy: BusinessTime) -> None:
    """Even outside working time: nothing to spend, nothing to wait for."""
    saturday = sp(2026, 11, 28, 3)
    for clock in ALL_CLOCKS:
        assert policy.add(saturday, timedelta(0), clock) == saturday


def test_add_rounds_up_to_the_microsecond(policy: BusinessTime) -> None:
    """Half a microsecond of night at half rate leaves half a microsecond to spend at 09:00:
    exact due 09:00:00.0000005, rounded up so the budget is really spent."""
    start = sp(2026, 11, 24, 8, 59, 59, 999_999)
    expected = sp(2026, 11, 24, 9, 0, 0, 1)
    assert policy.add(start, timedelta(microseconds=1), INTEGRATION_24X7) == expected
    assert policy.add_many([us(start)], [1], INTEGRATION_24X7).tolist() == [us(expected)]


def test_long_budget_reaches_past_the_first_years_indexed() -> None:
    """3000 business hours (about 16 months) from mid-2026 end in late 2027 or 2028: the
    engine must grow its index, and spending in two halves must land at the same instant."""
    start = sp(2026, 6, 1, 9)
    due = BusinessTime(POLICY).add(start, hours(3000))
    engine = BusinessTime(POLICY)
    halfway = engine.add(start, hours(1500))
    assert engine.add(halfway, hours(1500)) == due
    assert engine.elapsed(start, due) == hours(3000)
    assert due.year >= 2027
    assert engine.is_open(due - timedelta(microseconds=1))


def test_long_budget_does_not_depend_on_what_the_engine_was_asked_before() -> None:
    """A shared engine once asked about 1962 indexes 60+ years; growing it later for a long
    budget must still work (the search limit counts from the start, not the index)."""
    start = sp(2026, 11, 23, 9)
    expected = BusinessTime(POLICY).add(start, hours(3000))
    engine = BusinessTime(POLICY)
    assert not engine.is_open(sp(1962, 1, 1, 10))  # New Year's Day, and a wide index
    assert engine.add(start, hours(3000)) == expected
    assert engine.add_many([us(start)], [3000 * 3_600_000_000]).tolist() == [us(expected)]


# -- is_open ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (sp(2026, 11, 23, 9), True),  # opening: periods are [start, end)
        (sp(2026, 11, 23, 8, 59, 59, 999_999), False),
        (sp(2026, 11, 23, 17, 59, 59, 999_999), True),
        (sp(2026, 11, 23, 18), False),  # closing
        (utc(2026, 11, 23, 12), True),  # 09:00 in São Paulo
        (utc(2026, 11, 23, 21), False),  # 18:00 in São Paulo
        (sp(2026, 11, 28, 10), False),  # Saturday
        (sp(2026, 11, 20, 10), False),  # national holiday
        (sp(2026, 2, 16, 10), True),  # Carnival Monday is not a national public holiday
    ],
)
def test_is_open_at_the_boundaries(policy: BusinessTime, instant: datetime, expected: bool) -> None:
    """Open from 09:00 inclusive to 18:00 exclusive, judged by São Paulo's wall clock."""
    assert policy.is_open(instant) is expected


def test_optional_holiday_categories_close_carnival() -> None:
    """A calendar may add the optional categories, which include Carnival."""
    spec = CalendarSpec.build(
        weekly={wd: [OFFICE_HOURS] for wd in range(5)},
        holiday_country="BR",
        holiday_categories=("public", "optional"),
    )
    assert not BusinessTime(spec).is_open(sp(2026, 2, 16, 10))


def test_state_subdivision_adds_its_holidays() -> None:
    """São Paulo state keeps 9 July (Revolução Constitucionalista); the nation does not."""
    spec = CalendarSpec.build(
        weekly={wd: [OFFICE_HOURS] for wd in range(5)},
        holiday_country="BR",
        holiday_subdivision="SP",
    )
    thursday = sp(2026, 7, 9, 10)
    assert BusinessTime(POLICY).is_open(thursday)
    assert not BusinessTime(spec).is_open(thursday)


# -- elapsed ---------------------------------------------------------------------------


def test_elapsed_without_pauses(policy: BusinessTime) -> None:
    """A business day is 9 h; a weekend costs nothing on the business clock."""
    assert policy.elapsed(sp(2026, 11, 23, 9), sp(2026, 11, 23, 18)) == hours(9)
    friday, monday = sp(2026, 11, 27, 17), sp(2026, 11, 30, 10)
    assert policy.elapsed(friday, monday) == hours(2)
    assert policy.elapsed(friday, monday, AROUND_THE_CLOCK) == hours(65)
    assert policy.elapsed(friday, monday, INTEGRATION_24X7) == hours(2 + 63 / 2)


@pytest.mark.parametrize(
    ("pauses", "expected"),
    [
        ([(sp(2026, 11, 23, 10), sp(2026, 11, 23, 12))], hours(7)),
        (  # overlapping: 10-13 is out once, not 10-12 plus 11-13
            [
                (sp(2026, 11, 23, 10), sp(2026, 11, 23, 12)),
                (sp(2026, 11, 23, 11), sp(2026, 11, 23, 13)),
            ],
            hours(6),
        ),
        (  # nested and repeated
            [
                (sp(2026, 11, 23, 10), sp(2026, 11, 23, 14)),
                (sp(2026, 11, 23, 11), sp(2026, 11, 23, 12)),
                (sp(2026, 11, 23, 11), sp(2026, 11, 23, 12)),
            ],
            hours(5),
        ),
        (  # still open: passed with its end set to the end of the range
            [(sp(2026, 11, 23, 15), sp(2026, 11, 23, 18))],
            hours(6),
        ),
        (  # entirely outside the range
            [
                (sp(2026, 11, 22, 9), sp(2026, 11, 22, 18)),
                (sp(2026, 11, 24, 9), sp(2026, 11, 24, 12)),
                (sp(2026, 11, 23, 18), sp(2026, 11, 23, 20)),
            ],
            hours(9),
        ),
        (  # sticking out of either side: only the part inside counts
            [
                (sp(2026, 11, 23, 7), sp(2026, 11, 23, 10)),
                (sp(2026, 11, 23, 17), sp(2026, 11, 24, 12)),
            ],
            hours(7),
        ),
        (  # empty pause
            [(sp(2026, 11, 23, 10), sp(2026, 11, 23, 10))],
            hours(9),
        ),
    ],
)
def test_elapsed_leaves_out_the_pauses(
    policy: BusinessTime, pauses: list[tuple[datetime, datetime]], expected: timedelta
) -> None:
    """Time waiting on the customer does not count, however the pauses are shaped."""
    assert policy.elapsed(sp(2026, 11, 23, 9), sp(2026, 11, 23, 18), BUSINESS, pauses) == expected


def test_pause_outside_working_time_matters_only_to_clocks_counting_nights(
    policy: BusinessTime,
) -> None:
    """A pause over Saturday takes nothing off the business clock, a whole day off the
    around-the-clock one and half a day off the 24x7 one."""
    friday, monday = sp(2026, 11, 27, 17), sp(2026, 11, 30, 10)
    saturday = [(sp(2026, 11, 28, 0), sp(2026, 11, 29, 0))]
    assert policy.elapsed(friday, monday, BUSINESS, saturday) == hours(2)
    assert policy.elapsed(friday, monday, AROUND_THE_CLOCK, saturday) == hours(65 - 24)
    assert policy.elapsed(friday, monday, INTEGRATION_24X7, saturday) == hours(2 + 39 / 2)


def test_elapsed_of_an_empty_or_reversed_range_is_zero(policy: BusinessTime) -> None:
    monday = sp(2026, 11, 23, 10)
    assert policy.elapsed(monday, monday) == timedelta(0)
    assert policy.elapsed(monday, monday - hours(1), AROUND_THE_CLOCK) == timedelta(0)


def test_elapsed_floors_to_the_microsecond(policy: BusinessTime) -> None:
    """Off-hours microseconds count half on the 24x7 clock; the half left over is dropped."""
    night = sp(2026, 11, 24, 2)
    micro = timedelta(microseconds=1)
    assert policy.elapsed(night, night + micro, INTEGRATION_24X7) == timedelta(0)
    assert policy.elapsed(night, night + 3 * micro, INTEGRATION_24X7) == micro


# -- the calendar ----------------------------------------------------------------------


def test_year_boundary_across_new_years_day(policy: BusinessTime) -> None:
    """Wed 2025-12-31 17:00: Jan 1 is a holiday, so 2 h are due Fri 2026-01-02 10:00 and
    45 h (1 + 9 + 4 x 9 - 1) on Thu 2026-01-08 17:00."""
    start = sp(2025, 12, 31, 17)
    assert not policy.is_open(sp(2026, 1, 1, 10))
    assert policy.add(start, hours(2)) == sp(2026, 1, 2, 10)
    assert policy.elapsed(start, sp(2026, 1, 2, 10)) == hours(2)
    assert policy.add(start, hours(45)) == sp(2026, 1, 8, 17)
    assert policy.elapsed(sp(2025, 12, 31, 0), sp(2026, 1, 3, 0)) == hours(18)


def test_lunch_break_calendar() -> None:
    """Two periods a day, 08:00-12:00 and 13:00-17:00: the lunch hour is not working time,
    and a budget ending at 12:00 is due at 12:00, not at 13:00."""
    spec = CalendarSpec.build(
        weekly={
            wd: [Period.from_times(time(8), time(12)), Period.from_times(time(13), time(17))]
            for wd in range(5)
        }
    )
    engine = BusinessTime(spec)
    assert engine.add(sp(2026, 11, 23, 11, 30), hours(1)) == sp(2026, 11, 23, 13, 30)
    assert engine.add(sp(2026, 11, 23, 11), hours(1)) == sp(2026, 11, 23, 12)
    assert engine.add(sp(2026, 11, 23, 12, 15), hours(1)) == sp(2026, 11, 23, 14)
    assert engine.add(sp(2026, 11, 23, 16, 30), hours(1)) == sp(2026, 11, 24, 8, 30)
    assert engine.is_open(sp(2026, 11, 23, 11, 59, 59, 999_999))
    assert not engine.is_open(sp(2026, 11, 23, 12))
    assert not engine.is_open(sp(2026, 11, 23, 12, 59, 59, 999_999))
    assert engine.is_open(sp(2026, 11, 23, 13))
    assert engine.elapsed(sp(2026, 11, 23, 0), sp(2026, 11, 24, 0)) == hours(8)
    assert engine.working_intervals(sp(2026, 11, 23, 0), sp(2026, 11, 24, 0)) == [
        (sp(2026, 11, 23, 8), sp(2026, 11, 23, 12)),
        (sp(2026, 11, 23, 13), sp(2026, 11, 23, 17)),
    ]


def test_overlapping_periods_count_once() -> None:
    """Periods that overlap or touch in one day are one stretch of working time."""
    spec = CalendarSpec.build(
        weekly={
            0: [
                Period.from_times(time(9), time(12)),
                Period.from_times(time(11), time(14)),
                Period.from_times(time(14), time(15)),
            ]
        }
    )
    engine = BusinessTime(spec)
    monday = (sp(2026, 11, 23, 0), sp(2026, 11, 24, 0))
    assert engine.elapsed(*monday) == hours(6)
    assert engine.working_intervals(*monday) == [(sp(2026, 11, 23, 9), sp(2026, 11, 23, 15))]


def test_extra_working_day_on_a_saturday() -> None:
    """A Saturday declared working 09:00-13:00 is spent like any other working day."""
    spec = CalendarSpec.build(
        weekly={wd: [OFFICE_HOURS] for wd in range(5)},
        holiday_country="BR",
        extra_working_days={date(2026, 11, 28): [Period.from_times(time(9), time(13))]},
    )
    engine = BusinessTime(spec)
    friday = sp(2026, 11, 27, 17)
    assert engine.add(friday, hours(2)) == sp(2026, 11, 28, 10)
    assert engine.add(friday, hours(5)) == sp(2026, 11, 28, 13)  # not Monday 09:00
    assert engine.add(friday, hours(8)) == sp(2026, 11, 30, 12)
    assert engine.is_open(sp(2026, 11, 28, 12, 59))
    assert not engine.is_open(sp(2026, 11, 28, 13))
    assert not engine.is_open(sp(2026, 11, 29, 10))


def test_extra_working_day_overrides_a_holiday_and_the_weekly_periods() -> None:
    """The extra day's own periods replace both the holiday and the usual 09:00-18:00."""
    spec = CalendarSpec.build(
        weekly={wd: [OFFICE_HOURS] for wd in range(5)},
        holiday_country="BR",
        extra_working_days={date(2026, 11, 20): [Period.from_times(time(14), time(16))]},
    )
    engine = BusinessTime(spec)
    assert not engine.is_open(sp(2026, 11, 20, 10))
    assert engine.is_open(sp(2026, 11, 20, 14))
    assert engine.add(sp(2026, 11, 19, 15), hours(4)) == sp(2026, 11, 20, 15)


def test_closures_remove_working_days() -> None:
    """A manual closure is a day off; closing a Saturday changes nothing."""
    closed_monday = CalendarSpec.build(
        weekly={wd: [OFFICE_HOURS] for wd in range(5)},
        holiday_country="BR",
        closures=[date(2026, 11, 30)],
    )
    closed_saturday = CalendarSpec.build(
        weekly={wd: [OFFICE_HOURS] for wd in range(5)},
        holiday_country="BR",
        closures=[date(2026, 11, 28)],
    )
    friday = sp(2026, 11, 27, 17)
    assert not BusinessTime(closed_monday).is_open(sp(2026, 11, 30, 10))
    assert BusinessTime(closed_monday).add(friday, hours(2)) == sp(2026, 12, 1, 10)
    assert BusinessTime(closed_saturday).add(friday, hours(2)) == sp(2026, 11, 30, 10)


def test_working_intervals_of_a_week(policy: BusinessTime) -> None:
    """Five office days minus the Friday holiday, clipped to the requested range."""
    intervals = policy.working_intervals(sp(2026, 11, 16, 12), sp(2026, 11, 23, 0))
    assert intervals == [
        (sp(2026, 11, 16, 12), sp(2026, 11, 16, 18)),
        (sp(2026, 11, 17, 9), sp(2026, 11, 17, 18)),
        (sp(2026, 11, 18, 9), sp(2026, 11, 18, 18)),
        (sp(2026, 11, 19, 9), sp(2026, 11, 19, 18)),
    ]


# -- daylight saving time ---------------------------------------------------------------

WHOLE_DAY = Period(0, 86_400)
ONE_TO_FOUR = Period.from_times(time(1), time(4))


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        (NEW_YORK, date(2026, 3, 8), hours(23)),  # 02:00 EST -> 03:00 EDT
        (NEW_YORK, date(2026, 3, 9), hours(24)),
        (NEW_YORK, date(2026, 11, 1), hours(25)),  # 02:00 EDT -> 01:00 EST
        (LISBON, date(2026, 3, 29), hours(23)),  # 01:00 WET -> 02:00 WEST
        (LISBON, date(2026, 10, 25), hours(25)),  # 02:00 WEST -> 01:00 WET
        (LORD_HOWE, date(2026, 10, 4), hours(23.5)),  # 02:00 -> 02:30
        (LORD_HOWE, date(2026, 4, 5), hours(24.5)),  # 02:00 -> 01:30
    ],
)
def test_whole_day_period_lasts_as_long_as_the_local_day(
    zone: ZoneInfo, day: date, expected: timedelta
) -> None:
    """00:00-24:00 follows the wall clock: 23 h on spring-forward day, 25 h on fall-back."""
    engine = daily(zone.key, WHOLE_DAY)
    start, end = local_day(zone, day)
    assert engine.elapsed(start, end) == expected
    assert engine.elapsed(start, end, AROUND_THE_CLOCK) == expected
    assert same_instant(engine.add(start, expected), end)


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        (NEW_YORK, date(2026, 3, 8), hours(2)),  # 02:00-03:00 never happens
        (NEW_YORK, date(2026, 3, 15), hours(3)),
        (NEW_YORK, date(2026, 11, 1), hours(4)),  # 01:00-02:00 happens twice
        (LISBON, date(2026, 3, 29), hours(2)),  # 01:00-02:00 never happens
        (LISBON, date(2026, 10, 25), hours(4)),  # 01:00-02:00 happens twice
    ],
)
def test_early_morning_period_is_cut_or_repeated_by_dst(
    zone: ZoneInfo, day: date, expected: timedelta
) -> None:
    """01:00-04:00 on the transition day is an hour shorter or longer, as lived at the desk."""
    start, end = local_day(zone, day)
    assert daily(zone.key, ONE_TO_FOUR).elapsed(start, end) == expected


def test_dst_working_intervals_in_new_york() -> None:
    """The exact UTC extent of 01:00-04:00 on both transition days."""
    engine = daily("America/New_York", ONE_TO_FOUR)
    spring = engine.working_intervals(*local_day(NEW_YORK, date(2026, 3, 8)))
    autumn = engine.working_intervals(*local_day(NEW_YORK, date(2026, 11, 1)))
    assert spring == [(utc(2026, 3, 8, 6), utc(2026, 3, 8, 8))]  # 01:00 EST-04:00 EDT
    assert autumn == [(utc(2026, 11, 1, 5), utc(2026, 11, 1, 9))]  # 01:00 EDT-04:00 EST


def test_add_across_new_york_transitions() -> None:
    """Deadlines jump the missing hour and spend the repeated one."""
    engine = daily("America/New_York", ONE_TO_FOUR)
    spring_one = datetime(2026, 3, 8, 1, tzinfo=NEW_YORK)  # EST
    assert same_instant(engine.add(spring_one, hours(1)), utc(2026, 3, 8, 7))  # 03:00 EDT
    assert same_instant(engine.add(spring_one, hours(2.5)), utc(2026, 3, 9, 5, 30))
    autumn_one = datetime(2026, 11, 1, 1, tzinfo=NEW_YORK)  # the first 01:00, EDT
    due = engine.add(autumn_one, hours(1))
    assert same_instant(due, utc(2026, 11, 1, 6))  # the second 01:00, EST
    assert (due.hour, due.fold, due.utcoffset()) == (1, 1, hours(-5))
    assert same_instant(engine.add(autumn_one, hours(4)), utc(2026, 11, 1, 9))
    assert engine.is_open(utc(2026, 11, 1, 6, 30))  # 01:30 EST, second time round
    assert engine.is_open(datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK))
    assert not engine.is_open(utc(2026, 3, 8, 8))  # 04:00 EDT


def test_period_inside_the_skipped_hour_has_no_working_time_that_day() -> None:
    """A Sunday 02:00-03:00 period does not exist on 2026-03-08: the next one is a week on."""
    engine = daily("America/New_York", Period.from_times(time(2), time(3)), weekdays=range(6, 7))
    saturday = datetime(2026, 3, 7, 12, tzinfo=NEW_YORK)
    due = engine.add(saturday, timedelta(minutes=30))
    assert same_instant(due, datetime(2026, 3, 15, 2, 30, tzinfo=NEW_YORK))
    assert engine.elapsed(*local_day(NEW_YORK, date(2026, 3, 8))) == timedelta(0)
    assert engine.elapsed(*local_day(NEW_YORK, date(2026, 11, 1))) == hours(1)


def test_lisbon_whole_day_deadline_crosses_the_short_day() -> None:
    """24 h of a 00:00-24:00 calendar from the start of the 23-hour day end at 01:00."""
    engine = daily("Europe/Lisbon", WHOLE_DAY)
    start, _ = local_day(LISBON, date(2026, 3, 29))
    due = engine.add(start, hours(24))
    assert (due.date(), due.hour, due.utcoffset()) == (date(2026, 3, 30), 1, hours(1))


# -- the result's zone ------------------------------------------------------------------


@pytest.mark.parametrize("clock", ALL_CLOCKS, ids=lambda clock: clock.code)
def test_add_answers_in_the_calendar_zone(clock: Clock) -> None:
    """Whatever zone the start is given in, the deadline is in the calendar's zone, with the
    offset in force at that instant."""
    engine = daily("America/New_York", Period.from_times(time(9), time(17)))
    due = engine.add(utc(2026, 7, 1, 12), hours(3), clock)
    assert due.tzinfo == NEW_YORK
    assert due.utcoffset() == hours(-4)
    winter = engine.add(datetime(2026, 12, 1, 20, tzinfo=ZoneInfo("Asia/Tokyo")), hours(3), clock)
    assert winter.tzinfo == NEW_YORK
    assert winter.utcoffset() == hours(-5)
    assert BusinessTime(POLICY).add(utc(2026, 11, 23, 12), timedelta(0), clock).tzinfo == (
        SAO_PAULO
    )


# -- bad input ----------------------------------------------------------------------------

NAIVE = datetime(2026, 11, 23, 10)
AWARE = sp(2026, 11, 23, 10)


@pytest.mark.parametrize(
    "call",
    [
        lambda engine: engine.add(NAIVE, hours(1)),
        lambda engine: engine.add(NAIVE, timedelta(0)),
        lambda engine: engine.elapsed(NAIVE, AWARE),
        lambda engine: engine.elapsed(AWARE - hours(1), NAIVE),
        lambda engine: engine.elapsed(AWARE - hours(1), AWARE, BUSINESS, [(NAIVE, AWARE)]),
        lambda engine: engine.is_open(NAIVE),
        lambda engine: engine.working_intervals(NAIVE, AWARE + hours(1)),
    ],
    ids=[
        "add",
        "add-zero",
        "elapsed-start",
        "elapsed-end",
        "elapsed-pause",
        "is_open",
        "working_intervals",
    ],
)
def test_naive_datetimes_are_refused(
    policy: BusinessTime, call: Callable[[BusinessTime], object]
) -> None:
    """A naive datetime is not an instant; guessing a zone would move deadlines by hours."""
    with pytest.raises(BusinessTimeError):
        call(policy)


def test_negative_budgets_are_refused(policy: BusinessTime) -> None:
    with pytest.raises(BusinessTimeError):
        policy.add(AWARE, timedelta(microseconds=-1))
    with pytest.raises(BusinessTimeError):
        policy.add_many([us(AWARE), us(AWARE)], [3_600_000_000, -1])


@pytest.mark.parametrize(
    ("start", "budget"),
    [
        (datetime(9999, 12, 31, 20, tzinfo=UTC), timedelta(hours=2)),
        (datetime(1, 1, 1, 5, tzinfo=UTC), timedelta(hours=2)),
        (datetime(8990, 1, 1, tzinfo=UTC), timedelta(days=365 * 20)),
    ],
)
def test_instants_at_the_calendars_edge_are_refused_not_crashed(
    policy: BusinessTime, start: datetime, budget: timedelta
) -> None:
    """Python's datetime ends at the years 1 and 9999; the engine says so in its own error."""
    with pytest.raises(BusinessTimeError):
        policy.add(start, budget, BUSINESS)
    if not 1900 <= start.year <= 9000:
        with pytest.raises(BusinessTimeError):
            policy.elapsed(start, start + timedelta(hours=1), BUSINESS)


def test_a_budget_past_the_search_limit_says_so(policy: BusinessTime) -> None:
    with pytest.raises(BusinessTimeError, match="not used up within"):
        policy.add(AWARE, timedelta(days=365 * 50), BUSINESS)


def test_invalid_periods_are_refused() -> None:
    for start, end in [(10, 10), (20, 10), (-1, 10), (0, 86_401)]:
        with pytest.raises(BusinessTimeError):
            Period(start, end)


def _finishes_within(seconds: float, call: Callable[[], object]) -> BaseException | None:
    """Run `call` in a daemon thread; fail the test if it has not finished in time."""
    outcome: list[BaseException | None] = []

    def target() -> None:
        try:
            call()
        except BaseException as error:  # handed back to the test
            outcome.append(error)
        else:
            outcome.append(None)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"still running after {seconds} s"
    return outcome[0]


@pytest.mark.parametrize(
    "spec",
    [
        CalendarSpec.build(holiday_country="BR"),
        # working time only in the past: searching forward must give up, not spin
        CalendarSpec.build(weekly={}, extra_working_days={date(2020, 1, 6): [OFFICE_HOURS]}),
    ],
    ids=["empty", "only-in-the-past"],
)
def test_calendar_without_working_time_raises_instead_of_looping(spec: CalendarSpec) -> None:
    """The business clock cannot spend anything on it: a clear error, in bounded time."""
    engine = BusinessTime(spec)
    error = _finishes_within(30, lambda: engine.add(AWARE, hours(1)))
    assert isinstance(error, BusinessTimeError)
    error = _finishes_within(30, lambda: engine.add_many([us(AWARE)], [1]))
    assert isinstance(error, BusinessTimeError)
    assert engine.add(AWARE, timedelta(0)) == AWARE


@pytest.mark.parametrize(
    ("clock", "wall_time"),
    [(AROUND_THE_CLOCK, timedelta(days=800)), (INTEGRATION_24X7, timedelta(days=1600))],
    ids=["around_the_clock", "integration_24x7"],
)
def test_clocks_counting_off_hours_need_no_working_time(clock: Clock, wall_time: timedelta) -> None:
    """Off hours count on these clocks, so even a calendar with no working time has a
    deadline, however far: a budget of 800 days is not an error."""
    engine = BusinessTime(CalendarSpec.build(timezone="UTC"))
    start = utc(2026, 6, 1)
    assert engine.add(start, timedelta(days=800), clock) == start + wall_time
    assert engine.add_many([us(start)], [us(start + timedelta(days=800)) - us(start)], clock)[
        0
    ] == us(start + wall_time)


# -- the bulk path ----------------------------------------------------------------------


@pytest.mark.parametrize("clock", ALL_CLOCKS, ids=lambda clock: clock.code)
@pytest.mark.parametrize(
    "spec",
    [POLICY, CalendarSpec.build(timezone="America/New_York", weekly={6: [ONE_TO_FOUR]})],
    ids=["policy", "new-york-sunday-nights"],
)
def test_add_many_equals_add_element_wise(spec: CalendarSpec, clock: Clock) -> None:
    """Bulk recomputation must give every ticket the deadline `add` gives it alone."""
    engine = BusinessTime(spec)
    starts = [
        sp(2026, 11, 19, 15),
        sp(2026, 11, 20, 10),  # holiday
        sp(2026, 11, 23, 9),  # opening
        sp(2026, 11, 23, 18),  # closing
        sp(2026, 11, 27, 17, 30, 0, 1),
        sp(2026, 11, 28, 2),
        sp(2025, 12, 31, 17),
        datetime(2026, 3, 8, 1, 30, tzinfo=NEW_YORK),
        datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK),
        utc(2026, 11, 1, 6, 30),  # 01:30 EST, the second one
    ]
    budgets = [timedelta(0), timedelta(microseconds=1), timedelta(minutes=30)]
    budgets += [hours(n) for n in (1, 2, 3, 8, 9, 45)]
    pairs = [(start, budget) for start in starts for budget in budgets]
    bulk = engine.add_many(
        np.array([us(start) for start, _ in pairs], dtype=np.int64),
        np.array([budget // timedelta(microseconds=1) for _, budget in pairs], dtype=np.int64),
        clock,
    )
    assert bulk.dtype == np.int64
    assert bulk.tolist() == [us(engine.add(start, budget, clock)) for start, budget in pairs]


def test_add_many_broadcasts_one_budget_and_accepts_nothing(policy: BusinessTime) -> None:
    starts = [us(sp(2026, 11, 27, 17)), us(sp(2026, 11, 28, 11))]
    bulk = policy.add_many(np.array(starts, dtype=np.int64), 4 * 3_600_000_000)
    assert bulk.tolist() == [us(sp(2026, 11, 30, 12)), us(sp(2026, 11, 30, 13))]
    assert policy.add_many(np.array([], dtype=np.int64), np.array([], dtype=np.int64)).size == 0


# -- specs ------------------------------------------------------------------------------


def test_period_from_times_reads_a_midnight_end_as_24h() -> None:
    assert Period.from_times(time(0), time(0)) == Period(0, 86_400)
    assert Period.from_times(time(9), time(18)) == Period(32_400, 64_800)


def test_equal_calendars_share_one_cached_engine() -> None:
    """Loose input is normalised, so equal content gives an equal, hashable spec."""
    first = CalendarSpec.build(
        weekly={1: [OFFICE_HOURS], 0: [Period(3600, 7200), OFFICE_HOURS]},
        closures=[date(2026, 12, 24), date(2026, 12, 31)],
        holiday_country="BR",
    )
    second = CalendarSpec.build(
        weekly={0: (OFFICE_HOURS, Period(3600, 7200)), 1: (OFFICE_HOURS,)},
        closures={date(2026, 12, 31), date(2026, 12, 24)},
        holiday_country="BR",
    )
    assert first == second
    assert hash(first) == hash(second)
    assert for_calendar(first) is for_calendar(second)
