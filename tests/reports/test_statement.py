"""The monthly statement covers every ticket open at any moment of the month, and exports to
CSV and PDF (the PDF's pages rendered to images, to see they are not blank)."""

import csv
import io

import pytest
from django.urls import reverse

from reports import selectors
from tests.reports.conftest import assign, at, move, open_ticket
from tests.reports.test_views import client_for
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def url(name, organization, year=2026, month=11):
    return reverse(
        f"reports:{name}",
        kwargs={"organization": organization.slug, "year": year, "month": month},
    )


@pytest.fixture
def carried(desk, levels):
    """October's tickets: one still open (breaching in November), one cancelled in November,
    one cancelled in October; and a November ticket resolved in November, closed in December."""
    S = Ticket.Status
    still_open = open_ticket(levels, desk.admin_a, "alta", at(10, 30, 10), "Still breaching")
    cancelled_later = open_ticket(levels, desk.admin_a, "media", at(10, 29, 10), "Cancelled late")
    move(cancelled_later, S.CANCELLED, desk.analyst_x, at(11, 2, 10), reason="duplicate")
    cancelled_early = open_ticket(levels, desk.admin_a, "media", at(10, 20, 10), "Gone early")
    move(cancelled_early, S.CANCELLED, desk.analyst_x, at(10, 21, 10), reason="duplicate")
    t1 = desk.tickets["t1"]
    move(t1, S.CLOSED, desk.admin_a, at(12, 1, 10))
    return {"still_open": still_open, "cancelled_later": cancelled_later, "early": cancelled_early}


def references(organization, user, year, month):
    statement = selectors.statement_for(
        user=user,
        organization=organization,
        period=selectors.Period.month(year, month),
        now=at(12, 3, 12),
    )
    return {ticket.reference for ticket in statement.tickets}, statement


def test_the_statement_covers_every_ticket_open_during_the_month(desk, carried):
    refs = lambda tickets: {ticket.reference for ticket in tickets}  # noqa: E731
    november, statement = references(desk.org_a, desk.admin_a, 2026, 11)
    assert november == refs(
        [
            carried["still_open"],
            carried["cancelled_later"],
            desk.tickets["t1"],
            desk.tickets["t2"],
            desk.tickets["gone"],
        ]
    )  # not October's resolved ticket, nor the one cancelled in October
    # the summary counts the clocks of these tickets: October's open one breached in November
    assert statement.summary["first_response_breached"] == 2
    december, _statement = references(desk.org_a, desk.admin_a, 2026, 12)
    assert december == refs([carried["still_open"]])  # resolved in November: not December's
    october, _statement = references(desk.org_a, desk.admin_a, 2026, 10)
    assert carried["early"].reference in october and desk.tickets["oct"].reference in october


def test_the_page_marks_tickets_opened_before_the_month(desk, carried):
    page = client_for(desk.admin_a).get(url("statement", desk.org_a, 2026, 12)).content.decode()
    assert carried["still_open"].reference in page
    assert 'class="statement-carried"' in page
    assert url("statement_csv", desk.org_a, 2026, 12) in page
    assert url("statement_pdf", desk.org_a, 2026, 12) in page


def test_the_csv_has_one_row_per_ticket(desk, carried):
    response = client_for(desk.admin_a).get(url("statement_csv", desk.org_a))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "sla-statement-" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[0] == "Ticket" and header[-1] == "Opened before this month"
    by_reference = {row[0]: row for row in body}
    assert len(body) == 5 and set(by_reference) == references(desk.org_a, desk.admin_a, 2026, 11)[0]
    assert by_reference[carried["still_open"].reference][-1] == "yes"
    assert by_reference[desk.tickets["t1"].reference][-1] == "no"
    assert by_reference[desk.tickets["t1"].reference][3].startswith("2026-11-03T10:00")


def test_the_pdf_renders_pages_that_are_not_blank(desk, carried):
    import pypdfium2

    response = client_for(desk.admin_a).get(url("statement_pdf", desk.org_a))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    document = pypdfium2.PdfDocument(response.content)
    assert len(document) >= 1
    for page in document:
        image = page.render(scale=1).to_pil().convert("L")
        low, high = image.getextrema()
        assert low < 128 < high  # ink on paper, not a blank page
        dark = sum(image.histogram()[:128])
        assert dark > 500  # more than a stray line: text was drawn
    text = document[0].get_textpage().get_text_range()
    assert carried["still_open"].reference in text
    assert "Still breaching" in text


def test_the_pdf_speaks_the_readers_language(desk, carried):
    import pypdfium2

    client = client_for(desk.admin_a)
    response = client.get(url("statement_pdf", desk.org_a), headers={"accept-language": "pt-br"})
    text = pypdfium2.PdfDocument(response.content)[0].get_textpage().get_text_range()
    assert "novembro" in text.lower()  # the month's name, as Django's formats spell it


@pytest.mark.parametrize("name", ["statement_csv", "statement_pdf"])
def test_the_exports_are_not_for_others(desk, name):
    assert client_for().get(url(name, desk.org_a)).status_code == 302  # to the login
    assert client_for(desk.customer_b).get(url(name, desk.org_a)).status_code == 404
    assert client_for(desk.member_a).get(url(name, desk.org_a)).status_code == 404
    assert client_for(desk.admin_a).get(url(name, desk.org_a, 2026, 13)).status_code == 404
    assert client_for(desk.analyst_x).get(url(name, desk.org_a)).status_code == 200


def test_the_statement_queries_stay_fixed_with_carried_tickets(desk, carried, levels):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(desk.admin_a)
    counts = []
    for _round in range(2):
        for name in ("statement", "statement_csv"):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url(name, desk.org_a, 2026, 12)).status_code == 200
            counts.append((name, len(captured)))
        for number in range(3):  # more October tickets still open in December
            ticket = open_ticket(levels, desk.admin_a, "baixa", at(10, 28, 9), f"Old {number}")
            assign(ticket, desk.analyst_x, at(10, 28, 10))
    assert counts[:2] == counts[2:]
