"""Daily rollups of the SLA clocks, so the compliance report reads a few hundred rows a day
instead of every clock joined to its ticket.

What is stored: one `DayRollup` row per (day reported in the desk's zone, grouping, group) for
the level, organization and analyst groupings (months add up the level rows). Counts are
stored as counts. What depends on when the report is read is stored so it can be worked out
then: the due instants of running clocks not yet breached (breached or open depends on now),
and the tickets waiting on the customer with the sum of their pauses' starts.

Exact medians and p90: each row keeps the time used of its met clocks, whole (microseconds,
sorted, packed as 8-byte integers), and the report merges the rows of a group and picks the
ranks `percentile_cont` interpolates between. The issue requires the figures the clock scan
gives; a sketch (t-digest, DDSketch) is approximate, and seconds would move a figure's 0.01 h
rounding for about one value in 36. Whole values cost 8 bytes per met clock per grouping:
about 45 MB for a year of a million tickets, read in one query and selected with numpy in
linear time (`numpy.partition`).

What keeps them current: triggers (reports/triggers.py) add a `StaleRollup` mark for every
change of what the report reads, in the changing transaction; `rollups_refresh` recounts the
marked days from the clocks (a day is small) and runs before each report, so a report never
reads a stale day, whichever path wrote the clocks. `reports_rebuild_rollups` recounts a
range of days, or everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from django.db import connection, transaction
from django.utils.translation import gettext as _

from reports.models import DayRollup, StaleRollup
from sla.business_time import to_microseconds
from sla.models import ClockMetric, ClockState, SLAClock
from tickets.models import Ticket

METRICS = (ClockMetric.FIRST_RESPONSE, ClockMetric.RESOLUTION)
GROUPINGS = DayRollup.Grouping
NO_ANALYST = 0
MICROSECOND = timedelta(microseconds=1)
DAYS_PER_QUERY = 31
# any fixed number: PostgreSQL's advisory lock taken while days are recounted
REFRESH_LOCK = 7_130_613


def _zone():
    from reports.selectors import desk_zone

    return desk_zone()


def day_start(day: date) -> datetime:
    """The day's first instant in the desk's zone, as the report's periods place it."""
    return datetime.combine(day, time(0), _zone())


def day_of(instant: datetime) -> date:
    """The day whose [start, next start) holds `instant`: the period's own boundaries, so a
    day never disagrees with `Period` around a change of clocks at midnight."""
    # compared in UTC: aware datetimes sharing a zone object compare by their wall clocks
    instant = instant.astimezone(UTC)
    day = instant.astimezone(_zone()).date()
    if instant < day_start(day):
        return day - timedelta(days=1)
    if instant >= day_start(day + timedelta(days=1)):
        return day + timedelta(days=1)
    return day


# -- counting days from the clocks ----------------------------------------------------------

COLUMNS = (
    "day",
    "grouping",
    "group",
    "clocks",
    "tickets",
    *(f"{m}_{c}" for m in METRICS for c in ("met", "breached", "paused", "running_due", "used")),
    "waiting",
    "waiting_now",
    "waiting_now_since",
)
BLOBS = tuple(column for column in COLUMNS if column.endswith(("_running_due", "_used")))
SUMS = ("waiting", "waiting_now_since")


def _clocks_reported(start: datetime, end: datetime) -> list[tuple]:
    """The measured clocks (cancelled tickets are not) of tickets reported in [start, end),
    as the database gives them (no per-value conversion: a rebuild reads millions)."""
    clocks = (
        SLAClock.objects.filter(ticket__reported_at__gte=start, ticket__reported_at__lt=end)
        .exclude(ticket__status=Ticket.Status.CANCELLED)
        .order_by()
        .values_list(
            "ticket__reported_at",
            "ticket__priority_id",
            "ticket__organization_id",
            "ticket__assignee_id",
            "ticket__status",
            "metric",
            "state",
            "due_at",
            "met_at",
            "breached_at",
            "time_used",
            "paused_total",
            "paused_since",
        )
    )
    sql, params = clocks.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _instants(values) -> tuple[np.ndarray, np.ndarray]:
    """(µs since the epoch, present) of instants: SQLite's UTC text or aware datetimes."""
    if connection.vendor == "sqlite":
        parsed = np.array(values, dtype="datetime64[us]")
        return parsed.astype(np.int64), ~np.isnat(parsed)
    present = np.array([value is not None for value in values])
    return np.array([0 if v is None else to_microseconds(v) for v in values], np.int64), present


