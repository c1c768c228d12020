"""In a real browser: nothing the customer types is lost (a refused reply, a reload, a session
that expired while writing) and every portal page fits a 390 px phone in each language.

Elements are found by ids, names and attributes, never by translated text.
"""

import re

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import PASSWORD, orm, portal_login
from tickets import services
from tickets.models import Ticket

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# A Windows program's first bytes ("MZ", the PE header's offset, "PE\0\0"), named as a PDF.
PROGRAM = b"MZ" + b"\0" * 58 + (64).to_bytes(4, "little") + b"PE\0\0" + b"\0" * 100
REPLY = "The export still stops at 9:00; attached the log."


def _ticket(customer, level) -> Ticket:
    now = timezone.now()
    return services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="Exports stopped",
        description="d",
        priority=level,
        reported_at=now,
        now=now,
    )


def _bodies(reference: str) -> list[str]:
    return list(Ticket.objects.get(reference=reference).messages.values_list("body", flat=True))


def _expire_sessions() -> int:
    return Session.objects.all().delete()[0]


def _draft(page, key: str):
    return page.evaluate("key => localStorage.getItem('helpdesk-draft:' + key)", key)


def test_a_refused_reply_keeps_its_text_and_a_draft_survives_a_reload(
    new_context, live_server, levels, default_policy, screenshots
):
    base = live_server.url
    customer = factories.make_customer()
    ticket = _ticket(customer, levels["alta"])
    reference = ticket.reference
    page = new_context().new_page()
    portal_login(page, base, customer.username)

    page.goto(f"{base}/tickets/{reference}/")
    page.fill("textarea[name=body]", REPLY)
    page.set_input_files(
        "form#reply input[name=files]",
        files=[{"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": PROGRAM}],
    )
    page.click("form#reply button[type=submit]")
    expect(page.locator("form#reply .errorlist")).to_contain_text("invoice.pdf")
    expect(page.locator("textarea[name=body]")).to_have_value(REPLY)
    screenshots(page, "refused-reply-keeps-text")
    assert orm(_bodies, reference) == []

    # A reload (a GET of the ticket's page, the form empty from the server) restores the draft.
    page.goto(f"{base}/tickets/{reference}/")
    expect(page.locator("textarea[name=body]")).to_have_value(REPLY)
    expect(page.locator("form#reply [data-draft-note]")).to_be_visible()

    # A new ticket's draft too: typed, reloaded, still there; forgotten once the ticket is sent.
    page.goto(f"{base}/tickets/new/")
    page.fill("input[name=subject]", "Relatório parado")
    page.fill("textarea[name=description]", "Since Monday, for everyone.")
    page.check(f"input[name=priority][value='{levels['media'].pk}']")
    page.reload()
    expect(page.locator("input[name=subject]")).to_have_value("Relatório parado")
    expect(page.locator("textarea[name=description]")).to_have_value("Since Monday, for everyone.")
    expect(page.locator(f"input[name=priority][value='{levels['media'].pk}']")).to_be_checked()
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/tickets/HD-[\d-]+/$"))
    assert _draft(page, f"{customer.pk}:new-ticket") is None
    assert _draft(page, f"{customer.pk}:reply:{reference}") is not None


def test_a_session_expired_mid_reply_logs_in_again_and_the_draft_is_sent(
    new_context, live_server, levels, default_policy, screenshots
):
    base = live_server.url
    customer = factories.make_customer()
    reference = _ticket(customer, levels["alta"]).reference
    page = new_context().new_page()
    portal_login(page, base, customer.username)
    page.goto(f"{base}/tickets/{reference}/")
    page.fill("textarea[name=body]", REPLY)

    assert orm(_expire_sessions) >= 1
    page.click("form#reply button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    screenshots(page, "login-after-expiry")
    page.fill("#id_username", customer.username)
    page.fill("#id_password", PASSWORD)
    page.click("form.card button[type=submit]")

    page.wait_for_url(f"{base}/tickets/{reference}/")
    expect(page.locator("textarea[name=body]")).to_have_value(REPLY)
    expect(page.locator("form#reply [data-draft-note]")).to_be_visible()
    screenshots(page, "draft-restored-after-login")
    page.click("form#reply button[type=submit]")
    page.wait_for_url(f"{base}/tickets/{reference}/")
    expect(page.locator("ol.timeline")).to_contain_text(REPLY)
    expect(page.locator("textarea[name=body]")).to_have_value("")
    assert orm(_bodies, reference) == [REPLY]
    assert _draft(page, f"{customer.pk}:reply:{reference}") is None
