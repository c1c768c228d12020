"""Merging duplicates: the way a ticket goes away, now that nothing is deleted."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from communications import inbound
from communications import services as record_services
from communications.models import Message
from sla.models import ClockEventKind, SLAClock
from tests import factories
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
SP = ZoneInfo("America/Sao_Paulo")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SP)


@pytest.fixture
def world(default_policy, levels):
    acme = factories.make_organization(name="Acme", email_domains="acme.example.com")
    return {
        "levels": levels,
        "analyst": factories.make_analyst(username="ana"),
        "maria": factories.make_customer(organization=acme, email="maria@acme.example.com"),
        "joao": factories.make_customer(organization=acme, email="joao@acme.example.com"),
        "other": factories.make_customer(email="x@other.example"),
    }


def open_ticket(world, who: str, reported_at: datetime, level: str = "alta") -> Ticket:
    person = world[who]
    ticket = services.ticket_create(
        organization=person.membership.organization,
        requester=person,
        subject=f"Relatórios ({who})",
        description="x",
        priority=world["levels"][level],
        reported_at=reported_at,
        now=reported_at,
    )
    record_services.message_post(
        ticket=ticket, author=person, body=f"Olá de {who}", channel="portal", now=reported_at
    )
    return ticket


def test_the_kept_ticket_takes_the_messages_and_the_earliest_report(world):
    earlier = open_ticket(world, "joao", at(23, 9))  # Mon 09:00
    kept = open_ticket(world, "maria", at(23, 14))  # Mon 14:00: resolution due Tue 13:00
    kept = record_services.tickets_merge(
        duplicate=earlier, into=kept, actor=world["analyst"], now=at(23, 15)
    )
    earlier.refresh_from_db()
    assert (earlier.status, earlier.merged_into) == (Ticket.Status.CANCELLED, kept)
    bodies = set(Message.objects.filter(ticket=kept).values_list("body", flat=True))
    assert {"Olá de joao", "Olá de maria"} <= bodies
    assert any("merged into this ticket" in body for body in bodies)
    assert kept.reported_at == at(23, 9)
    resolution = SLAClock.objects.get(ticket=kept, metric="resolution")
    assert (resolution.started_at, resolution.due_at) == (at(23, 9), at(23, 17))
    assert resolution.events.filter(kind=ClockEventKind.STARTED, at=at(23, 9)).exists()
    # João still sees his words, now on the kept ticket, in the portal
    client = Client()
    client.force_login(world["joao"])
    assert client.get(kept.get_absolute_url()).status_code == 200


def test_replies_to_the_duplicates_emails_land_on_the_kept_ticket(world):
    duplicate = open_ticket(world, "joao", at(23, 9))
    kept = open_ticket(world, "maria", at(23, 10))
    record_services.tickets_merge(
        duplicate=duplicate, into=kept, actor=world["analyst"], now=at(23, 11)
    )
    ours = duplicate.outbound_emails.model.objects.filter(to="joao@acme.example.com").first()
    raw = (
        f"From: joao@acme.example.com\r\nSubject: Re: oi\r\nIn-Reply-To: {ours.message_id}\r\n"
        "Message-ID: <m-1@acme.example.com>\r\n\r\nMais detalhes.\r\n"
    ).encode()
    record, _created = inbound.email_ingest(raw, now=at(23, 12))
    assert record.ticket == kept, record.error


def test_only_open_tickets_of_one_organization_merge(world):
    mine = open_ticket(world, "maria", at(23, 9))
    foreign = open_ticket(world, "other", at(23, 9))
    with pytest.raises(ValidationError):
        record_services.tickets_merge(
            duplicate=foreign, into=mine, actor=world["analyst"], now=at(23, 10)
        )
    with pytest.raises(ValidationError):
        record_services.tickets_merge(
            duplicate=mine, into=mine, actor=world["analyst"], now=at(23, 10)
        )
    with pytest.raises(ValidationError):
        record_services.tickets_merge(
            duplicate=mine, into=mine, actor=world["maria"], now=at(23, 10)
        )
    assert Ticket.objects.get(pk=foreign.pk).status == Ticket.Status.NEW


def test_the_back_office_merges_from_the_ticket_list(world, admin_client_logged):
    duplicate = open_ticket(world, "joao", at(23, 9))
    kept = open_ticket(world, "maria", at(23, 10))
    action = {"action": "merge_into", "_selected_action": [duplicate.pk]}
    form = admin_client_logged.post("/admin/tickets/ticket/", action)
    assert form.status_code == 200 and 'name="into"' in form.content.decode()
    admin_client_logged.post(
        "/admin/tickets/ticket/", action | {"apply": "1", "into": kept.reference}
    )
    duplicate.refresh_from_db()
    assert duplicate.merged_into == kept
