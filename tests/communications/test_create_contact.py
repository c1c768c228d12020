""" "Create contact and ticket" from a held e-mail (issue 14, item 7): a page prefilled from the
sender, the ticket opened as the e-mail would have opened it, once, by whom may."""

from email.message import EmailMessage

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, Permission
from django.test import Client

from accounts import roles
from automation.models import TriageRule, TriageRun
from communications import inbound
from communications.models import Attachment, InboundEmail, Message, OutboundEmail
from tests import factories
from tests.communications.conftest import NOW
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
OURS = "mx1.helpdesk.test"


@pytest.fixture(autouse=True)
def _mail_server(settings):
    settings.DEFAULT_FROM_EMAIL = "Suporte <suporte@helpdesk.test>"
    settings.EMAIL_TRUSTED_AUTHSERV_IDS = [OURS]
    settings.EMAIL_TRUSTED_RECEIVED_BY = [OURS]


def held_email(sender: str = "joana@acme.example.com", name: str = "Joana Souza") -> bytes:
    """A stranger's e-mail with a file; nothing vouches for it, so it waits for an analyst."""
    message = EmailMessage()
    message["From"] = f"{name} <{sender}>"
    message["To"] = "suporte@helpdesk.test"
    message["Subject"] = "Painel fora do ar"
    message["Message-ID"] = f"<{sender.replace('@', '.')}-1@mail.example>"
    message.set_content("O painel caiu para todos.")
    message.add_attachment(
        b"linha 1\nlinha 2\n", maintype="text", subtype="plain", filename="log.txt"
    )
    return message.as_bytes()


@pytest.fixture
def agent(db):
    """An analyst with the Agents role (works held mail, adds contacts, opens tickets)."""
    roles.roles_install(django_apps)  # the groups as the code defines them today
    user = factories.make_analyst(username="agente", email="agente@helpdesk.test")
    user.groups.add(Group.objects.get(name=roles.AGENTS))
    return user


