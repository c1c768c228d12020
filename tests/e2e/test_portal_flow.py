"""End to end in a real browser: a customer opens a ticket, an analyst takes it, the clock shows it.

Elements are found by ids, names, hrefs and classes, never by translated text (the interface is in
Portuguese by default); the one exception is the language switcher, whose effect is checked.
"""

import re

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from helpdesk.formats import format_instant
from sla import services as sla_services
from tests import factories
from tests.e2e.conftest import admin_login, orm, portal_login
from tickets import services
from tickets.models import Ticket

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OPENED_URL = re.compile(r"/tickets/(HD-\d{4}-\d{6})/\?opened=1$")
ATTACHMENT_HREF = re.compile(r"^/attachments/\d+/$")


def _open_ticket(page, base_url: str, level, *, subject: str, upload, shot) -> str:
    """Fill the guided form and send it; return the new ticket's reference."""
    page.goto(f"{base_url}/tickets/new/")
    page.fill("input[name=subject]", subject)
    page.fill("textarea[name=description]", "The integration stopped sending orders at 9:00.")
    page.check(f"input[name=priority][value='{level.pk}']")
    page.set_input_files("input[name=files]", str(upload))
    shot(page, "new-ticket-form-filled")
    page.click("main form button[type=submit]")
    page.wait_for_url(OPENED_URL)
    return OPENED_URL.search(page.url).group(1)


def _file_link(scope, name: str):
    """The download link of an attachment, by its file name (never translated)."""
    exact_name = re.compile(f"^{re.escape(name)}$")
    return scope.locator("a[href^='/attachments/']").filter(has_text=exact_name)


def _download(context, base_url: str, link) -> bytes:
    """Fetch a link with the page's cookies (the browser itself would save it as a download)."""
    href = link.get_attribute("href")
    assert ATTACHMENT_HREF.match(href), href
    response = context.request.get(f"{base_url}{href}")
    assert response.ok, response.status
    return response.body()


def _stored(reference: str) -> dict:
    """What the database holds for the ticket (read through `orm`, in a thread of its own)."""
    ticket = Ticket.objects.get(reference=reference)
    return {
        "pk": ticket.pk,
        "requester_id": ticket.requester_id,
        "priority_id": ticket.priority_id,
        "assignee_id": ticket.assignee_id,
    }


def _deadlines(reference: str) -> list[str]:
    """Each clock's due instant as the portal writes it (pt-BR, the calendar's zone), in order."""
    ticket = Ticket.objects.select_related("sla_snapshot").get(reference=reference)
    zone = sla_services.snapshot_engine(ticket.sla_snapshot).zone
    with translation.override("pt-br"):
        return [format_instant(clock.due_at, zone) for clock in ticket.clocks.order_by("metric")]


