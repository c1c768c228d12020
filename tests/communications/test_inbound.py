"""Inbound e-mail over a corpus of real-world messages, random bytes, and the command."""

import io
import json
import mailbox
from datetime import datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communications import held_mail, inbound
from communications.models import InboundEmail, Message, OutboundEmail
from tests import factories
from tests.communications.conftest import NOW
from tickets import services as ticket_services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
CORPUS = Path(__file__).parent / "fixtures" / "emails"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
STATUS_OF = {
    "new_ticket": InboundEmail.Status.PROCESSED,
    "reply": InboundEmail.Status.PROCESSED,
    "held": InboundEmail.Status.HELD,
    "ignored": InboundEmail.Status.IGNORED,
    "quarantined": InboundEmail.Status.QUARANTINED,
}


@pytest.fixture
def desk(default_policy, levels, customer, settings):
    """The world the corpus expects: Acme, its customer, HD-2026-000001 (shared with their
    colleague Maria) and our first e-mail; mx1.helpdesk.test is our receiving server."""
    settings.DEFAULT_FROM_EMAIL = "Suporte <suporte@helpdesk.test>"
    settings.EMAIL_TRUSTED_AUTHSERV_IDS = ["mx1.helpdesk.test"]
    settings.EMAIL_TRUSTED_RECEIVED_BY = ["mx1.helpdesk.test"]
    maria = factories.make_customer(
        organization=customer.membership.organization,
        username="maria",
        email="maria@acme.example.com",
    )
    ticket = ticket_services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="Relatórios não carregam",
        description="Nada abre.",
        priority=levels["alta"],
        reported_at=NOW,
        now=NOW,
    )
    assert ticket.reference == "HD-2026-000001"
    ticket.shared_with.add(maria)
    OutboundEmail.objects.filter(ticket=ticket, to=customer.email).update(
        message_id="<out-0001@helpdesk.test>"
    )
    return ticket


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_each_message_of_the_corpus_lands_where_it_should(desk, name):
    expected = MANIFEST[name]
    raw = (CORPUS / name).read_bytes()
    tickets_before = Ticket.objects.count()

    record, created = inbound.email_ingest(raw, now=NOW)

    assert created
    assert bytes(record.raw) == raw  # the original, byte for byte
    assert record.status == STATUS_OF[expected["expect"]], record.error
    assert record.hold_reason == expected.get("hold_reason", ""), record.error
    if "sender_verified" in expected:
        assert record.sender_verified is expected["sender_verified"]
    if expected.get("message_id"):
        assert record.message_id == expected["message_id"]
    if expected["expect"] == "new_ticket":
        assert Ticket.objects.count() == tickets_before + 1
        assert record.ticket.channel == Ticket.Channel.EMAIL
        assert record.ticket.sender_verified is record.sender_verified
        assert record.ticket.reported_at == record.received_at
        if expected.get("reported_at"):  # our Received header, never the sender's Date
            assert record.ticket.reported_at == datetime.fromisoformat(expected["reported_at"])
    elif expected["expect"] == "reply":
        assert record.ticket == desk
    else:
        assert Ticket.objects.count() == tickets_before
    if record.status == InboundEmail.Status.PROCESSED:
        message = Message.objects.get(inbound_email=record)
        if expected.get("from"):
            assert message.author_email == expected["from"]
        if expected.get("body_contains"):
            assert expected["body_contains"] in message.body
            assert expected["body_contains"] in message.display_text
        if expected.get("quoted_text"):
            assert expected["quoted_text"] not in message.display_text
            assert expected["quoted_text"] in message.body  # the full text is kept
        assert "<script" not in message.body_html.lower()
        stored = {(a.original_name, a.size) for a in message.attachments.all()}
        for attachment in expected.get("attachments") or []:
            assert (attachment["filename"], attachment["size"]) in stored
    if expected.get("subject_contains") and record.status != InboundEmail.Status.QUARANTINED:
        assert expected["subject_contains"] in record.subject
    again, created = inbound.email_ingest(raw, now=NOW)
    assert (again.pk, created) == (record.pk, False)


