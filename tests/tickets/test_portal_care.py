"""Nothing the customer typed is lost: refused forms come back filled, a POST after the session
expired finds its way back to the page, reopening asks why and shows it."""

import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation

from tests import factories
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

# A Windows program's first bytes: "MZ", the PE header's offset at 60, then "PE\0\0".
PROGRAM = b"MZ" + b"\0" * 58 + (64).to_bytes(4, "little") + b"PE\0\0" + b"\0" * 100
TYPED = "The export stopped at 9:00 — línea 2 <b>not bold</b>"


def _client(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def _ticket(customer, level) -> Ticket:
    now = timezone.now()
    return services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="Relatórios parados",
        description="d",
        priority=level,
        reported_at=now,
        now=now,
    )


def _resolved(ticket) -> Ticket:
    analyst, now = factories.make_analyst(), timezone.now()
    services.ticket_assign(ticket=ticket, analyst=analyst, actor=analyst, now=now)
    services.ticket_transition(ticket=ticket, to_status="in_progress", actor=analyst, now=now)
    return services.ticket_transition(ticket=ticket, to_status="resolved", actor=analyst, now=now)


def _textarea(html: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    return unescape(found.group(1)).strip() if found else ""


@pytest.mark.parametrize(
    ("upload", "says"),
    [
        (SimpleUploadedFile("huge.log", b"x" * 2048, "text/plain"), "“huge.log” is larger than"),
        (
            SimpleUploadedFile("invoice.pdf", PROGRAM, "application/pdf"),
            "“invoice.pdf” is not accepted",
        ),
    ],
    ids=["too-large", "exe-renamed-pdf"],
)
def test_a_refused_reply_comes_back_with_its_text_and_names_the_file(
    settings, default_policy, levels, upload, says
):
    settings.ATTACHMENT_MAX_BYTES = 1024
    customer = factories.make_customer()
    ticket = _ticket(customer, levels["alta"])

    response = _client(customer).post(
        f"/tickets/{ticket.reference}/reply/", {"body": TYPED, "files": upload}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert _textarea(html, "body") == TYPED
    assert says in unescape(html)
    with translation.override("en"):
        assert translation.gettext(
            "Files are not kept when a form is refused: choose them again."
        ) in unescape(html)
    assert ticket.messages.count() == 0


def test_a_reply_without_text_is_refused_on_the_page_not_with_a_redirect(default_policy, levels):
    customer = factories.make_customer()
    ticket = _ticket(customer, levels["alta"])

    response = _client(customer).post(f"/tickets/{ticket.reference}/reply/", {"body": " "})

    assert response.status_code == 400
    assert f'data-draft="{customer.pk}:reply:{ticket.reference}"' in response.content.decode()


def test_a_sent_reply_tells_the_page_to_forget_the_draft(default_policy, levels):
    customer = factories.make_customer()
    ticket = _ticket(customer, levels["alta"])
    client = _client(customer)

    response = client.post(f"/tickets/{ticket.reference}/reply/", {"body": TYPED})

    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.reference}/?sent=1"
    page = client.get(response["Location"]).content.decode()
    assert f'data-draft-clear="{customer.pk}:reply:{ticket.reference}"' in page
    assert ticket.messages.get().body == TYPED


def test_a_refused_new_ticket_keeps_everything_typed(settings, default_policy, levels):
    settings.ATTACHMENT_MAX_BYTES = 1024
    customer = factories.make_customer()
    upload = SimpleUploadedFile("huge.log", b"x" * 2048, "text/plain")

    response = _client(customer).post(
        "/tickets/new/",
        {
            "subject": "Relatório parado",
            "description": TYPED,
            "priority": levels["alta"].pk,
            "category": Ticket.Category.values[0],
            "scope": Ticket.Scope.values[0],
            "affected_service": "Exports",
            "files": upload,
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert _textarea(html, "description") == TYPED
    assert 'value="Relatório parado"' in html and 'value="Exports"' in html
    assert re.search(rf'value="{levels["alta"].pk}"\s+checked', html)
    assert "“huge.log” is larger than" in unescape(html)
    assert not Ticket.objects.exists()


def test_a_post_after_the_session_expired_leads_back_to_the_ticket_page(default_policy, levels):
    customer = factories.make_customer()
    ticket = _ticket(customer, levels["alta"])
    client = Client()

    expired = client.post(f"/tickets/{ticket.reference}/reply/", {"body": TYPED})
    login_url = expired["Location"]
    assert login_url == f"/accounts/login/?next=/tickets/{ticket.reference}/reply/"
    client.force_login(customer)
    back = client.get(f"/tickets/{ticket.reference}/reply/")

    assert back.status_code == 302
    assert back["Location"] == f"/tickets/{ticket.reference}/"
    for action in ("confirm", "reopen", "share"):
        assert client.get(f"/tickets/{ticket.reference}/{action}/")["Location"] == (
            f"/tickets/{ticket.reference}/"
        )


@pytest.mark.parametrize("action", ["reply", "confirm", "reopen", "share"])
def test_another_organizations_customer_gets_404_on_each_action(default_policy, levels, action):
    ticket = _ticket(factories.make_customer(), levels["alta"])
    stranger = _client(factories.make_customer())

    assert stranger.post(f"/tickets/{ticket.reference}/{action}/", {"body": "x"}).status_code == (
        404
    )


def test_reopening_asks_why_and_the_customer_sees_the_reason(default_policy, levels):
    customer = factories.make_customer()
    ticket = _resolved(_ticket(customer, levels["alta"]))
    client = _client(customer)

    refused = client.post(f"/tickets/{ticket.reference}/reopen/", {"reason": "  "})
    assert refused.status_code == 400
    with translation.override("en"):
        assert translation.gettext(
            "Say what is still wrong, so we know where to look."
        ) in unescape(refused.content.decode())
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED

    assert (
        client.post(
            f"/tickets/{ticket.reference}/reopen/", {"reason": "Exports still fail at 9:00"}
        ).status_code
        == 302
    )
    page = unescape(client.get(ticket.get_absolute_url()).content.decode())
    assert "Exports still fail at 9:00" in page
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS


def test_confirming_twice_says_it_is_already_closed(default_policy, levels):
    customer = factories.make_customer()
    ticket = _resolved(_ticket(customer, levels["alta"]))
    client = _client(customer)
    assert client.post(f"/tickets/{ticket.reference}/confirm/").status_code == 302

    again = client.post(f"/tickets/{ticket.reference}/confirm/")

    assert again.status_code == 400
    with translation.override("en"):
        expected = translation.gettext("The ticket is already %(status)s: nothing changed.") % {
            "status": translation.gettext("closed")
        }
    assert expected in unescape(again.content.decode())


def _detail_queries(client, ticket) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(ticket.get_absolute_url()).status_code == 200
    return len(queries)


def test_the_ticket_page_costs_the_same_queries_for_1_or_10_replies(default_policy, levels):
    customer = factories.make_customer()
    ticket = _ticket(customer, levels["alta"])
    client = _client(customer)
    client.post(f"/tickets/{ticket.reference}/reply/", {"body": "one"})
    once = _detail_queries(client, ticket)
    for number in range(9):
        client.post(f"/tickets/{ticket.reference}/reply/", {"body": f"more {number}"})

    assert _detail_queries(client, ticket) == once == 16


def test_an_expired_form_on_the_api_answers_json_and_on_the_portal_a_page():
    api = Client(enforce_csrf_checks=True).post("/api/tickets/", {})
    portal = Client(enforce_csrf_checks=True).post("/accounts/login/", {})

    # An API call without a session is not CSRF-checked: the token is the credential.
    assert api.status_code in (401, 403) and api["Content-Type"] == "application/json"
    assert portal.status_code == 403 and b"error-page" in portal.content
