"""Every figure of the reports against the hand-built desk (tests/reports/conftest.py)."""

from datetime import date, timedelta

import pytest
from django.db import connection

from reports import rollups, selectors
from reports.selectors import Period
from sla.models import ClockMetric, SLAClock
from tests.reports.conftest import NOW, more_tickets

pytestmark = pytest.mark.django_db

PERIOD = Period(date(2026, 10, 1), date(2026, 11, 30))


def rows_by_label(report, grouping):
    return {row["label"]: row for row in report.groups[grouping]}


def test_time_used_is_stored_when_a_clock_is_met(desk):
    t2 = desk.tickets["t2"]
    used = {c.metric: c.time_used for c in SLAClock.objects.filter(ticket=t2)}
    assert used == {
        ClockMetric.FIRST_RESPONSE: timedelta(hours=5),
        ClockMetric.RESOLUTION: timedelta(hours=16),  # Wed 9h + Thu 6h (3h waiting) + Fri 1h
    }
    assert SLAClock.objects.get(ticket=desk.tickets["t3"], metric="resolution").time_used is None


def test_compliance_by_month(desk):
    report = selectors.compliance_report(period=PERIOD, now=NOW)
    months = rows_by_label(report, "month")
    assert list(months) == ["2026-10", "2026-11"]
    october, november = months["2026-10"], months["2026-11"]
    assert october["tickets"] == 1
    assert (october["first_response_met"], october["first_response_breached"]) == (1, 0)
    assert october["first_response_median_hours"] == 1.0
    assert october["resolution_median_hours"] == october["resolution_p90_hours"] == 9.0
    assert november["tickets"] == 4  # the cancelled ticket is not measured
    assert (
        november["first_response_met"],
        november["first_response_breached"],
        november["first_response_open"],
    ) == (2, 2, 0)
    assert november["first_response_compliance"] == 50.0
    # first response used: 1h, 5h, 1.5h -> median 1.5, p90 1.5 + 0.8 * 3.5
    assert november["first_response_median_hours"] == 1.5
    assert november["first_response_p90_hours"] == 4.3
    assert (november["resolution_met"], november["resolution_breached"]) == (2, 0)
    assert november["resolution_open"] == 2
    assert november["resolution_compliance"] == 100.0
    # resolution used: 5h, 16h -> median 10.5, p90 5 + 0.9 * 11
    assert november["resolution_median_hours"] == 10.5
    assert november["resolution_p90_hours"] == 14.9
    assert november["waiting_hours"] == 3.0


def test_compliance_totals(desk):
    totals = selectors.compliance_report(period=PERIOD, now=NOW).totals
    assert totals["tickets"] == 5
    assert (totals["first_response_met"], totals["first_response_breached"]) == (3, 2)
    assert totals["first_response_compliance"] == 60.0
    assert (totals["resolution_met"], totals["resolution_open"]) == (3, 2)
    assert totals["waiting_hours"] == 3.0


def test_compliance_by_level_organization_and_analyst(desk):
    report = selectors.compliance_report(period=PERIOD, now=NOW)
    levels = rows_by_label(report, "level")
    assert [row["label"] for row in report.groups["level"]] == ["High", "Medium", "Low"]
    assert (levels["High"]["first_response_met"], levels["High"]["first_response_breached"]) == (
        1,
        1,
    )
    assert levels["Medium"]["resolution_median_hours"] == 12.5  # 9h and 16h
    assert levels["Medium"]["resolution_p90_hours"] == 15.3  # 9 + 0.9 * 7
    assert levels["Low"]["resolution_open"] == 1
    organizations = rows_by_label(report, "organization")
    assert organizations["Acme"]["tickets"] == 3
    assert organizations["Acme"]["waiting_hours"] == 3.0
    assert organizations["Beta"]["tickets"] == 2
    assert organizations["Beta"]["first_response_compliance"] == 50.0
    analysts = rows_by_label(report, "analyst")
    assert set(analysts) == {"Xavier Lima", "yara", "Unassigned"}
    assert analysts["Xavier Lima"]["tickets"] == 3
    assert analysts["Xavier Lima"]["first_response_median_hours"] == 1.0  # 1, 1, 1.5
    assert analysts["Xavier Lima"]["first_response_p90_hours"] == 1.4  # 1 + 0.8 * 0.5
    assert analysts["yara"]["first_response_breached"] == 1
    assert analysts["Unassigned"]["first_response_breached"] == 1
    assert analysts["Unassigned"]["first_response_median_hours"] is None


