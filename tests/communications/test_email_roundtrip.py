"""E-mail out through a real SMTP server on loopback, and the customer's reply back in."""

import email
import email.policy
import threading
from datetime import timedelta

import pytest
from django.db import OperationalError, connection

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
    assert outbound.email_send(notice.pk, now=NOW + timedelta(minutes=1)) is False  # backoff
    assert outbound.email_send(notice.pk, now=NOW + timedelta(minutes=2)) is True
    assert outbound.email_send(notice.pk, now=NOW + timedelta(minutes=2)) is False  # sent
    assert len(received(smtp_server, customer.email)) == 1


def make_outbound(**fields) -> OutboundEmail:
    return OutboundEmail.objects.create(
        key=fields.pop("key", "test:1"),
        to=fields.pop("to", "cliente@acme.example.com"),
        subject="[HD-2026-000001] Teste",
        body_text="Olá",
        message_id=fields.pop("message_id", "<test-1@helpdesk.localhost>"),
        **fields,
    )


def test_a_claimed_email_is_not_sent_by_a_second_sender(smtp_server, db):
    notice = make_outbound()
    assert outbound.email_claim(notice.pk) is True  # a send-now took it...
    assert outbound.email_claim(notice.pk) is False  # ...so a retry cannot
    assert outbound.email_send(notice.pk, now=NOW) is False
    assert smtp_server.envelopes == []  # the second sender never reached the SMTP server
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (OutboundEmail.Status.SENDING, 1)


# Committed rows, so the two threads see them; serialized_rollback puts back what the data
# migrations installed, as the other transactional tests expect after the flush.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_send_now_and_a_retry_at_the_same_moment_send_one_email(smtp_server):
    smtp_server.delay = 0.5  # both senders are in flight while the server answers
    notice = make_outbound()
    start, results, errors = threading.Barrier(2), [], []

    def sender() -> None:
        try:
            start.wait()
            results.append(outbound.email_send(notice.pk, now=NOW))
        except Exception as error:  # kept for the assertion below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # SQLite's shared-cache test database may refuse a simultaneous write ("locked"): that
    # sender sends nothing. Anything else is a failure.
    assert all(isinstance(e, OperationalError) and "locked" in str(e) for e in errors), errors
    assert results.count(True) == 1 and len(results) + len(errors) == 2
    assert len(smtp_server.envelopes) == 1
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (OutboundEmail.Status.SENT, 1)


DEAD_SMTP = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2},  # nobody listens
    }
}


def test_retries_work_with_the_immediate_task_backend(
    smtp_server, settings, default_policy, levels, customer, django_capture_on_commit_callbacks
):
    """The immediate backend cannot defer: the retry is kept on the row and sent when due."""
    from django.utils import timezone

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    working, settings.MAILERS = settings.MAILERS, DEAD_SMTP
    before = timezone.now()
    ticket = open_ticket(customer, levels, callbacks=django_capture_on_commit_callbacks)
    notice = OutboundEmail.objects.get(to=customer.email, ticket=ticket)
    notice.refresh_from_db()  # the task ran at once, against the dead port, and did not raise
    assert (notice.status, notice.attempts) == (OutboundEmail.Status.FAILED, 1)
    assert notice.last_error
    assert before + timedelta(minutes=2) <= notice.next_attempt_at  # backoff: 2 minutes
    assert notice.next_attempt_at <= timezone.now() + timedelta(minutes=2)

    due = notice.next_attempt_at
    assert outbound.emails_send_due(now=due - timedelta(seconds=1)) == 0  # not yet due
    with django_capture_on_commit_callbacks(execute=True):
        assert outbound.emails_send_due(now=due) == 0  # due, tried, failed again
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (OutboundEmail.Status.FAILED, 2)
    assert notice.next_attempt_at == due + timedelta(minutes=4)  # backoff doubles

    settings.MAILERS = working  # the server is back
    assert outbound.emails_send_due(now=notice.next_attempt_at) == 1
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.next_attempt_at) == ("sent", 3, None)
    assert len(received(smtp_server, customer.email)) == 1
    assert outbound.emails_send_due(now=due + timedelta(days=1)) == 0
    assert len(received(smtp_server, customer.email)) == 1  # never twice


