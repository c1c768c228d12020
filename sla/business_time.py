"""Business-time arithmetic: the pure engine behind every SLA deadline.

No ORM here: a calendar arrives as a `CalendarSpec` (plain data), and the engine answers in
timezone-aware instants. Everything is exact to the microsecond.

How it stays fast: for the years it is asked about, a calendar is turned once into a sorted
list of working intervals (UTC microseconds) with the cumulative working time before each
one. A clock weights working and non-working time (business: 1 and 0; around the clock: 1 and
1; 24x7 integration support: 1 and 1/2), so the weighted time since the start of the index is
a non-decreasing, piecewise-linear function of the instant, known exactly at every interval
boundary. `add` and `elapsed` are then a binary search and a line of arithmetic: O(log n),
whatever the duration. The index is cached per calendar content, so a changed calendar gets a
new index and the old one simply ages out of the cache.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from functools import lru_cache
from math import lcm
from zoneinfo import ZoneInfo

import holidays as holidays_lib

MICROSECONDS_PER_SECOND = 1_000_000
SECONDS_PER_DAY = 86_400
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Years covered when the index is first built around an instant, and the furthest it will
# grow looking for working time before deciding the calendar has none.
_INITIAL_MARGIN_YEARS = 1
_MAX_SEARCH_YEARS = 60
# Far from datetime's own limits (years 1 and 9999), so an index's margins never overflow.
_MIN_YEAR, _MAX_YEAR = 1900, 9000


class BusinessTimeError(ValueError):
    """Raised when a question cannot be answered for this calendar."""


@dataclass(frozen=True)
class Clock:
    """How much each second counts towards a budget, inside and outside working time."""

    code: str
    working_rate: Fraction
    off_hours_rate: Fraction

    def __post_init__(self) -> None:
        if self.working_rate < 0 or self.off_hours_rate < 0:
            raise BusinessTimeError("clock rates cannot be negative")
        if self.working_rate == 0 and self.off_hours_rate == 0:
            raise BusinessTimeError("a clock must count some time")

    @property
    def scale(self) -> int:
        """Common denominator that turns both rates into whole numbers."""
        return lcm(self.working_rate.denominator, self.off_hours_rate.denominator)

    @property
    def integer_rates(self) -> tuple[int, int]:
        scale = self.scale
        return int(self.working_rate * scale), int(self.off_hours_rate * scale)


BUSINESS = Clock("business", Fraction(1), Fraction(0))
AROUND_THE_CLOCK = Clock("around_the_clock", Fraction(1), Fraction(1))
INTEGRATION_24X7 = Clock("integration_24x7", Fraction(1), Fraction(1, 2))
CLOCKS = {clock.code: clock for clock in (BUSINESS, AROUND_THE_CLOCK, INTEGRATION_24X7)}


@dataclass(frozen=True, order=True)
class Period:
    """A working period of a local day, in seconds since local midnight: [start, end)."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end <= SECONDS_PER_DAY:
            raise BusinessTimeError(f"invalid working period {self.start}-{self.end}")

    @classmethod
    def from_times(cls, start: time, end: time) -> Period:
        """Build a period from wall-clock times; an end of 00:00 means midnight (24:00)."""
        end_seconds = _seconds(end) or SECONDS_PER_DAY
        return cls(_seconds(start), end_seconds)


