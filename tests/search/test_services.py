"""Keeping the search documents current: every change that changes a ticket's words."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from communications import erasure
from communications import services as record_services
from communications.models import Message
from search import services as search_services
from search.models import TicketSearchDocument
from tests.search.conftest import NOW
from tests.search.test_selectors import found, open_ticket
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_a_new_ticket_is_indexed_once_when_its_transaction_commits(world, indexed, monkeypatch):
    calls = []
    real = search_services.tickets_index
    monkeypatch.setattr(
        search_services,
        "tickets_index",
        lambda ids, **kw: calls.append(set(ids)) or real(ids, **kw),
    )
    with indexed():
        ticket = open_ticket(world, subject="Impressora")
        record_services.message_post(
            ticket=ticket,
            author=world["analyst"],
            body="Trocamos o toner.",
            channel=Message.Channel.BACK_OFFICE,
            now=NOW,
        )
        assert found("toner") == set()  # not before the commit
    assert calls == [{ticket.pk}]
    assert found("impressora toner") == {ticket.reference}


def test_a_rolled_back_transaction_indexes_nothing_and_the_next_one_works(world, indexed):
    with indexed():
        with pytest.raises(RuntimeError), transaction.atomic():
            open_ticket(world, subject="Fantasma")
            raise RuntimeError
        ticket = open_ticket(world, subject="Verdadeiro")
    assert found("fantasma") == set()
    assert found("verdadeiro") == {ticket.reference}


def test_a_changed_subject_and_description_replace_the_old_words(world, indexed):
    with indexed():
        ticket = open_ticket(world, subject="Antigo", description="Texto velho")
    with indexed():
        ticket.subject, ticket.description = "Novo", "Texto reescrito"
        ticket.save()
    assert found("antigo") == found("velho") == set()
    assert found("novo reescrito") == {ticket.reference}


def test_renaming_the_organization_or_the_requester_reindexes_their_tickets(world, indexed):
    with indexed():
        ticket = open_ticket(world)
    acme, maria = world["acme"], world["maria"]
    with indexed():
        acme.name = "Quimera Sistemas"
        acme.save()
        maria.first_name, maria.last_name, maria.email = "Mariana", "Silva", "ms@novo.example"
        maria.save()
    assert found("açucareira") == found("conceição") == set()
    assert found("quimera mariana silva") == {ticket.reference}
    assert found("ms@novo.example") == {ticket.reference}


def test_a_login_does_not_reindex(world, indexed, monkeypatch):
    with indexed():
        open_ticket(world)
    monkeypatch.setattr(search_services, "tickets_index", pytest.fail)
    with indexed():
        maria = world["maria"]
        maria.last_login = NOW
        maria.save(update_fields=["last_login"])
        ticket = Ticket.objects.get()
        ticket.status = Ticket.Status.CANCELLED
        ticket.save(update_fields=["status"])


def test_merged_messages_are_found_on_the_ticket_that_stays(world, indexed):
    with indexed():
        into = open_ticket(world, subject="Principal")
        duplicate = open_ticket(world, subject="Duplicado")
        record_services.message_post(
            ticket=duplicate,
            author=world["maria"],
            body="Anexo o log do zepelim.",
            channel=Message.Channel.PORTAL,
            now=NOW,
        )
    with indexed():
        record_services.tickets_merge(
            duplicate=duplicate, into=into, actor=world["analyst"], now=NOW
        )
    assert found("zepelim") == {into.reference}


def test_after_an_erasure_the_person_cannot_be_found(world, indexed):
    maria, joao = world["maria"], world["joao"]
    with indexed():
        own = open_ticket(world, subject="Cadastro", description="Meu CPF é 123.456.789-00")
        colleagues = open_ticket(world, who="joao", subject="Acesso", description="Sem acesso")
        services.ticket_share(ticket=colleagues, members=[maria], actor=joao, now=NOW)
        record_services.message_post(
            ticket=colleagues,
            author=maria,
            body="Meu telefone é 5511999990000",
            channel=Message.Channel.PORTAL,
            now=NOW,
        )
    assert found("5511999990000") == {colleagues.reference}
    with indexed():
        erasure.person_erase(person=maria, actor=world["analyst"], reason="LGPD nº 7", now=NOW)
    for words in ("5511999990000", "123.456.789-00", "CPF", "Conceição", "maria@acme.example.com"):
        assert found(words) == set(), words
    assert found("cadastro") == {own.reference}  # the ticket itself stays findable
    assert found("acesso joão") == {colleagues.reference}


def test_the_reindex_command_rebuilds_every_document(world, indexed):
    with indexed():
        ticket = open_ticket(world, subject="Original")
    imported = Ticket.objects.bulk_create(  # an import: no signals
        [
            Ticket(
                reference=f"HD-2026-9{number:05d}",
                organization=world["acme"],
                requester=world["maria"],
                subject=f"Importado {number}",
                description="Veio da planilha antiga",
                priority=ticket.priority,
                reported_at=NOW,
                sla_snapshot=ticket.sla_snapshot,
            )
            for number in range(3)
        ]
    )
    TicketSearchDocument.objects.all().delete()
    assert found("planilha") == set()
    call_command("search_reindex", batch=2, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert found("planilha") == {t.reference for t in imported}
    assert found("original") == {ticket.reference}
    assert TicketSearchDocument.objects.count() == 4


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="a failed statement would abort PostgreSQL's test transaction, not the index only",
)
def test_a_ticket_whose_indexing_fails_is_still_opened(world, indexed, caplog):
    """The index is written after the commit: if it fails, the customer's ticket is there,
    the answer is the usual 201, the failure is logged, and search_reindex catches up."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(world["maria"])
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE search_ticket_fts RENAME TO search_ticket_fts_away")
    with indexed():
        response = client.post(
            "/api/tickets/",
            {"subject": "Boleto duplicado", "description": "Veio duas vezes.", "priority": "alta"},
            format="json",
        )
    assert response.status_code == 201, response.content
    assert Ticket.objects.filter(reference=response.json()["reference"]).exists()
    assert "on_commit" in caplog.text
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE search_ticket_fts_away RENAME TO search_ticket_fts")
    call_command("search_reindex", stdout=StringIO())
    assert found("duplicado") == {response.json()["reference"]}
