"""Deadline preview: the same answer from the service, the command and the API."""

import json
from datetime import date, time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from sla import services
from tests import factories

pytestmark = pytest.mark.django_db

# (priority, reported_at, integration_24x7, first_response_due, resolution_due): PRODUCT.md
WORKED_EXAMPLES = [
    ("alta", "2026-11-27T17:00:00-03:00", False, "2026-11-30T10:00:00-03:00",
     "2026-11-30T16:00:00-03:00"),
    ("media", "2026-11-19T15:00:00-03:00", False, "2026-11-23T10:00:00-03:00",
     "2026-11-27T15:00:00-03:00"),
    ("baixa", "2026-11-28T11:00:00-03:00", False, "2026-11-30T13:00:00-03:00",
     "2026-12-04T18:00:00-03:00"),
    ("alta", "2026-11-24T02:00:00-03:00", True, "2026-11-24T11:00:00-03:00",
     "2026-11-24T13:30:00-03:00"),
    ("alta", "2026-11-28T02:00:00-03:00", True, "2026-11-30T11:00:00-03:00",
     "2026-11-28T18:00:00-03:00"),
    ("critica", "2026-11-28T23:30:00-03:00", False, "2026-11-29T00:30:00-03:00",
     "2026-11-29T05:30:00-03:00"),
]  # fmt: skip


def run_preview(*args: str) -> dict:
    out = StringIO()
    call_command("sla_preview", *args, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1, "the command prints exactly one JSON object"
    return json.loads(lines[0])


@pytest.mark.parametrize(("priority", "reported", "integration", "first", "resolution"),
                         WORKED_EXAMPLES)  # fmt: skip
def test_command_gives_the_worked_examples(
    default_policy, priority, reported, integration, first, resolution
):
    args = ["--priority", priority, "--reported-at", reported]
    if integration:
        args.append("--integration-24x7")
    assert run_preview(*args) == {
        "policy": "default",
        "priority": priority,
        "reported_at": reported,
        "first_response_due": first,
        "resolution_due": resolution,
    }


@pytest.mark.parametrize(("priority", "reported", "integration", "first", "resolution"),
                         WORKED_EXAMPLES)  # fmt: skip
def test_api_gives_the_same_answer_as_the_command(
    client: Client, default_policy, priority, reported, integration, first, resolution
):
    params = {"priority": priority, "reported_at": reported}
    if integration:
        params["integration_24x7"] = "true"
    response = client.get("/api/sla/preview/", params)
    assert response.status_code == 200, response.content
    command_args = ["--priority", priority, "--reported-at", reported]
    if integration:
        command_args.append("--integration-24x7")
    assert response.json() == run_preview(*command_args)
    assert response.json()["resolution_due"] == resolution


def test_instants_in_another_offset_are_answered_in_the_calendar_zone(default_policy):
    result = run_preview("--priority", "alta", "--reported-at", "2026-11-27T20:00:00Z")
    assert result["reported_at"] == "2026-11-27T17:00:00-03:00"
    assert result["first_response_due"] == "2026-11-30T10:00:00-03:00"


def test_24x7_support_does_not_change_levels_it_does_not_cover(default_policy):
    plain = run_preview("--priority", "media", "--reported-at", "2026-11-24T02:00:00-03:00")
    covered = run_preview(
        "--priority", "media", "--reported-at", "2026-11-24T02:00:00-03:00", "--integration-24x7"
    )
    assert plain == covered


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--priority", "urgente", "--reported-at", "2026-11-27T17:00:00-03:00"], "urgente"),
        (["--priority", "alta", "--reported-at", "2026-11-27T17:00:00"], "offset"),
        (["--priority", "alta", "--reported-at", "amanhã"], "ISO 8601"),
        (["--priority", "alta", "--reported-at", "2026-02-30T10:00:00-03:00"], "ISO 8601"),
        (["--priority", "alta", "--reported-at", "9999-12-31T23:00:00-03:00"], "9000"),
        (["--priority", "alta", "--reported-at", "0001-01-01T00:00:00+00:00"], "1900"),
        (["--priority", "alta", "--reported-at", "2026-11-27T17:00:00-21:09"], "14:00"),
        (["--priority", "alta", "--reported-at", "2026-11-27T17:00:00-03:00", "--policy", "x"],
         "x"),
    ],
)  # fmt: skip
def test_command_refuses_bad_input_with_one_line(default_policy, args, message):
    with pytest.raises(CommandError) as error:
        call_command("sla_preview", *args, stdout=StringIO())
    assert message in str(error.value)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"reported_at": "2026-11-27T17:00:00-03:00"}, "priority"),
        ({"priority": "alta"}, "reported_at"),
        ({"priority": "alta", "reported_at": "2026-11-27T17:00:00"}, "reported_at"),
        ({"priority": "alta", "reported_at": "x" * 500}, "reported_at"),
        ({"priority": "alta", "reported_at": "9999-12-31T23:00:00-03:00"}, "reported_at"),
        ({"priority": "alta", "reported_at": "0001-01-01T00:00:00+00:00"}, "reported_at"),
        ({"priority": "nope", "reported_at": "2026-11-27T17:00:00-03:00"}, "non_field_errors"),
        ({"priority": "alta", "reported_at": "2026-11-27T17:00:00-03:00",
          "integration_24x7": "maybe"}, "integration_24x7"),
    ],
)  # fmt: skip
def test_api_answers_bad_input_with_400_and_a_message(client: Client, default_policy, params,
                                                      field):  # fmt: skip
    response = client.get("/api/sla/preview/", params)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    assert field in body["errors"]


