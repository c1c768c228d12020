"""SLA reports: counts, percentages and percentiles per group.

The compliance report reads daily rollups (reports/rollups.py): a year of a million tickets
is a few hundred rows a day, not two million clocks. `compliance_from_clocks` computes the same
report the database way, every figure an aggregate over `SLAClock` rows joined to their ticket,
in a fixed number of queries: one per grouping on PostgreSQL (percentiles with
`percentile_cont`), two on other databases (percentiles picked from a window query: at most four
rows per group come back). It is the rollups' oracle. Backlog and statements read the clocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname, get_language, resolution_order

from sla.models import ClockMetric, ClockState, PriorityLevel, SLAClock
from tickets.models import Ticket

GROUPINGS = ("month", "level", "organization", "analyst")
METRICS = (ClockMetric.FIRST_RESPONSE, ClockMetric.RESOLUTION)
PERCENTILES = {"median": 0.5, "p90": 0.9}
# Open tickets by age since the customer communicated: (key, lower bound, upper bound).
AGE_BUCKETS = (
    ("age_under_1d", timedelta(0), timedelta(days=1)),
    ("age_1_3d", timedelta(days=1), timedelta(days=3)),
    ("age_3_7d", timedelta(days=3), timedelta(days=7)),
    ("age_7_30d", timedelta(days=7), timedelta(days=30)),
    ("age_over_30d", timedelta(days=30), None),
)
BREACH_WINDOWS = (("next_4h", timedelta(hours=4)), ("next_24h", timedelta(hours=24)))
BREACHING_LIST_LIMIT = 100
MICROSECOND = timedelta(microseconds=1)


def desk_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Period:
    """Tickets reported from `date_from` to `date_to`, both included, in the desk's zone."""

    date_from: date
    date_to: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.date_from, time(0), desk_zone())

    @property
    def end(self) -> datetime:
        return datetime.combine(self.date_to + timedelta(days=1), time(0), desk_zone())

    @classmethod
    def default(cls, *, today: date) -> Period:
        """The current month and the five before it."""
        month = today.month - 5
        year = today.year + (month - 1) // 12
        month = (month - 1) % 12 + 1
        return cls(date(year, month, 1), today)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        following = date(year + month // 12, month % 12 + 1, 1)
        return cls(date(year, month, 1), following - timedelta(days=1))


# -- percentiles ----------------------------------------------------------------------------


class PercentileCont(Aggregate):
    """PostgreSQL's `percentile_cont(p) WITHIN GROUP (ORDER BY x)` (works on intervals)."""

    function = "PERCENTILE_CONT"
    name = "PercentileCont"
    template = "%(function)s(%(percentile)s) WITHIN GROUP (ORDER BY %(expressions)s)%(filter)s"
    output_field = DurationField()

    def __init__(self, expression, *, percentile: float, **extra):
        if not 0 <= percentile <= 1:
            raise ValueError("a percentile is between 0 and 1")
        super().__init__(expression, percentile=repr(float(percentile)), **extra)


def percentile_cont(values_by_rank: dict[int, int], count: int, fraction: float) -> float:
    """Linear interpolation between ranks, as `percentile_cont` does (ranks from 0)."""
    position = fraction * (count - 1)
    low = int(position)
    high = min(low + 1, count - 1) if position > low else low
    low_value, high_value = values_by_rank[low], values_by_rank[high]
    return low_value + (high_value - low_value) * (position - low)


def _uses_percentile_cont() -> bool:
    return connection.vendor == "postgresql"


def _hours(value) -> float | None:
    """Hours (2 decimals) of a duration: a timedelta, or microseconds from a raw query."""
    if value is None:
        return None
    if isinstance(value, timedelta):
        value = value / MICROSECOND
    return round(value / 3_600_000_000, 2)


def _percent(met: int, breached: int) -> float | None:
    judged = met + breached
    return round(100 * met / judged, 1) if judged else None


# -- SLA compliance -------------------------------------------------------------------------


def measured_clocks(period: Period) -> QuerySet[SLAClock]:
    """Clocks of tickets reported in the period; cancelled tickets are not measured."""
    return SLAClock.objects.filter(
        ticket__reported_at__gte=period.start, ticket__reported_at__lt=period.end
    ).exclude(ticket__status=Ticket.Status.CANCELLED)


def months_of(period: Period) -> list[tuple[datetime, str]]:
    """(start instant, "YYYY-MM") of each month the period touches, in the desk's zone."""
    months, day = [], period.date_from.replace(day=1)
    while day <= period.date_to:
        months.append((datetime.combine(day, time(0), desk_zone()), f"{day:%Y-%m}"))
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def _month_expression(period: Period):
    """The month of the report instant as "YYYY-MM": comparisons with the month boundaries
    (worked out in the desk's zone here), so no per-row time zone conversion in the database."""
    months = months_of(period)
    last = months[-1][0].date()
    after = datetime.combine((last + timedelta(days=32)).replace(day=1), time(0), desk_zone())
    boundaries = [start for start, _label in months[1:]] + [after]
    # Every branch reads the column, even for one month: a constant would not be grouped by.
    whens = [
        When(ticket__reported_at__lt=following, then=Value(label))
        for (_start, label), following in zip(months, boundaries, strict=True)
    ]
    return Case(*whens, default=Value(None), output_field=CharField())


# A level's name in each language (sla/translation.py): read through the clocks, whose
# queries modeltranslation does not rewrite, and picked as the level's own `name` would be.
_LEVEL_NAMES = tuple(
    f"ticket__priority__{build_localized_fieldname('name', code)}"
    for code, _name in settings.LANGUAGES
)


def _level_name(row: dict) -> str:
    """The level's name in the active language, else pt-BR's (modeltranslation's fallback)."""
    for language in resolution_order(get_language()):
        name = row.get(f"ticket__priority__{build_localized_fieldname('name', language)}")
        if name:
            return name
    return ""


def _group(grouping: str, period: Period):
    """(key expression, label fields, sort key of its rows) of a grouping.

    The database groups and orders by the key alone (sorting on names costs more than the
    aggregation itself at a million tickets); the few resulting rows are sorted here.
    """
    if grouping == "month":
        return _month_expression(period), (), None
    if grouping == "level":
        return (
            F("ticket__priority_id"),
            (*_LEVEL_NAMES, "ticket__priority__number"),
            lambda row: row["ticket__priority__number"],
        )
    if grouping == "organization":
        return (
            F("ticket__organization_id"),
            ("ticket__organization__name",),
            lambda row: row["ticket__organization__name"].casefold(),
        )
    if grouping == "analyst":
        return (
            F("ticket__assignee_id"),
            (
                "ticket__assignee__username",
                "ticket__assignee__first_name",
                "ticket__assignee__last_name",
            ),
            lambda row: (row["key"] is None, row["ticket__assignee__username"] or ""),
        )
    raise ValueError(grouping)


def _normal_key(grouping: str, value) -> str:
    """One spelling of a group's key, whether the ORM or a raw query read it."""
    return "" if value is None else str(value)


def _label(grouping: str, row: dict) -> str:
    if grouping == "month":
        return row["key"]
    if grouping == "level":
        return _level_name(row)
    if grouping == "organization":
        return row["ticket__organization__name"]
    if row["key"] is None:
        return _("Unassigned")
    full = f"{row['ticket__assignee__first_name']} {row['ticket__assignee__last_name']}".strip()
    return full or row["ticket__assignee__username"]


def _state_filters(metric: str, now: datetime) -> dict[str, Q]:
    mine = Q(metric=metric)
    # A breach is a fact (breached_at), even on a clock now paused or moved later.
    breached = (
        Q(breached_at__isnull=False)
        | Q(state=ClockState.BREACHED)
        | Q(state=ClockState.RUNNING, due_at__lt=now)
    )
    return {
        "met": mine & Q(state=ClockState.MET),
        "breached": mine & breached,
        "open": mine
        & ~breached
        & (Q(state=ClockState.PAUSED) | Q(state=ClockState.RUNNING, due_at__gte=now)),
    }


def _compliance_aggregates(now: datetime) -> dict:
    # one resolution clock per ticket (a unique constraint): cheaper than COUNT(DISTINCT)
    aggregates = {"tickets": Count("pk", filter=Q(metric=ClockMetric.RESOLUTION))}
    for metric in METRICS:
        for state, condition in _state_filters(metric, now).items():
            aggregates[f"{metric}_{state}"] = Count("pk", filter=condition)
        if _uses_percentile_cont():
            used = Q(metric=metric, met_at__isnull=False, time_used__isnull=False)
            for name, fraction in PERCENTILES.items():
                aggregates[f"{metric}_{name}"] = PercentileCont(
                    "time_used", percentile=fraction, filter=used
                )
    resolution = Q(metric=ClockMetric.RESOLUTION)
    aggregates["waiting"] = Sum("paused_total", filter=resolution)
    # A ticket waiting right now: its open pause counts up to now (a cancelled ticket's
    # stopped clock is not waiting on anyone).
    aggregates["waiting_now"] = Sum(
        ExpressionWrapper(Value(now, DateTimeField()) - F("paused_since"), DurationField()),
        filter=resolution & Q(ticket__status=Ticket.Status.WAITING_ON_CUSTOMER),
    )
    return aggregates


def _window_percentiles(
    clocks: QuerySet[SLAClock], grouping: str, key
) -> dict[tuple[str, str], dict]:
    """{(metric, group key): {"median": µs, "p90": µs}} from one window query.

    Each met clock is ranked within its (metric, group); only the ranks that the percentiles
    interpolate between (at most four a group) leave the database.
    """
    partition = [F("metric"), key]
    ranked = (
        clocks.filter(met_at__isnull=False, time_used__isnull=False)
        .annotate(
            key=key,
            rank=Window(RowNumber(), partition_by=partition, order_by=F("time_used").asc()),
            size=Window(Count("pk"), partition_by=partition),
        )
        .order_by()
        .values_list("metric", "key", "time_used", "rank", "size")
    )
    sql, params = ranked.query.sql_with_params()
    # 0-based ranks floor and ceil of p * (size - 1), for p = 1/2 and 9/10, in integers.
    wanted = " OR ".join(
        f"rank_ - 1 = ({numerator} * (size_ - 1) + {offset}) / {denominator}"
        for numerator, offset, denominator in ((1, 0, 2), (1, 1, 2), (9, 0, 10), (9, 9, 10))
    )
    query = (
        f"WITH ranked (metric_, key_, used_, rank_, size_) AS ({sql}) "
        f"SELECT metric_, key_, used_, rank_, size_ FROM ranked WHERE {wanted}"
    )
    ranks: dict[tuple[str, str], tuple[int, dict[int, float]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for metric, group, used, rank, size in cursor.fetchall():
            _size, values = ranks.setdefault((metric, _normal_key(grouping, group)), (size, {}))
            values[rank - 1] = used / MICROSECOND if isinstance(used, timedelta) else used
    return {
        group: {
            name: percentile_cont(values, count, fraction) for name, fraction in PERCENTILES.items()
        }
        for group, (count, values) in ranks.items()
    }


@dataclass
class ComplianceReport:
    period: Period
    generated_at: datetime
    groups: dict[str, list[dict]] = field(default_factory=dict)
    totals: dict = field(default_factory=dict)


def compliance_report(*, period: Period, now: datetime) -> ComplianceReport:
    """SLA compliance of tickets reported in the period, by month, level, organization and
    analyst: met, breached and open clocks, % met, median and p90 time used, waiting time.

    Read from the daily rollups (reports/rollups.py), after recounting the days changed since
    the last report; the figures are those of `compliance_from_clocks`.
    """
    from reports import rollups

    rollups.rollups_refresh()
    report = ComplianceReport(period=period, generated_at=now)
    report.groups = rollups.compliance_groups(period, now=now)
    report.totals = _totals(report.groups["month"])
    _add_satisfaction(report)
    return report


def compliance_from_clocks(*, period: Period, now: datetime) -> ComplianceReport:
    """The compliance report computed over every clock of the period: what the rollups must
    equal (tests and `reports_rebuild_rollups --check` compare them), and the bench's baseline."""
    report = ComplianceReport(period=period, generated_at=now)
    clocks = measured_clocks(period)
    aggregates = _compliance_aggregates(now)
    for grouping in GROUPINGS:
        key, label_fields, sort_key = _group(grouping, period)
        rows = list(
            clocks.annotate(key=key)
            .values("key", *label_fields)
            .annotate(**aggregates)
            .order_by("key")
        )
        if sort_key is not None:
            rows.sort(key=sort_key)
        percentiles = {} if _uses_percentile_cont() else _window_percentiles(clocks, grouping, key)
        report.groups[grouping] = [_compliance_row(grouping, row, percentiles, now) for row in rows]
    report.totals = _totals(report.groups["month"])
    _add_satisfaction(report)
    return report


def _add_satisfaction(report: ComplianceReport) -> None:
    """Beside each group's compliance, its customers' ratings (satisfaction app): how many,
    the average score, how many low (1-2). The ratings of the tickets the row counts (reported
    in the period), every resolution's; one aggregate per grouping (ratings are few: one per
    resolution answered, never a rollup's worth)."""
    from satisfaction.models import LOW_SCORE, Rating

    # `ticket__in` the rated tickets: the way in is the few ratings, each ticket looked up by
    # id; with the period alone SQLite walked a year of tickets (a million: 3 s a grouping).
    ratings = Rating.objects.filter(
        ticket__in=Rating.objects.values("ticket_id"),
        ticket__reported_at__gte=report.period.start,
        ticket__reported_at__lt=report.period.end,
    ).exclude(ticket__status=Ticket.Status.CANCELLED)
    figures = {
        "ratings": Count("pk"),
        "rating_sum": Sum("score"),
        "ratings_low": Count("pk", filter=Q(score__lte=LOW_SCORE)),
    }
    totals = {"ratings": 0, "rating_sum": 0, "ratings_low": 0}
    for grouping in GROUPINGS:
        key, _fields, _sort = _group(grouping, report.period)
        found = {
            _normal_key(grouping, row["key"]): row
            for row in ratings.annotate(key=key).values("key").annotate(**figures).order_by()
        }
        for row in report.groups.get(grouping, []):
            rated = found.get(row["key"], {"ratings": 0, "rating_sum": 0, "ratings_low": 0})
            _rating_figures(row, rated)
            if grouping == "month":
                for name in totals:
                    totals[name] += rated[name] or 0
    _rating_figures(report.totals, totals)


def _rating_figures(row: dict, rated: dict) -> None:
    row["ratings"] = rated["ratings"]
    row["ratings_low"] = rated["ratings_low"]
    row["rating_average"] = (
        round(rated["rating_sum"] / rated["ratings"], 2) if rated["ratings"] else None
    )


def _compliance_row(grouping: str, row: dict, percentiles: dict, now: datetime) -> dict:
    key = _normal_key(grouping, row["key"])
    result = {"key": key, "label": _label(grouping, row), "tickets": row["tickets"]}
    for metric in METRICS:
        met, breached = row[f"{metric}_met"], row[f"{metric}_breached"]
        result[f"{metric}_met"] = met
        result[f"{metric}_breached"] = breached
        result[f"{metric}_open"] = row[f"{metric}_open"]
        result[f"{metric}_compliance"] = _percent(met, breached)
        for name in PERCENTILES:
            if _uses_percentile_cont():
                value = row[f"{metric}_{name}"]
            else:
                value = percentiles.get((metric, key), {}).get(name)
            result[f"{metric}_{name}_hours"] = _hours(value)
    waiting = (row["waiting"] or timedelta(0)) + (row["waiting_now"] or timedelta(0))
    result["waiting_hours"] = _hours(waiting)
    return result


def _totals(rows: list[dict]) -> dict:
    totals = {"tickets": sum(row["tickets"] for row in rows)}
    for metric in METRICS:
        for state in ("met", "breached", "open"):
            totals[f"{metric}_{state}"] = sum(row[f"{metric}_{state}"] for row in rows)
        totals[f"{metric}_compliance"] = _percent(
            totals[f"{metric}_met"], totals[f"{metric}_breached"]
        )
    totals["waiting_hours"] = round(sum(row["waiting_hours"] or 0 for row in rows), 2)
    return totals


# -- backlog --------------------------------------------------------------------------------


@dataclass
class BacklogReport:
    period: Period
    generated_at: datetime
    levels: list[dict]
    breaching: list[SLAClock]


def backlog_report(*, period: Period, now: datetime) -> BacklogReport:
    """Open tickets by level and age, and what breaches within the next 4 and 24 hours."""
    open_tickets = Ticket.objects.open().filter(
        reported_at__gte=period.start, reported_at__lt=period.end
    )
    ages = {"total": Count("pk")}
    for name, low, high in AGE_BUCKETS:
        condition = Q(reported_at__lte=now - low)
        if high is not None:
            condition &= Q(reported_at__gt=now - high)
        ages[name] = Count("pk", filter=condition)
    by_level = {
        row["priority_id"]: row
        for row in open_tickets.values("priority_id").annotate(**ages).order_by()
    }
    unmet = SLAClock.objects.filter(ticket__in=open_tickets, met_at__isnull=True)
    windows = {
        "overdue": Count(
            "ticket_id",
            distinct=True,
            filter=Q(breached_at__isnull=False)
            | Q(state=ClockState.BREACHED)
            | Q(state=ClockState.RUNNING, due_at__lt=now),
        )
    }
    for name, span in BREACH_WINDOWS:
        windows[name] = Count(
            "ticket_id",
            distinct=True,
            filter=Q(
                state=ClockState.RUNNING,
                breached_at__isnull=True,
                due_at__gte=now,
                due_at__lt=now + span,
            ),
        )
    due_by_level = {
        row["ticket__priority_id"]: row
        for row in unmet.values("ticket__priority_id").annotate(**windows).order_by()
    }
    levels = []
    for level in PriorityLevel.objects.order_by("number"):
        counts = by_level.get(level.pk, {})
        due = due_by_level.get(level.pk, {})
        row = {"key": level.code, "label": level.name, "total": counts.get("total", 0)}
        row.update({name: counts.get(name, 0) for name, _low, _high in AGE_BUCKETS})
        row["overdue"] = due.get("overdue", 0)
        row.update({name: due.get(name, 0) for name, _span in BREACH_WINDOWS})
        levels.append(row)
    breaching = list(
        unmet.filter(state=ClockState.RUNNING, due_at__lt=now + BREACH_WINDOWS[-1][1])
        .select_related("ticket__priority", "ticket__organization", "ticket__assignee")
        .order_by("due_at", "pk")[:BREACHING_LIST_LIMIT]
    )
    return BacklogReport(period=period, generated_at=now, levels=levels, breaching=breaching)


# -- monthly statement of an organization ---------------------------------------------------


def can_read_statement(user, organization) -> bool:
    """Analysts, and the organization's admins (they see all of its tickets); not members."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_staff:
        return True
    membership = getattr(user, "membership", None)
    return bool(
        membership and membership.is_admin and membership.organization_id == organization.pk
    )


@dataclass
class Statement:
    organization: object
    period: Period
    generated_at: datetime
    tickets: list
    agreements: list
    summary: dict


def open_during(tickets: QuerySet[Ticket], period: Period) -> QuerySet[Ticket]:
    """Tickets open at any moment of the period: reported before its end and not finished
    before its start. A ticket reported in November and still open (or breaching) in
    December belongs to both months; one resolved in November (closed later or not) to
    November only; a cancelled one until its cancellation (read from its history, the one
    record of when it happened)."""
    cancelled_at = (
        Ticket.history.filter(id=OuterRef("pk"), status=Ticket.Status.CANCELLED)
        .order_by("history_date")
        .values("history_date")[:1]
    )
    finished_before = Q(
        status__in=(Ticket.Status.RESOLVED, Ticket.Status.CLOSED),
        resolved_at__lt=period.start,
    ) | Q(
        status=Ticket.Status.CANCELLED, reported_at__lt=period.start, cancelled_at__lt=period.start
    )
    return (
        tickets.filter(reported_at__lt=period.end)
        .alias(cancelled_at=Subquery(cancelled_at))
        .exclude(finished_before)
    )


def statement_for(*, user, organization, period: Period, now: datetime) -> Statement:
    """A month of an organization's tickets (every one open at any moment of the month):
    deadlines, met or breached, agreements made.

    Four queries whatever the number of tickets: tickets, their clocks, the summary, agreements.
    """
    from communications.selectors import agreements_visible_to
    from tickets.selectors import tickets_visible_to

    covered = open_during(tickets_visible_to(user).filter(organization=organization), period)
    tickets = list(covered.order_by("reported_at", "pk"))
    counts = {}
    for metric in METRICS:
        for state, condition in _state_filters(metric, now).items():
            counts[f"{metric}_{state}"] = Count("pk", filter=condition)
    summary = (
        SLAClock.objects.filter(ticket__in=covered.values("pk"))
        .exclude(ticket__status=Ticket.Status.CANCELLED)
        .aggregate(**counts)
    )
    for metric in METRICS:
        summary[f"{metric}_compliance"] = _percent(
            summary[f"{metric}_met"], summary[f"{metric}_breached"]
        )
    agreements = list(
        agreements_visible_to(user)
        .filter(ticket__organization=organization)
        # made this month, or on this month's tickets (recorded later, they still belong here)
        .filter(
            Q(created_at__gte=period.start, created_at__lt=period.end)
            | Q(ticket__reported_at__gte=period.start, ticket__reported_at__lt=period.end)
        )
        .select_related("ticket")
        .order_by("created_at", "pk")
    )
    return Statement(
        organization=organization,
        period=period,
        generated_at=now,
        tickets=tickets,
        agreements=agreements,
        summary=summary,
    )
