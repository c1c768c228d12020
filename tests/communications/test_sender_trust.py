"""E-mail that cannot be forged: authenticated senders, the portal's rule on who writes on a
ticket, arrival times from our own systems, and nothing dropped.

Every message is built here as raw bytes and goes through `inbound.email_ingest`, as the
MTA pipe, the Maildir import and the IMAP poller give it.
"""

import base64
import io
import mailbox
import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from communications import held_mail, inbound
from communications.models import InboundEmail, Message, OutboundEmail
from sla.models import ClockMetric
from tests import factories
from tests.communications.conftest import NOW
from tickets import services as ticket_services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
SP = ZoneInfo("America/Sao_Paulo")
OURS = "mx1.helpdesk.test"
Reason = InboundEmail.HoldReason
_counter = iter(range(1, 10_000))


def mail(
    *,
    sender: str = "cliente@acme.example.com",
    subject: str = "Relatório não abre",
    body: str = "O relatório de vendas não abre desde ontem.",
    auth: str | None = None,
    received_at: datetime | None = None,
    headers: tuple[str, ...] = (),
    message_id: str | None = None,
) -> bytes:
    """A raw message as our mail server hands it over: its own headers on top."""
    lines = []
    if auth is not None:
        lines.append(f"Authentication-Results: {OURS}; {auth}")
    if received_at is not None:
        stamp = received_at.strftime("%a, %d %b %Y %H:%M:%S %z")
        lines.append("Received: from mx.remote.example (mx.remote.example [203.0.113.9])")
        lines.append(f"\tby {OURS} (Postfix) with ESMTPS id 4Xk; {stamp}")
    lines += [
        f"From: {sender}",
        "To: suporte@helpdesk.test",
        f"Subject: {subject}",
        f"Message-ID: {message_id or f'<trust-{next(_counter)}@remote.example>'}",
        "Date: Thu, 01 Jan 1970 00:00:00 +0000",
        *headers,
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "",
        body,
        "",
    ]
    return "\r\n".join(lines).encode()


def passing(domain: str = "acme.example.com") -> str:
    return (
        f"dkim=pass header.d={domain}; spf=pass smtp.mailfrom=x@{domain}; "
        f"dmarc=pass header.from={domain}"
    )


@pytest.fixture
def world(default_policy, levels, settings):
    """Acme (a customer, a colleague, an admin) and Beta (a customer), one ticket each, an
    analyst; mx1.helpdesk.test is our receiving server."""
    settings.DEFAULT_FROM_EMAIL = "Suporte <suporte@helpdesk.test>"
    settings.EMAIL_TRUSTED_AUTHSERV_IDS = [OURS]
    settings.EMAIL_TRUSTED_RECEIVED_BY = [OURS]
    settings.EMAIL_ACCEPT_STAFF_REPLIES = False
    acme = factories.make_organization(name="Acme", email_domains="acme.example.com")
    beta = factories.make_organization(name="Beta", email_domains="beta.example.org")
    people = {
        "cliente": factories.make_customer(
            organization=acme, username="cliente", email="cliente@acme.example.com"
        ),
        "colega": factories.make_customer(
            organization=acme, username="colega", email="colega@acme.example.com"
        ),
        "chefe": factories.make_customer(
            organization=acme, username="chefe", email="chefe@acme.example.com", is_admin=True
        ),
        "beta": factories.make_customer(
            organization=beta, username="beta", email="cli@beta.example.org"
        ),
        "ana": factories.make_analyst(username="ana", email="ana@helpdesk.test"),
    }
    tickets = {
        name: ticket_services.ticket_create(
            organization=people[name].membership.organization,
            requester=people[name],
            subject=f"Chamado de {name}",
            description="Nada abre.",
            priority=levels["alta"],
            reported_at=NOW - timedelta(hours=1),
            now=NOW - timedelta(hours=1),
        )
        for name in ("cliente", "beta")
    }
    return {"acme": acme, "beta": beta, "tickets": tickets, **people}


def ingest(raw: bytes, **kwargs) -> InboundEmail:
    record, created = inbound.email_ingest(raw, now=kwargs.pop("now", NOW), **kwargs)
    assert created and bytes(record.raw) == raw
    return record


# -- 1. sender authentication -----------------------------------------------------------------


