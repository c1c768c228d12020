"""Back-office pages of the record: quarantine, outgoing e-mail, calls and agreements."""

import pytest
from django.test import Client

from communications import inbound
from communications.models import InboundEmail, OutboundEmail
from tests.communications.conftest import NOW
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db
ORPHAN = b"Subject: sem remetente\r\nMessage-ID: <orphan-2@x.example>\r\n\r\nTexto perdido.\r\n"


@pytest.fixture
def back_office(analyst) -> Client:
    analyst.is_superuser = True
    analyst.save()
    client = Client()
    client.force_login(analyst)
    return client


@pytest.fixture
def ticket(default_policy, levels, customer):
    return ticket_services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="Relatórios",
        description="x",
        priority=levels["media"],
        reported_at=NOW,
        now=NOW,
    )


def test_held_mail_is_listed_with_its_reason_and_can_be_filed_on_a_ticket(back_office, ticket):
    record, _ = inbound.email_ingest(ORPHAN, now=NOW)
    listing = back_office.get("/admin/communications/inboundemail/", {"status": "held"})
    assert listing.status_code == 200
    assert f'<td class="field-hold_reason">{InboundEmail.HoldReason.INVALID_SENDER.label}' in (
        listing.content.decode()
    )
    assert record.error[:30] in listing.content.decode()  # and the details
    detail = back_office.get(f"/admin/communications/inboundemail/{record.pk}/change/")
    assert "Texto perdido." in detail.content.decode()  # the raw source is shown
    action = {"action": "attach_to_ticket", "_selected_action": [record.pk]}
    back_office.post(
        "/admin/communications/inboundemail/", action | {"apply": "1", "reference": "X"}
    )
    record.refresh_from_db()
    assert record.status == InboundEmail.Status.HELD  # unknown reference: a form error
    back_office.post(
        "/admin/communications/inboundemail/",
        action | {"apply": "1", "reference": ticket.reference},
    )
    record.refresh_from_db()
    assert (record.status, record.ticket) == (InboundEmail.Status.PROCESSED, ticket)
    assert record.hold_reason == InboundEmail.HoldReason.INVALID_SENDER  # still says why
    assert ticket.reference in record.error and "ana" in record.error  # who filed it


def test_reprocess_keeps_a_message_without_sender_held(back_office, ticket):
    record, _ = inbound.email_ingest(ORPHAN, now=NOW)
    back_office.post(
        "/admin/communications/inboundemail/",
        {"action": "reprocess", "_selected_action": [record.pk]},
    )
    record.refresh_from_db()
    assert record.status == InboundEmail.Status.HELD and record.error
    assert record.hold_reason == InboundEmail.HoldReason.INVALID_SENDER


def test_an_unknown_sender_becomes_a_contact_with_a_ticket_from_the_back_office(
    back_office, ticket
):
    raw = (
        b"From: Joana Souza <joana@gmail.example>\r\nSubject: Painel fora do ar\r\n"
        b"Message-ID: <joana-1@gmail.example>\r\n\r\nO painel caiu.\r\n"
    )
    record, _ = inbound.email_ingest(raw, now=NOW)
    assert record.hold_reason == InboundEmail.HoldReason.UNKNOWN_SENDER
    action = {"action": "create_contact_and_ticket", "_selected_action": [record.pk]}
    form = back_office.post("/admin/communications/inboundemail/", action, follow=True)
    assert "organization" in form.content.decode()  # asks which organization first (its page)
    organization = ticket.organization
    back_office.post(
        "/admin/communications/inboundemail/",
        action | {"apply": "1", "organization": organization.pk, "name": ""},
    )
    record.refresh_from_db()
    assert record.status == InboundEmail.Status.PROCESSED
    opened = record.ticket
    assert opened.organization == organization and opened.reported_at == record.received_at
    assert opened.requester.email == "joana@gmail.example"
    assert opened.requester.first_name == "Joana Souza"
    assert opened.requester.membership.organization == organization
    assert opened.sender_verified is False  # nothing authenticated this e-mail


