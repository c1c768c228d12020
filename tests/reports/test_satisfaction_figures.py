"""Satisfaction beside SLA compliance: ratings per month, level, organization and analyst."""

import pytest

from reports import selectors
from satisfaction import services as satisfaction_services
from tests.reports.conftest import NOW, at

pytestmark = pytest.mark.django_db

PERIOD = selectors.Period(date_from=at(10, 1, 0).date(), date_to=at(11, 30, 0).date())


def rate(ticket, score: int) -> None:
    ticket.refresh_from_db()  # the fixture's copy was read before its resolution
    survey = satisfaction_services.survey_open(ticket=ticket, now=ticket.resolved_at)
    satisfaction_services.rating_record(
        survey=survey, score=score, comment="", actor=ticket.requester, now=NOW
    )


@pytest.mark.parametrize("compute", [selectors.compliance_report, selectors.compliance_from_clocks])
def test_ratings_sit_beside_compliance_in_every_grouping(desk, compute):
    t1, t2, oct_ = desk.tickets["t1"], desk.tickets["t2"], desk.tickets["oct"]
    rate(t1, 2)  # Alta, Xavier
    rate(t2, 5)  # Média, Yara
    rate(oct_, 4)  # October, Média, Xavier
    report = compute(period=PERIOD, now=NOW)

    def figures(grouping, key):
        (row,) = [row for row in report.groups[grouping] if row["key"] == str(key)]
        return row["ratings"], row["rating_average"], row["ratings_low"]

    assert figures("month", "2026-11") == (2, 3.5, 1)
    assert figures("month", "2026-10") == (1, 4.0, 0)
    assert figures("level", t1.priority_id) == (1, 2.0, 1)
    assert figures("level", t2.priority_id) == (2, 4.5, 0)
    assert figures("organization", desk.org_a.pk) == (3, 3.67, 1)
    assert figures("organization", desk.org_b.pk) == (0, None, 0)
    assert figures("analyst", desk.analyst_x.pk) == (2, 3.0, 1)
    assert figures("analyst", desk.analyst_y.pk) == (1, 5.0, 0)
    totals = report.totals
    assert (totals["ratings"], totals["rating_average"], totals["ratings_low"]) == (3, 3.67, 1)


def test_the_compliance_csv_carries_the_satisfaction_columns(desk):
    from reports import presenters

    rate(desk.tickets["t1"], 1)
    header, *rows = presenters.compliance_csv_rows(
        selectors.compliance_report(period=PERIOD, now=NOW)
    )
    assert header[-3:] == [
        "Satisfaction: ratings",
        "Satisfaction: average (1-5)",
        "Satisfaction: low (1-2)",
    ]
    november = next(row for row in rows if row[:2] == ["month", "2026-11"])
    assert november[-3:] == ["1", "1.0", "1"]
