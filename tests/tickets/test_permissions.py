"""The permission matrix: every portal page and API endpoint, for every role.

A foreign organization's object is always 404 (never 403 with data, never 200).
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from communications import services as record_services
from tests import factories
from tickets import services

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "member", "org_admin", "colleague", "stranger", "analyst", "admin"]


@pytest.fixture
def world(default_policy, levels):
    acme = factories.make_organization(name="Acme")
    people = {
        "member": factories.make_customer(organization=acme),
        "org_admin": factories.make_customer(organization=acme, is_admin=True),
        "colleague": factories.make_customer(organization=acme),
        "stranger": factories.make_customer(),
        "analyst": factories.make_analyst(),
        "admin": factories.make_user(is_staff=True, is_superuser=True),
    }
    now = timezone.now()
    ticket = services.ticket_create(
        organization=acme,
        requester=people["member"],
        subject="Falha",
        description="x",
        priority=levels["media"],
        reported_at=now,
        now=now,
    )
    note = record_services.message_post(
        ticket=ticket,
        author=people["analyst"],
        body="interna",
        channel="back_office",
        now=now,
        internal=True,
        files=[record_services.IncomingFile("n.txt", "text/plain", b"n")],
    )
    public = record_services.message_post(
        ticket=ticket,
        author=people["member"],
        body="pública",
        channel="portal",
        now=now,
        files=[record_services.IncomingFile("p.txt", "text/plain", b"p")],
    )
    return people, ticket, note.attachments.get(), public.attachments.get()


def client_as(people, role) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(people[role])
    return client


# role -> expected status. "login" = redirected to the login page.
SEES_TICKET = {
    "anonymous": "login",
    "member": 200,
    "org_admin": 200,
    "colleague": 404,
    "stranger": 404,
    "analyst": 200,
    "admin": 200,
}


def check(response, expected) -> None:
    if expected == "login":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_portal_pages(world, role):
    people, ticket, internal_file, public_file = world
    client = client_as(people, role)
    signed_in = "login" if role == "anonymous" else 200
    check(client.get("/"), signed_in)
    check(client.get("/agreement/"), signed_in)
    check(client.get("/account/tokens/"), signed_in)
    check(client.get(f"/tickets/{ticket.reference}/"), SEES_TICKET[role])
    check(client.get(f"/attachments/{public_file.pk}/"), SEES_TICKET[role])
    staff = role in {"analyst", "admin"}
    check(
        client.get(f"/attachments/{internal_file.pk}/"),
        "login" if role == "anonymous" else (200 if staff else 404),
    )
    reply = client.post(f"/tickets/{ticket.reference}/reply/", {"body": "oi"})
    if SEES_TICKET[role] == 404:
        assert reply.status_code == 404
    page = client.get(f"/tickets/{ticket.reference}/")
    if page.status_code == 200 and not staff:
        assert "interna" not in page.content.decode()  # internal notes never reach customers


def expect(**by_role) -> dict[str, int]:
    """Expected status per role; `customers` stands for member, org_admin and colleague."""
    customers = by_role.pop("customers", None)
    if customers is not None:
        by_role = {"member": customers, "org_admin": customers, "colleague": customers, **by_role}
    staff = by_role.pop("staff", None)
    if staff is not None:
        by_role = {"analyst": staff, "admin": staff, **by_role}
    assert set(by_role) == set(ROLES), by_role
    return by_role


PUBLIC = expect(anonymous=200, customers=200, stranger=200, staff=200)
SIGNED_IN = expect(anonymous=401, customers=200, stranger=200, staff=200)
OPENS = expect(anonymous=401, customers=201, stranger=201, staff=201)
# The ticket belongs to "member"; "colleague" is in the same organization but not on it.
ON_TICKET = expect(anonymous=401, member=200, org_admin=200, colleague=404, stranger=404, staff=200)
WRITES_ON_TICKET = {role: 201 if code == 200 else code for role, code in ON_TICKET.items()}
ANALYSTS_ON_TICKET = expect(
    anonymous=401, member=403, org_admin=403, colleague=404, stranger=404, staff=200
)
NEW_TICKET = {"subject": "Bot parado", "description": "Nada responde", "priority": "alta"}


def resolved(ticket, people):
    now = timezone.now()
    services.ticket_assign(
        ticket=ticket, analyst=people["analyst"], actor=people["analyst"], now=now
    )
    return services.ticket_transition(
        ticket=ticket, to_status="resolved", actor=people["analyst"], now=now
    )


# (method, path under /api/, body, ticket state needed, expected status per role)
API_ENDPOINTS = [
    ("get", "schema/", None, None, PUBLIC),
    ("get", "docs/", None, None, PUBLIC),
    ("get", "sla/preview/?priority=alta&reported_at=2026-11-27T17:00:00-03:00", None, None, PUBLIC),
    ("get", "sla/policy/", None, None, SIGNED_IN),
    ("get", "priority-levels/", None, None, SIGNED_IN),
    ("get", "priority-levels/alta/", None, None, SIGNED_IN),
    ("get", "tickets/", None, None, SIGNED_IN),
    ("post", "tickets/", "new_ticket", None, OPENS),
    ("get", "tickets/{ref}/", None, None, ON_TICKET),
    ("patch", "tickets/{ref}/", {"subject": "Outro assunto"}, None, ON_TICKET),
    ("get", "tickets/{ref}/messages/", None, None, ON_TICKET),
    ("post", "tickets/{ref}/messages/", {"body": "Oi"}, None, WRITES_ON_TICKET),
    ("get", "tickets/{ref}/attachments/", None, None, ON_TICKET),
    ("post", "tickets/{ref}/attachments/", "file", None, WRITES_ON_TICKET),
    ("get", "tickets/{ref}/agreements/", None, None, ON_TICKET),
    ("post", "tickets/{ref}/confirm-resolved/", {}, resolved, ON_TICKET),
    ("post", "tickets/{ref}/reopen/", {"reason": "Voltou"}, resolved, ON_TICKET),
    ("post", "tickets/{ref}/assign/", "analyst", None, ANALYSTS_ON_TICKET),
    (
        "post",
        "tickets/{ref}/transition/",
        {"status": "cancelled", "reason": "Duplicado"},
        None,
        ANALYSTS_ON_TICKET,
    ),
    (
        "post",
        "tickets/{ref}/priority/",
        {"priority": "alta", "reason": "Todos parados"},
        None,
        ANALYSTS_ON_TICKET,
    ),
]


def api_call(client, method, path, body, people):
    if body == "new_ticket":  # analysts say whose it is; customers' tickets are their own
        member = people["member"]
        body = {
            **NEW_TICKET,
            "organization": member.membership.organization.slug,
            "requester": member.username,
        }
    elif body == "analyst":
        body = {"analyst": people["analyst"].username}
    if body == "file":
        upload = SimpleUploadedFile("log.txt", b"erro", content_type="text/plain")
        return client.post(path, {"file": upload})
    if body is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("role", ROLES)
def test_api_endpoints(world, role, levels):
    """Every endpoint, each on a fresh ticket of "member" in the state it needs."""
    people, *_ = world
    client = client_as(people, role)
    wrong = []
    for method, path, body, prepare, expected in API_ENDPOINTS:
        now = timezone.now()
        ticket = services.ticket_create(
            organization=people["member"].membership.organization,
            requester=people["member"],
            subject="Falha",
            description="x",
            priority=levels["media"],
            reported_at=now,
            now=now,
        )
        if prepare is not None:
            prepare(ticket, people)
        url = "/api/" + path.format(ref=ticket.reference)
        response = api_call(client, method, url, body, people)
        if response.status_code != expected[role]:
            wrong.append((method, url, response.status_code, expected[role]))
        elif response.status_code >= 400 and url != "/api/docs/":
            assert response.json()["detail"], (method, url)
    assert not wrong, wrong


@pytest.mark.parametrize("role", ["member", "stranger", "analyst"])
@pytest.mark.parametrize("action", ["assign", "transition", "priority"])
def test_analyst_actions_on_a_ticket_that_does_not_exist_are_404(world, role, action):
    people, *_ = world
    client = client_as(people, role)
    response = client.post(f"/api/tickets/HD-2026-999999/{action}/", {})
    assert response.status_code == 404
    assert response.json()["detail"]


@pytest.mark.parametrize("role", ROLES)
def test_internal_notes_never_reach_customers_through_the_api(world, role):
    people, ticket, *_files = world
    response = client_as(people, role).get(f"/api/tickets/{ticket.reference}/messages/")
    assert response.status_code == {"login": 401, 200: 200, 404: 404}[SEES_TICKET[role]]
    if response.status_code == 200:
        notes = [m for m in response.json() if m["direction"] == "note"]
        assert bool(notes) == (role in {"analyst", "admin"})


def test_tokens_of_other_users_cannot_be_revoked(world):
    from accounts import services as token_services

    people, *_ = world
    token, _key = token_services.api_token_create(
        user=people["member"], name="ERP", now=timezone.now()
    )
    stranger = client_as(people, "stranger")
    assert stranger.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_forms_carry_csrf_protection(world):
    people, ticket, *_ = world
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["member"])
    assert client.post(f"/tickets/{ticket.reference}/reply/", {"body": "oi"}).status_code == 403


def test_failed_logins_are_rate_limited(world):
    people, *_ = world
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"username": people["member"].username, "password": "x"})
    locked = client.post(
        "/accounts/login/", {"username": people["member"].username, "password": "test-pass-123"}
    )
    assert locked.status_code == 429
    other = Client().post(
        "/accounts/login/", {"username": people["org_admin"].username, "password": "test-pass-123"}
    )
    assert other.status_code == 302


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "help.example.com",
        "VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
