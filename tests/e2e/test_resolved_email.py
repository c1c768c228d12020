"""A resolved e-mail's "yes, solved" link in a real browser: the confirmation page, one
click that closes the ticket, and the same link refused the second time."""

import re

import pytest
from playwright.sync_api import expect

from communications.models import OutboundEmail
from satisfaction.models import Survey
from tests import factories
from tests.e2e.conftest import orm
from tests.satisfaction.conftest import resolve_ticket
from tickets.models import Ticket

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_yes_solved_link_confirms_once(
    new_context, live_server, levels, default_policy, settings, screenshots
):
    settings.PORTAL_URL = live_server.url  # the e-mail's links lead to this server
    customer = factories.make_customer(username="cliente", email="cliente@acme.example.com")
    analyst = factories.make_analyst(username="ana", email="ana@helpdesk.test")
    ticket = resolve_ticket(customer, analyst, levels)  # committed: the e-mail is queued
    email = OutboundEmail.objects.get(key__startswith=f"ticket-resolved:{ticket.pk}:")
    solved = re.search(r'<a href="([^"]+)" class="answer-solved"', email.body_html).group(1)
    assert solved.startswith(settings.PORTAL_URL + "/satisfaction/answer/")

    context = new_context()  # a mail client's browser: nobody logged in
    page = context.new_page()
    response = page.goto(solved)
    assert response.status == 200
    expect(page.locator("#answer-form button[type=submit]")).to_have_count(1)
    screenshots(page, "confirmation-page")
    opened = orm(lambda: Ticket.objects.get(pk=ticket.pk).status)
    assert opened == Ticket.Status.RESOLVED  # opening the link did nothing

    page.click("#answer-form button[type=submit]")
    expect(page.locator(".answered")).to_be_visible()
    expect(page.locator("#rate-link")).to_have_count(1)
    screenshots(page, "confirmed")
    closed = orm(lambda: Ticket.objects.get(pk=ticket.pk).status)
    assert closed == Ticket.Status.CLOSED
    verdict = orm(lambda: Survey.objects.get(ticket_id=ticket.pk).verdict)
    assert verdict == Survey.Verdict.SOLVED

    second = page.goto(solved)  # the same link again
    assert second.status == 410
    expect(page.locator("#answer-form")).to_have_count(0)
    expect(page.locator("ul.refused li")).to_have_count(1)
    screenshots(page, "second-use-refused")
    context.close()