def test_api_mends_a_plus_sign_lost_in_the_query_string(client: Client, default_policy):
    response = client.get("/api/sla/preview/?priority=alta&reported_at=2026-11-27T16:00:00+03:00")
    assert response.status_code == 200, response.content
    assert response.json()["reported_at"] == "2026-11-27T10:00:00-03:00"
    assert response.json()["first_response_due"] == "2026-11-27T12:00:00-03:00"


def test_a_customer_may_preview_their_contracted_policy_but_not_a_foreign_one(
    client: Client, default_policy
):
    own_policy = factories.make_policy()
    customer = factories.make_customer()
    factories.make_contract(organization=customer.membership.organization, policy=own_policy)
    foreign_policy = factories.make_policy()
    factories.make_contract(organization=factories.make_organization(), policy=foreign_policy)
    client.force_login(customer)
    base = {"priority": "alta", "reported_at": "2026-11-27T17:00:00-03:00"}

    assert client.get("/api/sla/preview/", base | {"policy": own_policy.slug}).status_code == 200
    refused = client.get("/api/sla/preview/", base | {"policy": foreign_policy.slug})
    assert refused.status_code == 400
    assert foreign_policy.slug in refused.json()["detail"]


def test_a_calendar_change_moves_new_previews(default_policy):
    before = run_preview("--priority", "alta", "--reported-at", "2026-11-27T17:00:00-03:00")
    default_policy.calendar.closures.create(date=date(2026, 11, 30), reason="Inventário")
    after = run_preview("--priority", "alta", "--reported-at", "2026-11-27T17:00:00-03:00")
    assert before["first_response_due"] == "2026-11-30T10:00:00-03:00"
    assert after["first_response_due"] == "2026-12-01T10:00:00-03:00"


def test_a_lunch_break_calendar_counts_business_days_of_its_own_length(levels):
    calendar = factories.make_calendar(
        periods=tuple(
            (weekday, start, end)
            for weekday in range(5)
            for start, end in ((time(8), time(12)), (time(13), time(17)))
        )
    )
    policy = factories.make_policy(calendar=calendar)
    target = policy.targets.get(level=levels["media"])
    target.resolution_amount, target.resolution_unit = 1, "business_days"
    target.save()
    deadlines = services.deadline_preview(
        priority="media",
        reported_at=services.parse_reported_at("2026-11-24T10:00:00-03:00"),
        policy_slug=policy.slug,
    )
    # one business day is 8 h here: 10:00-12:00, 13:00-17:00, then 08:00-10:00 next day
    assert deadlines.resolution_due.isoformat() == "2026-11-25T10:00:00-03:00"


def test_openapi_schema_lists_the_preview(client: Client, db):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert "/api/sla/preview/" in json.loads(response.content)["paths"]
