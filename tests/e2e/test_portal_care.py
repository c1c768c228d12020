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
    page.wait_for_url(re.compile(r"/tickets/HD-[\d-]+/\?opened=1$"))
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


# -- a 390 px phone, every page, three languages ----------------------------------------------

PHONE = {"width": 390, "height": 844}
WIDEST = """() => {
  const limit = window.innerWidth;
  let widest = null;
  for (const element of document.querySelectorAll("body *")) {
    const right = element.getBoundingClientRect().right;
    if (right > limit + 1 && (!widest || right > widest.right)) {
      widest = {right: Math.round(right), tag: element.tagName, cls: element.className};
    }
  }
  return widest;
}"""


def _overflow(page) -> dict | None:
    if page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
        return None
    return {
        "scrollWidth": page.evaluate("document.documentElement.scrollWidth"),
        "widest": page.evaluate(WIDEST),
    }


def _refusal_pages(page, base: str, language: str):
    """Bring up, for real, the pages that refuse a login form; yield each one's name while
    the browser shows it. The CSRF failure: the form sent without its token. The lock-out:
    wrong passwords until django-axes locks the name out (a name of its own per language,
    so the customer's own login is never locked)."""
    from django.conf import settings

    login = f"{base}/accounts/login/"
    page.goto(login)
    page.evaluate(
        "document.querySelectorAll('[name=csrfmiddlewaretoken]').forEach(e => e.remove())"
    )
    page.fill("#id_username", "someone")
    page.fill("#id_password", "wrong")
    page.click("form.card button[type=submit]")
    expect(page.locator(".error-page h1")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", language)
    yield "csrf failure"
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        page.goto(login)
        page.fill("#id_username", f"locked-{language}")
        page.fill("#id_password", "wrong")
        page.click("form.card button[type=submit]")
        page.wait_for_load_state()
        if page.locator(".error-page").count():
            break
    expect(page.locator(".error-page a[href='/accounts/password_reset/']")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", language)
    yield "locked out"


def test_every_portal_page_fits_a_390px_phone_in_each_language(
    new_context, live_server, levels, default_policy, screenshots
):
    from tests.portal_pages import (
        ANONYMOUS_PATHS,
        email_link_paths,
        portal_world,
        signed_in_paths,
    )

    base = live_server.url
    world = portal_world(levels)
    paths = signed_in_paths(world)
    anonymous = ANONYMOUS_PATHS | email_link_paths(world)
    overflowing = {}
    for language in ("pt-br", "en", "es"):
        context = new_context(viewport=PHONE)
        context.add_cookies([{"name": "django_language", "value": language, "url": base}])
        page = context.new_page()
        for name, path in anonymous.items():
            page.goto(f"{base}{path}")
            if found := _overflow(page):
                overflowing[f"{language} {name}"] = found
        for name in _refusal_pages(page, base, language):
            if found := _overflow(page):
                overflowing[f"{language} {name}"] = found
        portal_login(page, base, world["admin"].username)
        for name, path in paths.items():
            page.goto(f"{base}{path}")
            expect(page.locator("html")).to_have_attribute("lang", language)
            if found := _overflow(page):
                overflowing[f"{language} {name}"] = found
        if language == "pt-br" and not overflowing:
            page.goto(f"{base}{paths['ticket detail']}")
            screenshots(page, "phone-ticket-with-a-5000-character-word")
        context.close()
    assert overflowing == {}
