"""Notices to analysts (issue 14, item 5): the customer answered, a colleague's @mention, a
ticket of theirs at risk; each by e-mail and in the bell as the analyst prefers, once."""

from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from communications import inbound, notifications
from communications import services as record_services
from communications.models import InboundEmail, Message, OutboundEmail
from notices.models import Notice
from oncall.models import NotificationPreference
from tests import factories
from tests.notices.conftest import NOW, SP, client_for, mail
from tickets import services as ticket_services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
Kind = Notice.Kind


def emails(prefix: str) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(key__startswith=prefix).order_by("to"))


def reply_by_email(ticket, body: str = "Segue o print do erro.") -> Message:
    record, _created = inbound.email_ingest(
        mail(subject=f"Re: [{ticket.reference}] {ticket.subject}", body=body), now=NOW
    )
    assert record.status == InboundEmail.Status.PROCESSED, record.error
    return ticket.messages.filter(direction=Message.Direction.FROM_CUSTOMER).latest("pk")


def test_the_customers_email_tells_the_assignee_by_email_and_in_the_bell(ticket, ana):
    message = reply_by_email(ticket)

    (notice,) = Notice.objects.filter(kind=Kind.CUSTOMER_ANSWERED)
    assert (notice.recipient, notice.ticket, notice.actor) == (ana, ticket, None)
    assert notice.text == "Segue o print do erro." and notice.read_at is None
    (email,) = emails("customer-answered:")
    assert email.key == f"customer-answered:{message.pk}:{ana.pk}"
    assert email.to == "ana@helpdesk.test" and email.next_attempt_at is None
    assert ticket.reference in email.subject and ticket.subject in email.subject
    assert "Segue o print do erro." in email.body_text
    assert f"/admin/tickets/ticket/{ticket.pk}/change/" in email.body_text
    assert email.ticket == ticket


def test_the_portal_and_the_api_tell_the_assignee_too(ticket, customer, ana):
    page = client_for(customer).post(f"/tickets/{ticket.reference}/reply/", {"body": "Pelo portal"})
    assert page.status_code == 302
    api = APIClient()
    api.force_authenticate(customer)
    answer = api.post(
        f"/api/tickets/{ticket.reference}/messages/", {"body": "Pela API"}, format="json"
    )
    assert answer.status_code == 201, answer.content

    texts = list(
        Notice.objects.filter(recipient=ana, kind=Kind.CUSTOMER_ANSWERED)
        .order_by("pk")
        .values_list("text", flat=True)
    )
    assert texts == ["Pelo portal", "Pela API"]
    assert len(emails("customer-answered:")) == 2


def test_an_answer_that_resumes_a_ticket_waiting_on_the_customer_is_told(ticket, ana):
    ticket_services.ticket_transition(
        ticket=ticket,
        to_status=Ticket.Status.WAITING_ON_CUSTOMER,
        actor=ana,
        now=NOW,
        reason="Precisamos do log",
    )

    reply_by_email(ticket, body="Aqui está o log.")

    ticket.refresh_from_db()
    assert ticket.status != Ticket.Status.WAITING_ON_CUSTOMER  # it resumed
    (notice,) = Notice.objects.filter(recipient=ana, kind=Kind.CUSTOMER_ANSWERED)
    assert notice.text == "Aqui está o log."
    (email,) = emails("customer-answered:")
    with translation.override(settings.LANGUAGE_CODE):  # analysts read the desk's language
        assert ticket.get_status_display() in email.body_text
        assert gettext("It was waiting on the customer: its resolution clock runs again.") in (
            email.body_text
        )


def test_an_unassigned_ticket_tells_nobody_in_particular(default_policy, levels, customer):
    unassigned = ticket_services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="Sem dono",
        description="x",
        priority=levels["media"],
        reported_at=NOW,
        now=NOW,
    )
    reply_by_email(unassigned)
    assert not Notice.objects.exists() and not emails("customer-answered:")


def test_analysts_written_to_and_analysts_own_replies_are_not_customer_answers(ticket, ana):
    record_services.message_post(
        ticket=ticket, author=ana, body="Estamos vendo.", channel="portal", now=NOW
    )
    assert not Notice.objects.exists() and not emails("customer-answered:")


def test_a_mention_in_a_note_tells_each_named_analyst_but_not_the_author(ticket, ana, bruno):
    carla = factories.make_analyst(username="Carla.Dias", email="carla@helpdesk.test")
    factories.make_analyst(username="dario", email="dario@helpdesk.test")  # not named

    note = record_services.message_post(
        ticket=ticket,
        author=bruno,
        body=(
            "@ana e @carla.dias, vejam: o cliente maria@acme.example.com escreveu. "
            "@fulano não existe, @maria é cliente e @bruno sou eu."
        ),
        channel="portal",
        now=NOW,
        internal=True,
    )

    notices = Notice.objects.filter(kind=Kind.MENTIONED).order_by("recipient__username")
    assert [(n.recipient, n.actor) for n in notices] == [(carla, bruno), (ana, bruno)]
    assert notices[0].text.startswith("@ana e @carla.dias")
    mentions = emails("mention:")
    assert [e.to for e in mentions] == ["ana@helpdesk.test", "carla@helpdesk.test"]
    assert {e.key for e in mentions} == {
        f"mention:{note.pk}:{ana.pk}",
        f"mention:{note.pk}:{carla.pk}",
    }
    assert "bruno" in mentions[0].subject and ticket.reference in mentions[0].subject
    with translation.override("pt-br"):  # the analysts' language (the desk's default)
        said = gettext("%(author)s mentioned you in an internal note.") % {"author": "bruno"}
    assert said in mentions[0].body_text


