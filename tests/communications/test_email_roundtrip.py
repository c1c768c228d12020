"""E-mail out through a real SMTP server on loopback, and the customer's reply back in."""

import email
import email.policy
from datetime import timedelta

import pytest

from communications import inbound, outbound
from communications.models import InboundEmail, Message, OutboundEmail
from tests.communications.conftest import NOW
from tickets import services as ticket_services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def open_ticket(customer, levels, *, callbacks) -> Ticket:
    with callbacks(execute=True):
        return ticket_services.ticket_create(
            organization=customer.membership.organization,
            requester=customer,
            subject="Relatórios não carregam",
            description="Nenhum relatório abre desde as 9h.",
            priority=levels["alta"],
            reported_at=NOW,
            now=NOW,
        )


def send_all() -> None:
    for pending in OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING):
        outbound.email_send(pending.pk, now=NOW)


def received(smtp_server, to: str):
    return [
        email.message_from_bytes(envelope.content, policy=email.policy.default)
        for envelope in smtp_server.envelopes
        if to in envelope.rcpt_tos
    ]


def test_the_customer_gets_the_opening_notice_with_deadlines_and_threading_headers(
    smtp_server, default_policy, levels, customer, analyst, django_capture_on_commit_callbacks
):
    ticket = open_ticket(customer, levels, callbacks=django_capture_on_commit_callbacks)
    send_all()
    (notice,) = received(smtp_server, "cliente@acme.example.com")
    assert ticket.reference in notice["Subject"]
    assert notice["Message-ID"] == OutboundEmail.objects.get(to=customer.email).message_id
    assert notice["Auto-Submitted"] == "auto-generated"
    body = notice.get_body(preferencelist=("plain",)).get_content()
    assert ticket.reference in body
    assert "25/11/2026 12:00 (UTC-03:00)" in body  # first response: 2 business hours (pt-BR)
    assert notice.get_body(preferencelist=("html",)) is not None
    (analyst_notice,) = received(smtp_server, "ana@helpdesk.test")
    assert ticket.reference in analyst_notice["Subject"]


def test_the_notice_speaks_the_customers_language(
    smtp_server, default_policy, levels, customer, django_capture_on_commit_callbacks
):
    customer.membership.language = "es"
    customer.membership.save()
    open_ticket(customer, levels, callbacks=django_capture_on_commit_callbacks)
    send_all()
    (notice,) = received(smtp_server, customer.email)
    assert "primera respuesta" in notice.get_body(preferencelist=("plain",)).get_content().lower()


def test_a_reply_to_the_notice_threads_back_onto_the_ticket(
    smtp_server, default_policy, levels, customer, django_capture_on_commit_callbacks
):
    ticket = open_ticket(customer, levels, callbacks=django_capture_on_commit_callbacks)
    send_all()
    (notice,) = received(smtp_server, customer.email)
    reply = (
        f"From: Cliente <{customer.email}>\r\n"
        f"To: suporte@helpdesk.localhost\r\n"
        f"Subject: Re: {notice['Subject']}\r\n"
        f"Message-ID: <reply-1@acme.example.com>\r\n"
        f"In-Reply-To: {notice['Message-ID']}\r\n"
        f"References: {notice['Message-ID']}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Voltou a funcionar depois do cache limpo.\r\n\r\n"
        "Em qua., 25 de nov. de 2026 às 10:00, Suporte <suporte@helpdesk.localhost> escreveu:\r\n"
        "> Recebemos a sua solicitação\r\n"
    ).encode()
    record, created = inbound.email_ingest(reply, now=NOW + timedelta(hours=1))
    assert created and record.status == InboundEmail.Status.PROCESSED
    assert record.ticket == ticket
    message = Message.objects.get(inbound_email=record)
    assert message.direction == Message.Direction.FROM_CUSTOMER
    assert message.display_text == "Voltou a funcionar depois do cache limpo."
    assert "Recebemos" in message.body  # the full text is kept

    again, created = inbound.email_ingest(reply, now=NOW + timedelta(hours=2))
    assert (again, created) == (record, False)
    assert Message.objects.filter(ticket=ticket).count() == 1


def test_a_failed_send_is_recorded_retried_and_never_sent_twice(
    smtp_server, settings, default_policy, levels, customer, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    ticket = open_ticket(customer, levels, callbacks=django_capture_on_commit_callbacks)
    notice = OutboundEmail.objects.get(to=customer.email, ticket=ticket)
    working = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2},  # nobody listens
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert outbound.email_send(notice.pk, now=NOW) is False
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("failed", 1)
    assert notice.last_error
    retries = DBTaskResult.objects.filter(
        task_path__endswith="send_outbound_email", run_after=NOW + timedelta(minutes=2)
    )
    assert retries.count() == 1  # backoff: 2 minutes after the first failure

    settings.MAILERS = working
    assert outbound.email_send(notice.pk, now=NOW) is True
    assert outbound.email_send(notice.pk, now=NOW) is False  # a retried task finds it sent
    assert len(received(smtp_server, customer.email)) == 1
