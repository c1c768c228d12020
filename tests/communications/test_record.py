"""The written record: messages and notes, attachments, calls, agreements, and who sees them."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from communications import services
from communications.models import Agreement, Message
from tests import factories
from tests.communications.conftest import NOW
from tickets import services as ticket_services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
PDF = services.IncomingFile("relatório março.pdf", "application/pdf", b"%PDF-1.4 fake")


@pytest.fixture
def ticket(default_policy, levels, customer) -> Ticket:
    return ticket_services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="Relatórios não carregam",
        description="Nada abre.",
        priority=levels["media"],
        reported_at=NOW,
        now=NOW,
    )


def post(ticket, author, body="Texto", **kwargs) -> Message:
    return services.message_post(
        ticket=ticket, author=author, body=body, channel="portal", now=NOW, **kwargs
    )


def test_directions_follow_the_author(ticket, customer, analyst):
    assert post(ticket, customer).direction == Message.Direction.FROM_CUSTOMER
    assert post(ticket, analyst).direction == Message.Direction.TO_CUSTOMER
    assert post(ticket, analyst, internal=True).direction == Message.Direction.INTERNAL


def test_customers_cannot_write_internal_notes_or_on_foreign_tickets(ticket, customer):
    with pytest.raises(ValidationError):
        post(ticket, customer, internal=True)
    with pytest.raises(ValidationError):
        post(ticket, factories.make_customer())
    with pytest.raises(ValidationError):
        post(ticket, customer, body="   ")


def test_a_customer_message_resumes_a_waiting_ticket(ticket, customer, analyst):
    ticket_services.ticket_assign(ticket=ticket, analyst=analyst, actor=analyst, now=NOW)
    ticket_services.ticket_transition(
        ticket=ticket,
        to_status=Ticket.Status.WAITING_ON_CUSTOMER,
        actor=analyst,
        now=NOW,
        reason="Qual relatório?",
    )
    services.message_post(
        ticket=ticket,
        author=customer,
        body="O de vendas",
        channel="portal",
        now=NOW + timedelta(hours=1),
    )
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS
    assert ticket.clocks.get(metric="resolution").paused_total == timedelta(hours=1)


def test_html_is_sanitised_before_it_is_stored_for_display(ticket, customer):
    message = post(
        ticket, customer, html='<p onclick="x()">Oi<script>alert(1)</script><b>!</b></p>'
    )
    assert "script" not in message.body_html and "onclick" not in message.body_html
    assert "<b>!</b>" in message.body_html


def test_attachments_keep_their_name_under_a_generated_path(ticket, customer):
    message = post(ticket, customer, files=[PDF])
    attachment = message.attachments.get()
    assert attachment.original_name == "relatório março.pdf"
    assert "relat" not in attachment.file.name and attachment.file.name.endswith(".pdf")
    assert attachment.size == len(PDF.data)


@pytest.mark.parametrize(
    "file",
    [
        services.IncomingFile("big.pdf", "application/pdf", b"x" * (10 * 1024 * 1024 + 1)),
        services.IncomingFile("run.exe", "application/x-msdownload", b"MZ"),
    ],
)
def test_attachment_limits_from_settings(ticket, customer, file):
    with pytest.raises(ValidationError) as error:
        post(ticket, customer, files=[file])
    assert "files" in error.value.message_dict
    assert not Message.objects.exists()


def test_attachments_are_served_only_to_who_may_see_them(ticket, customer, analyst):
    public = post(ticket, customer, files=[PDF]).attachments.get()
    internal = post(ticket, analyst, internal=True, files=[PDF]).attachments.get()
    url = "/attachments/{}/"

    owner = Client()
    owner.force_login(customer)
    response = owner.get(url.format(public.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF.data
    assert "relat%C3%B3rio%20mar%C3%A7o.pdf" in response["Content-Disposition"]
    assert owner.get(url.format(internal.pk)).status_code == 404

    stranger = Client()
    stranger.force_login(factories.make_customer())
    assert stranger.get(url.format(public.pk)).status_code == 404

    staff = Client()
    staff.force_login(analyst)
    assert staff.get(url.format(internal.pk)).status_code == 200
    assert Client().get(url.format(public.pk)).status_code == 302  # to the login page


def test_a_call_needs_its_written_outcome(ticket, analyst):
    with pytest.raises(ValidationError) as error:
        services.call_record(
            ticket=ticket,
            kind="phone",
            started_at=NOW,
            duration=timedelta(minutes=15),
            participants="Maria (Acme), Ana",
            summary="  ",
            actor=analyst,
        )
    assert "summary" in error.value.message_dict
    call = services.call_record(
        ticket=ticket,
        kind="google_meet",
        started_at=NOW,
        duration=timedelta(minutes=15),
        participants="Maria (Acme), Ana",
        summary="Combinamos reprocessar os relatórios hoje à noite.",
        actor=analyst,
    )
    assert call.history.count() == 1


def test_agreements_are_corrected_by_new_versions_and_confirmed_by_email(ticket, customer, analyst):
    first = services.agreement_record(
        ticket=ticket,
        kind=Agreement.Kind.NEW_DATE,
        text="Correção em produção até sexta 18h.",
        customer_party="Maria Silva (Acme)",
        actor=analyst,
    )
    second = services.agreement_record(
        ticket=ticket,
        kind=Agreement.Kind.NEW_DATE,
        text="Correção em produção até segunda 12h.",
        customer_party="Maria Silva (Acme)",
        actor=analyst,
        supersedes=first,
    )
    assert second.version == 2 and second.supersedes == first
    assert list(Agreement.objects.current()) == [second]
    assert Agreement.objects.filter(ticket=ticket).count() == 2  # both stay visible
    with pytest.raises(ValidationError):
        services.agreement_record(
            ticket=ticket,
            kind=Agreement.Kind.NEW_DATE,
            text="Outra",
            customer_party="Maria",
            actor=analyst,
            supersedes=first,  # already corrected
        )
    confirmations = ticket.outbound_emails.filter(key__startswith="agreement:")
    assert confirmations.count() == 2
    assert "segunda 12h" in confirmations.get(key=f"agreement:{second.pk}").body_text
    assert second.history.get().history_user == analyst


def test_an_agreement_cannot_be_edited_in_place(ticket, analyst):
    from django.db import IntegrityError, transaction

    agreement = services.agreement_record(
        ticket=ticket,
        kind=Agreement.Kind.COMMITMENT,
        text="Ligar amanhã às 10h.",
        customer_party="Maria",
        actor=analyst,
    )
    agreement.text = "Ligar na semana que vem."
    with pytest.raises(ValidationError, match="new version"):
        agreement.save()
    with pytest.raises(ValidationError):
        agreement.save(update_fields=["text"])
    with pytest.raises(ValidationError):
        Agreement.objects.filter(pk=agreement.pk).update(text="Nada foi combinado.")
    with pytest.raises(ValidationError):
        Agreement.objects.bulk_update([agreement], ["text"])
    impostor = Agreement(
        pk=agreement.pk,
        ticket=ticket,
        kind=Agreement.Kind.OTHER,
        text="Reescrito",
        vendor_party=analyst,
        customer_party="Ninguém",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        impostor.save()  # a new object with an existing pk does not overwrite the row
    agreement.refresh_from_db()
    assert agreement.text == "Ligar amanhã às 10h." and agreement.history.count() == 1

    correction = services.agreement_record(
        ticket=ticket,
        kind=Agreement.Kind.COMMITMENT,
        text="Ligar amanhã às 14h.",
        customer_party="Maria",
        actor=analyst,
        supersedes=agreement,
    )
    assert correction.version == 2
    assert list(Agreement.objects.current()) == [correction]


def test_the_agreement_email_shows_the_agreed_date_with_its_offset(ticket, analyst):
    from datetime import UTC, datetime

    agreement = services.agreement_record(
        ticket=ticket,
        kind=Agreement.Kind.NEW_DATE,
        text="Correção em produção até sexta.",
        customer_party="Maria Silva (Acme)",
        actor=analyst,
        agreed_date=datetime(2026, 11, 27, 21, 0, tzinfo=UTC),
    )
    confirmation = ticket.outbound_emails.get(key=f"agreement:{agreement.pk}")
    # As in every other notice: the calendar's zone, the customer's language, the offset.
    assert "Sex 27/11/2026 18:00 (UTC-03:00)" in confirmation.body_text
    assert "Sex 27/11/2026 18:00 (UTC-03:00)" in confirmation.body_html


def test_notes_and_agreements_of_another_organization_are_out_of_reach(ticket, customer, analyst):
    from communications import selectors

    post(ticket, analyst, internal=True)
    public = post(ticket, analyst)
    agreement = services.agreement_record(
        ticket=ticket,
        kind="commitment",
        text="Ligar amanhã.",
        customer_party="Maria",
        actor=analyst,
    )
    stranger = factories.make_customer()
    assert not selectors.messages_visible_to(stranger, ticket).exists()
    assert not selectors.agreements_visible_to(stranger).filter(pk=agreement.pk).exists()
    assert list(selectors.messages_visible_to(customer, ticket)) == [public]
    assert list(selectors.agreements_visible_to(customer)) == [agreement]
    timeline = selectors.ticket_timeline(ticket, include_internal=False)
    assert {entry.kind for entry in timeline} == {"message", "agreement"}


def test_the_imap_poller_does_nothing_without_a_mailbox(settings):
    from communications.tasks import poll_imap_mailbox

    settings.IMAP_HOST = ""
    assert poll_imap_mailbox.call() == 0