def _durations(values) -> tuple[np.ndarray, np.ndarray]:
    """(µs, present) of durations: SQLite's microseconds or timedeltas."""
    present = np.array([value is not None for value in values])
    return (
        np.array(
            [
                0 if v is None else v // MICROSECOND if isinstance(v, timedelta) else v
                for v in values
            ],
            dtype=np.int64,
        ),
        present,
    )


class _Clocks:
    """A range of days' clocks, column by column, classified as `_state_filters` of the clock
    scan classifies them."""

    def __init__(self, fetched: list[tuple], starts_us: np.ndarray) -> None:
        (reported, level, organization, analyst, status, metric, state, due, met_at, breached_at,
         used, paused_total, since) = zip(*fetched, strict=True)  # fmt: skip
        reported_us, _present = _instants(reported)
        self.day = np.searchsorted(starts_us, reported_us, side="right") - 1
        self.groups = {
            GROUPINGS.LEVEL: np.array(level, dtype=np.int64),
            GROUPINGS.ORGANIZATION: np.array(organization, dtype=np.int64),
            GROUPINGS.ANALYST: np.array([a or NO_ANALYST for a in analyst], dtype=np.int64),
        }
        metric, state = np.array(metric), np.array(state)
        due_us, has_due = _instants(due)
        used_us, has_used = _durations(used)
        met = np.array([value is not None for value in met_at])
        # a breach is a fact (breached_at), even on a clock now paused or moved later
        breached = np.array([value is not None for value in breached_at])
        breached |= state == ClockState.BREACHED
        running = ~breached & (state == ClockState.RUNNING) & has_due
        self.flags = {"clocks": np.ones(len(fetched), dtype=bool)}
        self.values = {}
        for name in METRICS:
            mine = metric == name
            self.flags[f"{name}_met"] = mine & (state == ClockState.MET)
            self.flags[f"{name}_breached"] = mine & breached
            self.flags[f"{name}_paused"] = mine & ~breached & (state == ClockState.PAUSED)
            self.values[f"{name}_running_due"] = (mine & running, due_us)
            self.values[f"{name}_used"] = (mine & met & has_used, used_us)
        resolution = metric == ClockMetric.RESOLUTION
        self.flags["tickets"] = resolution
        waiting_us, _present = _durations(paused_total)
        since_us, has_since = _instants(since)
        waiting_now = (
            resolution & has_since & (np.array(status) == Ticket.Status.WAITING_ON_CUSTOMER)
        )
        self.flags["waiting_now"] = waiting_now
        self.sums = {
            "waiting": np.where(resolution, waiting_us, 0),
            "waiting_now_since": np.where(waiting_now, since_us - starts_us[self.day], 0),
        }

    def rows(self, grouping: str, days: list[date]) -> list[tuple]:
        """The rollup rows (COLUMNS' order) of one grouping: one per day and group."""
        group = self.groups[grouping]
        keys, inverse = np.unique(self.day * (int(group.max()) + 1) + group, return_inverse=True)
        size = len(keys)
        first = np.zeros(size, dtype=np.int64)
        first[inverse] = np.arange(len(inverse))  # any clock of the key gives its day and group
        columns = {}
        for name, flag in self.flags.items():
            columns[name] = np.bincount(inverse[flag], minlength=size).tolist()
        for name, values in self.sums.items():
            total = np.zeros(size, dtype=np.int64)
            np.add.at(total, inverse, values)
            columns[name] = total.tolist()
        for name, (chosen, values) in self.values.items():
            keys_of, values = inverse[chosen], values[chosen]
            order = np.lexsort((values, keys_of))
            values = values[order].astype("<i8")
            bounds = np.searchsorted(keys_of[order], np.arange(size + 1)).tolist()
            columns[name] = [values[bounds[key] : bounds[key + 1]].tobytes() for key in range(size)]
        columns["day"] = [days[day] for day in self.day[first].tolist()]
        columns["grouping"] = [grouping] * size
        columns["group"] = group[first].tolist()
        return list(zip(*(columns[name] for name in COLUMNS), strict=True))