def test_a_forged_analyst_on_another_organizations_ticket_is_held_and_nothing_goes_out(world):
    beta_ticket = world["tickets"]["beta"]
    outbound_before = OutboundEmail.objects.count()
    record = ingest(
        mail(
            sender='"Analista" <ana@helpdesk.test>',
            subject=f"Re: [{beta_ticket.reference}] Atualize seus dados",
            body="Clique aqui: https://phishing.example/login",
        )
    )
    assert (record.status, record.hold_reason) == ("held", Reason.STAFF_UNVERIFIED)
    assert "analyst" in record.error
    assert not beta_ticket.messages.exists()
    assert OutboundEmail.objects.count() == outbound_before  # no "new reply" to the customer


def test_a_verified_analyst_still_answers_from_the_back_office_unless_allowed(world, settings):
    ticket = world["tickets"]["cliente"]
    raw = mail(
        sender="ana@helpdesk.test",
        subject=f"Re: [{ticket.reference}]",
        auth=passing("helpdesk.test"),
    )
    record = ingest(raw)
    assert (record.status, record.hold_reason) == ("held", Reason.STAFF_BY_EMAIL)
    settings.EMAIL_ACCEPT_STAFF_REPLIES = True
    inbound.email_process(record, now=NOW)
    assert record.status == "processed" and record.ticket == ticket
    assert ticket.messages.get().direction == Message.Direction.TO_CUSTOMER


def test_no_sender_fallback_a_from_without_one_valid_address_is_held(world):
    for sender in ("", "<<<>>>", "Undisclosed recipients:;", "a@x.example, b@y.example"):
        raw = mail(sender=sender, headers=("Sender: chefe@acme.example.com",))
        record = ingest(raw)
        assert (record.status, record.hold_reason) == ("held", Reason.INVALID_SENDER), sender
    assert not Ticket.objects.filter(requester=world["chefe"]).exists()


def test_an_unverified_address_at_an_organizations_domain_never_joins_it(world):
    record = ingest(mail(sender="novo@acme.example.com"))
    assert (record.status, record.hold_reason) == ("held", Reason.UNVERIFIED_SENDER)
    assert not world["acme"].members.filter(user__email="novo@acme.example.com").exists()
    assert not OutboundEmail.objects.filter(to="novo@acme.example.com").exists()


def test_a_verified_address_at_the_domain_joins_and_opens_unless_the_organization_says_no(world):
    record = ingest(mail(sender="Nova Pessoa <nova@acme.example.com>", auth=passing()))
    assert record.status == "processed" and record.sender_verified
    assert record.ticket.requester.membership.organization == world["acme"]
    assert record.ticket.sender_verified is True
    world["acme"].email_domain_signup = False
    world["acme"].save()
    record = ingest(mail(sender="outra@acme.example.com", auth=passing()))
    assert (record.status, record.hold_reason) == ("held", Reason.UNKNOWN_SENDER)


def test_an_unverified_member_opens_a_ticket_marked_sender_not_verified(world, client):
    record = ingest(mail(auth="spf=softfail smtp.mailfrom=cliente@acme.example.com"))
    ticket = record.ticket
    assert record.status == "processed" and not record.sender_verified
    assert ticket.sender_verified is False
    client.force_login(world["cliente"])
    api = client.get(f"/api/tickets/{ticket.reference}/").json()
    assert api["sender_verified"] is False
    client.force_login(world["ana"])
    world["ana"].is_superuser = True
    world["ana"].save()
    page = client.get(f"/admin/tickets/ticket/{ticket.pk}/change/").content.decode()
    assert "errornote" in page


def test_an_organization_may_refuse_unverified_mail(world):
    world["acme"].email_accept_unverified = False
    world["acme"].save()
    record = ingest(mail())
    assert (record.status, record.hold_reason) == ("held", Reason.UNVERIFIED_SENDER)
    record = ingest(mail(auth=passing()))
    assert record.status == "processed"


def test_dmarc_fail_is_a_spoofed_domain(world):
    record = ingest(
        mail(
            auth="spf=fail smtp.mailfrom=x@evil.example; "
            "dmarc=fail (p=reject) header.from=acme.example.com"
        )
    )
    assert (record.status, record.hold_reason) == ("held", Reason.SPOOFED_DOMAIN)
    assert "acme.example.com" in record.error


