"""The permission matrix: every portal page and API endpoint, for every role.

A foreign organization's object is always 404 (never 403 with data, never 200).
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
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


@pytest.mark.parametrize("role", ROLES)
def test_api_endpoints(world, role):
    people, ticket, *_files = world
    client = client_as(people, role)
    base = f"/api/tickets/{ticket.reference}"
    expected = {"login": 401, 200: 200, 404: 404}[SEES_TICKET[role]]
    for path in ("/", "/messages/", "/attachments/", "/agreements/"):
        response = client.get(base + path)
        assert response.status_code == expected, (role, path)
        if expected == 200 and path == "/messages/" and role not in {"analyst", "admin"}:
            assert all(m["direction"] != "note" for m in response.json())
    list_status = 401 if role == "anonymous" else 200
    assert client.get("/api/tickets/").status_code == list_status
    assert client.get("/api/priority-levels/").status_code == list_status
    analyst_only = client.post(f"{base}/assign/", {"analyst": people["analyst"].username})
    if role in {"analyst", "admin"}:
        assert analyst_only.status_code == 200
    else:
        assert analyst_only.status_code in {401, 403, 404}
        assert analyst_only.status_code != 200


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