def rollups_count(first: date, last: date) -> list[tuple]:
    """The rollup rows (COLUMNS' order) of the days from `first` to `last`, from the clocks."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    starts = [day_start(day) for day in days] + [day_start(last + timedelta(days=1))]
    fetched = _clocks_reported(starts[0], starts[-1])
    if not fetched:
        return []
    clocks = _Clocks(fetched, np.array([to_microseconds(start) for start in starts]))
    return [row for grouping in GROUPINGS.values for row in clocks.rows(grouping, days)]


def _write(first: date, last: date) -> int:
    """Replace the rollup rows of the days from `first` to `last`; returns how many."""
    DayRollup.objects.filter(day__gte=first, day__lte=last).delete()
    rows = rollups_count(first, last)
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(DayRollup._meta.db_table),
        ", ".join(quote(column) for column in COLUMNS),
        ", ".join(["%s"] * len(COLUMNS)),
    )
    with connection.cursor() as cursor:
        for batch in range(0, len(rows), 5_000):
            cursor.executemany(sql, rows[batch : batch + 5_000])
    return len(rows)


@transaction.atomic
def rollups_rebuild(first: date, last: date) -> int:
    """Recount the days from `first` to `last`; returns the number of rows written."""
    _lock()
    # marks of these days go first: a change committed after this keeps its own mark
    StaleRollup.objects.filter(
        reported_at__gte=day_start(first), reported_at__lt=day_start(last + timedelta(days=1))
    ).delete()
    written = 0
    day = first
    while day <= last:
        until = min(last, day + timedelta(days=DAYS_PER_QUERY - 1))
        written += _write(day, until)
        day = until + timedelta(days=1)
    return written


def reported_days() -> tuple[date, date] | None:
    """The first and last days any ticket was reported on."""
    first = Ticket.objects.order_by("reported_at").values_list("reported_at", flat=True).first()
    last = Ticket.objects.order_by("-reported_at").values_list("reported_at", flat=True).first()
    return None if first is None else (day_of(first), day_of(last))


def _lock() -> None:
    """One recount at a time on PostgreSQL (SQLite's writers already take turns)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])


def rollups_refresh() -> set[date]:
    """Recount the days marked stale, then drop the marks that were read (one query when
    nothing changed since the last refresh)."""
    if not StaleRollup.objects.exists():
        return set()
    return _refresh_marked()


@transaction.atomic
def _refresh_marked() -> set[date]:
    """Marks are read before the clocks, so a change committed meanwhile keeps its own mark
    and is recounted by the next refresh."""
    _lock()
    marks = list(StaleRollup.objects.order_by().values_list("pk", "reported_at"))
    if not marks:
        return set()
    days = {day_of(reported_at) for _pk, reported_at in marks}
    for first, last in _runs(sorted(days)):
        _write(first, last)
    last_read = max(pk for pk, _at in marks)
    StaleRollup.objects.filter(pk__lte=last_read).delete()
    return days


def _runs(days: list[date]) -> Iterable[tuple[date, date]]:
    """Consecutive days as (first, last) ranges, a month at most: one clock query each."""
    first = previous = None
    for day in days:
        if first is not None and (
            day != previous + timedelta(days=1) or (day - first).days >= DAYS_PER_QUERY
        ):
            yield first, previous
            first = None
        if first is None:
            first = day
        previous = day
    if first is not None:
        yield first, previous


# -- the report from the rollups ------------------------------------------------------------


def _fetched(first: date, last: date) -> list[tuple]:
    """The period's rollup rows as tuples in COLUMNS' order: one query, no model instances."""
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {', '.join(quote(column) for column in COLUMNS)} "
        f"FROM {quote(DayRollup._meta.db_table)} WHERE {quote('day')} BETWEEN %s AND %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [first, last])
        return cursor.fetchall()


class _Rows:
    """The fetched rows column by column, as numpy arrays: a year of a million tickets is
    ~90,000 rows, too many for a Python loop per row within the report's second."""

    def __init__(self, fetched: list[tuple], now_us: int) -> None:
        columns = dict(zip(COLUMNS, zip(*fetched, strict=True), strict=True))
        self.size = len(fetched)
        days = {
            day: date.fromisoformat(day) if isinstance(day, str) else day
            for day in set(columns["day"])
        }
        self.day = [days[day] for day in columns["day"]]
        self.grouping = np.array(columns["grouping"])
        self.group = np.array(columns["group"], dtype=np.int64)
        self.counts = {
            name: np.array(values, dtype=np.int64)
            for name, values in columns.items()
            if name not in BLOBS and name not in ("day", "grouping", "group")
        }
        self.values, self.row_of = {}, {}
        for name in BLOBS:
            blobs = columns[name]
            sizes = np.fromiter((len(blob) // 8 for blob in blobs), np.int64, self.size)
            self.values[name] = np.frombuffer(b"".join(blobs), dtype="<i8")
            self.row_of[name] = np.repeat(np.arange(self.size), sizes)
            if name.endswith("_running_due"):
                # running, not breached yet: breached if due before now, else open
                metric = name.removesuffix("_running_due")
                late = np.bincount(
                    self.row_of[name][self.values[name] < now_us], minlength=self.size
                )
                self.counts[f"{metric}_breached"] += late
                self.counts[f"{metric}_paused"] += sizes - late
        starts = {day: to_microseconds(day_start(day)) for day in days.values()}
        day_start_us = np.array([starts[day] for day in self.day], dtype=np.int64)
        self.counts["waiting"] += (
            self.counts["waiting_now"] * (now_us - day_start_us) - self.counts["waiting_now_since"]
        )


def _sums(values: np.ndarray, order: np.ndarray, starts: np.ndarray) -> list[int]:
    """Exact integer sums of `values` per group (rows `order`ed by group, groups at `starts`)."""
    return np.add.reduceat(values[order], starts).tolist() if len(order) else []


def _grouped(rows: _Rows, grouping: str, now_us: int) -> dict:
    """{group key: figures} of one grouping; months add up the level rows."""
    from reports.selectors import PERCENTILES, _hours, _percent

    source = GROUPINGS.LEVEL if grouping == "month" else grouping
    mask = rows.grouping == source
    if not mask.any():
        return {}
    if grouping == "month":
        months = {day: f"{day:%Y-%m}" for day in set(rows.day)}
        labels = np.array([months[day] for day in rows.day])[mask]
        keys, codes = np.unique(labels, return_inverse=True)
    else:
        keys, codes = np.unique(rows.group[mask], return_inverse=True)
    order = np.argsort(codes, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(codes[order]) != 0]) if len(order) else order
    sums = {name: _sums(values[mask], order, starts) for name, values in rows.counts.items()}
    code_of_row = np.full(rows.size, -1, dtype=np.int64)
    code_of_row[mask] = codes
    percentiles = {}
    for metric in METRICS:
        name = f"{metric}_used"
        value_codes = code_of_row[rows.row_of[name]]
        chosen = value_codes >= 0
        value_codes, values = value_codes[chosen], rows.values[name][chosen]
        by_group = np.argsort(value_codes, kind="stable")
        bounds = np.r_[0, np.cumsum(np.bincount(value_codes, minlength=len(keys)))]
        values = values[by_group]
        for code in range(len(keys)):
            group = values[bounds[code] : bounds[code + 1]]
            for label, fraction in PERCENTILES.items():
                percentiles[code, metric, label] = (
                    _hours(_percentile(group, fraction)) if len(group) else None
                )
    found = {}
    for code, key in enumerate(keys.tolist()):
        if not sums["clocks"][code]:
            continue
        result = {"tickets": sums["tickets"][code]}
        for metric in METRICS:
            met, breached = sums[f"{metric}_met"][code], sums[f"{metric}_breached"][code]
            result[f"{metric}_met"] = met
            result[f"{metric}_breached"] = breached
            result[f"{metric}_open"] = sums[f"{metric}_paused"][code]
            result[f"{metric}_compliance"] = _percent(met, breached)
            for label in PERCENTILES:
                result[f"{metric}_{label}_hours"] = percentiles[code, metric, label]
        result["waiting_hours"] = _hours(sums["waiting"][code])
        found[key] = result
    return found


def _percentile(values: np.ndarray, fraction: float) -> float:
    """`percentile_cont` over unsorted values: only the two ranks it needs are selected."""
    from reports.selectors import percentile_cont

    count = len(values)
    position = fraction * (count - 1)
    ranks = sorted({int(position), min(int(position) + 1, count - 1)})
    chosen = np.partition(values, ranks)
    return percentile_cont({rank: int(chosen[rank]) for rank in ranks}, count, fraction)


def compliance_groups(period, *, now: datetime) -> dict[str, list[dict]]:
    """The compliance report's rows by month, level, organization and analyst, from rollups:
    the figures `compliance_from_clocks` gives, without reading the clocks."""
    from reports.selectors import GROUPINGS as REPORT_GROUPINGS

    fetched = _fetched(period.date_from, period.date_to)
    if not fetched:
        return {grouping: [] for grouping in REPORT_GROUPINGS}
    now_us = to_microseconds(now)
    rows = _Rows(fetched, now_us)
    return {
        grouping: _report_rows(grouping, _grouped(rows, grouping, now_us))
        for grouping in REPORT_GROUPINGS
    }


def _report_rows(grouping: str, found: dict) -> list[dict]:
    """Rows labelled and ordered as the clock scan orders them (by key, then by its sort)."""
    if grouping == "month":
        return [{"key": key, "label": key, **found[key]} for key in sorted(found)]
    labels, sort_keys = _labels(grouping, list(found))
    keys = sorted(found, key=lambda key: (key == NO_ANALYST, key))
    keys.sort(key=sort_keys.__getitem__)
    return [
        {"key": "" if key == NO_ANALYST else str(key), "label": labels[key], **found[key]}
        for key in keys
    ]


def _labels(grouping: str, keys: list[int]) -> tuple[dict, dict]:
    """({group: label}, {group: sort key}) of a grouping's groups, in one query."""
    from sla.models import PriorityLevel
    from tickets.models import Organization

    if grouping == GROUPINGS.LEVEL:
        levels = list(PriorityLevel.objects.filter(pk__in=keys).values_list("pk", "name", "number"))
        return {pk: name for pk, name, _n in levels}, {pk: number for pk, _name, number in levels}
    if grouping == GROUPINGS.ORGANIZATION:
        names = dict(Organization.objects.filter(pk__in=keys).values_list("pk", "name"))
        return names, {pk: name.casefold() for pk, name in names.items()}
    from django.contrib.auth import get_user_model

    people = get_user_model().objects.filter(pk__in=keys)
    labels = {NO_ANALYST: _("Unassigned")}
    sort_keys = {NO_ANALYST: (True, "")}
    for pk, username, first, last in people.values_list(
        "pk", "username", "first_name", "last_name"
    ):
        labels[pk] = f"{first} {last}".strip() or username
        sort_keys[pk] = (False, username or "")
    return labels, sort_keys