@dataclass(frozen=True)
class CalendarSpec:
    """Everything that defines working time: hashable, so it keys the index cache."""

    timezone: str = "America/Sao_Paulo"
    # weekday (0 = Monday) -> periods of that day
    weekly: tuple[tuple[int, tuple[Period, ...]], ...] = ()
    holiday_country: str = ""
    holiday_subdivision: str = ""
    holiday_categories: tuple[str, ...] = ("public",)
    closures: frozenset[date] = frozenset()
    # date -> periods of that date, replacing whatever the week or a holiday says
    extra_working_days: tuple[tuple[date, tuple[Period, ...]], ...] = ()

    @classmethod
    def build(
        cls,
        *,
        timezone: str = "America/Sao_Paulo",
        weekly: dict[int, Iterable[Period]] | None = None,
        holiday_country: str = "",
        holiday_subdivision: str = "",
        holiday_categories: Iterable[str] = ("public",),
        closures: Iterable[date] = (),
        extra_working_days: dict[date, Iterable[Period]] | None = None,
    ) -> CalendarSpec:
        """Normalise loose input (dicts, lists) into a canonical, hashable spec."""
        ZoneInfo(timezone)  # fail early on an unknown zone
        return cls(
            timezone=timezone,
            weekly=tuple(
                (weekday, tuple(sorted(periods)))
                for weekday, periods in sorted((weekly or {}).items())
                if periods
            ),
            holiday_country=holiday_country,
            holiday_subdivision=holiday_subdivision,
            holiday_categories=tuple(sorted(holiday_categories)),
            closures=frozenset(closures),
            extra_working_days=tuple(
                (day, tuple(sorted(periods)))
                for day, periods in sorted((extra_working_days or {}).items())
            ),
        )

    def holidays_in(self, year: int) -> set[date]:
        """Public holidays of the configured country/subdivision in one year."""
        if not self.holiday_country:
            return set()
        return set(
            holidays_lib.country_holidays(
                self.holiday_country,
                subdiv=self.holiday_subdivision or None,
                years=year,
                categories=self.holiday_categories or ("public",),
            )
        )

    def periods_on(self, day: date, holidays: set[date]) -> tuple[Period, ...]:
        """Working periods of a local date after holidays, closures and extra days."""
        extra = dict(self.extra_working_days)
        if day in extra:
            return extra[day]
        if day in self.closures or day in holidays:
            return ()
        return dict(self.weekly).get(day.weekday(), ())

    @property
    def has_working_time(self) -> bool:
        return any(periods for _, periods in self.weekly) or any(
            periods for _, periods in self.extra_working_days
        )

    @property
    def longest_day(self) -> timedelta:
        """Working time of the longest day of the week: the length of one business day."""
        totals = [sum(p.end - p.start for p in periods) for _, periods in self.weekly]
        return timedelta(seconds=max(totals, default=0))


DEFAULT_WEEKLY = {weekday: (Period(9 * 3600, 18 * 3600),) for weekday in range(5)}
DEFAULT_SPEC = CalendarSpec.build(weekly=DEFAULT_WEEKLY, holiday_country="BR")


def to_microseconds(instant: datetime) -> int:
    """Exact microseconds since the Unix epoch of an aware instant."""
    try:
        delta = instant - _EPOCH
    except TypeError:  # a naive datetime cannot be placed in time
        raise BusinessTimeError("instants must be timezone-aware") from None
    return (delta.days * SECONDS_PER_DAY + delta.seconds) * MICROSECONDS_PER_SECOND + (
        delta.microseconds
    )


def from_microseconds(value: int, zone: ZoneInfo | None = None) -> datetime:
    """The instant `value` microseconds after the Unix epoch, in `zone` (UTC by default)."""
    seconds, microseconds = divmod(value, MICROSECONDS_PER_SECOND)
    instant = datetime.fromtimestamp(seconds, zone or UTC)
    return instant.replace(microsecond=microseconds) if microseconds else instant


def _seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def _duration_microseconds(duration: timedelta) -> int:
    return (
        duration.days * SECONDS_PER_DAY + duration.seconds
    ) * MICROSECONDS_PER_SECOND + duration.microseconds


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def _offset_seconds(zone: ZoneInfo, epoch_seconds: int) -> int:
    offset = datetime.fromtimestamp(epoch_seconds, zone).utcoffset()
    return int(offset.total_seconds())


def _offset_pieces(zone: ZoneInfo, start: int, end: int) -> list[tuple[int, int, int]]:
    """Split [start, end) (epoch seconds) into pieces of constant UTC offset.

    Time zone transitions are found by bisection to the second, so the pieces are exact.
    """
    pieces = []
    piece_start = start
    start_offset = _offset_seconds(zone, start)
    while piece_start < end:
        end_offset = _offset_seconds(zone, end - 1)
        if end_offset == start_offset:
            pieces.append((piece_start, end, start_offset))
            break
        low, high = piece_start, end - 1  # offset(low) == start_offset != offset(high)
        while high - low > 1:
            middle = (low + high) // 2
            if _offset_seconds(zone, middle) == start_offset:
                low = middle
            else:
                high = middle
        pieces.append((piece_start, high, start_offset))
        piece_start, start_offset = high, _offset_seconds(zone, high)
    return pieces


