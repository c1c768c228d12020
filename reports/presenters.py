"""Tables, charts and CSV files of the reports (shared by the admin and the API's callers)."""

import csv

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports import charts
from reports.selectors import BacklogReport, ComplianceReport

GROUPING_TITLES = {
    "month": gettext_lazy("By month"),
    "level": gettext_lazy("By level"),
    "organization": gettext_lazy("By organization"),
    "analyst": gettext_lazy("By analyst"),
}


def compliance_columns() -> list[tuple[str, str]]:
    """(field, header) of each column of a compliance table."""
    columns = [("label", _("Group")), ("tickets", _("Tickets"))]
    for metric, name in (
        ("first_response", _("First response")),
        ("resolution", _("Resolution")),
    ):
        columns += [
            (f"{metric}_met", _("%(metric)s: met") % {"metric": name}),
            (f"{metric}_breached", _("%(metric)s: breached") % {"metric": name}),
            (f"{metric}_open", _("%(metric)s: open") % {"metric": name}),
            (f"{metric}_compliance", _("%(metric)s: %% met") % {"metric": name}),
            (f"{metric}_median_hours", _("%(metric)s: median (h)") % {"metric": name}),
            (f"{metric}_p90_hours", _("%(metric)s: 90th percentile (h)") % {"metric": name}),
        ]
    columns.append(("waiting_hours", _("Waiting on the customer (h)")))
    return columns


def backlog_columns() -> list[tuple[str, str]]:
    return [
        ("label", _("Level")),
        ("total", _("Open")),
        ("age_under_1d", _("Under 1 day")),
        ("age_1_3d", _("1-3 days")),
        ("age_3_7d", _("3-7 days")),
        ("age_7_30d", _("7-30 days")),
        ("age_over_30d", _("Over 30 days")),
        ("overdue", _("Overdue")),
        ("next_4h", _("Breaching in 4 h")),
        ("next_24h", _("Breaching in 24 h")),
    ]


def table(rows: list[dict], columns: list[tuple[str, str]]) -> list[list]:
    return [[row.get(name) for name, _header in columns] for row in rows]


def compliance_chart(report: ComplianceReport):
    rows = report.groups["month"]
    return charts.bar_chart(
        title=_("Percentage of clocks met, by month"),
        labels=[row["label"] for row in rows],
        series=[
            charts.Series(_("First response"), [row["first_response_compliance"] for row in rows]),
            charts.Series(_("Resolution"), [row["resolution_compliance"] for row in rows]),
        ],
        maximum=100,
        unit="%",
    )


def backlog_chart(report: BacklogReport):
    columns = backlog_columns()[2:7]
    return charts.bar_chart(
        title=_("Open tickets by level and age"),
        labels=[row["label"] for row in report.levels],
        series=[
            charts.Series(str(header), [row[name] for row in report.levels])
            for name, header in columns
        ],
        stacked=True,
    )


def _csv_response(filename: str) -> tuple[HttpResponse, csv.writer]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # spreadsheets then read the accents right
    return response, csv.writer(response)


def compliance_csv(report: ComplianceReport) -> HttpResponse:
    period = report.period
    response, writer = _csv_response(
        f"sla-compliance-{period.date_from:%Y%m%d}-{period.date_to:%Y%m%d}.csv"
    )
    columns = compliance_columns()
    writer.writerow([_("Grouping"), _("Key"), *(header for _name, header in columns)])
    for grouping, rows in report.groups.items():
        for row in rows:
            writer.writerow(
                [grouping, row["key"], *(_cell(row.get(name)) for name, _header in columns)]
            )
    return response


def backlog_csv(report: BacklogReport) -> HttpResponse:
    period = report.period
    response, writer = _csv_response(
        f"sla-backlog-{period.date_from:%Y%m%d}-{period.date_to:%Y%m%d}.csv"
    )
    columns = backlog_columns()
    writer.writerow([_("Key"), *(header for _name, header in columns)])
    for row in report.levels:
        writer.writerow([row["key"], *(_cell(row.get(name)) for name, _header in columns)])
    return response


def _cell(value) -> str:
    return "" if value is None else str(value)
