"""Errors under /api/ are JSON in the API's shape; the portal keeps its HTML error pages."""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client
from django.urls import include, path
from django.utils import timezone
from rest_framework.test import APIClient

from tests import factories
from tickets import services

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("boom")


def _suspicious(request):
    raise SuspiciousOperation("bad")


def _forbidden(request):
    raise PermissionDenied


# A URLconf of the test's own: the project's routes plus views that fail on purpose.
urlpatterns = [
    path("api/boom/", _boom),
    path("api/suspicious/", _suspicious),
    path("api/forbidden/", _forbidden),
    path("boom/", _boom),
    path("suspicious/", _suspicious),
    path("forbidden/", _forbidden),
    path("", include("helpdesk.urls")),
]
# ...and the project's error handlers, under test here.
from helpdesk.urls import handler400, handler403, handler404, handler500  # noqa: E402, F401


def assert_api_error(response, status: int) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"detail", "errors"} and body["detail"] and body["errors"] == {}


@pytest.fixture
def member(db):
    return factories.make_customer()


@pytest.mark.parametrize(
    "address",
    [
        "/api/nope/",
        "/api/",
        "/api/tickets/HD-xx/",
        "/api/tickets/HD-xx/messages/",
        "/api/tickets/HD-2026-000001/nope/",
        "/api/priority-levels/a/b/",
        "/api/sla/nope/",
    ],
)
@pytest.mark.parametrize("signed_in", [False, True])
def test_unknown_api_addresses_are_json_404(member, address, signed_in):
    client = APIClient()
    if signed_in:
        client.force_authenticate(member)
    assert_api_error(client.get(address), 404)
    assert_api_error(client.post(address, {}, format="json"), 404)


def test_a_missing_object_is_json_404(member, default_policy):
    client = APIClient()
    client.force_authenticate(member)
    assert_api_error(client.get("/api/tickets/HD-2026-999999/"), 404)
    assert_api_error(client.get("/api/priority-levels/nope/"), 404)


@pytest.mark.urls(__name__)
def test_failures_under_the_api_are_json():
    client = Client(raise_request_exception=False)
    assert_api_error(client.get("/api/boom/"), 500)
    assert_api_error(client.get("/api/suspicious/"), 400)
    assert_api_error(client.get("/api/forbidden/"), 403)


@pytest.mark.urls(__name__)
def test_the_portal_keeps_html_error_pages(member):
    client = Client(raise_request_exception=False)
    client.force_login(member)
    for address, status in (
        ("/boom/", 500),
        ("/suspicious/", 400),
        ("/forbidden/", 403),
        ("/tickets/HD-2026-999999/", 404),
        ("/no-such-page/", 404),
    ):
        response = client.get(address)
        assert response.status_code == status, address
        assert response["Content-Type"].startswith("text/html"), address


def test_a_body_of_an_unread_content_type_is_415_in_our_shape(member, levels):
    now = timezone.now()
    ticket = services.ticket_create(
        organization=member.membership.organization,
        requester=member,
        subject="Falha",
        description="x",
        priority=levels["media"],
        reported_at=now,
        now=now,
    )
    client = APIClient()
    client.force_authenticate(member)
    response = client.post(
        f"/api/tickets/{ticket.reference}/messages/", "oi", content_type="text/plain"
    )
    assert response.status_code == 415
    assert response.json()["detail"] and response.json()["errors"] == {}