def client_for(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def page_of(record) -> str:
    return f"/admin/communications/inboundemail/{record.pk}/create-contact/"


def test_a_held_email_becomes_a_contact_and_a_ticket_end_to_end(
    acme, agent, default_policy, levels, django_capture_on_commit_callbacks
):
    rule = TriageRule(name="Fora do ar", position=0, channels=["email"], words="fora do ar")
    rule.set_level = levels["critica"]
    rule.full_clean(exclude=["organizations", "levels"])
    rule.save()
    record, _ = inbound.email_ingest(held_email(), now=NOW)
    assert record.status == InboundEmail.Status.HELD
    client = client_for(agent)

    # the change page offers it; the form is prefilled from the sender
    assert (
        page_of(record)
        in client.get(f"/admin/communications/inboundemail/{record.pk}/change/").content.decode()
    )
    form = client.get(page_of(record))
    assert form.status_code == 200
    assert form.context["form"].initial == {"organization": acme, "name": "Joana Souza"}
    assert "joana@acme.example.com" in form.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(page_of(record), {"organization": acme.pk, "name": "Joana S."})

    record.refresh_from_db()
    ticket = record.ticket
    assert done.status_code == 302
    assert done["Location"] == f"/admin/tickets/ticket/{ticket.pk}/change/"
    assert record.status == InboundEmail.Status.PROCESSED
    assert (ticket.organization, ticket.channel) == (acme, Ticket.Channel.EMAIL)
    assert ticket.reported_at == record.received_at  # when it arrived, not when it was filed
    requester = ticket.requester
    assert (requester.email, requester.first_name) == ("joana@acme.example.com", "Joana S.")
    assert requester.membership.organization == acme and not requester.is_staff
    (message,) = ticket.messages.filter(direction=Message.Direction.FROM_CUSTOMER)
    assert message.inbound_email == record  # the original source stays with it
    assert "O painel caiu" in message.body
    assert Attachment.objects.get(ticket=ticket).original_name == "log.txt"
    acknowledgement = OutboundEmail.objects.get(key=f"ticket-opened:{ticket.pk}")
    assert acknowledgement.to == "joana@acme.example.com"
    assert acknowledgement.in_reply_to == record.message_id  # threaded under her e-mail
    ticket.refresh_from_db()
    assert ticket.priority == levels["critica"]  # triage ran, as for any e-mailed ticket
    assert TriageRun.objects.filter(ticket=ticket, rule_name="Fora do ar").exists()
    assert agent.username in record.error  # who did it, kept on the e-mail

    # a second submit (double click, back button) opens nothing more
    again = client.post(page_of(record), {"organization": acme.pk, "name": "Joana S."})
    assert (again.status_code, again["Location"]) == (302, done["Location"])
    assert Ticket.objects.count() == 1
    assert Message.objects.filter(inbound_email=record).count() == 1


def test_an_unknown_domain_is_not_guessed_and_bad_input_is_a_400(acme, agent, default_policy):
    record, _ = inbound.email_ingest(held_email("joana@gmail.example"), now=NOW)
    client = client_for(agent)

    form = client.get(page_of(record))
    assert form.context["form"].initial["organization"] is None

    for data in ({}, {"organization": "999999"}, {"organization": "x"}):
        refused = client.post(page_of(record), data)
        assert refused.status_code == 400
        assert "organization" in refused.context["form"].errors
    assert not Ticket.objects.exists()
    record.refresh_from_db()
    assert record.status == InboundEmail.Status.HELD


def test_an_address_someone_else_has_is_refused_with_the_reason(acme, agent, default_policy):
    other = factories.make_organization(name="Outra")
    factories.make_customer(organization=other, email="joana@gmail.example")
    record, _ = inbound.email_ingest(held_email("joana@gmail.example"), now=NOW)
    # as if it had been held (say, before she joined Outra): filing her under Acme is refused
    InboundEmail.objects.filter(pk=record.pk).update(status=InboundEmail.Status.HELD)
    tickets = Ticket.objects.count()

    refused = client_for(agent).post(page_of(record), {"organization": acme.pk, "name": ""})

    assert refused.status_code == 400
    assert "already belongs to someone outside Acme Ltda" in refused.content.decode()
    assert Ticket.objects.count() == tickets


def test_an_email_without_a_sender_cannot_make_a_contact(acme, agent, default_policy):
    raw = b"Subject: sem remetente\r\nMessage-ID: <orphan-9@x.example>\r\n\r\nTexto.\r\n"
    record, _ = inbound.email_ingest(raw, now=NOW)
    client = client_for(agent)
    assert "no single sender address" in client.get(page_of(record)).content.decode()
    refused = client.post(page_of(record), {"organization": acme.pk})
    assert refused.status_code == 400
    assert not Ticket.objects.exists()


def test_a_discarded_email_is_not_worked_again(acme, agent, default_policy):
    record, _ = inbound.email_ingest(held_email("joana@gmail.example"), now=NOW)
    InboundEmail.objects.filter(pk=record.pk).update(status=InboundEmail.Status.DISCARDED)
    client = client_for(agent)
    answer = client.post(page_of(record), {"organization": acme.pk}, follow=True)
    assert "already dealt with" in answer.content.decode()
    assert not Ticket.objects.exists()


def test_only_who_may_add_contacts_and_tickets_uses_it(acme, agent, customer, default_policy):
    record, _ = inbound.email_ingest(held_email("joana@gmail.example"), now=NOW)
    reader = factories.make_analyst(username="leitor")
    reader.user_permissions.add(
        Permission.objects.get(codename="change_inboundemail"),
        Permission.objects.get(codename="view_inboundemail"),
    )
    assert client_for(reader).get(page_of(record)).status_code == 403
    assert client_for(reader).post(page_of(record), {"organization": acme.pk}).status_code == 403
    outsider = client_for(customer).post(page_of(record), {"organization": acme.pk})
    assert outsider.status_code == 302 and outsider["Location"].startswith("/admin/login/")
    assert not Ticket.objects.exists()


def test_the_list_action_on_one_email_opens_its_page(acme, agent, default_policy):
    record, _ = inbound.email_ingest(held_email(), now=NOW)
    answer = client_for(agent).post(
        "/admin/communications/inboundemail/",
        {"action": "create_contact_and_ticket", "_selected_action": [record.pk]},
    )
    assert (answer.status_code, answer["Location"]) == (302, page_of(record))
