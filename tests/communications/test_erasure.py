"""Erasing a person's data on request: their words and identity go, the SLA record stays."""

from dataclasses import asdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import Client

from accounts import roles
from communications import erasure, inbound
from communications import services as record_services
from communications.models import (
    Agreement,
    Call,
    InboundEmail,
    Message,
    OutboundEmail,
    PersonalDataErasure,
)
from reports import selectors as reports
from sla.models import SLAClock, SLAClockEvent
from tests import factories
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
SP = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2026, 11, 25, 10, tzinfo=SP)
PERIOD = reports.Period(date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def world(default_policy, levels, settings):
    settings.EMAIL_TRUSTED_RECEIVED_BY = []
    acme = factories.make_organization(name="Acme", email_domains="acme.example.com")
    maria = factories.make_customer(
        organization=acme, username="maria", email="maria@acme.example.com", first_name="Maria"
    )
    joao = factories.make_customer(organization=acme, email="joao@acme.example.com")
    analyst = factories.make_analyst(username="ana")
    tickets = []
    for person, hour in ((maria, 9), (joao, 10), (maria, 11)):
        ticket = services.ticket_create(
            organization=acme,
            requester=person,
            subject="Relatórios",
            description=f"Meu CPF é 123.456.789-00, {person.first_name}",
            priority=levels["alta"],
            reported_at=NOW.replace(hour=hour),
            now=NOW.replace(hour=hour),
        )
        tickets.append(ticket)
    services.ticket_assign(
        ticket=tickets[0], analyst=analyst, actor=analyst, now=NOW.replace(hour=12)
    )
    services.tickets_sla_sweep(now=datetime(2026, 11, 27, 12, tzinfo=SP))  # some breaches
    call = record_services.call_record(
        ticket=tickets[0],
        kind="phone",
        started_at=NOW,
        duration=timedelta(minutes=5),
        participants="Maria (maria@acme.example.com); ana",
        summary="Combinamos o envio do log.",
        actor=analyst,
    )
    record_services.agreement_record(
        ticket=tickets[0],
        kind="commitment",
        text="Enviaremos a correção até sexta.",
        customer_party="Maria",
        actor=analyst,
        call=call,
    )
    record_services.message_post(
        ticket=tickets[0],
        author=maria,
        body="Meu telefone é (11) 99999-0000",
        channel=Message.Channel.PORTAL,
        now=NOW,
        files=[record_services.IncomingFile("rg.pdf", "application/pdf", b"%PDF-1.4 RG")],
    )
    raw = (
        b"From: Maria <maria@acme.example.com>\r\nSubject: Re: [HD-2026-000001] dados\r\n"
        b"Message-ID: <maria-1@acme.example.com>\r\n\r\nMeu endereco: Rua X, 10\r\n"
    )
    inbound.email_ingest(raw, now=NOW)
    return {"maria": maria, "joao": joao, "analyst": analyst, "tickets": tickets}


def snapshot():
    """Everything the SLA record says, instant by instant."""
    return (
        asdict(reports.compliance_report(period=PERIOD, now=NOW)),
        list(Ticket.objects.order_by("pk").values_list("reference", "reported_at", "status")),
        list(
            SLAClock.objects.order_by("pk").values_list(
                "due_at", "met_at", "breached_at", "state", "time_used"
            )
        ),
        list(SLAClockEvent.objects.order_by("pk").values_list("kind", "at", "recorded_at")),
    )


def test_erasure_replaces_the_person_and_their_words_and_keeps_every_verdict(world):
    before = snapshot()
    maria = world["maria"]
    record = erasure.person_erase(
        person=maria, actor=world["analyst"], reason="Pedido LGPD nº 42", now=NOW
    )
    assert snapshot() == before  # the compliance report, instants, clocks: all identical
    maria.refresh_from_db()
    assert (maria.email, maria.first_name, maria.is_active) == (
        f"erased-{maria.pk}@erased.invalid",
        "",
        False,
    )
    assert not maria.has_usable_password()
    texts = list(Message.objects.values_list("body", flat=True))
    assert not [t for t in texts if "99999" in t or "Rua X" in t]
    descriptions = Ticket.objects.filter(requester=maria).values_list("description", flat=True)
    assert set(descriptions) == {erasure.TOMBSTONE}
    history = Ticket.history.filter(requester_id=maria.pk).values_list("description", flat=True)
    assert set(history) == {erasure.TOMBSTONE}
    joao_ticket = world["tickets"][1]
    joao_ticket.refresh_from_db()
    assert "123.456.789-00" in joao_ticket.description  # another person's words stay
    received = InboundEmail.objects.get()
    assert b"Rua X" not in bytes(received.raw) and received.from_address == ""
    assert not OutboundEmail.objects.filter(to="maria@acme.example.com").exists()
    files = world["tickets"][0].attachments.all()
    assert [(f.original_name, f.file.read()) for f in files] == [
        ("erased.txt", erasure.TOMBSTONE.encode())
    ]
    call = Call.objects.get()
    assert "maria" not in call.participants.lower() and call.summary.startswith("Combinamos")
    agreement = Agreement.objects.get()
    assert agreement.customer_party == erasure.TOMBSTONE and "sexta" in agreement.text
    assert not Agreement.history.filter(customer_party="Maria").exists()
    assert (record.erased_by, record.reason) == (world["analyst"], "Pedido LGPD nº 42")
    assert record.summary["messages"] >= 2 and record.summary["ticket_descriptions"] == 2


def test_erasure_needs_a_reason_and_never_touches_analysts(world):
    with pytest.raises(ValidationError):
        erasure.person_erase(person=world["maria"], actor=world["analyst"], reason=" ", now=NOW)
    with pytest.raises(ValidationError):
        erasure.person_erase(person=world["analyst"], actor=world["analyst"], reason="x", now=NOW)


def test_team_leads_erase_from_the_back_office_agents_cannot(world):
    lead = factories.make_analyst(username="lia")
    lead.groups.add(Group.objects.get(name=roles.TEAM_LEADS))
    agent = factories.make_analyst(username="beto")
    agent.groups.add(Group.objects.get(name=roles.AGENTS))
    url = "/admin/communications/personaldataerasure/add/"
    client = Client()
    client.force_login(agent)
    assert client.get(url).status_code == 403
    client.force_login(lead)
    response = client.post(url, {"person": world["joao"].pk, "reason": "Pedido por e-mail"})
    assert response.status_code == 302, response.content.decode()[:2000]
    erased = PersonalDataErasure.objects.get()
    assert (erased.person_id_erased, erased.erased_by) == (world["joao"].pk, lead)
    assert (
        client.get(f"/admin/communications/personaldataerasure/{erased.pk}/delete/").status_code
        == 403
    )