def _local_day_intervals(
    zone: ZoneInfo, day: date, periods: Sequence[Period]
) -> list[tuple[int, int]]:
    """UTC intervals (epoch seconds) of the instants whose local time is in `periods` on `day`.

    Defined by the wall clock: across a DST change a period may get shorter (skipped hour)
    or longer (repeated hour), exactly as a person at the desk lives it.
    """
    midnight = (day - date(1970, 1, 1)).days * SECONDS_PER_DAY  # local midnight, as if UTC
    window_start = midnight - 2 * SECONDS_PER_DAY
    window_end = midnight + 3 * SECONDS_PER_DAY
    pieces = _offset_pieces(zone, window_start, window_end)
    intervals = []
    for period in periods:
        local_start, local_end = midnight + period.start, midnight + period.end
        for piece_start, piece_end, offset in pieces:
            low = max(local_start - offset, piece_start)
            high = min(local_end - offset, piece_end)
            if low < high:
                intervals.append((low, high))
    return intervals


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


@dataclass
class _ClockCurve:
    """Weighted time at every interval boundary, for one clock.

    `points` are the boundaries s0, e0, s1, e1, ... (microseconds); `weights` the weighted
    time (in 1/scale microseconds) from the index origin to each point.
    """

    points: list[int]
    weights: list[int]
    working_rate: int
    off_hours_rate: int
    scale: int
    _arrays: tuple | None = field(default=None, repr=False)

    def weight_at(self, instant: int) -> int:
        index = bisect.bisect_right(self.points, instant) - 1
        if index < 0:
            raise IndexError(instant)
        rate = self.working_rate if index % 2 == 0 else self.off_hours_rate
        return self.weights[index] + rate * (instant - self.points[index])

    def instant_after(self, instant: int, budget: int) -> int:
        """Earliest instant at which `budget` (in 1/scale units) is spent from `instant`.

        `weight_at` and `instant_at` fused: this is the hot path of every deadline.
        """
        points, weights = self.points, self.weights
        index = bisect.bisect_right(points, instant) - 1
        if index < 0:
            raise IndexError(instant)
        rate = self.working_rate if index % 2 == 0 else self.off_hours_rate
        target = weights[index] + rate * (instant - points[index]) + budget
        index = bisect.bisect_left(weights, target, index)
        if index >= len(weights):
            raise IndexError(target)
        if weights[index] == target:
            return points[index]
        index -= 1
        rate = self.working_rate if index % 2 == 0 else self.off_hours_rate
        return points[index] - (weights[index] - target) // rate

    def instant_at(self, weight: int) -> int:
        """Earliest instant at which the weighted time reaches `weight`."""
        index = bisect.bisect_left(self.weights, weight)
        if index >= len(self.weights):
            raise IndexError(weight)
        if self.weights[index] == weight:
            return self.points[index]
        rate = self.working_rate if (index - 1) % 2 == 0 else self.off_hours_rate
        return self.points[index - 1] + _ceil_div(weight - self.weights[index - 1], rate)

    def arrays(self):
        """The same curve as numpy arrays, for the bulk path."""
        if self._arrays is None:
            import numpy as np

            self._arrays = (
                np.asarray(self.points, dtype=np.int64),
                np.asarray(self.weights, dtype=np.int64),
            )
        return self._arrays


@dataclass
class _Index:
    first_year: int
    last_year: int
    origin: int  # microseconds; the index covers [origin, end)
    end: int
    intervals: list[tuple[int, int]]  # microseconds, merged, sorted
    curves: dict[str, _ClockCurve] = field(default_factory=dict)

    def curve(self, clock: Clock) -> _ClockCurve:
        # Keyed by code: hashing a frozen dataclass of Fractions costs more than the lookup.
        curve = self.curves.get(clock.code)
        if curve is None:
            curve = self.curves[clock.code] = self._build_curve(clock)
        return curve

    def _build_curve(self, clock: Clock) -> _ClockCurve:
        # Points alternate: an even index starts working time, an odd one starts off hours.
        # A zero-length working interval at the origin makes [origin, s0) the first gap,
        # and one at the end closes the last gap.
        working_rate, off_hours_rate = clock.integer_rates
        points, weights = [self.origin, self.origin], [0, 0]
        weight, cursor = 0, self.origin
        for start, end in self.intervals:
            weight += off_hours_rate * (start - cursor)
            points.append(start)
            weights.append(weight)
            weight += working_rate * (end - start)
            points.append(end)
            weights.append(weight)
            cursor = end
        weight += off_hours_rate * (self.end - cursor)
        points.extend((self.end, self.end))
        weights.extend((weight, weight))
        return _ClockCurve(points, weights, working_rate, off_hours_rate, clock.scale)