def test_discarding_keeps_the_message_with_the_reason_and_nothing_deletes_it(
    back_office, ticket, analyst
):
    record, _ = inbound.email_ingest(ORPHAN, now=NOW)
    action = {"action": "discard", "_selected_action": [record.pk]}
    back_office.post("/admin/communications/inboundemail/", action | {"apply": "1", "reason": ""})
    record.refresh_from_db()
    assert record.status == InboundEmail.Status.HELD  # a reason is required
    back_office.post(
        "/admin/communications/inboundemail/", action | {"apply": "1", "reason": "Spam"}
    )
    record.refresh_from_db()
    assert record.status == InboundEmail.Status.DISCARDED
    assert (record.discard_reason, record.discarded_by) == ("Spam", analyst)
    assert bytes(record.raw) == ORPHAN
    deleting = back_office.get(f"/admin/communications/inboundemail/{record.pk}/delete/")
    assert deleting.status_code == 403
    listing = back_office.get("/admin/communications/inboundemail/")
    assert "delete_selected" not in listing.content.decode()


def test_outgoing_mail_and_record_lists_render(back_office, ticket):
    assert OutboundEmail.objects.filter(ticket=ticket).exists()
    for url in (
        "/admin/communications/outboundemail/",
        "/admin/communications/call/",
        "/admin/communications/agreement/",
    ):
        assert back_office.get(url).status_code == 200


def test_an_email_stuck_in_sending_is_released_by_an_analyst_then_sent_once(
    back_office, ticket, smtp_server
):
    from communications import outbound

    notice = OutboundEmail.objects.filter(ticket=ticket).first()
    assert outbound.email_claim(notice.pk)  # a sender took it and died before the answer
    send_now = {"action": "send_now", "_selected_action": [notice.pk]}
    back_office.post("/admin/communications/outboundemail/", send_now)
    assert smtp_server.envelopes == []  # "sending" is never sent again on its own

    back_office.post(
        "/admin/communications/outboundemail/",
        {"action": "release", "_selected_action": [notice.pk]},
    )
    notice.refresh_from_db()
    assert notice.status == OutboundEmail.Status.FAILED and notice.last_error
    back_office.post("/admin/communications/outboundemail/", send_now)
    back_office.post("/admin/communications/outboundemail/", send_now)
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (OutboundEmail.Status.SENT, 2)
    assert len(smtp_server.envelopes) == 1


def test_a_refused_call_form_comes_back_with_what_was_typed_and_named_errors(back_office, ticket):
    response = back_office.post(
        f"/admin/tickets/ticket/{ticket.pk}/call/",
        {
            "kind": "phone",
            "started_at_0": "25/11/2026",
            "started_at_1": "09:00:00",
            "duration_minutes": "0",
            "participants": "Maria (Acme), Ana",
            "summary": "",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200  # the ticket page again, not a redirect
    page = response.content.decode()
    flashed = [str(m) for m in response.context["messages"]]
    assert any("Written summary: This field is required." in m for m in flashed), flashed
    assert any("Duration (minutes): " in m for m in flashed), flashed
    assert "Maria (Acme), Ana" in page  # the typed text is still in the form
    assert not ticket.calls.exists()


def test_a_reply_refused_by_the_service_keeps_its_text_and_names_the_field(back_office, ticket):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = back_office.post(
        f"/admin/tickets/ticket/{ticket.pk}/reply/",
        {
            "body": "Segue o instalador corrigido, execute como administrador.",
            "files": SimpleUploadedFile("setup.exe", b"MZ", "application/octet-stream"),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    flashed = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("Attachments: “setup.exe” is not accepted") for m in flashed), flashed
    assert "execute como administrador" in response.content.decode()
    assert not ticket.messages.exists()


def test_an_agreement_without_text_keeps_the_other_fields(back_office, ticket):
    response = back_office.post(
        f"/admin/tickets/ticket/{ticket.pk}/agreement/",
        {"kind": "workaround", "text": "", "customer_party": "Maria Silva (Acme)"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    flashed = [str(m) for m in response.context["messages"]]
    assert any("What was agreed: This field is required." in m for m in flashed), flashed
    assert 'value="Maria Silva (Acme)"' in response.content.decode()
    assert not ticket.agreements.exists()
