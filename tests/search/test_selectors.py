"""Full-text ticket search: what finds a ticket, for whom, on both databases."""

import pytest
from django.db import connection

from communications import services as record_services
from communications.models import Message
from search.selectors import tickets_matching
from tests.search.conftest import NOW
from tickets import selectors as ticket_selectors
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="stemming is PostgreSQL's (SQLite: prefixes)"
)


def open_ticket(world, *, who="maria", subject="Falha", description="Algo quebrou") -> Ticket:
    person = world[who]
    return services.ticket_create(
        organization=person.membership.organization,
        requester=person,
        subject=subject,
        description=description,
        priority=world["levels"]["alta"],
        now=NOW,
    )


def found(text: str, *, user=None, staff: bool = True) -> set[str]:
    tickets = ticket_selectors.tickets_visible_to(user) if user else Ticket.objects.all()
    return set(tickets_matching(tickets, text, staff=staff).values_list("reference", flat=True))


@pytest.fixture
def tickets(world, indexed):
    with indexed():
        report = open_ticket(
            world,
            subject="Relatório mensal não gera",
            description="O relatório de faturamento trava ao exportar em PDF.",
        )
        login = open_ticket(
            world, who="hank", subject="Login failing", description="Users cannot sign in."
        )
        record_services.message_post(
            ticket=report,
            author=world["analyst"],
            body="Pedimos o arquivo de configuração do servidor.",
            channel=Message.Channel.BACK_OFFICE,
            now=NOW,
        )
        record_services.message_post(
            ticket=report,
            author=world["analyst"],
            body="Suspeita interna: bug no módulo xilofone.",
            channel=Message.Channel.BACK_OFFICE,
            now=NOW,
            internal=True,
        )
    return {"report": report.reference, "login": login.reference}


def test_finds_by_each_part_of_the_ticket(tickets):
    report, login = tickets["report"], tickets["login"]
    assert found("faturamento") == {report}  # description
    assert found("mensal") == {report}  # subject
    assert found("servidor") == {report}  # a message
    assert found("Açucareira") == {report}  # the organization's name
    assert found("Conceição") == {report}  # the requester's name
    assert found("maria@acme.example.com") == {report}  # the requester's e-mail
    assert found("globex") == {login}
    assert found("cannot sign") == {login}  # every word must match


def test_accents_and_case_do_not_matter(tickets):
    report = tickets["report"]
    assert found("relatorio") == {report}
    assert found("RELATÓRIO") == {report}
    assert found("conceicao") == {report}
    assert found("industria acucareira") == {report}


@on_postgres
def test_portuguese_english_and_spanish_word_endings(world, indexed):
    with indexed():
        pt = open_ticket(world, subject="Relatórios", description="Impressoras desligadas")
        en = open_ticket(world, subject="Running reports", description="Crashes nightly")
        es = open_ticket(world, subject="Problemas", description="Las facturas fallaron")
    assert pt.reference in found("relatorio")
    assert pt.reference in found("impressora desligada")
    assert en.reference in found("report run")
    assert en.reference in found("crash")
    assert es.reference in found("problema")
    assert es.reference in found("factura")


def test_the_last_word_is_a_prefix_on_sqlite(tickets):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's search as you type")
    assert found("relat") == {tickets["report"]}
    assert found("faturamento exp") == {tickets["report"]}


def test_a_reference_or_its_prefix_finds_the_ticket(tickets):
    report = tickets["report"]
    assert found(report) == {report}
    assert found(report.lower()) == {report}
    assert found(report[:-2]) == {report, tickets["login"]}  # HD-2026-0000…
    assert found("HD-2025-") == set()


def test_many_matches_are_narrowed_by_a_subquery(world, tickets, monkeypatch):
    from search import postgres

    monkeypatch.setattr(postgres, "LOOKUP_LIMIT", 1)  # every search is "common"
    assert found("faturamento") == {tickets["report"]}
    assert found("xilofone", staff=False) == set()


