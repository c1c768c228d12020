"""Schemathesis over our own OpenAPI schema, as a customer and as an analyst.

Generated requests (bounded) must never get a server error, and every documented response
must match the schema.
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts import services as token_services
from helpdesk.wsgi import application
from tests import factories
from tickets import services

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    """Schemathesis calls the WSGI application directly, not through Django's test client, so
    each request's end would close the database connection (and, on PostgreSQL, the test's
    transaction with it). The test client disconnects the same handlers; so do we."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_world(default_policy, levels):
    customer = factories.make_customer()
    analyst = factories.make_analyst()
    now = timezone.now()
    ticket = services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="Falha",
        description="x",
        priority=levels["media"],
        reported_at=now,
        now=now,
    )
    keys = {
        role: token_services.api_token_create(user=user, name="schemathesis", now=now)[1]
        for role, user in (("customer", customer), ("analyst", analyst))
    }
    return {"keys": keys, "reference": ticket.reference, "analyst": analyst.username}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["customer", "analyst"])
@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_the_api_keeps_its_schema_and_never_fails(case, role, api_world, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_CLASSES": [],  # hundreds of requests a minute, on purpose
    }
    if case.path_parameters and "reference" in case.path_parameters:
        case.path_parameters["reference"] = api_world["reference"]  # a real ticket, too
    case.call_and_validate(
        headers={"Authorization": f"Token {api_world['keys'][role]}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
