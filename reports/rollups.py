"""Daily rollups of the SLA clocks, so the compliance report reads a few hundred rows a day
instead of every clock joined to its ticket.

What is stored: one `DayRollup` row per (day reported in the desk's zone, grouping, group) for
the level, organization and analyst groupings, which the report never crosses (a crossed key
would hold about one row per ticket); months add up the level rows. Counts are stored as
counts. What depends on when the report is read is stored so it can be worked out then: the
due instants of running clocks not yet breached (breached or open depends on now), and the
tickets waiting on the customer with the sum of their pauses' starts.

Exact medians and p90, from stored durations: each row keeps the time used of its met clocks,
whole (microseconds, sorted, packed as 8-byte integers); the report concatenates a group's
rows and picks, in linear time (`numpy.partition`), the two ranks `percentile_cont`
interpolates between. The issue asks for the clock scan's figures: a sketch (t-digest,
DDSketch) is approximate by design, and seconds instead of microseconds would move a figure's
0.01 h rounding for about one value in 36. The cost is 8 bytes per met clock per grouping
(about 45 MB for a year of a million tickets); PostgreSQL concatenates each group's bytes
itself (`string_agg`), SQLite hands over its rows as they are.

What keeps them current: triggers (reports/triggers.py) add a `StaleRollup` mark for every
change of what the report reads, in the changing transaction, whichever path wrote it (the
sweep's bulk_update, update(), raw SQL); `rollups_refresh` recounts the marked days from the
clocks (a day is small, read by the index on the report instant) and runs before each report,
so a report never reads a stale day. `reports_rebuild_rollups` recounts a range of days, or all.
"""

from __future__ import annotations

from collections import defaultdict
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

SUMMED = (
    "clocks",
    "tickets",
    *(f"{m}_{c}" for m in METRICS for c in ("met", "breached", "paused")),
    "waiting",
)


def _month(day) -> str:
    return f"{day:%Y-%m}" if isinstance(day, date) else str(day)[:7]


def _counted(first: date, last: date) -> dict[str, dict]:
    """{grouping: {group: {column: sum}}}: the database adds the counts up (a year is ~90,000
    rows at a million tickets; a few hundred sums come back)."""
    from django.db.models import Sum

    in_period = DayRollup.objects.filter(day__gte=first, day__lte=last).order_by()
    sums = {column: Sum(column) for column in SUMMED}
    found: dict[str, dict] = defaultdict(dict)
    for row in in_period.values("grouping", "group").annotate(**sums):
        found[row["grouping"]][row["group"]] = {column: int(row[column]) for column in SUMMED}
    months = found["month"]
    for row in in_period.filter(grouping=GROUPINGS.LEVEL).values("day").annotate(**sums):
        month = months.setdefault(_month(row["day"]), dict.fromkeys(SUMMED, 0))
        for column in SUMMED:
            month[column] += int(row[column])
    return found


def _raw(sql: str, params: list) -> list[tuple]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            sql.format(table=quote(DayRollup._meta.db_table), group=quote("group")), params
        )
        return cursor.fetchall()


def _add_what_depends_on_now(found: dict, first: date, last: date, now: datetime) -> None:
    """Running clocks past due count as breached, others as open; open pauses count up to now.
    Only the rows with such clocks are read: those of tickets still open."""
    now_us = to_microseconds(now)
    rows = _raw(
        "SELECT day, grouping, {group}, first_response_running_due, resolution_running_due, "
        "waiting_now, waiting_now_since FROM {table} WHERE day BETWEEN %s AND %s AND "
        "(waiting_now > 0 OR length(first_response_running_due) > 0 "
        "OR length(resolution_running_due) > 0)",
        [first, last],
    )
    for day, grouping, group, *dues, waiting_now, since in rows:
        day = day if isinstance(day, date) else date.fromisoformat(day)
        targets = [found[grouping][group]]
        if grouping == GROUPINGS.LEVEL:
            targets.append(found["month"][_month(day)])
        start_us = to_microseconds(day_start(day))
        for target in targets:
            for metric, due in zip(METRICS, dues, strict=True):
                due = np.frombuffer(bytes(due), dtype="<i8")
                late = int(np.searchsorted(due, now_us, side="left"))
                target[f"{metric}_breached"] += late
                target[f"{metric}_paused"] += len(due) - late
            target["waiting"] += waiting_now * (now_us - start_us) - since