def test_blank_text_leaves_the_tickets_as_they_are(tickets):
    everything = Ticket.objects.all()
    assert tickets_matching(everything, "", staff=False) is everything
    assert tickets_matching(everything, "   ", staff=True) is everything


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "AND (",
        "*",
        "OR",
        "NOT",
        "NEAR(a b",
        "-",
        '"unbalanced',
        "a:b",
        "{customer_text}:x",
        "notes_text : segredo",
        "'; DROP TABLE tickets_ticket; --",
        "relat*rio",
        "^x",
        "a & b | !c",
        "(((",
        "\x00",
        "é",
        "\u200b",
        "x" * 5000,
        "-relatorio",
        '"relatório mensal"',
    ],
)
def test_hostile_queries_do_not_raise(tickets, text):
    found(text)
    found(text, staff=False)


def test_a_customer_finds_only_what_they_may_see(world, tickets):
    maria, hank = world["maria"], world["hank"]
    assert found("login", user=maria, staff=False) == set()  # another organization's
    assert found("login", user=hank, staff=False) == {tickets["login"]}
    assert found("relatorio", user=world["joao"], staff=False) == set()  # a colleague's


def test_internal_notes_are_found_by_analysts_only(world, tickets):
    report = tickets["report"]
    assert found("xilofone", user=world["analyst"], staff=True) == {report}
    assert found("xilofone suspeita relatório", staff=True) == {report}  # notes + public
    assert found("xilofone", user=world["maria"], staff=False) == set()
    assert found("xilofone", user=world["acme_admin"], staff=False) == set()
    assert found("xilofone", staff=False) == set()  # whatever the queryset


def test_the_number_of_queries_does_not_grow_with_the_results(
    world, tickets, indexed, django_assert_num_queries
):
    def search():
        visible = ticket_selectors.tickets_visible_to(world["acme_admin"])
        return list(tickets_matching(visible, "falha", staff=False).order_by("-reported_at")[:50])

    with indexed():
        open_ticket(world, subject="Falha")
    # the tickets and their clocks; on PostgreSQL first the matches, up to LOOKUP_LIMIT,
    # through the index (a savepoint, sequential scans off, the ids, back on, release); on
    # SQLite first how many match (up to COMMON_MATCHES), which decides how a page is read
    expected = 7 if connection.vendor == "postgresql" else 3
    with django_assert_num_queries(expected):
        assert len(search()) == 1
    with indexed():
        for _ in range(4):
            open_ticket(world, subject="Falha")
    with django_assert_num_queries(expected):
        assert len(search()) == 5


on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 paging")


@on_sqlite
def test_a_common_word_pages_by_walking_the_order_and_finds_the_same_tickets(
    world, indexed, monkeypatch
):
    """Many matches: a page walks the list's order (`+id IN`), a count looks matches up;
    both give what few matches would (the same tickets, in the same order)."""
    from django.db.models import F

    from helpdesk.db import rows_by_ids_first
    from search import sqlite

    with indexed():
        for number in range(12):
            open_ticket(world, subject=f"Falha {number}", description=f"Detalhe {number % 3}")
        open_ticket(world, subject="Outro assunto")
    order = [F("next_due_at").asc(nulls_last=True), "-reported_at", "-pk"]
    pages = {}
    for threshold in (10_000, 5):  # few matches, then "common" (more than 5)
        monkeypatch.setattr(sqlite, "COMMON_MATCHES", threshold)
        matching = tickets_matching(Ticket.objects.all(), "falha", staff=True)
        page = matching.order_by(*order)[2:7]
        pages[threshold] = (list(page.values_list("reference", flat=True)), matching.count())
        walks = str(page.values("pk").query).count("+")
        assert walks == (1 if threshold == 5 else 0)
        assert "+" not in str(matching.order_by().values("pk").query)  # a count looks up
        rows = matching.order_by().filter(pk__in=[1, 2])  # a page's rows, read by their ids
        assert str(rows.query).count("+") == (1 if threshold == 5 else 0)
        ids = list(page.values_list("pk", flat=True))
        assert [t.pk for t in rows_by_ids_first(matching.order_by(*order), 2, 7)] == ids
    assert pages[5] == pages[10_000]
    assert pages[5][1] == 12 and len(pages[5][0]) == 5