def _switch_to_english(page) -> None:
    """The header's language form (its submit button is the first in the page)."""
    page.select_option("#language-select", "en")
    page.click("form:has(#language-select) button[type=submit]")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_customer_opens_replies_and_sees_first_response_met(
    new_context, live_server, levels, default_policy, tmp_path, screenshots
):
    base = live_server.url
    customer = factories.make_customer()
    analyst = factories.make_analyst(is_superuser=True)
    log = tmp_path / "erro.log"
    log.write_bytes(b"2026-01-05 09:00 ERROR orders: timeout\n")
    reply_file = tmp_path / "print.txt"
    reply_file.write_bytes(b"still failing at 10:15\n")

    # 1. The customer opens a ticket at level "alta", with a file.
    customer_context = new_context()
    page = customer_context.new_page()
    portal_login(page, base, customer.username)
    screenshots(page, "customer-logged-in")
    reference = _open_ticket(
        page, base, levels["alta"], subject="Orders stuck", upload=log, shot=screenshots
    )
    screenshots(page, "ticket-opened-with-deadlines")
    ticket = orm(_stored, reference)
    assert ticket["requester_id"] == customer.pk
    assert ticket["priority_id"] == levels["alta"].pk
    expect(page.locator("h1")).to_contain_text(reference)
    expect(page.locator(".notice[role=status]")).to_contain_text(reference)
    expect(page.locator("ul.clocks li")).to_have_count(2)
    expect(page.locator("ul.clocks li.sla-met")).to_have_count(0)
    # The deadlines the engine computed, with their UTC offset: first response, then resolution.
    first_response_due, resolution_due = orm(_deadlines, reference)
    expect(page.locator("ul.clocks li").nth(0)).to_contain_text(first_response_due)
    expect(page.locator("ul.clocks li").nth(1)).to_contain_text(resolution_due)
    opening_file = _file_link(page, log.name)
    expect(opening_file).to_have_count(1)
    assert _download(customer_context, base, opening_file) == log.read_bytes()

    # 2. The customer replies, with a file; the reply and its file show in the conversation.
    page.fill("textarea[name=body]", "More detail: it fails for every order.")
    page.set_input_files("form[action$='/reply/'] input[name=files]", str(reply_file))
    page.click("form[action$='/reply/'] button[type=submit]")
    page.wait_for_url(f"{base}/tickets/{reference}/")
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("More detail: it fails for every order.")
    reply_link = _file_link(timeline, reply_file.name)
    expect(reply_link).to_have_count(1)
    assert _download(customer_context, base, reply_link) == reply_file.read_bytes()
    screenshots(page, "customer-replied")

    # 3. The analyst takes the ticket in the back office.
    analyst_page = new_context().new_page()
    admin_login(analyst_page, base, analyst.username)
    change_url = f"{base}/admin/tickets/ticket/{ticket['pk']}/change/"
    analyst_page.goto(change_url)
    screenshots(analyst_page, "analyst-opens-ticket-in-admin")
    # "Assign" is folded under the reply box (the side panel's "Assign to me" posts there too).
    assign = analyst_page.locator("form[action$='/assign/']:has(select[name=analyst])")
    analyst_page.locator("details.ticket-more:has(select[name=analyst]) > summary").click()
    assign.locator("select[name=analyst]").select_option(str(analyst.pk))
    assign.locator("button[type=submit]").click()
    analyst_page.wait_for_url(change_url)
    expect(analyst_page.locator(".messagelist .success")).to_have_count(1)
    assert orm(_stored, reference)["assignee_id"] == analyst.pk
    screenshots(analyst_page, "analyst-assigned")

    # 4. The customer reloads: the first-response clock (listed first) is met.
    page.reload()
    expect(page.locator("ul.clocks li")).to_have_count(2)
    expect(page.locator("ul.clocks li").first).to_have_class(re.compile(r"\bsla-met\b"))
    expect(page.locator("ul.clocks li.sla-met")).to_have_count(1)
    screenshots(page, "customer-sees-first-response-met")

    # 5. The customer switches the portal to English: the same page, in English.
    _switch_to_english(page)
    assert page.url == f"{base}/tickets/{reference}/"
    expect(page.locator("ul.clocks li.sla-met .label")).to_have_text("met")
    expect(page.locator("header nav a[href='/']")).to_have_text("My tickets")
    screenshots(page, "customer-page-in-english")
    assert [path.name for path in screenshots.taken] == [
        "01-customer-logged-in.png",
        "02-new-ticket-form-filled.png",
        "03-ticket-opened-with-deadlines.png",
        "04-customer-replied.png",
        "05-analyst-opens-ticket-in-admin.png",
        "06-analyst-assigned.png",
        "07-customer-sees-first-response-met.png",
        "08-customer-page-in-english.png",
    ]
    assert all(path.stat().st_size > 0 for path in screenshots.taken)


def test_phone_layout_labels_and_language_switch(
    new_context, live_server, levels, default_policy, screenshots
):
    base = live_server.url
    customer = factories.make_customer()
    now = timezone.now()
    ticket = services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="A rather long subject, to see that the list of tickets wraps on a phone",
        description="d",
        priority=levels["media"],
        reported_at=now,
        now=now,
    )
    page = new_context(viewport={"width": 375, "height": 740}).new_page()
    portal_login(page, base, customer.username)
    expect(page.locator("html")).to_have_attribute("lang", "pt-br")
    screenshots(page, "phone-home")

    # No horizontal scroll on a phone, with a ticket and its deadlines listed.
    expect(page.locator("table.tickets ul.clocks li")).to_have_count(2)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the home page scrolls sideways by {overflow}px at 375px"

    # Every field of the portal's pages has a label, and each page fits a phone.
    for path in ("/tickets/new/", ticket.get_absolute_url(), "/preferences/", "/account/tokens/"):
        page.goto(f"{base}{path}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        assert page.evaluate(UNLABELLED_FIELDS) == [], path
        screenshots(page, f"phone-{path.strip('/').replace('/', '-')}")

    # The keyboard: the first Tab lands on the skip link, visible and outlined.
    page.goto(f"{base}/tickets/new/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => { const el = document.activeElement, box = el.getBoundingClientRect(),
                         style = getComputedStyle(el);
                   return {cls: el.className, href: el.getAttribute("href"), left: box.left,
                           outline: style.outlineStyle, width: parseFloat(style.outlineWidth)}; }"""
    )
    assert focused["cls"] == "skip" and focused["href"] == "#main"
    assert focused["left"] >= 0 and focused["outline"] != "none" and focused["width"] > 0
    screenshots(page, "skip-link-focused")

    # The language switcher goes to English, on the same page.
    _switch_to_english(page)
    assert page.url == f"{base}/tickets/new/"
    expect(page.locator("main h1")).to_have_text("Open a ticket")
    screenshots(page, "new-ticket-in-english")


UNLABELLED_FIELDS = """() => [...document.querySelectorAll("input, select, textarea")]
    .filter((field) => field.type !== "hidden")
    .filter((field) => !field.closest("label")
        && !(field.id && document.querySelector(`label[for="${CSS.escape(field.id)}"]`)))
    .map((field) => field.outerHTML)"""