@pytest.mark.parametrize(
    ("header", "verified"),
    [
        (f"{OURS}; dmarc=pass header.from=acme.example.com", True),
        (f"{OURS}; spf=pass smtp.mailfrom=bounce@mail.acme.example.com", True),  # aligned
        (f"{OURS}; dkim=pass header.d=acme.example.com header.s=s1", True),
        (f"{OURS}; spf=pass smtp.mailfrom=bounce@mailer.example.net", False),  # not aligned
        (f"{OURS}; dkim=pass header.d=other.example.net", False),
        (
            f"{OURS}; dmarc=none header.from=acme.example.com; dkim=pass header.d=acme.example.com",
            True,
        ),
        (
            f"{OURS}; dmarc=temperror header.from=acme.example.com; "
            "dkim=pass header.d=acme.example.com",
            False,
        ),
        ("evil.example; dmarc=pass header.from=acme.example.com", False),  # not our server
        (f"{OURS}; dkim=fail header.d=acme.example.com", False),
        (f"{OURS} (garbage", False),
    ],
)
def test_only_our_servers_verdict_aligned_with_the_from_domain_verifies(world, header, verified):
    raw = f"Authentication-Results: {header}\r\n".encode() + mail(sender="colega@acme.example.com")
    record = ingest(raw)
    assert record.sender_verified is verified, record.authentication


def test_a_verdict_written_by_the_sender_below_ours_does_not_count(world):
    forged = f"Authentication-Results: {OURS}; dmarc=pass header.from=acme.example.com\r\n"
    ours = f"Authentication-Results: {OURS}; dmarc=fail header.from=acme.example.com\r\n"
    record = ingest(ours.encode() + forged.encode() + mail())
    assert record.hold_reason == Reason.SPOOFED_DOMAIN
    record = ingest(forged.encode() + mail(), now=NOW)  # our server stamped nothing
    assert record.sender_verified  # documented: the receiving server must stamp every message


# -- 2. one rule for who writes on a ticket -----------------------------------------------------


def test_a_member_may_not_write_by_email_on_a_colleagues_ticket_the_portal_hides(world):
    ticket = world["tickets"]["cliente"]
    record = ingest(
        mail(sender="colega@acme.example.com", subject=f"Re: [{ticket.reference}]", auth=passing())
    )
    assert (record.status, record.hold_reason) == ("held", Reason.NOT_ALLOWED)
    assert not ticket.messages.exists()
    ticket.shared_with.add(world["colega"])
    inbound.email_process(record, now=NOW)
    assert record.status == "processed" and ticket.messages.count() == 1


def test_an_unverified_admin_writes_only_on_their_own_tickets(world):
    ticket = world["tickets"]["cliente"]
    subject = f"Re: [{ticket.reference}] oi"
    record = ingest(mail(sender="chefe@acme.example.com", subject=subject))
    assert (record.status, record.hold_reason) == ("held", Reason.UNVERIFIED_SENDER)
    record = ingest(mail(sender="chefe@acme.example.com", subject=subject, auth=passing()))
    assert record.status == "processed" and record.ticket == ticket


def test_another_organizations_customer_citing_our_message_id_is_held(world):
    ticket = world["tickets"]["cliente"]
    ours = OutboundEmail.objects.filter(ticket=ticket).first()
    record = ingest(
        mail(
            sender="cli@beta.example.org",
            subject="Re: sua mensagem",
            headers=(f"In-Reply-To: {ours.message_id}",),
            auth=passing("beta.example.org"),
        )
    )
    assert (record.status, record.hold_reason) == ("held", Reason.NOT_ALLOWED)
    assert "cli@beta.example.org" in record.error and ticket.reference in record.error


# -- 3. trusted arrival time -------------------------------------------------------------------


def test_arrival_comes_from_our_received_line_never_from_the_senders_headers(world):
    arrived = datetime(2026, 11, 25, 9, 12, 7, tzinfo=SP)
    record = ingest(mail(received_at=arrived))
    assert (record.received_at, record.arrival_source) == (arrived, "received_header")
    assert record.ticket.reported_at == arrived
    # A Received line the sender wrote, claiming our host, under a line of another host.
    forged = (
        "Received: from relay by relay.remote.example; Wed, 25 Nov 2026 09:59:00 -0300\r\n"
        "Received: from x by mx1.helpdesk.test; Thu, 01 Jan 1970 00:00:00 +0000\r\n"
    )
    record = ingest(forged.encode() + mail())
    assert (record.received_at, record.arrival_source) == (NOW, "read")
    assert record.ticket.reference.startswith("HD-2026-")


def test_maildir_files_give_their_delivery_date(world, tmp_path):
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    key = box.add(mail())
    delivered = datetime.now(SP).replace(microsecond=0) - timedelta(hours=2)
    path = tmp_path / "Maildir" / "new" / key
    os.utime(path, (delivered.timestamp(), delivered.timestamp()))
    call_command("ingest_email", str(tmp_path / "Maildir"), stdout=io.StringIO())
    record = InboundEmail.objects.get()
    assert (record.received_at, record.arrival_source) == (delivered, "file")
    assert record.ticket.reported_at == delivered


