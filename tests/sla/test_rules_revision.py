"""The rules' revision token: every change to a rule changes it, whatever writes it, and a
process keeps the policies it loaded only while it is unchanged."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from sla import selectors
from sla.models import (
    BusinessCalendar,
    CalendarClosure,
    PriorityLevel,
    PriorityTarget,
    RulesRevision,
    SLAPolicy,
    WorkingPeriod,
)
from sla.services.clocks import snapshot_in_force
from tests import factories
from tickets import services

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 10, tzinfo=ZoneInfo("America/Sao_Paulo"))


def _sql(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


CHANGES = {
    "a target, by update()": lambda: PriorityTarget.objects.update(first_response_amount=7),
    "a working period, by SQL": lambda: _sql(
        f"UPDATE {WorkingPeriod._meta.db_table} SET weekday = weekday"
    ),
    "a closure added": lambda: CalendarClosure.objects.create(
        calendar=BusinessCalendar.objects.first(), date=NOW.date() + timedelta(days=3)
    ),
    "a level renamed": lambda: PriorityLevel.objects.update(name="Outro nome"),
    "the policy's reopen window": lambda: SLAPolicy.objects.update(reopen_window=timedelta(days=9)),
    "a calendar's zone": lambda: BusinessCalendar.objects.update(timezone="UTC"),
    "a version recorded": lambda: snapshot_in_force(selectors.default_policy(), at=NOW, now=NOW),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_kind_of_rule_change_changes_the_token(default_policy, change):
    before = selectors.rules_token()
    assert before
    CHANGES[change]()
    assert selectors.rules_token() not in (None, before)


def test_a_ticket_and_its_clocks_leave_the_token_alone(default_policy, levels):
    customer = factories.make_customer()
    opening = {
        "organization": customer.membership.organization,
        "requester": customer,
        "subject": "Falha",
        "description": "x",
        "priority": levels["media"],
        "now": NOW,
    }
    services.ticket_create(**opening)  # records the rules' version: a change
    before = selectors.rules_token()
    services.ticket_create(**opening)
    assert selectors.rules_token() == before


def test_the_loaded_policy_is_kept_while_nothing_changes(default_policy, django_assert_num_queries):
    first = selectors.policy_with_rules()
    with django_assert_num_queries(1):  # the token only
        again = selectors.policy_with_rules()
        assert [t.level.code for t in again.targets.all()]  # the rules came with it
    assert again is first
    PriorityTarget.objects.update(first_response_amount=7)
    reloaded = selectors.policy_with_rules()
    assert reloaded is not first
    assert {t.first_response_amount for t in reloaded.targets.all()} == {7}


def test_a_ticket_opened_after_a_silent_rule_change_counts_on_the_new_rules(default_policy, levels):
    """A data fix (update(), no signal) between two openings: the second ticket's clocks
    follow the fixed rules, though this process had the old ones in memory."""
    customer = factories.make_customer()

    def opened():
        return services.ticket_create(
            organization=customer.membership.organization,
            requester=customer,
            subject="Falha",
            description="x",
            priority=levels["media"],
            now=NOW,
        )

    opened()
    before = opened()  # under the kept rules
    target = PriorityTarget.objects.get(policy=default_policy, level=levels["media"])
    PriorityTarget.objects.filter(pk=target.pk).update(
        first_response_amount=target.first_response_amount * 2
    )
    after = opened()
    assert after.sla_snapshot_id != before.sla_snapshot_id
    budget = {t.pk: t.clocks.get(metric="first_response").budget for t in (before, after)}
    assert budget[after.pk] == 2 * budget[before.pk]


def test_without_the_token_row_the_rules_are_read_every_time(default_policy):
    RulesRevision.objects.all().delete()
    assert selectors.rules_token() is None
    first = selectors.policy_with_rules()
    assert selectors.policy_with_rules() is not first
    assert first.pk == default_policy.pk
