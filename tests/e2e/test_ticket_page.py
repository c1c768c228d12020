"""End to end in a real browser: two analysts on one ticket.

Bia has the ticket open; Ana opens it too and sees Bia there (drawn with the page), and Bia's
page learns of Ana by its poll, then that Ana is typing; Bia's ticket list marks the ticket
Ana has open. Ana answers with "reply and set
waiting on customer" from the reply box at the top of the work area, leaving "assign to me"
ticked: the reply is sent, the ticket is hers and waits on the customer. The page fits 1366 px,
and "?" and "r" work from the keyboard.

The admin is in English here (the language cookie); elements are found by ids, names and
classes.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from communications.models import Message
from tests import factories
from tests.e2e.conftest import admin_login, orm
from tickets import services
from tickets.models import Ticket

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

VIEWPORT = {"width": 1366, "height": 900}


def _stored(pk: int) -> dict:
    ticket = Ticket.objects.get(pk=pk)
    return {
        "status": ticket.status,
        "assignee": ticket.assignee.username if ticket.assignee else None,
        "waiting_reason": ticket.waiting_reason,
        "replies": list(
            ticket.messages.filter(direction=Message.Direction.TO_CUSTOMER).values_list(
                "body", flat=True
            )
        ),
    }


def test_two_analysts_on_a_ticket_see_each_other_and_one_replies_and_sets_waiting(
    new_context, live_server, levels, default_policy, screenshots, monkeypatch
):
    base = live_server.url
    # The pages poll every second here instead of every 12 s: the same code, a shorter wait.
    monkeypatch.setattr("tickets.admin_page.PRESENCE_POLL_SECONDS", 1)
    # Built before the browser starts (see tests/e2e/conftest.py).
    factories.make_analyst(username="ana", first_name="Ana", last_name="Lima", is_superuser=True)
    factories.make_analyst(username="bia", first_name="Bia", last_name="Souza", is_superuser=True)
    organization = factories.make_organization(name="Acme Logistics")
    customer = factories.make_customer(
        organization=organization, email="rita@acme.example", first_name="Rita"
    )
    now = timezone.now()
    ticket = services.ticket_create(
        organization=organization,
        requester=customer,
        subject="Relatório de vendas não abre",
        description="Desde ontem o relatório fica carregando.",
        priority=levels["media"],
        reported_at=now - timedelta(hours=1),
        now=now,
    )
    page_url = f"{base}/admin/tickets/ticket/{ticket.pk}/change/"

    def analyst_page(username: str):
        context = new_context(viewport=VIEWPORT)
        context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
        page = context.new_page()
        admin_login(page, base, username)
        page.goto(page_url)
        return page

    # 1. Bia has the ticket open.
    bia = analyst_page("bia")
    expect(bia.locator("#ticket-presence")).to_be_hidden()

    # 2. Ana opens it: the page says Bia is on it, the conversation first, the reply box next.
    ana = analyst_page("ana")
    presence = ana.locator("#ticket-presence")
    expect(presence).to_be_visible()
    expect(presence.locator(".ticket-presence-names")).to_have_text("Bia Souza")
    expect(ana.locator("#reply-box button[name=response]")).to_have_count(4)
    expect(ana.locator("#reply-box input[name=assign_to_me]")).to_be_checked()
    expect(ana.locator("#ticket-edit")).not_to_have_attribute("open", re.compile(".*"))
    width = ana.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORT["width"], f"the page is {width} px wide"
    screenshots(ana, "ana-sees-bia")

    # 3. Bia's page learns of Ana by its poll, then that she is typing.
    expect(bia.locator("#ticket-presence .ticket-presence-names")).to_have_text("Ana Lima")
    # The keyboard: "?" opens the shortcuts' help, "r" goes to the reply box.
    ana.locator("body").press("?")
    expect(ana.locator("#shortcuts-help")).to_have_attribute("open", "")
    ana.locator("body").press("r")
    expect(ana.locator("#reply-box textarea[name=body]")).to_be_focused()
    ana.locator("#reply-box textarea[name=body]").fill("Could you send us the browser's log?")
    ana.locator("#reply-box textarea[name=body]").press("End")
    ana.locator("#reply-box textarea[name=body]").type(" Thanks!")
    expect(bia.locator("#ticket-presence .ticket-presence-names")).to_contain_text("typing a reply")
    screenshots(bia, "bia-sees-ana-typing")

    # The ticket list marks the ticket Ana has open, for Bia (a new tab of hers).
    bia_list = bia.context.new_page()
    bia_list.goto(f"{base}/admin/tickets/ticket/")
    row = bia_list.locator(f"#result_list tr:has(input.action-select[value='{ticket.pk}'])")
    expect(row.locator(".presence-mark")).to_contain_text("Ana Lima")
    list_width = bia_list.evaluate("document.documentElement.scrollWidth")
    assert list_width <= VIEWPORT["width"], f"the list is {list_width} px wide"
    screenshots(bia_list, "bia-list-shows-ana-on-the-ticket")
    bia_list.close()

    # 4. Ana replies and sets the ticket waiting on the customer, taking it on the way.
    ana.locator("#reply-box input[name=reason]").fill("The browser's log")
    screenshots(ana, "ana-reply-typed")
    with ana.expect_navigation():
        ana.locator("#reply-box button[value=reply_waiting]").click()
    expect(ana.locator("ul.messagelist li.success")).to_contain_text("waits on the customer")
    expect(ana.locator("#timeline")).to_contain_text("Could you send us the browser's log? Thanks!")
    screenshots(ana, "ana-replied-and-set-waiting")
    stored = orm(_stored, ticket.pk)
    assert stored == {
        "status": Ticket.Status.WAITING_ON_CUSTOMER,
        "assignee": "ana",
        "waiting_reason": "The browser's log",
        "replies": ["Could you send us the browser's log? Thanks!"],
    }


def test_the_list_is_worked_from_the_keyboard(new_context, live_server, levels, default_policy):
    """j/k walk the rows, "?" shows the help, "a" assigns the chosen row to me (that row
    only), "o" opens the chosen ticket."""
    base = live_server.url
    factories.make_analyst(username="ana", first_name="Ana", last_name="Lima", is_superuser=True)
    customer = factories.make_customer(email="rita@acme.example", first_name="Rita")
    now = timezone.now()
    opened = [
        services.ticket_create(
            organization=customer.membership.organization,
            requester=customer,
            subject=subject,
            description="x",
            priority=levels["media"],
            reported_at=now - timedelta(hours=hours),
            now=now,
        )
        for subject, hours in (("Primeiro", 3), ("Segundo", 2), ("Terceiro", 1))
    ]
    context = new_context(viewport=VIEWPORT)
    context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page = context.new_page()
    admin_login(page, base, "ana")
    page.goto(f"{base}/admin/tickets/ticket/")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)
    body = page.locator("body")
    body.press("?")
    expect(page.locator("#shortcuts-help")).to_have_attribute("open", "")
    for key in ("j", "j", "j", "k"):
        body.press(key)
    current = page.locator("#result_list tbody tr.shortcut-current")
    expect(current).to_have_count(1)
    chosen = int(current.locator("input.action-select").get_attribute("value"))
    assert chosen == int(rows.nth(1).locator("input.action-select").get_attribute("value"))
    with page.expect_navigation():
        body.press("a")
    expect(page.locator("ul.messagelist li")).to_have_count(1)
    assignees = orm(
        lambda: {
            ticket.pk: ticket.assignee.username if ticket.assignee else None
            for ticket in Ticket.objects.filter(pk__in=[t.pk for t in opened])
        }
    )
    assert assignees == {t.pk: ("ana" if t.pk == chosen else None) for t in opened}
    body = page.locator("body")
    body.press("j")
    first = int(
        page.locator("#result_list tbody tr.shortcut-current input.action-select").get_attribute(
            "value"
        )
    )
    with page.expect_navigation():
        body.press("o")
    assert page.url.endswith(f"/admin/tickets/ticket/{first}/change/")