def test_a_note_naming_nobody_costs_no_query(ticket, bruno, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as plain:
        record_services.message_post(
            ticket=ticket,
            author=bruno,
            body="Sem menções.",
            channel="portal",
            now=NOW,
            internal=True,
        )
    assert not any("auth_user" in q["sql"] for q in plain.captured_queries)
    assert not Notice.objects.exists()


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("@ana, veja", ["ana"]),
        ("fale com @ana.souza.", ["ana.souza"]),
        ("(@bia) e @Bia de novo", ["bia"]),
        ("escreva para ana@acme.example.com", []),
        ("@ @- @", []),
        ("@joao-silva: e @maria_1!", ["joao-silva", "maria_1"]),
    ],
)
def test_mentions_are_read_from_the_note(text, names):
    assert notifications.mentioned_usernames(text) == names


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SP)


def test_a_ticket_of_theirs_at_risk_tells_the_assignee_once(ticket, ana):
    # Alta from Wed 10:00: resolution 8 business hours, warned at 75% -> 16:00
    resolution = ticket.clocks.get(metric="resolution")
    warn_at = resolution.warn_at
    assert warn_at is not None

    ticket_services.tickets_sla_sweep(now=warn_at)
    ticket_services.tickets_sla_sweep(now=warn_at)  # a sweep run twice
    from sla.models import SLAClock

    SLAClock.objects.filter(pk=resolution.pk).update(warned_at=None)  # and one that overlapped
    ticket_services.tickets_sla_sweep(now=warn_at)

    (notice,) = Notice.objects.filter(kind=Kind.AT_RISK)
    assert (notice.recipient, notice.ticket) == (ana, ticket)
    assert notice.key == f"at-risk:{resolution.pk}:{warn_at.isoformat()}:{ana.pk}"
    assert notice.text  # the clock and its deadline
    assert [e.to for e in emails("sla-warned:")] == ["ana@helpdesk.test"]


def test_preferences_off_and_bell_only(ticket, ana, bruno):
    NotificationPreference.objects.create(
        user=ana, on_customer_answer="off", on_mention="bell", on_at_risk="off"
    )

    reply_by_email(ticket)
    record_services.message_post(
        ticket=ticket, author=bruno, body="@ana olha", channel="portal", now=NOW, internal=True
    )
    ticket_services.tickets_sla_sweep(now=ticket.clocks.get(metric="resolution").warn_at)

    assert list(Notice.objects.values_list("kind", flat=True)) == [Kind.MENTIONED]
    assert not emails("customer-answered:") and not emails("mention:")
    assert not emails("sla-warned:")
    # breaches are not a preference: the assignee still hears of them
    due_at = ticket.clocks.get(metric="resolution").due_at
    ticket_services.tickets_sla_sweep(now=due_at + timedelta(minutes=1))
    assert "ana@helpdesk.test" in {e.to for e in emails("sla-breached:")}


def test_bell_only_for_at_risk_keeps_the_email_away(ticket, ana):
    NotificationPreference.objects.create(user=ana, on_at_risk="bell")
    ticket_services.tickets_sla_sweep(now=ticket.clocks.get(metric="resolution").warn_at)
    assert Notice.objects.filter(kind=Kind.AT_RISK, recipient=ana).count() == 1
    assert not emails("sla-warned:")


def test_a_retried_event_adds_nothing(ticket, ana, bruno):
    message = reply_by_email(ticket)
    note = record_services.message_post(
        ticket=ticket, author=bruno, body="@ana olha", channel="portal", now=NOW, internal=True
    )

    notifications.customer_answered(ticket, message=message, now=NOW)  # the receiver again
    notifications.note_written(note, now=NOW)

    assert Notice.objects.filter(kind=Kind.CUSTOMER_ANSWERED).count() == 1
    assert Notice.objects.filter(kind=Kind.MENTIONED).count() == 1
    assert len(emails("customer-answered:")) == 1 and len(emails("mention:")) == 1


def test_outside_working_hours_the_email_waits_and_the_bell_rings_at_once(ticket, ana):
    night = at(25, 22)
    message = record_services.message_post(
        ticket=ticket,
        author=ticket.requester,
        body="De madrugada",
        channel="portal",
        now=night,
    )
    (email,) = emails("customer-answered:")
    assert email.key.endswith(f"{message.pk}:{ana.pk}")
    assert email.next_attempt_at == at(26, 9)  # default preference: held until working hours
    assert Notice.objects.get(kind=Kind.CUSTOMER_ANSWERED).created_at == night