def test_an_arrival_too_far_in_the_past_is_clamped_and_noted(world, settings):
    settings.EMAIL_ARRIVAL_MAX_AGE_HOURS = 24
    claimed = datetime(1970, 1, 1, tzinfo=SP)
    record = ingest(mail(received_at=claimed))
    assert record.arrival_clamped_from == claimed
    assert record.received_at == NOW - timedelta(hours=24)
    ticket = record.ticket
    assert ticket.reference == "HD-2026-000003" and ticket.reported_at == record.received_at
    note = ticket.messages.get(direction=Message.Direction.INTERNAL)
    assert "1970" in note.body
    future = ingest(mail(received_at=NOW + timedelta(days=400)))
    assert future.received_at == NOW and future.arrival_clamped_from is not None


def test_a_customers_emailed_answer_resumes_the_clock_when_it_arrived(world):
    ticket = world["tickets"]["cliente"]
    monday_10 = datetime(2026, 11, 23, 10, tzinfo=SP)
    ticket = ticket_services.ticket_assign(
        ticket=ticket, analyst=world["ana"], actor=world["ana"], now=monday_10
    )
    ticket = ticket_services.ticket_transition(
        ticket=ticket,
        to_status=Ticket.Status.WAITING_ON_CUSTOMER,
        actor=world["ana"],
        now=monday_10,
        reason="Precisamos do log",
    )
    arrived = datetime(2026, 11, 24, 10, tzinfo=SP)
    raw = mail(subject=f"Re: [{ticket.reference}]", received_at=arrived)
    ingest(raw, now=datetime(2026, 11, 24, 13, tzinfo=SP))  # processed three hours later
    ticket.refresh_from_db()
    resolution = ticket.clocks.get(metric=ClockMetric.RESOLUTION)
    resumed = resolution.events.filter(kind="resumed").get()
    assert resumed.at == arrived and ticket.status == Ticket.Status.IN_PROGRESS


def test_filing_a_held_answer_counts_it_when_it_arrived_not_when_filed(world):
    ticket = world["tickets"]["cliente"]
    monday_10 = datetime(2026, 11, 23, 10, tzinfo=SP)
    ticket = ticket_services.ticket_assign(
        ticket=ticket, analyst=world["ana"], actor=world["ana"], now=monday_10
    )
    ticket = ticket_services.ticket_transition(
        ticket=ticket,
        to_status=Ticket.Status.WAITING_ON_CUSTOMER,
        actor=world["ana"],
        now=monday_10,
        reason="Precisamos do log",
    )
    arrived = datetime(2026, 11, 24, 10, tzinfo=SP)
    record = ingest(
        mail(sender="financeiro@gmail.example", subject="o log", received_at=arrived),
        now=datetime(2026, 11, 24, 10, 5, tzinfo=SP),
    )
    assert record.hold_reason == Reason.UNKNOWN_SENDER
    filed_at = datetime(2026, 11, 26, 15, tzinfo=SP)
    held_mail.email_attach_to_ticket(record, ticket=ticket, actor=world["ana"], now=filed_at)
    resumed = ticket.clocks.get(metric=ClockMetric.RESOLUTION).events.get(kind="resumed")
    assert resumed.at == arrived


# -- 4. nothing dropped ------------------------------------------------------------------------


def test_a_huge_encoded_message_id_is_stored_and_processed(world):
    word = "=?utf-8?b?" + base64.b64encode(("\U0001d518" * 900).encode()).decode() + "?="
    raw = mail(message_id=f"<{word}@x.example>")
    record = ingest(raw)
    assert record.status == "processed"
    assert len(record.message_id) > 900 and len(record.message_id_digest) == 64


def test_a_reused_message_id_with_other_bytes_is_kept_flagged_and_processed(world):
    first = ingest(mail(message_id="<same@remote.example>", body="Primeiro."))
    second = ingest(mail(message_id="<same@remote.example>", body="Segundo, outro texto."))
    assert first.pk != second.pk and second.message_id_reused and not first.message_id_reused
    assert second.status == "processed" and second.ticket != first.ticket
    again, created = inbound.email_ingest(bytes(second.raw), now=NOW)
    assert (again.pk, created) == (second.pk, False)  # the same bytes: a redelivery
    # The same message by a second route (To and Cc of two of our mailboxes): only a trace
    # header differs. Kept and flagged, linked to the ticket, not opened twice.
    copy = ingest(b"Delivered-To: outro@helpdesk.test\r\n" + bytes(second.raw))
    assert (copy.status, copy.ticket, copy.message_id_reused) == ("ignored", second.ticket, True)
    assert Ticket.objects.filter(pk=second.ticket.pk).count() == 1