def test_unknown_senders_get_one_polite_reply_a_day_and_automatic_mail_none(desk):
    held = [n for n, e in MANIFEST.items() if e.get("hold_reason") == "unknown_sender"]
    ignored = [n for n, e in MANIFEST.items() if e["expect"] == "ignored"]
    for name in held + ignored:
        inbound.email_ingest((CORPUS / name).read_bytes(), now=NOW)
    autoreplies = OutboundEmail.objects.filter(auto_submitted=True)
    senders = {MANIFEST[n]["from"] for n in held}
    assert set(autoreplies.values_list("to", flat=True)) == senders
    assert autoreplies.count() == len(senders)
    ignored_senders = {MANIFEST[n]["from"] for n in ignored} - senders
    assert not autoreplies.filter(to__in=ignored_senders).exists()


def test_a_stranger_cannot_write_on_a_ticket_by_quoting_its_reference(desk):
    raw = (
        b"From: intruso@outra.example.org\r\nSubject: Re: [HD-2026-000001] oi\r\n"
        b"Message-ID: <intruder-1@outra.example.org>\r\n\r\nApaguem tudo.\r\n"
    )
    record, _created = inbound.email_ingest(raw, now=NOW)
    assert record.status == InboundEmail.Status.HELD
    assert not desk.messages.exists()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    raw=st.one_of(
        st.binary(max_size=2000),
        st.builds(
            lambda headers, body: headers + b"\r\n\r\n" + body,
            st.sampled_from(
                [
                    b"From: cliente@acme.example.com\r\nSubject: x",
                    b"From: someone@else.example\r\nContent-Type: multipart/mixed; boundary=zz",
                    b"From: =?utf-8?B?////?= <cliente@acme.example.com>",
                    b"From: MAILER-DAEMON@mx.example\r\nContent-Type: text/plain; charset=bogus",
                ]
            ),
            st.binary(max_size=1500),
        ),
    )
)
def test_random_bytes_are_always_stored_or_quarantined(desk, raw):
    record, _created = inbound.email_ingest(raw, now=NOW)
    assert record.pk is not None
    assert bytes(record.raw) == raw
    assert record.status in InboundEmail.Status.values
    if record.status == InboundEmail.Status.QUARANTINED:
        assert record.error


def test_the_command_reads_maildir_mbox_and_standard_input(desk, tmp_path, monkeypatch):
    names = sorted(n for n, e in MANIFEST.items() if e["expect"] != "quarantined")[:6]
    maildir = mailbox.Maildir(tmp_path / "Maildir", create=True)
    for name in names[:3]:
        maildir.add((CORPUS / name).read_bytes())
    box = mailbox.mbox(tmp_path / "inbox.mbox", create=True)
    for name in names[3:5]:
        box.add((CORPUS / name).read_bytes())
    box.flush()

    out = io.StringIO()
    call_command("ingest_email", str(tmp_path / "Maildir"), stdout=out)
    call_command("ingest_email", str(tmp_path / "inbox.mbox"), stdout=out)
    stdin = io.TextIOWrapper(io.BytesIO((CORPUS / names[5]).read_bytes()))
    monkeypatch.setattr("sys.stdin", stdin)
    call_command("ingest_email", "-", stdout=out)
    assert InboundEmail.objects.count() == 6

    call_command("ingest_email", str(tmp_path / "Maildir"), stdout=out)  # redelivered
    assert InboundEmail.objects.count() == 6
    assert "duplicate: 3" in out.getvalue().splitlines()[-1]


def test_a_held_message_is_filed_on_a_ticket_by_an_analyst(desk):
    raw = b"Subject: sem remetente\r\nMessage-ID: <orphan-1@x.example>\r\n\r\nOi, sou eu.\r\n"
    record, _created = inbound.email_ingest(raw, now=NOW)
    assert (record.status, record.hold_reason) == ("held", "invalid_sender")
    analyst = factories.make_analyst()
    held_mail.email_attach_to_ticket(record, ticket=desk, actor=analyst, now=NOW)
    record.refresh_from_db()
    assert record.status == InboundEmail.Status.PROCESSED and record.ticket == desk
    assert record.hold_reason == "invalid_sender"  # why it had been held stays on record
    assert "Oi, sou eu." in desk.messages.get().body