class BusinessTime:
    """Deadlines and elapsed business time for one calendar."""

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self.zone = ZoneInfo(spec.timezone)
        self._index: _Index | None = None
        self._lock = threading.Lock()
        self._holidays: dict[int, set[date]] = {}

    # -- public API -------------------------------------------------------------------

    def is_open(self, instant: datetime) -> bool:
        """Whether `instant` falls inside working time."""
        moment = to_microseconds(instant)
        index = self._covering(moment, moment)
        position = bisect.bisect_right(index.intervals, (moment, float("inf"))) - 1
        return position >= 0 and index.intervals[position][1] > moment

    def add(self, start: datetime, duration: timedelta, clock: Clock = BUSINESS) -> datetime:
        """Earliest instant at which `duration` of `clock` time has passed since `start`."""
        budget = _duration_microseconds(duration)
        if budget < 0:
            raise BusinessTimeError("durations cannot be negative")
        origin = to_microseconds(start)
        if budget == 0:
            return start.astimezone(self.zone)
        index = self._covering(origin, origin)
        while True:
            curve = index.curve(clock)
            try:
                due = curve.instant_after(origin, budget * curve.scale)
            except IndexError:
                index = self._extend_forward(index, clock, origin)
                continue
            return from_microseconds(due, self.zone)

    def elapsed(
        self,
        start: datetime,
        end: datetime,
        clock: Clock = BUSINESS,
        pauses: Iterable[tuple[datetime, datetime]] = (),
    ) -> timedelta:
        """Time counted by `clock` between `start` and `end`, leaving out the pauses.

        Pauses may overlap each other or stick out of [start, end); an open pause is
        passed with its end set to `end`. Sub-microsecond remainders are dropped.
        """
        low, high = to_microseconds(start), to_microseconds(end)
        if high <= low:
            return timedelta(0)
        windows = _merge(
            [
                (max(low, to_microseconds(a)), min(high, to_microseconds(b)))
                for a, b in pauses
                if to_microseconds(a) < high and to_microseconds(b) > low
            ]
        )
        index = self._covering(low, high)
        curve = index.curve(clock)
        total = curve.weight_at(high) - curve.weight_at(low)
        for a, b in windows:
            if a < b:
                total -= curve.weight_at(b) - curve.weight_at(a)
        return timedelta(microseconds=total // curve.scale)

    def add_many(self, starts, durations, clock: Clock = BUSINESS):
        """Vectorised `add` for bulk recomputation.

        `starts` are microseconds since the epoch and `durations` microseconds (numpy int64
        arrays or anything numpy takes); returns due instants as int64 microseconds.
        """
        import numpy as np

        starts = np.asarray(starts, dtype=np.int64)
        durations = np.broadcast_to(np.asarray(durations, dtype=np.int64), starts.shape)
        if starts.size == 0:
            return starts.copy()
        if (durations < 0).any():
            raise BusinessTimeError("durations cannot be negative")
        index = self._covering(int(starts.min()), int(starts.max()))
        while True:
            curve = index.curve(clock)
            points, weights = curve.arrays()
            position = np.searchsorted(points, starts, side="right") - 1
            rates = np.where(position % 2 == 0, curve.working_rate, curve.off_hours_rate)
            targets = weights[position] + rates * (starts - points[position])
            targets += durations * curve.scale
            if int(targets.max()) <= int(weights[-1]):
                break
            index = self._extend_forward(index, clock, int(starts.max()))
        found = np.searchsorted(weights, targets, side="left")
        exact = weights[found] == targets
        previous = np.maximum(found - 1, 0)
        rates = np.where(previous % 2 == 0, curve.working_rate, curve.off_hours_rate)
        safe_rates = np.where(rates == 0, 1, rates)
        remainder = targets - weights[previous]
        interpolated = points[previous] - (-remainder // safe_rates)
        due = np.where(exact, points[found], interpolated)
        return np.where(durations == 0, starts, due)

    def working_intervals(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """The working intervals that meet [start, end), clipped to it (for display)."""
        low, high = to_microseconds(start), to_microseconds(end)
        index = self._covering(low, high)
        first = max(bisect.bisect_right(index.intervals, (low, float("inf"))) - 1, 0)
        result = []
        for a, b in index.intervals[first:]:
            if a >= high:
                break
            if b > low:
                result.append((from_microseconds(max(a, low)), from_microseconds(min(b, high))))
        return result

    # -- index ------------------------------------------------------------------------

    def _year_of(self, moment: int) -> int:
        try:
            year = from_microseconds(moment, self.zone).year
        except (OverflowError, ValueError):
            year = 0
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            raise BusinessTimeError(
                f"instants are counted between the years {_MIN_YEAR} and {_MAX_YEAR} only"
            )
        return year

    def _covering(self, low: int, high: int) -> _Index:
        """An index whose range holds [low, high], with a working margin on each side."""
        index = self._index
        if index is not None and index.origin <= low and high < index.end:
            return index
        with self._lock:
            first = self._year_of(low) - _INITIAL_MARGIN_YEARS
            last = self._year_of(high) + _INITIAL_MARGIN_YEARS
            if self._index is not None:
                first = min(first, self._index.first_year)
                last = max(last, self._index.last_year)
            self._index = self._build(first, last)
            return self._index

    def _extend_forward(self, index: _Index, clock: Clock, start: int) -> _Index:
        # A clock that counts off hours reaches any budget, working time or not; and how far
        # we have searched is measured from the start, not from the index's first year.
        counts_nothing = clock.off_hours_rate == 0 and not self.spec.has_working_time
        if counts_nothing:
            raise BusinessTimeError("this calendar has no working time to count")
        if index.last_year - self._year_of(start) > _MAX_SEARCH_YEARS:
            raise BusinessTimeError(
                f"the budget is not used up within {_MAX_SEARCH_YEARS} years of working time"
            )
        with self._lock:
            current = self._index if self._index is not None else index
            span = current.last_year - current.first_year + 1
            if current.last_year >= _MAX_YEAR:
                raise BusinessTimeError(f"the budget runs past the year {_MAX_YEAR}")
            last_year = min(current.last_year + span, _MAX_YEAR + _INITIAL_MARGIN_YEARS)
            self._index = self._build(current.first_year, last_year)
            return self._index

    def _build(self, first_year: int, last_year: int) -> _Index:
        intervals: list[tuple[int, int]] = []
        # Neighbouring days too: across a DST change a local day can spill over midnight.
        day = date(first_year, 1, 1) - timedelta(days=2)
        last_day = date(last_year + 1, 1, 2)
        holidays: set[date] = set()
        for year in range(first_year - 1, last_year + 2):
            holidays |= self._holidays_in(year)
        while day <= last_day:
            periods = self.spec.periods_on(day, holidays)
            if periods:
                intervals.extend(_local_day_intervals(self.zone, day, periods))
            day += timedelta(days=1)
        origin = self._local_midnight(date(first_year, 1, 1))
        end = self._local_midnight(date(last_year + 1, 1, 1))
        clipped = [
            (max(a, origin), min(b, end)) for a, b in _merge(intervals) if b > origin and a < end
        ]
        return _Index(
            first_year=first_year,
            last_year=last_year,
            origin=origin * MICROSECONDS_PER_SECOND,
            end=end * MICROSECONDS_PER_SECOND,
            intervals=[
                (a * MICROSECONDS_PER_SECOND, b * MICROSECONDS_PER_SECOND) for a, b in clipped
            ],
        )

    def _local_midnight(self, day: date) -> int:
        """Epoch seconds of the first instant of local date `day`."""
        naive = (day - date(1970, 1, 1)).days * SECONDS_PER_DAY
        pieces = _offset_pieces(self.zone, naive - 2 * SECONDS_PER_DAY, naive + 2 * SECONDS_PER_DAY)
        candidates = [max(naive - offset, a) for a, b, offset in pieces if naive - offset < b]
        return min(candidates)

    def _holidays_in(self, year: int) -> set[date]:
        if year not in self._holidays:
            self._holidays[year] = self.spec.holidays_in(year)
        return self._holidays[year]


@lru_cache(maxsize=64)
def for_calendar(spec: CalendarSpec) -> BusinessTime:
    """The shared, cached engine of a calendar (keyed by its content)."""
    return BusinessTime(spec)