def test_the_periodic_command_sends_due_retries_and_gives_up_after_the_last_attempt(
    smtp_server, settings, db, django_capture_on_commit_callbacks
):
    import io

    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_MAX_ATTEMPTS = 2
    working, settings.MAILERS = settings.MAILERS, DEAD_SMTP
    notice = make_outbound()
    last = make_outbound(key="test:2", message_id="<test-2@helpdesk.localhost>", attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbound.email_send(notice.pk, now=NOW) is False  # NOW is in the past: due
        assert outbound.email_send(last.pk, now=NOW) is False  # its last attempt
    last.refresh_from_db()
    assert (last.status, last.attempts, last.next_attempt_at) == ("failed", 2, None)

    settings.MAILERS = working
    out = io.StringIO()
    call_command("send_due_emails", stdout=out)
    assert out.getvalue().strip() == "1 e-mail(s) sent"
    notice.refresh_from_db()
    assert notice.status == OutboundEmail.Status.SENT
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [["cliente@acme.example.com"]]
    last.refresh_from_db()
    assert last.status == OutboundEmail.Status.FAILED  # given up: visible in the admin


def test_the_opening_notice_of_a_ticket_opened_by_email_threads_under_the_customers_email(
    smtp_server, default_policy, levels, customer, analyst, django_capture_on_commit_callbacks
):
    first = (
        f"From: Cliente <{customer.email}>\r\n"
        "To: suporte@helpdesk.localhost\r\n"
        "Subject: Exportação de vendas falha\r\n"
        "Message-ID: <first-1@acme.example.com>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "A exportação de vendas falha desde ontem.\r\n"
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        record, _created = inbound.email_ingest(first, now=NOW)
    assert record.status == InboundEmail.Status.PROCESSED
    send_all()
    (notice,) = received(smtp_server, customer.email)
    assert record.ticket.reference in notice["Subject"]
    assert notice["In-Reply-To"] == "<first-1@acme.example.com>"
    assert notice["References"] == "<first-1@acme.example.com>"
    (analyst_notice,) = received(smtp_server, analyst.email)
    assert analyst_notice["In-Reply-To"] == "<first-1@acme.example.com>"


def resolve(ticket, analyst, *, at):
    from datetime import UTC

    ticket_services.ticket_assign(ticket=ticket, analyst=analyst, actor=analyst, now=at)
    return ticket_services.ticket_transition(
        ticket=ticket, to_status=Ticket.Status.RESOLVED, actor=analyst, now=at.astimezone(UTC)
    )


def reply_to(notice, customer, *, number: int, text: str) -> bytes:
    return (
        f"From: Cliente <{customer.email}>\r\n"
        "To: suporte@helpdesk.localhost\r\n"
        f"Subject: Re: {notice['Subject']}\r\n"
        f"Message-ID: <reply-{number}@acme.example.com>\r\n"
        f"In-Reply-To: {notice['Message-ID']}\r\n"
        f"References: {notice['Message-ID']}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{text}\r\n"
    ).encode()


def resolved_notice(smtp_server, customer):
    (notice,) = [
        n for n in received(smtp_server, customer.email) if "resolvido" in n["Subject"].lower()
    ]
    return notice


def test_an_emailed_reply_to_a_resolved_ticket_reopens_it_within_the_window(
    smtp_server, default_policy, levels, customer, analyst, django_capture_on_commit_callbacks
):
    ticket = open_ticket(customer, levels, callbacks=django_capture_on_commit_callbacks)
    resolve(ticket, analyst, at=NOW + timedelta(hours=1))
    send_all()
    notice = resolved_notice(smtp_server, customer)
    assert "responda a este e-mail para reabri-lo" in (
        notice.get_body(preferencelist=("plain",)).get_content()
    )  # what the e-mail promises...

    raw = reply_to(notice, customer, number=10, text="O erro voltou hoje de manhã.")
    record, _created = inbound.email_ingest(raw, now=NOW + timedelta(days=2))

    ticket.refresh_from_db()  # ...is what happens
    assert record.ticket == ticket and record.status == InboundEmail.Status.PROCESSED
    assert ticket.status == Ticket.Status.IN_PROGRESS and ticket.resolved_at is None
    assert ticket.messages.get(inbound_email=record).body == "O erro voltou hoje de manhã."
    assert ticket.history.first().history_change_reason == "The customer replied by e-mail"
    assert ticket.clocks.get(metric="resolution").met_at is None  # its clock runs again


def test_a_reply_past_the_reopen_window_opens_a_follow_up_ticket(
    smtp_server, default_policy, levels, customer, analyst, django_capture_on_commit_callbacks
):
    ticket = open_ticket(customer, levels, callbacks=django_capture_on_commit_callbacks)
    resolve(ticket, analyst, at=NOW + timedelta(hours=1))
    send_all()
    notice = resolved_notice(smtp_server, customer)
    smtp_server.envelopes.clear()

    raw = reply_to(notice, customer, number=11, text="O mesmo erro, um mês depois.")
    later = NOW + timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        record, _created = inbound.email_ingest(raw, now=later)

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED  # the old ticket stays as it was
    assert not ticket.messages.filter(inbound_email=record).exists()
    follow_up = record.ticket
    assert follow_up != ticket and record.status == InboundEmail.Status.PROCESSED
    assert follow_up.subject == f"Acompanhamento de {ticket.reference}: {ticket.subject}"
    assert f"sobre {ticket.reference} (resolvido)" in follow_up.description  # pt-BR, hers
    assert "O mesmo erro, um mês depois." in follow_up.description
    assert follow_up.priority == ticket.priority and follow_up.reported_at == later
    assert follow_up.messages.get(inbound_email=record).body == "O mesmo erro, um mês depois."
    # The customer is told, in the same e-mail thread, which ticket now carries it.
    send_all()
    (opened,) = received(smtp_server, customer.email)
    assert follow_up.reference in opened["Subject"] and ticket.reference in opened["Subject"]
    assert opened["In-Reply-To"] == "<reply-11@acme.example.com>"

    # A reply to that notice threads onto the follow-up, not the old ticket.
    again, _created = inbound.email_ingest(
        reply_to(opened, customer, number=12, text="Obrigado."), now=later + timedelta(hours=1)
    )
    assert again.ticket == follow_up


def test_a_reply_to_a_closed_ticket_opens_a_follow_up_and_an_auto_reply_does_nothing(
    smtp_server, default_policy, levels, customer, analyst, django_capture_on_commit_callbacks
):
    ticket = open_ticket(customer, levels, callbacks=django_capture_on_commit_callbacks)
    resolve(ticket, analyst, at=NOW + timedelta(hours=1))
    ticket_services.ticket_transition(
        ticket=ticket, to_status=Ticket.Status.CLOSED, actor=analyst, now=NOW + timedelta(hours=2)
    )
    send_all()
    notice = resolved_notice(smtp_server, customer)

    out_of_office = reply_to(notice, customer, number=13, text="Estou de férias.").replace(
        b"Content-Type:", b"Auto-Submitted: auto-replied\r\nContent-Type:", 1
    )
    record, _created = inbound.email_ingest(out_of_office, now=NOW + timedelta(days=1))
    assert record.status == InboundEmail.Status.IGNORED and record.ticket is None

    raw = reply_to(notice, customer, number=14, text="Voltou a falhar.")
    record, _created = inbound.email_ingest(raw, now=NOW + timedelta(days=1))
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED
    assert record.ticket != ticket and ticket.reference in record.ticket.subject
    assert Ticket.objects.count() == 2
