"""The REST API: customers' and analysts' rights, filters, tokens, errors and query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services as token_services
from communications import services as record_services
from tests import factories
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(default_policy, levels):
    acme = factories.make_organization(name="Acme", email_domains="acme.example.com")
    member = factories.make_customer(organization=acme)
    colleague = factories.make_customer(organization=acme)
    org_admin = factories.make_customer(organization=acme, is_admin=True)
    stranger = factories.make_customer()
    analyst = factories.make_analyst()
    now = timezone.now()

    def open_for(user, level="media"):
        return services.ticket_create(
            organization=user.membership.organization,
            requester=user,
            subject="Falha",
            description="x",
            priority=levels[level],
            reported_at=now,
            now=now,
        )

    return {
        "member": member,
        "colleague": colleague,
        "org_admin": org_admin,
        "stranger": stranger,
        "analyst": analyst,
        "own": open_for(member),
        "colleagues": open_for(colleague),
        "foreign": open_for(stranger),
        "open_for": open_for,
        "levels": levels,
    }


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def references(response) -> set[str]:
    return {row["reference"] for row in response.json()["results"]}


def test_each_role_lists_what_is_theirs(world):
    url = "/api/tickets/"
    assert references(client_for(world["member"]).get(url)) == {world["own"].reference}
    assert references(client_for(world["org_admin"]).get(url)) == {
        world["own"].reference,
        world["colleagues"].reference,
    }
    assert len(references(client_for(world["analyst"]).get(url))) == 3
    assert client_for(None).get(url).status_code in (401, 403)


@pytest.mark.parametrize("suffix", ["", "messages/", "attachments/", "agreements/"])
def test_a_foreign_ticket_is_404_everywhere(world, suffix):
    foreign = world["foreign"].reference
    response = client_for(world["member"]).get(f"/api/tickets/{foreign}/{suffix}")
    assert response.status_code == 404
    assert response.json()["detail"]
    for action in ("reopen", "confirm-resolved"):
        assert (
            client_for(world["member"]).post(f"/api/tickets/{foreign}/{action}/").status_code == 404
        )


def test_a_customer_opens_a_ticket_and_sees_its_deadlines(world):
    response = client_for(world["member"]).post(
        "/api/tickets/",
        {"subject": "Bot parado", "description": "Nada responde", "priority": "alta"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["channel"] == "api" and body["priority"] == "alta"
    assert {clock["metric"] for clock in body["clocks"]} == {"first_response", "resolution"}
    assert all(clock["due_at"] for clock in body["clocks"])


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"subject": "x", "description": "y", "priority": "urgentissima"},
        {"subject": "x" * 500, "description": "y", "priority": "alta"},
        {"subject": "x", "description": "y", "priority": "alta", "integration": 999999},
        {"subject": "x", "description": "y", "priority": "alta", "scope": "planet"},
        # PostgreSQL refuses NUL in text: a name with one is a 400, never a 500
        {"subject": "x", "description": "y", "priority": "al\x00ta"},
    ],
)
def test_bad_input_is_a_400_with_a_message(world, payload):
    response = client_for(world["member"]).post("/api/tickets/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] and "errors" in response.json()


def test_customers_update_only_their_fields(world):
    url = f"/api/tickets/{world['own'].reference}/"
    client = client_for(world["member"])
    response = client.patch(url, {"subject": "Novo assunto", "status": "closed"}, format="json")
    assert response.status_code == 200
    world["own"].refresh_from_db()
    assert (world["own"].subject, world["own"].status) == ("Novo assunto", Ticket.Status.NEW)


def test_messages_hide_internal_notes_from_customers(world):
    ticket = world["own"].reference
    analyst = client_for(world["analyst"])
    analyst.post(f"/api/tickets/{ticket}/messages/", {"body": "nota", "internal": True})
    analyst.post(f"/api/tickets/{ticket}/messages/", {"body": "Pode testar?"})
    member = client_for(world["member"])
    assert (
        member.post(f"/api/tickets/{ticket}/messages/", {"body": "x", "internal": True}).status_code
        == 400
    )
    seen = [m["direction"] for m in member.get(f"/api/tickets/{ticket}/messages/").json()]
    assert seen == ["out"]
    assert len(analyst.get(f"/api/tickets/{ticket}/messages/").json()) == 2


def test_analyst_actions_and_their_limits(world):
    ticket = world["own"].reference
    member = client_for(world["member"])
    assert (
        member.post(
            f"/api/tickets/{ticket}/assign/", {"analyst": world["analyst"].username}
        ).status_code
        == 403
    )
    analyst = client_for(world["analyst"])
    assigned = analyst.post(
        f"/api/tickets/{ticket}/assign/", {"analyst": world["analyst"].username}
    )
    assert assigned.status_code == 200 and assigned.json()["status"] == "assigned"
    refused = analyst.post(f"/api/tickets/{ticket}/transition/", {"status": "closed"})
    assert refused.status_code == 400 and refused.json()["detail"]
    moved = analyst.post(
        f"/api/tickets/{ticket}/priority/", {"priority": "alta", "reason": "todos"}
    )
    assert moved.json()["priority"] == "alta"


def test_filters_ordering_and_bad_filter_values(world):
    world["open_for"](world["member"], "alta")
    client = client_for(world["analyst"])
    assert len(references(client.get("/api/tickets/", {"priority": "alta"}))) == 1
    assert len(references(client.get("/api/tickets/", {"sla_state": "running"}))) == 4
    since = (timezone.now() - timedelta(hours=1)).isoformat()
    assert len(references(client.get("/api/tickets/", {"reported_after": since}))) == 4
    assert client.get("/api/tickets/", {"reported_after": "ontem"}).status_code == 400
    # Offsets PostgreSQL refuses, and instants at the calendar's edge, are the client's error.
    for instant in ("0010-02-20T09:51:42-21:09", "0001-01-01T00:00:00+05:00"):
        response = client.get("/api/tickets/", {"reported_before": instant})
        assert response.status_code == 400
        assert "reported_before" in response.json()["errors"]
    assert client.get("/api/tickets/", {"status": "flying"}).status_code == 400
    assert client.get("/api/tickets/", {"ordering": "-next_due_at"}).status_code == 200
    assert client.get("/api/tickets/", {"page": "abc"}).status_code == 404


def test_the_list_costs_the_same_queries_for_any_page_size(world):
    for _ in range(12):
        world["open_for"](world["member"])
    client = client_for(world["analyst"])
    counts = []
    for size in (2, 10):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/tickets/", {"page_size": size}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


def add_record(ticket, analyst, customer, *, count: int) -> None:
    """Messages with files, public ones and notes, and agreements with corrections."""
    now = timezone.now()
    for index in range(count):
        record_services.message_post(
            ticket=ticket,
            author=customer if index % 2 else analyst,
            body=f"mensagem {index}",
            channel="portal" if index % 2 else "back_office",
            now=now,
            internal=index % 4 == 0,  # every other analyst message is a note
            files=[record_services.IncomingFile(f"f{index}.txt", "text/plain", b"x")],
        )
        first = record_services.agreement_record(
            ticket=ticket,
            kind="commitment",
            text=f"acordo {index}",
            customer_party="Maria",
            actor=analyst,
        )
        record_services.agreement_record(
            ticket=ticket,
            kind="commitment",
            text=f"acordo {index}, corrigido",
            customer_party="Maria",
            actor=analyst,
            supersedes=first,
        )


@pytest.mark.parametrize("role", ["member", "analyst"])
@pytest.mark.parametrize("suffix", ["messages/", "attachments/", "agreements/"])
def test_the_record_lists_cost_the_same_queries_for_any_length(world, role, suffix):
    ticket = world["own"]
    client = client_for(world[role])
    url = f"/api/tickets/{ticket.reference}/{suffix}"
    add_record(ticket, world["analyst"], world["member"], count=2)  # a row for each role
    rows, small = len(client.get(url).json()), query_count(client, url)
    add_record(ticket, world["analyst"], world["member"], count=8)
    assert len(client.get(url).json()) >= rows + 5
    assert query_count(client, url) == small


def test_agreements_know_which_version_is_in_force(world):
    ticket = world["own"]
    add_record(ticket, world["analyst"], world["member"], count=1)
    rows = client_for(world["member"]).get(f"/api/tickets/{ticket.reference}/agreements/").json()
    assert [(row["version"], row["in_force"]) for row in rows] == [(1, False), (2, True)]


def test_priority_levels_cost_the_same_queries_for_any_length(world):
    from sla.models import PriorityLevel

    client = client_for(world["member"])
    small = query_count(client, "/api/priority-levels/")
    for number in range(5, 15):
        PriorityLevel.objects.create(
            number=number, code=f"nivel-{number}", name="N", description="d"
        )
    assert query_count(client, "/api/priority-levels/") == small


def test_tokens_authenticate_until_revoked(world):
    token, key = token_services.api_token_create(
        user=world["member"], name="ERP", now=timezone.now()
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert references(client.get("/api/tickets/")) == {world["own"].reference}
    assert token.digest != key and key not in token.digest
    token_services.api_token_revoke(token=token, now=timezone.now())
    assert client.get("/api/tickets/").status_code == 401


def test_priority_levels_and_docs_are_served(world, client):
    levels = client_for(world["member"]).get("/api/priority-levels/").json()
    assert [level["code"] for level in levels] == ["critica", "alta", "media", "baixa"]
    client.force_login(world["member"])
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert "cdn" not in docs.content.decode().lower()


def test_the_active_policy_is_what_the_engine_enforces(world):
    from sla.models import SupportContract

    SupportContract.objects.create(
        organization=world["member"].membership.organization,
        policy=world["own"].sla_snapshot.policy,
        integration_24x7=True,
        on_call_phone="+55 11 4000-2400",
        valid_from=timezone.localdate() - timedelta(days=1),
    )
    body = client_for(world["member"]).get("/api/sla/policy/").json()
    alta = next(t for t in body["targets"] if t["level"] == "alta")
    assert (alta["first_response_seconds"], alta["resolution_seconds"]) == (7200, 28800)
    assert alta["integration_24x7_resolution_seconds"] == 28800
    assert body["integration_24x7"] and body["on_call_phone"] == "+55 11 4000-2400"
    assert len(body["working_periods"]) == 5
    page = Client()
    page.force_login(world["member"])
    html = page.get("/agreement/").content.decode()
    assert "+55 11 4000-2400" in html and "2h 00m" in html


def test_password_reset_sends_an_email(world, client, mailoutbox):
    world["member"].email = "maria@acme.example.com"
    world["member"].save()
    assert client.get("/accounts/password_reset/").status_code == 200
    client.post("/accounts/password_reset/", {"email": "maria@acme.example.com"})
    assert mailoutbox and "maria@acme.example.com" in mailoutbox[-1].to


def test_a_priority_code_of_the_url_outside_a_slug_is_a_404(world):
    response = client_for(world["member"]).get("/api/priority-levels/al%20ta/")
    assert response.status_code == 404
    assert response.json()["detail"]
