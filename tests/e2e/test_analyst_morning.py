"""End to end in a real browser: an analyst's morning in the back office.

Ana opens the queues, takes the most urgent unassigned ticket from its view (the deadlines
ahead, soonest first), applies the shared macro "Ask for the log" (a reply in the customer's
language with their name and the ticket's reference, and "waiting on customer"), and when
the customer answers on the portal, her bell says so and leads her back to the ticket.

The admin is in English here (the language cookie); the customer reads Portuguese.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from automation.models import Macro
from communications import services as record_services
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


def _customer_answers(pk: int) -> None:
    ticket = Ticket.objects.get(pk=pk)
    record_services.message_post(
        ticket=ticket,
        author=ticket.requester,
        body="Segue o log do navegador.",
        channel=Message.Channel.PORTAL,
        now=timezone.now(),
    )


def _stored(pk: int) -> dict:
    ticket = Ticket.objects.get(pk=pk)
    reply = ticket.messages.filter(direction=Message.Direction.TO_CUSTOMER).get()
    return {"status": ticket.status, "assignee": ticket.assignee.username, "reply": reply.body}


def test_an_analysts_morning_queues_macro_and_the_customers_answer(
    new_context, live_server, levels, default_policy, screenshots
):
    base = live_server.url
    # Built before the browser starts (see tests/e2e/conftest.py).
    ana = factories.make_analyst(username="ana", first_name="Ana", is_superuser=True)
    organization = factories.make_organization(name="Acme Logistics")
    customer = factories.make_customer(
        organization=organization, email="rita@acme.example", first_name="Rita"
    )
    now = timezone.now()

    def ticket(subject: str, level: str):
        return services.ticket_create(
            organization=organization,
            requester=customer,
            subject=subject,
            description="Desde ontem.",
            priority=levels[level],
            reported_at=now - timedelta(minutes=5),
            now=now,
        )

    ticket("Dúvida sobre a fatura", "baixa")
    urgent = ticket("Checkout fora do ar para todos", "critica")
    Macro.objects.create(
        name="Ask for the log",
        visibility=Macro.Visibility.SHARED,
        owner=ana,
        reply_pt_br="Olá {{ customer_first_name }}, pode nos enviar o log do navegador? "
        "({{ ticket_reference }})",
        reply_en="Hello {{ customer_first_name }}, could you send us the browser's log?",
        status=Ticket.Status.WAITING_ON_CUSTOMER,
        status_reason="The browser's log",
        assign_to_applier=True,
    )

    context = new_context(viewport=VIEWPORT)
    context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page = context.new_page()
    admin_login(page, base, "ana")

    # 1. The queues, with their counts; the unassigned view, soonest deadline first.
    page.goto(f"{base}/admin/workspace/queue/")
    unassigned = page.locator("table.queues-table tr", has=page.locator("a", has_text="Unassigned"))
    expect(unassigned.locator("td.count").first).to_have_text("2")
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
    screenshots(page, "queues")
    unassigned.locator("th a").first.click()
    first_row = page.locator("table.queue-list tbody tr").first
    expect(first_row.locator("th a")).to_have_text(urgent.reference)
    screenshots(page, "unassigned-view")
    first_row.locator("th a").click()

    # 2. The macro: the reply in Rita's language, the ticket hers and waiting on Rita.
    expect(page.locator("#reply-box")).to_be_visible()
    page.locator(".macro-panel select[name=macro]").select_option(label="Ask for the log")
    with page.expect_navigation():
        page.locator(".macro-panel button:not([formaction])").click()
    expect(page.locator("#timeline")).to_contain_text("pode nos enviar o log do navegador?")
    screenshots(page, "macro-applied")
    stored = orm(_stored, urgent.pk)
    assert stored == {
        "status": Ticket.Status.WAITING_ON_CUSTOMER,
        "assignee": "ana",
        "reply": f"Olá Rita, pode nos enviar o log do navegador? ({urgent.reference})",
    }

    # 3. Rita answers on the portal: Ana's bell counts it and leads back to the ticket.
    orm(_customer_answers, urgent.pk)
    page.goto(f"{base}/admin/")
    bell = page.locator("#notices-bell")
    expect(bell.locator(".notices-bell-count")).to_have_text("1")
    bell.locator("summary").click()
    expect(bell.locator(".notices-bell-menu")).to_contain_text(urgent.reference)
    screenshots(page, "bell")
    with page.expect_navigation():
        bell.locator(".notices-bell-menu li a").first.click()
    expect(page.locator("#timeline")).to_contain_text("Segue o log do navegador.")