def test_a_failure_while_processing_quarantines_and_the_batch_goes_on(world, settings, tmp_path):
    blocked = tmp_path / "media"
    blocked.write_text("a file where the attachments' folder should be")
    settings.MEDIA_ROOT = str(blocked)
    with_file = (
        b"From: cliente@acme.example.com\r\nSubject: anexo\r\nMessage-ID: <f-1@x.example>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
        b"Content-Type: text/plain\r\n\r\nSegue.\r\n--b\r\nContent-Type: application/pdf\r\n"
        b"Content-Disposition: attachment; filename=a.pdf\r\n\r\n%PDF-1.4\r\n--b--\r\n"
    )
    box = mailbox.mbox(tmp_path / "inbox.mbox", create=True)
    box.add(with_file)
    box.add(mail(subject="sem anexo"))
    box.flush()
    out = io.StringIO()
    call_command("ingest_email", str(tmp_path / "inbox.mbox"), stdout=out)
    assert "processed: 1" in out.getvalue() and "quarantined: 1" in out.getvalue()
    failed = InboundEmail.objects.get(status="quarantined")
    assert failed.hold_reason == Reason.UNREADABLE and failed.error
    assert failed.ticket is None and not Ticket.objects.filter(subject="anexo").exists()


def test_the_reason_a_message_was_held_is_kept(world):
    record = ingest(mail(sender="desconhecido@gmail.example"))
    record.refresh_from_db()
    assert record.hold_reason == Reason.UNKNOWN_SENDER and record.error


# -- 6. auto-replies and forwarded messages ----------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "X-Auto-Response-Suppress: All",
        "X-MS-Exchange-Inbox-Rules-Loop: cliente@acme.example.com",
        "Auto-Submitted: auto-replied",
        "Precedence: auto_reply",
        "X-Autoreply: yes",
        "X-Autorespond: yes",
    ],
)
def test_exchange_and_rfc3834_auto_replies_are_kept_but_ignored(world, header):
    ticket = world["tickets"]["cliente"]
    record = ingest(mail(subject=f"Re: [{ticket.reference}]", headers=(header,)))
    assert record.status == "ignored" and not ticket.messages.exists()


@pytest.mark.parametrize(
    "subject",
    ["Ausência temporária: Re: chamado", "Fuera de la oficina", "Out of office: Re: ticket"],
)
def test_out_of_office_subjects_are_ignored(world, subject):
    assert ingest(mail(subject=subject)).status == "ignored"


def test_a_forwarded_message_is_one_eml_attachment_not_text_of_the_sender(world, client):
    inner = (
        "From: fornecedor@fornecedor.example\r\nSubject: Fatura vencida\r\n"
        "Message-ID: <inner@fornecedor.example>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=in\r\n\r\n--in\r\nContent-Type: text/plain\r\n\r\n"
        "PAGUE AGORA\r\n--in\r\nContent-Type: application/pdf\r\n"
        "Content-Disposition: attachment; filename=boleto.pdf\r\n\r\n%PDF-1.4 boleto\r\n--in--\r\n"
    )
    raw = (
        "From: cliente@acme.example.com\r\nSubject: ENC: Fatura\r\n"
        "Message-ID: <fw-1@acme.example.com>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=out\r\n\r\n--out\r\n"
        "Content-Type: text/plain\r\n\r\nVejam este e-mail.\r\n--out\r\n"
        "Content-Type: message/rfc822\r\n\r\n" + inner + "\r\n--out--\r\n"
    ).encode()
    record = ingest(raw)
    message = record.ticket.messages.get(direction=Message.Direction.FROM_CUSTOMER)
    assert "PAGUE AGORA" not in message.body and "Vejam este e-mail." in message.body
    attachments = list(message.attachments.all())
    assert [(a.original_name, a.content_type) for a in attachments] == [
        ("Fatura vencida.eml", "message/rfc822")
    ]
    assert b"PAGUE AGORA" in attachments[0].file.read()
    client.force_login(world["cliente"])
    page = client.get(record.ticket.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert "Forwarded message: Fatura vencida.eml" in page.content.decode()
