"""The analysts' back office for tickets: lists, filters, actions, pages and bad input."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sla.models import SLAClock
from tests import factories
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
Status = Ticket.Status
LIST = "/admin/tickets/ticket/"


@pytest.fixture
def analyst(db):
    return factories.make_user(is_staff=True, is_superuser=True, username="ana")


@pytest.fixture
def back_office(analyst) -> Client:
    client = Client()
    client.force_login(analyst)
    return client


def open_tickets(count: int, level, **kwargs) -> list[Ticket]:
    customer = factories.make_customer()
    now = timezone.now()
    return [
        services.ticket_create(
            organization=customer.membership.organization,
            requester=customer,
            subject=f"Incidente {n}",
            description="x",
            priority=level,
            reported_at=now - timedelta(hours=n),
            now=now,
            **kwargs,
        )
        for n in range(count)
    ]


def result_ids(response) -> set[int]:
    return {ticket.pk for ticket in response.context["cl"].result_list}


def test_the_list_costs_the_same_queries_for_5_and_50_tickets(back_office, default_policy, levels):
    open_tickets(5, levels["alta"])
    with CaptureQueriesContext(connection) as queries:
        assert back_office.get(LIST).status_code == 200
    five = len(queries)  # read now: the next request resets the query log
    open_tickets(45, levels["media"])
    with CaptureQueriesContext(connection) as queries:
        response = back_office.get(LIST)
    fifty = len(queries)
    assert len(response.context["cl"].result_list) == 50
    # session, user, the count, the page's ids, its rows, their clocks, the filters' choices,
    # the header's notice bell, who else has a ticket open (workspace presence)
    assert fifty == five == 10


def test_pages_are_chosen_on_the_tickets_table_then_read_with_their_joins(default_policy, levels):
    from helpdesk.db import IdsFirstPaginator
    from tickets import selectors

    tickets = open_tickets(5, levels["media"])
    ordered = selectors.tickets_with_clocks().order_by("-reported_at")
    with CaptureQueriesContext(connection) as queries:
        page = IdsFirstPaginator(ordered, 2).page(2)
        rows = list(page)
    assert [row.pk for row in rows] == [tickets[2].pk, tickets[3].pk]
    assert rows[0].organization.name and rows[0].clocks.all()  # joined and prefetched
    paging = [q["sql"] for q in queries if "LIMIT" in q["sql"]]
    # the page is chosen on the tickets table alone (its index serves the order), then read
    assert len(paging) == 1 and "JOIN" not in paging[0] and "ORDER BY" in paging[0]
    assert len(queries) == 4  # count, the page's ids, its rows with their joins, their clocks


def test_the_list_shows_sla_labels_and_sorts_by_next_due(back_office, default_policy, levels):
    open_tickets(3, levels["baixa"])
    urgent = open_tickets(1, levels["critica"])[0]
    response = back_office.get(LIST)
    html = response.content.decode()
    assert 'class="sla sla-' in html
    assert response.context["cl"].result_list[0] == urgent


def test_filters_mine_unassigned_and_breached(back_office, analyst, default_policy, levels):
    mine, other, breached = open_tickets(3, levels["baixa"])
    services.ticket_assign(ticket=mine, analyst=analyst, actor=analyst, now=timezone.now())
    SLAClock.objects.filter(ticket=breached).update(due_at=timezone.now() - timedelta(minutes=5))
    assert result_ids(back_office.get(LIST, {"assignee": "mine"})) == {mine.pk}
    assert result_ids(back_office.get(LIST, {"assignee": "unassigned"})) == {other.pk, breached.pk}
    assert result_ids(back_office.get(LIST, {"sla": "breached"})) == {breached.pk}
    assert back_office.get(LIST, {"assignee": "not-a-number"}).status_code == 200


def test_search_by_requester_email(
    back_office, default_policy, levels, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # indexed for search on commit
        ticket = open_tickets(1, levels["baixa"])[0]
        ticket.requester.email = "maria@acme.example.com"
        ticket.requester.save()
        open_tickets(2, levels["baixa"])
    assert result_ids(back_office.get(LIST, {"q": "maria@acme"})) == {ticket.pk}


def test_assign_to_me_action(back_office, analyst, default_policy, levels):
    tickets = open_tickets(2, levels["alta"])
    back_office.post(LIST, {"action": "assign_to_me", "_selected_action": [t.pk for t in tickets]})
    assert set(Ticket.objects.values_list("assignee", flat=True)) == {analyst.pk}
    assert set(Ticket.objects.values_list("status", flat=True)) == {Status.ASSIGNED}


def test_change_priority_action_asks_for_a_reason(back_office, default_policy, levels):
    ticket = open_tickets(1, levels["baixa"])[0]
    selected = {"action": "change_priority", "_selected_action": [ticket.pk]}
    form_page = back_office.post(LIST, selected)
    assert form_page.status_code == 200 and "form" in form_page.context
    back_office.post(LIST, selected | {"apply": "1", "level": levels["alta"].pk, "reason": ""})
    ticket.refresh_from_db()
    assert ticket.priority == levels["baixa"]
    back_office.post(
        LIST, selected | {"apply": "1", "level": levels["alta"].pk, "reason": "Cliente parado"}
    )
    ticket.refresh_from_db()
    assert ticket.priority == levels["alta"]


def test_change_status_action_reports_refusals_per_ticket(
    back_office, analyst, default_policy, levels
):
    ticket = open_tickets(1, levels["baixa"])[0]
    response = back_office.post(
        LIST,
        {
            "action": "change_status",
            "_selected_action": [ticket.pk],
            "apply": "1",
            "to_status": Status.RESOLVED,
        },
        follow=True,
    )
    assert response.status_code == 200
    assert any(ticket.reference in str(m) for m in get_messages(response.wsgi_request))
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_ticket_page_shows_clocks_events_and_available_transitions(
    back_office, analyst, default_policy, levels
):
    ticket = open_tickets(1, levels["alta"])[0]
    services.ticket_assign(ticket=ticket, analyst=analyst, actor=analyst, now=timezone.now())
    response = back_office.get(f"/admin/tickets/ticket/{ticket.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="sla-clocks"' in html and 'class="sla-events"' in html
    statuses = [status for status, _label in response.context["transitions"]]
    assert statuses == services.available_transitions(Ticket.objects.get(pk=ticket.pk))
    assert f'value="{Status.WAITING_ON_CUSTOMER}"' in html


def test_transition_buttons_apply_or_explain(back_office, analyst, default_policy, levels):
    ticket = open_tickets(1, levels["alta"])[0]
    services.ticket_assign(ticket=ticket, analyst=analyst, actor=analyst, now=timezone.now())
    url = f"/admin/tickets/ticket/{ticket.pk}/transition/"
    refused = back_office.post(url, {"to_status": Status.WAITING_ON_CUSTOMER}, follow=True)
    assert refused.status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED
    back_office.post(url, {"to_status": Status.WAITING_ON_CUSTOMER, "reason": "Envie o log"})
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING_ON_CUSTOMER
    garbage = back_office.post(url, {"to_status": "flying"}, follow=True)
    assert garbage.status_code == 200


def test_assign_and_priority_pages(back_office, analyst, default_policy, levels):
    ticket = open_tickets(1, levels["baixa"])[0]
    base = f"/admin/tickets/ticket/{ticket.pk}"
    customer = factories.make_customer()
    back_office.post(f"{base}/assign/", {"analyst": customer.pk})
    ticket.refresh_from_db()
    assert ticket.assignee is None  # a customer is not a valid choice
    back_office.post(f"{base}/assign/", {"analyst": analyst.pk})
    back_office.post(f"{base}/priority/", {"level": levels["media"].pk, "reason": "Só um cliente"})
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.priority) == (analyst, levels["media"])
    assert back_office.get("/admin/tickets/ticket/999999/assign/").status_code == 404


def add_data(organization, requester, level, /, **overrides) -> dict:
    return {
        "organization": organization.pk,
        "requester": requester.pk,
        "subject": "Telefone: bot fora do ar",
        "description": "Ligação do cliente às 10h.",
        "category": Ticket.Category.PLATFORM,
        "affected_service": "AgentBot",
        "scope": Ticket.Scope.ONE_CUSTOMER,
        "priority": level.pk,
        "channel": Ticket.Channel.PHONE,
        "reported_at_0": "",
        "reported_at_1": "",
        "integration": "",
        "assignee": "",
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
        **overrides,
    }


def test_an_analyst_opens_a_ticket_for_a_phone_call(back_office, analyst, default_policy, levels):
    customer = factories.make_customer()
    organization = customer.membership.organization
    response = back_office.post(
        f"{LIST}add/", add_data(organization, customer, levels["alta"], assignee=analyst.pk)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.status, ticket.assignee) == ("phone", "assigned", analyst)
    assert ticket.clocks.count() == 2


@pytest.mark.parametrize("bad", ["future", "foreign_integration", "customer_assignee", "stranger"])
def test_bad_input_in_the_add_form_is_a_form_error(back_office, default_policy, levels, bad):
    customer = factories.make_customer()
    organization = customer.membership.organization
    future = timezone.localtime() + timedelta(days=1)
    overrides = {
        "future": {"reported_at_0": f"{future:%d/%m/%Y}", "reported_at_1": f"{future:%H:%M:%S}"},
        "foreign_integration": {
            "integration": factories.make_integration(organization=factories.make_organization()).pk
        },
        "customer_assignee": {"assignee": customer.pk},
        "stranger": {"requester": factories.make_customer().pk},
    }[bad]
    response = back_office.post(
        f"{LIST}add/", add_data(organization, customer, levels["alta"], **overrides)
    )
    assert response.status_code == 200
    field = {
        "future": "reported_at",
        "foreign_integration": "integration",
        "customer_assignee": "assignee",
        "stranger": "requester",
    }[bad]
    assert field in response.context["adminform"].form.errors
    assert not Ticket.objects.exists()


def test_a_level_without_targets_is_a_clear_error_not_a_500(
    back_office, analyst, default_policy, levels
):
    """A level added in the admin but given no targets in the policy yet."""
    from sla.models import PriorityLevel

    extra = PriorityLevel.objects.create(number=9, code="extra", name="Extra")
    customer = factories.make_customer()
    response = back_office.post(
        f"{LIST}add/", add_data(customer.membership.organization, customer, extra)
    )
    assert response.status_code == 200
    assert "priority" in response.context["adminform"].form.errors
    assert not Ticket.objects.exists()

    ticket = open_tickets(1, levels["baixa"])[0]
    response = back_office.post(
        f"/admin/tickets/ticket/{ticket.pk}/priority/",
        {"level": extra.pk, "reason": "Nova categoria"},
        follow=True,
    )
    assert response.status_code == 200
    assert any("extra" in str(m).lower() for m in response.context["messages"])
    ticket.refresh_from_db()
    assert ticket.priority == levels["baixa"]


def test_customers_cannot_reach_the_back_office(default_policy, levels):
    ticket = open_tickets(1, levels["baixa"])[0]
    client = Client()
    client.force_login(ticket.requester)
    response = client.get(f"/admin/tickets/ticket/{ticket.pk}/change/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_organization_page_shows_the_24x7_contract(back_office, default_policy):
    organization = factories.make_organization()
    factories.make_contract(
        organization=organization, integration_24x7=True, on_call_phone="+55 11 4000-2400"
    )
    response = back_office.get("/admin/tickets/organization/")
    assert "+55 11 4000-2400" in response.content.decode()


def test_the_ticket_page_records_replies_notes_calls_and_agreements(
    back_office, analyst, default_policy, levels
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket = open_tickets(1, levels["alta"])[0]
    base = f"/admin/tickets/ticket/{ticket.pk}"
    back_office.post(
        f"{base}/reply/",
        {"body": "Pode testar agora?", "files": SimpleUploadedFile("log.txt", b"ok", "text/plain")},
    )
    back_office.post(f"{base}/note/", {"body": "Cliente usa proxy antigo."})
    refused = back_office.post(
        f"{base}/call/",
        {
            "kind": "phone",
            "started_at_0": "25/11/2026",
            "started_at_1": "09:00:00",
            "duration_minutes": "10",
            "participants": "Maria, Ana",
            "summary": "",
        },
        follow=True,
    )
    assert refused.status_code == 200 and not ticket.calls.exists()
    back_office.post(
        f"{base}/agreement/",
        {
            "kind": "workaround",
            "text": "Usar o relatório CSV até a correção.",
            "customer_party": "Maria Silva",
        },
    )
    directions = list(ticket.messages.values_list("direction", flat=True))
    assert directions == ["out", "note"]
    assert ticket.messages.get(direction="out").attachments.get().original_name == "log.txt"
    assert ticket.agreements.get().vendor_party == analyst
    page = back_office.get(f"{base}/change/").content.decode()
    assert 'class="timeline"' in page
    assert "Cliente usa proxy antigo." in page and "Usar o relatório CSV" in page


def test_the_ticket_page_reads_each_thing_once_whatever_the_conversation(
    back_office, analyst, default_policy, levels
):
    """The ticket, its clocks and their events are read once (not again for the edit form and
    the timeline), and the page costs the same with 1 message or 12 and more clock events."""
    from communications import services as record_services
    from communications.models import Message

    back = Message.Channel.BACK_OFFICE
    ticket = open_tickets(1, levels["alta"])[0]
    page = f"{LIST}{ticket.pk}/change/"
    now = timezone.now()
    record_services.message_post(
        ticket=ticket, author=analyst, body="Primeira", now=now, channel=back
    )
    back_office.get(page)
    with CaptureQueriesContext(connection) as queries:
        assert back_office.get(page).status_code == 200
    short = len(queries)
    tables = [q["sql"].split(" FROM ")[1].split()[0] for q in queries if " FROM " in q["sql"]]
    # the ticket; the merge check's SELECT 1; the customer's recent tickets (side panel: the
    # requester's, the rest of the organization's)
    assert tables.count('"tickets_ticket"') == 1 + 1 + 2
    assert tables.count('"sla_slaclockevent"') == 1
    for number in range(11):
        record_services.message_post(
            ticket=ticket,
            author=analyst,
            body=f"Mais {number}",
            now=now,
            channel=back,
            internal=bool(number % 2),
        )
    services.ticket_change_priority(
        ticket=ticket, level=levels["critica"], actor=analyst, now=now, reason="Piorou"
    )
    with CaptureQueriesContext(connection) as queries:
        assert back_office.get(page).status_code == 200
    # session, user, ticket, clocks, messages, attachments, …, the analyst's macros, the bell;
    # the working page's five: the analyst's presence noted and the colleagues' read, the
    # contract in force, the customer's recent tickets (two lists); the ticket's ratings
    assert len(queries) == short == 24
