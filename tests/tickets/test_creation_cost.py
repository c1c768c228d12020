"""Opening a ticket costs the same queries and one send task, however many analysts hear of it."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from communications.models import OutboundEmail
from oncall.models import NotificationPreference
from tests import factories
from tickets import services
from tickets.models import Ticket

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
WORKING_HOURS = datetime(2026, 11, 25, 10, tzinfo=SAO_PAULO)  # a Wednesday morning
NIGHT = datetime(2026, 11, 25, 23, tzinfo=SAO_PAULO)
# The service alone: contract, the rules' revision token (the policy, its rules and the
# version in force are this process's since they were last read), reference, ticket and its
# history, clocks, their events (the clocks' triggers
# write the ticket's next due), analysts with their preferences, the desk's hours, the help
# center's articles offered in the customer's e-mail (the matches and their translations,
# read once for its text and HTML bodies), the e-mails (insert, read back); after the
# commit the search document (the ticket's words, its messages, the document and its FTS
# row on SQLite, one upsert on PostgreSQL), one send task (at night two: the customer's
# now, the analysts' held for the morning), and the triage rules (none here).
SERVICE_QUERIES = {"working-hours": 18, "night": 19}


def _service_queries(when: str) -> int:
    return SERVICE_QUERIES[when] + (1 if connection.vendor == "sqlite" else 0)  # the FTS row


def _open(customer, level, now):
    return services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="Falha na integração",
        description="Pedidos não sincronizam.",
        priority=level,
        now=now,
    )


def _analysts(count: int, prefix: str = "analista") -> list:
    return [factories.make_analyst(email=f"{prefix}{index}@desk.example") for index in range(count)]


def _article_on_integration_failures(author) -> None:
    """A public article the opening e-mail offers (so its matches are read, not skipped)."""
    from tests.help_center.conftest import make_article

    make_article(title="Falha na integração: o que verificar", author=author)


@pytest.mark.parametrize("when", ["working-hours", "night"])
def test_ticket_creation_costs_the_same_queries_whatever_the_number_of_analysts(
    default_policy, levels, when, django_capture_on_commit_callbacks
):
    now = {"working-hours": WORKING_HOURS, "night": NIGHT}[when]
    customer = factories.make_customer(email="cliente@example.com")
    _article_on_integration_failures(author=_analysts(1)[0])
    # the year's reference row and the rules on record (a new version: the rules' token
    # changes), then the rules read under the token; the callbacks run, so that the
    # measured opening registers its own (search indexing included) and they are counted
    for _warm_up in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            _open(customer, levels["media"], now)
    counts = []
    for more in (0, 11):
        _analysts(more, prefix="mais")
        with (
            CaptureQueriesContext(connection) as opening,
            django_capture_on_commit_callbacks(execute=True),
        ):
            ticket = _open(customer, levels["media"], now)
        # less the savepoint and its release (the atomic block inside the test's transaction)
        counts.append(len(opening.captured_queries) - 2)
        emails = OutboundEmail.objects.filter(ticket=ticket)
        assert "Falha na integração: o que verificar" in emails.get(to=customer.email).body_html
        assert emails.count() == 1 + 1 + more  # the customer and every analyst
        held = emails.exclude(next_attempt_at=None).count()
        assert held == (0 if when == "working-hours" else 1 + more)  # analysts wait for morning
    assert counts == [_service_queries(when)] * 2


def test_one_send_task_per_event_not_per_analyst(
    default_policy, levels, django_capture_on_commit_callbacks
):
    _analysts(8)
    customer = factories.make_customer(email="cliente@example.com")
    before = DBTaskResult.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = _open(customer, levels["media"], WORKING_HOURS)
    tasks = DBTaskResult.objects.order_by("enqueued_at")[before:]
    assert [task.task_path for task in tasks] == ["communications.tasks.send_outbound_emails"]
    queued = set(tasks[0].args_kwargs["args"][0])
    assert queued == set(OutboundEmail.objects.filter(ticket=ticket).values_list("pk", flat=True))


# POST /api/tickets/: the session and its user, the level named, the service, then the
# created ticket read again with its clocks (the triggers' columns, and what triage changed
# on commit). The test's own transaction adds a savepoint and its release around the service.
# The API opens at the real now: its analysts e-mail at any hour, so none is held for the
# morning and the count does not depend on when the suite runs.
def _email_at_any_hour() -> None:
    NotificationPreference.objects.bulk_create(
        NotificationPreference(user=user, outside_hours=NotificationPreference.OutsideHours.SEND)
        for user in User.objects.filter(is_staff=True, notification_preference__isnull=True)
    )


SAVEPOINTS = 2


def test_the_api_opens_a_ticket_in_the_same_queries_for_1_and_12_analysts(
    default_policy, levels, client, django_capture_on_commit_callbacks
):
    customer = factories.make_customer(email="cliente@example.com")
    _article_on_integration_failures(author=factories.make_analyst(email="autora@desk.example"))
    client.force_login(customer)
    body = {"subject": "Falha na integração", "description": "Sem sincronizar", "priority": "media"}
    for _warm_up in range(2):  # the year's first (the rules on record), then the rules read
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/api/tickets/", body, content_type="application/json")
    counts = []
    for more in (1, 11):
        _analysts(more, prefix=f"a{more}-")
        _email_at_any_hour()
        with (
            CaptureQueriesContext(connection) as posting,
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = client.post("/api/tickets/", body, content_type="application/json")
        assert response.status_code == 201
        counts.append(len(posting.captured_queries))
    assert counts == [2 + 1 + _service_queries("working-hours") + 2 + SAVEPOINTS] * 2
    assert Ticket.objects.count() == 4