def _used_by_group(first: date, last: date) -> dict[tuple[str, object], dict[str, list]]:
    """{(grouping, group): {metric: [packed durations, ...]}}. PostgreSQL concatenates each
    group's durations itself; SQLite has no aggregate for blobs, so its rows come one by one
    (quick there: no network, no encoding)."""
    found: dict = defaultdict(lambda: {metric: [] for metric in METRICS})
    if connection.vendor == "postgresql":
        concatenated = (
            "string_agg(first_response_used, ''::bytea), string_agg(resolution_used, ''::bytea)"
        )
        rows = _raw(
            f"SELECT grouping, {{group}}, {concatenated} FROM {{table}} "
            "WHERE day BETWEEN %s AND %s GROUP BY grouping, {group}",
            [first, last],
        )
        rows += _raw(
            f"SELECT 'month', to_char(day, 'YYYY-MM'), {concatenated} FROM {{table}} "
            "WHERE grouping = %s AND day BETWEEN %s AND %s GROUP BY 2",
            [GROUPINGS.LEVEL, first, last],
        )
        for grouping, group, *used in rows:
            for metric, blob in zip(METRICS, used, strict=True):
                found[grouping, group][metric].append(bytes(blob or b""))
        return found
    # the month as text: a date column would go through a converter per row
    rows = _raw(
        "SELECT substr(day, 1, 7), grouping, {group}, first_response_used, resolution_used "
        "FROM {table} WHERE day BETWEEN %s AND %s",
        [first, last],
    )
    level = GROUPINGS.LEVEL
    for month, grouping, group, *used in rows:
        for lists in (
            (found[grouping, group], found["month", month])
            if grouping == level
            else (found[grouping, group],)
        ):
            for metric, blob in zip(METRICS, used, strict=True):
                if blob:
                    lists[metric].append(blob)
    return found


def _percentile(values: np.ndarray, fraction: float) -> float:
    """`percentile_cont` over unsorted values: only the two ranks it needs are selected."""
    from reports.selectors import percentile_cont

    count = len(values)
    position = fraction * (count - 1)
    ranks = sorted({int(position), min(int(position) + 1, count - 1)})
    chosen = np.partition(values, ranks)
    return percentile_cont({rank: int(chosen[rank]) for rank in ranks}, count, fraction)


def _figures(sums: dict, durations: dict[str, list]) -> dict:
    from reports.selectors import PERCENTILES, _hours, _percent

    result = {"tickets": sums["tickets"]}
    for metric in METRICS:
        met, breached = sums[f"{metric}_met"], sums[f"{metric}_breached"]
        result[f"{metric}_met"] = met
        result[f"{metric}_breached"] = breached
        result[f"{metric}_open"] = sums[f"{metric}_paused"]
        result[f"{metric}_compliance"] = _percent(met, breached)
        values = np.frombuffer(b"".join(durations[metric]), dtype="<i8")
        for name, fraction in PERCENTILES.items():
            result[f"{metric}_{name}_hours"] = (
                _hours(_percentile(values, fraction)) if len(values) else None
            )
    result["waiting_hours"] = _hours(sums["waiting"])
    return result


def compliance_groups(period, *, now: datetime) -> dict[str, list[dict]]:
    """The compliance report's rows by month, level, organization and analyst, from rollups:
    the figures `compliance_from_clocks` gives, without reading the clocks."""
    from reports.selectors import GROUPINGS as REPORT_GROUPINGS

    first, last = period.date_from, period.date_to
    found = _counted(first, last)
    _add_what_depends_on_now(found, first, last, now)
    durations = _used_by_group(first, last)
    empty = {metric: [] for metric in METRICS}
    return {
        grouping: _report_rows(
            grouping,
            {
                key: _figures(sums, durations.get((grouping, key), empty))
                for key, sums in found[grouping].items()
                if sums["clocks"]
            },
        )
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