@pytest.mark.parametrize("lookup_limit", [5000, 1])  # PostgreSQL: few matches, many
def test_a_search_alone_is_counted_in_its_index(world, tickets, indexed, monkeypatch, lookup_limit):
    """Narrowed by the search only (an analyst's list), the matches are counted in the
    index; narrowed by anything else too, by the database; both give the real number."""
    from django.test.utils import CaptureQueriesContext

    from helpdesk.db import rows_count
    from search import postgres

    monkeypatch.setattr(postgres, "LOOKUP_LIMIT", lookup_limit)

    with indexed():
        for number in range(3):
            open_ticket(world, subject=f"Falha {number}")
        open_ticket(world, subject="Outro assunto")
    matching = tickets_matching(
        ticket_selectors.tickets_visible_to(world["analyst"]), "falha", staff=True
    )
    expected = len(list(matching))
    assert expected == 3
    with CaptureQueriesContext(connection) as queries:
        assert rows_count(matching) == expected
        assert rows_count(matching, limit=1) == 2  # "more than one"
    assert all("tickets_ticket" not in query["sql"] for query in queries.captured_queries)

    narrowed = matching.filter(subject__endswith="2")
    with CaptureQueriesContext(connection) as queries:
        assert rows_count(narrowed) == 1
    assert "tickets_ticket" in queries.captured_queries[-1]["sql"]


def test_a_document_carries_its_tickets_organization(world, tickets):
    from search.models import TicketSearchDocument

    document = TicketSearchDocument.objects.get(ticket__reference=tickets["login"])
    assert document.organization_id == world["globex"].pk


@on_postgres
def test_a_customer_search_is_narrowed_to_the_organization_in_the_index(
    world, indexed, monkeypatch
):
    """The desk has more matches than are looked up by id, the organization few: they are
    found in the index by organization and named by id, no ticket of another read."""
    from search import postgres

    with indexed():
        mine = open_ticket(world, subject="Falha no boleto")
        for number in range(3):
            open_ticket(world, who="hank", subject=f"Falha {number}")
    monkeypatch.setattr(postgres, "LOOKUP_LIMIT", 3)  # the desk's 4 matches are "many"
    visible = ticket_selectors.tickets_visible_to(world["maria"])
    narrowed = tickets_matching(visible, "falha", staff=False, organization_id=world["acme"].pk)
    assert "search_ticketsearchdocument" not in str(narrowed.query)
    assert set(narrowed.values_list("reference", flat=True)) == {mine.reference}
    whole = tickets_matching(visible, "falha", staff=False)
    assert "search_ticketsearchdocument" in str(whole.query)
    assert set(whole.values_list("reference", flat=True)) == {mine.reference}


@on_postgres
def test_many_matches_are_counted_by_the_first_query_up_to_the_cap(
    world, indexed, monkeypatch, django_assert_num_queries
):
    from helpdesk.db import SearchCountPaginator, rows_count
    from search import postgres

    with indexed():
        for number in range(4):
            open_ticket(world, subject=f"Falha {number}")
    monkeypatch.setattr(postgres, "LOOKUP_LIMIT", 1)  # "many" matches
    monkeypatch.setattr(SearchCountPaginator, "count_cap", 2)  # the first query counts 3
    matching = tickets_matching(Ticket.objects.all(), "falha", staff=True)
    with django_assert_num_queries(0):
        assert rows_count(matching, limit=2) == 3  # more than the cap: known already
    assert rows_count(matching) == 4  # an exact count goes back to the documents
    assert len(matching) == 4
