"""API rate limits: anonymous callers per address, signed-in users per user; 429 in our shape."""

import pytest
from django.utils import timezone
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from accounts import services as token_services
from tests import factories

pytestmark = pytest.mark.django_db

PREVIEW = "/api/sla/preview/?priority=alta&reported_at=2026-11-27T17:00:00-03:00"


@pytest.fixture
def low_rates(settings, monkeypatch):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "5/minute"},
    }
    # DRF reads the rates into a class attribute at import; point it at the new settings.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", api_settings.DEFAULT_THROTTLE_RATES)


def assert_throttled(response) -> None:
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"detail", "errors"} and body["errors"] == {}
    assert body["detail"]
    assert int(response["Retry-After"]) > 0


def test_anonymous_callers_are_throttled(low_rates, default_policy):
    client = APIClient()
    for _ in range(3):
        assert client.get(PREVIEW).status_code == 200
    assert_throttled(client.get(PREVIEW))


def test_each_user_has_a_rate_of_their_own(low_rates, default_policy):
    member, colleague = factories.make_customer(), factories.make_customer()
    client = APIClient()
    client.force_authenticate(member)
    for _ in range(5):
        assert client.get("/api/tickets/").status_code == 200
    assert_throttled(client.get("/api/tickets/"))
    assert_throttled(client.get(PREVIEW))  # every endpoint counts against the same rate
    other = APIClient()
    other.force_authenticate(colleague)
    assert other.get("/api/tickets/").status_code == 200


def test_tokens_count_against_their_users_rate(low_rates, default_policy):
    member = factories.make_customer()
    _token, key = token_services.api_token_create(user=member, name="ERP", now=timezone.now())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    for _ in range(5):
        assert client.get("/api/priority-levels/").status_code == 200
    assert_throttled(client.get("/api/priority-levels/"))
