"""Validation rules of the SLA models, as an analyst meets them in the admin."""

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from sla import business_time, selectors
from sla.models import (
    BusinessCalendar,
    PriorityTarget,
    SLAPolicy,
    SupportContract,
    WorkingPeriod,
)
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_second_default_policy_is_refused(default_policy):
    policy = factories.make_policy()
    policy.is_default = True
    with pytest.raises(ValidationError, match="already a default policy"):
        policy.validate_constraints()
    with pytest.raises(IntegrityError), transaction.atomic():
        policy.save()


def test_default_policy_must_be_active(default_policy):
    default_policy.is_active = False
    with pytest.raises(ValidationError, match="must be active"):
        default_policy.validate_constraints()


@pytest.mark.parametrize("amount", [0, -1])
def test_targets_must_be_positive(default_policy, levels, amount):
    target = PriorityTarget(
        policy=factories.make_policy(),
        level=levels["alta"],
        first_response_amount=amount,
        resolution_amount=1,
    )
    with pytest.raises(ValidationError) as error:
        target.full_clean(exclude=["policy", "level"], validate_unique=False)
    assert "first_response_amount" in error.value.message_dict


def test_a_level_has_one_target_per_policy(default_policy, levels):
    duplicate = PriorityTarget(
        policy=default_policy, level=levels["alta"], first_response_amount=1, resolution_amount=1
    )
    with pytest.raises(ValidationError):
        duplicate.validate_constraints()


def test_business_days_on_an_around_the_clock_clock_are_refused(default_policy, levels):
    target = default_policy.targets.get(level=levels["media"])
    target.resolution_clock = "around_the_clock"
    with pytest.raises(ValidationError) as error:
        target.clean()
    assert "resolution_unit" in error.value.message_dict


def test_period_must_end_after_it_starts():
    calendar = factories.make_calendar(periods=())
    period = WorkingPeriod(calendar=calendar, weekday=0, start=time(18), end=time(9))
    with pytest.raises(ValidationError):
        period.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        period.save()


def test_period_ending_at_midnight_runs_to_the_end_of_the_day():
    calendar = factories.make_calendar(periods=((5, time(20), time(0)),))
    period = calendar.working_periods.get()
    period.full_clean()
    assert period.as_period() == business_time.Period(20 * 3600, 24 * 3600)


def test_unknown_holiday_country_is_a_clear_error():
    calendar = BusinessCalendar(name="X", holiday_country="ZZ")
    with pytest.raises(ValidationError) as error:
        calendar.full_clean()
    assert "holiday_country" in error.value.message_dict


def test_unknown_time_zone_is_a_clear_error():
    calendar = BusinessCalendar(name="X", timezone="Mars/Olympus")
    with pytest.raises(ValidationError) as error:
        calendar.full_clean()
    assert "timezone" in error.value.message_dict


def test_calendar_spec_reflects_every_kind_of_row():
    calendar = factories.make_calendar(timezone="Europe/Lisbon", holiday_country="")
    calendar.closures.create(date=date(2026, 12, 24), reason="Véspera de Natal")
    calendar.extra_working_days.create(date=date(2026, 12, 26), start=time(10), end=time(14))
    spec = selectors.calendar_spec(calendar)
    assert spec.timezone == "Europe/Lisbon"
    assert spec.closures == frozenset({date(2026, 12, 24)})
    assert dict(spec.extra_working_days) == {
        date(2026, 12, 26): (business_time.Period(10 * 3600, 14 * 3600),)
    }
    assert len(spec.weekly) == 5


def test_contract_with_24x7_needs_an_on_call_phone(default_policy):
    contract = SupportContract(
        organization=factories.make_organization(),
        policy=default_policy,
        integration_24x7=True,
        valid_from=date(2026, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        contract.full_clean()
    assert "on_call_phone" in error.value.message_dict


def test_contracts_of_one_organization_cannot_overlap(default_policy):
    organization = factories.make_organization()
    factories.make_contract(
        organization=organization, valid_from=date(2026, 1, 1), valid_until=date(2026, 12, 31)
    )
    overlapping = SupportContract(
        organization=organization, policy=default_policy, valid_from=date(2026, 6, 1)
    )
    with pytest.raises(ValidationError, match="already has a contract"):
        overlapping.full_clean()
    following = SupportContract(
        organization=organization, policy=default_policy, valid_from=date(2027, 1, 1)
    )
    following.full_clean()


def test_contract_cannot_end_before_it_starts(default_policy):
    contract = SupportContract(
        organization=factories.make_organization(),
        policy=default_policy,
        valid_from=date(2026, 5, 1),
        valid_until=date(2026, 4, 1),
    )
    with pytest.raises(ValidationError, match="cannot end before"):
        contract.validate_constraints()


def test_policy_str_and_ordering(default_policy):
    other = factories.make_policy()
    assert list(SLAPolicy.objects.all()) == [default_policy, other]
    assert str(default_policy) == default_policy.name


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"holiday_country": "BR", "holiday_subdivision": "XX"}, "holiday_subdivision"),
        ({"holiday_country": "BR", "holiday_categories": "bogus"}, "holiday_categories"),
    ],
)
def test_holiday_source_is_checked_against_the_library(fields, field):
    calendar = BusinessCalendar(name="X", **fields)
    with pytest.raises(ValidationError) as error:
        calendar.full_clean()
    assert field in error.value.message_dict


def test_a_state_subdivision_is_accepted():
    BusinessCalendar(name="São Paulo", holiday_country="BR", holiday_subdivision="SP").full_clean()
