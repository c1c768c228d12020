"""Tables, charts and CSV files of the reports (shared by the admin and the API's callers)."""

import csv
import io
from decimal import Decimal

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
    columns += [
        ("ratings", _("Satisfaction: ratings")),
        ("rating_average", _("Satisfaction: average (1-5)")),
        ("ratings_low", _("Satisfaction: low (1-2)")),
    ]
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


# -- CSV files ------------------------------------------------------------------------------

# A cell that starts with one of these is read by spreadsheets as a formula (OWASP's "CSV
# injection"): organization, level and analyst names are typed by people, so such a cell gets
# a leading apostrophe, which spreadsheets show as text and do not evaluate.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Spreadsheets read a UTF-8 file's accents right only when it starts with the byte-order mark.
BYTE_ORDER_MARK = "\ufeff"


def compliance_csv_rows(report: ComplianceReport) -> list[list[str]]:
    """The compliance CSV file's header and rows: every grouping, one after the other."""
    columns = compliance_columns()
    rows = [[_("Grouping"), _("Key"), *(header for _name, header in columns)]]
    for grouping, group_rows in report.groups.items():
        for row in group_rows:
            rows.append([grouping, row["key"], *(row.get(name) for name, _header in columns)])
    return [[_cell(value) for value in row] for row in rows]


def backlog_csv_rows(report: BacklogReport) -> list[list[str]]:
    """The backlog CSV file's header and one row per level (not the list of clocks)."""
    columns = backlog_columns()
    rows = [[_("Key"), *(header for _name, header in columns)]]
    for row in report.levels:
        rows.append([row["key"], *(row.get(name) for name, _header in columns)])
    return [[_cell(value) for value in row] for row in rows]


def compliance_csv_filename(report: ComplianceReport) -> str:
    period = report.period
    return f"sla-compliance-{period.date_from:%Y%m%d}-{period.date_to:%Y%m%d}.csv"


def backlog_csv_filename(report: BacklogReport) -> str:
    period = report.period
    return f"sla-backlog-{period.date_from:%Y%m%d}-{period.date_to:%Y%m%d}.csv"


def csv_attachment(filename: str) -> str:
    """The Content-Disposition that makes browsers save the file under this name."""
    return f'attachment; filename="{filename}"'


def csv_text(rows: list[list[str]]) -> str:
    """The rows as CSV text, the one spelling the admin's downloads and the API's share."""
    buffer = io.StringIO()
    buffer.write(BYTE_ORDER_MARK)
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def csv_response(rows: list[list[str]], filename: str) -> HttpResponse:
    response = HttpResponse(csv_text(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = csv_attachment(filename)
    return response


def compliance_csv(report: ComplianceReport) -> HttpResponse:
    return csv_response(compliance_csv_rows(report), compliance_csv_filename(report))


def backlog_csv(report: BacklogReport) -> HttpResponse:
    return csv_response(backlog_csv_rows(report), backlog_csv_filename(report))


def _cell(value) -> str:
    """A cell's text: empty for no figure, numbers as they are, other text never a formula."""
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, int | float | Decimal):
        return text  # a negative figure is a number, not a formula
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text
