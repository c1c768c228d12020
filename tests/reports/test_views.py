"""The Reports section in the admin, the API endpoints, CSV files and the monthly statement."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from communications import services as communication_services
from reports import rollups
from tests import factories
from tickets import services

pytestmark = pytest.mark.django_db

RANGE = {"date_from": "2026-10-01", "date_to": "2026-11-30"}
ADMIN_URLS = [
    "admin:reports_report_changelist",
    "admin:reports_compliance",
    "admin:reports_backlog",
]
API_URLS = ["reports-api:compliance", "reports-api:backlog"]


def client_for(user=None) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    if user is not None:
        client.force_login(user)
    return client


# -- admin -----------------------------------------------------------------------------------


def test_the_reports_section_is_in_the_admin_index_for_analysts(desk):
    response = client_for(desk.analyst_x).get(reverse("admin:index"))
    assert response.status_code == 200
    assert reverse("admin:reports_report_changelist") in response.content.decode()


@pytest.mark.parametrize("name", ADMIN_URLS)
def test_admin_reports_are_for_analysts_only(desk, name):
    url = reverse(name)
    assert client_for().get(url).status_code == 302  # to the admin login
    assert client_for(desk.admin_a).get(url).status_code == 302
    assert client_for(desk.analyst_y).get(url, RANGE).status_code == 200


def test_compliance_page_has_chart_and_tables(desk):
    response = client_for(desk.analyst_x).get(reverse("admin:reports_compliance"), RANGE)
    page = response.content.decode()
    assert page.count('class="report-chart"') == 1
    assert "<rect" in page and "2026-11" in page
    for title in ("By month", "By level", "By organization", "By analyst"):
        assert title in page
    assert "Xavier Lima" in page and "Acme" in page
    assert "download=csv" in page


def test_backlog_page_lists_what_breaches_soon(desk):
    page = client_for(desk.analyst_x).get(reverse("admin:reports_backlog"), RANGE).content.decode()
    assert 'class="report-chart"' in page
    # read now (after 2026-11-13): t3's resolution and both of t4's clocks are overdue
    assert desk.tickets["t4"].reference in page
    assert desk.tickets["t3"].reference in page
    assert desk.tickets["t2"].reference not in page


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "2026-13-01"},
        {"date_from": "nope"},
        {"date_from": "2026-11-30", "date_to": "2026-11-01"},
        {"date_from": "1900-01-01"},
        {"date_to": "9999-12-31"},
        {"date_from": "2000-01-01", "date_to": "2100-12-31"},
    ],
)
@pytest.mark.parametrize("name", ["admin:reports_compliance", "admin:reports_backlog"])
def test_bad_dates_are_a_form_error(desk, name, query):
    response = client_for(desk.analyst_x).get(reverse(name), query)
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert 'class="report-chart"' not in response.content.decode()


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_compliance_csv(desk):
    response = client_for(desk.analyst_x).get(
        reverse("admin:reports_compliance"), {**RANGE, "download": "csv"}
    )
    rows = _csv(response)
    header = rows[0]
    assert header[:4] == ["Grouping", "Key", "Group", "Tickets"]
    november = dict(
        zip(header, next(r for r in rows if r[:2] == ["month", "2026-11"]), strict=True)
    )
    assert november["Tickets"] == "4"
    assert november["First response: met"] == "2"
    assert november["First response: breached"] == "2"
    assert november["First response: % met"] == "50.0"
    assert november["First response: median (h)"] == "1.5"
    assert november["Resolution: 90th percentile (h)"] == "14.9"
    assert november["Waiting on the customer (h)"] == "3.0"
    groupings = {row[0] for row in rows[1:]}
    assert groupings == {"month", "level", "organization", "analyst"}
    unassigned = next(r for r in rows if r[0] == "analyst" and r[2] == "Unassigned")
    assert unassigned[header.index("First response: median (h)")] == ""


def test_backlog_csv(desk):
    response = client_for(desk.analyst_x).get(
        reverse("admin:reports_backlog"), {**RANGE, "download": "csv"}
    )
    rows = _csv(response)
    assert rows[0] == [
        "Key",
        "Level",
        "Open",
        "Under 1 day",
        "1-3 days",
        "3-7 days",
        "7-30 days",
        "Over 30 days",
        "Overdue",
        "Breaching in 4 h",
        "Breaching in 24 h",
    ]
    assert rows[2][:3] == ["alta", "High", "1"]
    assert rows[2][8] == "1"  # overdue
    assert len(rows) == 5


def test_admin_pages_cost_the_same_queries_with_more_tickets(
    desk, levels, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.reports.conftest import NOW, more_tickets

    client = client_for(desk.analyst_x)
    counts = []
    for extra in (0, 10):
        more_tickets(levels, extra, start=NOW.replace(day=4))
        rollups.rollups_refresh()  # a changed day is recounted once, whatever its tickets
        with CaptureQueriesContext(connection) as captured:
            for name in ("admin:reports_compliance", "admin:reports_backlog"):
                assert client.get(reverse(name), RANGE).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


# -- API -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", API_URLS)
def test_api_reports_are_for_analysts_only(desk, name):
    url = reverse(name)
    anonymous = client_for().get(url)
    assert anonymous.status_code in (401, 403)
    for customer in (desk.admin_a, desk.member_a):
        response = client_for(customer).get(url)
        assert response.status_code == 403
        assert set(response.json()) == {"detail", "errors"}
    assert client_for(desk.analyst_x).get(url, RANGE).status_code == 200


def test_api_compliance(desk):
    data = client_for(desk.analyst_x).get(reverse("reports-api:compliance"), RANGE).json()
    assert (data["date_from"], data["date_to"]) == ("2026-10-01", "2026-11-30")
    months = {row["key"]: row for row in data["groups"]["month"]}
    assert months["2026-11"]["first_response_p90_hours"] == 4.3
    assert months["2026-11"]["resolution_median_hours"] == 10.5
    assert {row["label"] for row in data["groups"]["organization"]} == {"Acme", "Beta"}


def test_api_backlog(desk):
    data = client_for(desk.analyst_x).get(reverse("reports-api:backlog"), RANGE).json()
    alta = next(row for row in data["levels"] if row["key"] == "alta")
    assert (alta["total"], alta["overdue"]) == (1, 1)
    breaching = {(row["reference"], row["metric"]): row for row in data["breaching"]}
    t4 = desk.tickets["t4"].reference
    assert breaching[(t4, "first_response")]["assignee"] is None
    assert breaching[(desk.tickets["t3"].reference, "resolution")]["assignee"] == "xavier"


@pytest.mark.parametrize("name", API_URLS)
@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "2026-02-30"},
        {"date_to": "yesterday"},
        {"date_from": "2026-11-30", "date_to": "2026-11-01"},
        {"date_from": "0001-01-01"},
        {"date_to": "9999-12-31"},
    ],
)
def test_api_bad_dates_are_a_400(desk, name, query):
    response = client_for(desk.analyst_x).get(reverse(name), query)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] and body["errors"]


# -- API: CSV files --------------------------------------------------------------------------

CSV_REQUESTS = [
    pytest.param({"format": "csv"}, {}, id="format=csv"),
    pytest.param({}, {"Accept": "text/csv"}, id="Accept"),
]

# The compliance table's columns after Grouping and Key, as the JSON names them.
FIELDS = (
    ["label", "tickets"]
    + [
        f"{metric}_{name}"
        for metric in ("first_response", "resolution")
        for name in ("met", "breached", "open", "compliance", "median_hours", "p90_hours")
    ]
    + ["waiting_hours", "ratings", "rating_average", "ratings_low"]
)


def api_csv(desk, name, query=None, headers=None):
    client = client_for(desk.analyst_x)
    return client.get(reverse(name), {**RANGE, **(query or {})}, headers=headers or {})


def csv_cell(value) -> str:
    return "" if value is None else str(value)


@pytest.mark.parametrize(("query", "headers"), CSV_REQUESTS)
def test_api_compliance_csv_has_the_figures_of_the_json(desk, query, headers):
    response = api_csv(desk, "reports-api:compliance", query, headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="sla-compliance-20261001-20261130.csv"'
    )
    header, *rows = _csv(response)
    data = client_for(desk.analyst_x).get(reverse("reports-api:compliance"), RANGE).json()
    expected = [
        [grouping, row["key"], *(csv_cell(row[field]) for field in FIELDS)]
        for grouping, group_rows in data["groups"].items()
        for row in group_rows
    ]
    assert header[:4] == ["Grouping", "Key", "Group", "Tickets"]
    assert len(header) == 2 + len(FIELDS)
    assert rows == expected
    assert rows[1][:4] == ["month", "2026-11", "2026-11", "4"]


@pytest.mark.parametrize(("query", "headers"), CSV_REQUESTS)
def test_api_backlog_csv_has_the_figures_of_the_json(desk, query, headers):
    response = api_csv(desk, "reports-api:backlog", query, headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="sla-backlog-20261001-20261130.csv"'
    )
    header, *rows = _csv(response)
    data = client_for(desk.analyst_x).get(reverse("reports-api:backlog"), RANGE).json()
    fields = [
        "key", "label", "total", "age_under_1d", "age_1_3d", "age_3_7d", "age_7_30d",
        "age_over_30d", "overdue", "next_4h", "next_24h",
    ]  # fmt: skip
    assert header[:3] == ["Key", "Level", "Open"] and len(header) == len(fields)
    assert rows == [[csv_cell(level[field]) for field in fields] for level in data["levels"]]
    assert rows[1][:3] == ["alta", "High", "1"]


@pytest.mark.parametrize(
    ("name", "admin_name"),
    [
        ("reports-api:compliance", "admin:reports_compliance"),
        ("reports-api:backlog", "admin:reports_backlog"),
    ],
)
def test_api_csv_is_the_admins_file(desk, name, admin_name):
    """One presenter builds both: same bytes, same file name."""
    api = api_csv(desk, name, {"format": "csv"})
    admin = client_for(desk.analyst_x).get(reverse(admin_name), {**RANGE, "download": "csv"})
    assert api.content == admin.content
    assert api.content.startswith("\ufeff".encode())
    assert api["Content-Type"] == admin["Content-Type"]
    assert api["Content-Disposition"] == admin["Content-Disposition"]


@pytest.mark.parametrize(("query", "headers"), CSV_REQUESTS)
@pytest.mark.parametrize("name", API_URLS)
def test_api_csv_is_for_analysts_only_and_refusals_stay_json(desk, name, query, headers):
    url = reverse(name)
    anonymous = client_for().get(url, query, headers=headers)
    assert anonymous.status_code in (401, 403)
    assert anonymous["Content-Type"] == "application/json"
    assert set(anonymous.json()) == {"detail", "errors"}
    for customer in (desk.admin_a, desk.member_a):
        response = client_for(customer).get(url, query, headers=headers)
        assert response.status_code == 403
        assert response["Content-Type"] == "application/json"
        assert "Content-Disposition" not in response
        assert set(response.json()) == {"detail", "errors"}


@pytest.mark.parametrize(("query", "headers"), CSV_REQUESTS)
@pytest.mark.parametrize("name", API_URLS)
@pytest.mark.parametrize(
    "dates",
    [{"date_from": "garbage"}, {"date_from": "2026-11-30", "date_to": "2026-11-01"}],
)
def test_api_csv_with_bad_dates_is_a_json_400(desk, name, query, headers, dates):
    response = client_for(desk.analyst_x).get(reverse(name), {**dates, **query}, headers=headers)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "Content-Disposition" not in response
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert body["detail"] and body["errors"]


@pytest.mark.parametrize("name", API_URLS)
def test_api_format_other_than_json_or_csv_is_a_400(desk, name):
    client = client_for(desk.analyst_x)
    assert client.get(reverse(name), {**RANGE, "format": "json"}).json()["date_from"]
    assert client.get(reverse(name), {**RANGE, "format": ""}).json()["date_from"]
    response = client.get(reverse(name), {**RANGE, "format": "xlsx"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()["errors"]) == ["format"]


def test_api_csv_when_throttled_is_a_json_429(desk, settings, monkeypatch):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1/minute", "user": "1/minute"},
    }
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", api_settings.DEFAULT_THROTTLE_RATES)
    client = client_for(desk.analyst_x)
    url = reverse("reports-api:backlog")
    assert client.get(url, {**RANGE, "format": "csv"}).status_code == 200
    response = client.get(url, {**RANGE, "format": "csv"})
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail", "errors"}


def test_api_csv_neutralises_formulas_in_names(desk, levels):
    """Names typed by people reach spreadsheets as text, never as formulas to run."""
    from tests.reports.conftest import at, open_ticket

    customer = factories.make_customer(
        organization=factories.make_organization(name='=HYPERLINK("http://x","y")')
    )
    analyst = factories.make_analyst(username="mallory", first_name="@SUM(1+1)")
    ticket = open_ticket(levels, customer, "media", at(11, 4, 9), "Formula")
    services.ticket_assign(ticket=ticket, analyst=analyst, actor=analyst, now=at(11, 4, 10))

    data = client_for(desk.analyst_x).get(reverse("reports-api:compliance"), RANGE).json()
    assert '=HYPERLINK("http://x","y")' in {r["label"] for r in data["groups"]["organization"]}
    rows = _csv(api_csv(desk, "reports-api:compliance", {"format": "csv"}))
    labels = {(row[0], row[2]) for row in rows}
    assert ("organization", '\'=HYPERLINK("http://x","y")') in labels
    assert ("analyst", "'@SUM(1+1)") in labels
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_api_csv_costs_the_queries_of_the_json_whatever_the_tickets(desk, levels):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.reports.conftest import NOW, more_tickets

    client = client_for(desk.analyst_x)
    counts = {}
    for extra in (0, 10):
        more_tickets(levels, extra, start=NOW.replace(day=4))
        rollups.rollups_refresh()  # a changed day is recounted once, whatever its tickets
        for query in ({}, {"format": "csv"}):
            for name in API_URLS:
                with CaptureQueriesContext(connection) as captured:
                    assert client.get(reverse(name), {**RANGE, **query}).status_code == 200
                counts[(extra, query.get("format", "json"), name)] = len(captured)
    for name in API_URLS:
        assert len({count for key, count in counts.items() if key[2] == name}) == 1, counts


# -- monthly statement -----------------------------------------------------------------------


def statement_url(organization, year=2026, month=11):
    return reverse(
        "reports:statement",
        kwargs={"organization": organization.slug, "year": year, "month": month},
    )


def test_statement_for_the_organization_admin(desk):
    agreement = communication_services.agreement_record(
        ticket=desk.tickets["t2"],
        kind="workaround",
        text="Restart the connector nightly",
        customer_party="Maria",
        actor=desk.analyst_y,
    )
    response = client_for(desk.admin_a).get(statement_url(desk.org_a))
    assert response.status_code == 200
    page = response.content.decode()
    for key in ("t1", "t2", "gone"):  # the month's tickets, the cancelled one included
        assert desk.tickets[key].reference in page
    for key in ("oct", "t3", "t4"):  # another month, another organization
        assert desk.tickets[key].reference not in page
    assert agreement.text in page
    assert "reports/statement.css" in page
    summary = response.context["statement"].summary
    assert (summary["first_response_met"], summary["first_response_breached"]) == (1, 1)
    assert summary["resolution_met"] == 2


def test_statement_is_not_for_others(desk):
    assert client_for().get(statement_url(desk.org_a)).status_code == 302  # to the login
    assert client_for(desk.customer_b).get(statement_url(desk.org_a)).status_code == 404
    assert client_for(desk.member_a).get(statement_url(desk.org_a)).status_code == 404
    assert client_for(desk.customer_b).get(statement_url(desk.org_b)).status_code == 200
    assert client_for(desk.analyst_x).get(statement_url(desk.org_a)).status_code == 200


@pytest.mark.parametrize(("year", "month"), [(2026, 13), (2026, 0), (1999, 12), (2101, 1)])
def test_statement_of_an_impossible_month_is_a_404(desk, year, month):
    response = client_for(desk.admin_a).get(statement_url(desk.org_a, year, month))
    assert response.status_code == 404


def test_statement_pick_opens_the_users_own_organization(desk):
    response = client_for(desk.admin_a).get(reverse("reports:statement_pick"), {"month": "2026-11"})
    assert response.url == statement_url(desk.org_a)
    staff = client_for(desk.analyst_x).get(
        reverse("reports:statement_pick"), {"organization": desk.org_b.slug, "month": "bad"}
    )
    assert staff.status_code == 302
    assert client_for(desk.analyst_x).get(reverse("reports:statement_pick")).status_code == 404


def test_statement_queries_do_not_grow_with_tickets(desk, levels):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.reports.conftest import NOW, open_ticket

    client = client_for(desk.admin_a)
    counts = []
    for _round in range(2):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(statement_url(desk.org_a)).status_code == 200
        counts.append(len(captured))
        for number in range(5):
            open_ticket(levels, desk.admin_a, "baixa", NOW.replace(day=9), f"Extra {number}")
    assert counts[0] == counts[1]


def test_the_statement_prints_without_the_portal_chrome():
    from django.contrib.staticfiles import finders

    with open(finders.find("reports/statement.css"), encoding="utf-8") as css:
        sheet = css.read()
    assert "@media print" in sheet and "header.top" in sheet


def test_the_portal_menu_links_the_statement_for_organization_admins(desk):
    link = reverse("reports:statement_pick")
    assert link in client_for(desk.admin_a).get(reverse("tickets:home")).content.decode()
    assert link not in client_for(desk.member_a).get(reverse("tickets:home")).content.decode()
    page = client_for(desk.admin_a).get(statement_url(desk.org_a)).content.decode()
    assert f'href="{link}" aria-current="page"' in page