def test_the_period_filters_by_report_date(desk):
    november = selectors.compliance_report(
        period=Period(date(2026, 11, 1), date(2026, 11, 30)), now=NOW
    )
    assert [row["label"] for row in november.groups["month"]] == ["2026-11"]
    empty = selectors.compliance_report(period=Period(date(2025, 1, 1), date(2025, 1, 31)), now=NOW)
    assert all(rows == [] for rows in empty.groups.values())
    assert empty.totals["first_response_compliance"] is None


def test_window_percentiles_agree_with_percentile_cont(desk):
    """The SQLite path, run on every database (on PostgreSQL it is checked against the other)."""
    clocks = selectors.measured_clocks(PERIOD)
    key, _labels, _sort = selectors._group("month", PERIOD)
    found = selectors._window_percentiles(clocks, "month", key)
    hours = {
        group: {k: round(v / 3.6e9, 2) for k, v in values.items()}
        for group, values in found.items()
    }
    assert hours[("first_response", "2026-11")] == {"median": 1.5, "p90": 4.3}
    assert hours[("resolution", "2026-11")] == {"median": 10.5, "p90": 14.9}
    assert hours[("resolution", "2026-10")] == {"median": 9.0, "p90": 9.0}


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [([5], 0.9, 5), ([1, 2], 0.5, 1.5), ([1, 2, 3, 4], 0.9, 3.7), ([0, 10, 20], 0.5, 10)],
)
def test_percentile_cont_interpolates_like_postgresql(values, fraction, expected):
    ranks = dict(enumerate(values))
    assert selectors.percentile_cont(ranks, len(values), fraction) == pytest.approx(expected)


def test_backlog(desk):
    report = selectors.backlog_report(period=PERIOD, now=NOW)
    levels = {row["key"]: row for row in report.levels}
    assert list(levels) == ["critica", "alta", "media", "baixa"]
    assert levels["alta"] | {} == {
        "key": "alta",
        "label": "High",
        "total": 1,
        "age_under_1d": 1,
        "age_1_3d": 0,
        "age_3_7d": 0,
        "age_7_30d": 0,
        "age_over_30d": 0,
        "overdue": 1,
        "next_4h": 1,
        "next_24h": 1,
    }
    assert (levels["baixa"]["total"], levels["baixa"]["age_1_3d"]) == (1, 1)
    assert (levels["baixa"]["overdue"], levels["baixa"]["next_24h"]) == (0, 0)
    assert levels["media"]["total"] == 0
    assert [(c.ticket.reference, c.metric) for c in report.breaching] == [
        (desk.tickets["t4"].reference, "first_response"),
        (desk.tickets["t4"].reference, "resolution"),
    ]


def _queries(callable_) -> int:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        callable_()
    return len(captured)


def test_query_counts_do_not_grow_with_tickets(desk, levels, django_assert_num_queries):
    # days changed since the last report are recounted first (tests/reports/test_rollups.py);
    # then: any marks?, sums by group and by day, rows with running clocks or waiting tickets,
    # durations (PostgreSQL concatenates groups and months apart), three queries of labels,
    # and the satisfaction ratings by month, level, organization and analyst (one each)
    compliance = (9 if connection.vendor == "postgresql" else 8) + 4
    rollups.rollups_refresh()
    with django_assert_num_queries(compliance):
        selectors.compliance_report(period=PERIOD, now=NOW)
    with django_assert_num_queries(4):
        selectors.backlog_report(period=PERIOD, now=NOW)
    more_tickets(levels, 12, start=NOW.replace(day=5))
    rollups.rollups_refresh()
    with django_assert_num_queries(compliance):
        report = selectors.compliance_report(period=PERIOD, now=NOW)
    assert report.totals["tickets"] == 17
    with django_assert_num_queries(4):
        selectors.backlog_report(period=PERIOD, now=NOW)


def test_months_are_the_desks_months_not_utcs(desk, levels):
    from tests.reports.conftest import at, open_ticket

    # Sat 2026-10-31 23:30 in São Paulo is already November 1st in UTC
    open_ticket(levels, desk.admin_a, "baixa", at(10, 31, 23, 30), "Late on Halloween")
    months = rows_by_label(selectors.compliance_report(period=PERIOD, now=NOW), "month")
    assert (months["2026-10"]["tickets"], months["2026-11"]["tickets"]) == (2, 4)
    single = selectors.compliance_report(
        period=Period(date(2026, 10, 31), date(2026, 10, 31)), now=NOW
    )
    assert [(row["key"], row["tickets"]) for row in single.groups["month"]] == [("2026-10", 1)]
