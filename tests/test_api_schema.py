"""Schemathesis over our own OpenAPI schema, as a customer and as an analyst.

Generated requests (bounded) must never get a server error, and every response must be one
the schema documents: its status code, its content type and its body.
"""

import json

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts import services as token_services
from helpdesk.wsgi import application
from tests import factories
from tickets import services

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}


def generated_schema(tmp_path) -> dict:
    """The schema as `manage.py spectacular --validate --fail-on-warn` writes it (or fails)."""
    GENERATOR_STATS.reset()  # warnings of earlier generations in this process are not ours
    out = tmp_path / "schema.json"
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", out
    )
    return json.loads(out.read_text())


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def has_examples(content: dict) -> bool:
    return any(media.get("examples") or "example" in media for media in content.values())


def test_the_schema_validates_and_every_operation_has_examples(tmp_path):
    """Every request body and every response with a body shows at least one example."""
    document = generated_schema(tmp_path)
    missing = set()
    for name, operation in operations(document):
        body = operation.get("requestBody")
        if body and not has_examples(body["content"]):
            missing.add(f"{name}: request body")
        for code, response in operation["responses"].items():
            if response.get("content") and not has_examples(response["content"]):
                missing.add(f"{name}: {code} response")
    assert not missing, sorted(missing)


def test_every_operation_documents_its_errors_in_the_shared_shape(tmp_path):
    document = generated_schema(tmp_path)
    error = {"$ref": "#/components/schemas/Error"}
    assert document["components"]["schemas"]["Error"]["required"] == ["detail", "errors"]
    for name, operation in operations(document):
        responses = operation["responses"]
        assert {"401", "429"} <= set(responses), name
        if operation.get("requestBody") or any(
            parameter["in"] == "query" for parameter in operation.get("parameters", [])
        ):
            assert "400" in responses, name
        if operation.get("requestBody"):
            assert "415" in responses, name
        if any(parameter["in"] == "path" for parameter in operation.get("parameters", [])):
            assert "404" in responses, name
        if not name.startswith("GET "):
            assert "403" in responses, name
        for code, response in responses.items():
            if code.startswith("4"):
                assert response["content"]["application/json"]["schema"] == error, (name, code)
        assert "Retry-After" in responses["429"]["headers"], name


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
    derandomize=True,  # the same examples on every run: CI fails only for a real change
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
        checks=[
            not_a_server_error,
            response_schema_conformance,
            status_code_conformance,
            content_type_conformance,
        ],
    )
