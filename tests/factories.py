"""Builders for test data: plain keyword-only functions with sensible defaults."""

import itertools
from datetime import date, time

from django.contrib.auth import get_user_model

from sla.models import (
    BusinessCalendar,
    PriorityLevel,
    PriorityTarget,
    SLAPolicy,
    SupportContract,
    WorkingPeriod,
)
from tickets.models import Integration, Organization, OrganizationMember

_sequence = itertools.count(1)


def make_user(*, username: str | None = None, is_staff: bool = False, **fields):
    username = username or f"user{next(_sequence)}"
    return get_user_model().objects.create_user(
        username=username, password="test-pass-123", is_staff=is_staff, **fields
    )


def make_analyst(**fields):
    return make_user(is_staff=True, **fields)


def make_organization(*, name: str | None = None, **fields) -> Organization:
    number = next(_sequence)
    name = name or f"Org {number}"
    return Organization.objects.create(name=name, slug=f"org-{number}", **fields)


def make_customer(*, organization: Organization | None = None, is_admin: bool = False, **fields):
    user = make_user(**fields)
    OrganizationMember.objects.create(
        user=user, organization=organization or make_organization(), is_admin=is_admin
    )
    return user


def make_integration(*, organization: Organization, vendor_built: bool = True) -> Integration:
    return Integration.objects.create(
        organization=organization,
        name=f"Integration {next(_sequence)}",
        built_by=Integration.BuiltBy.VENDOR if vendor_built else Integration.BuiltBy.SELF_SERVICE,
    )


def make_calendar(
    *,
    timezone: str = "America/Sao_Paulo",
    periods: tuple = tuple((weekday, time(9), time(18)) for weekday in range(5)),
    holiday_country: str = "BR",
) -> BusinessCalendar:
    calendar = BusinessCalendar.objects.create(
        name=f"Calendar {next(_sequence)}", timezone=timezone, holiday_country=holiday_country
    )
    for weekday, start, end in periods:
        WorkingPeriod.objects.create(calendar=calendar, weekday=weekday, start=start, end=end)
    return calendar


def make_policy(*, calendar: BusinessCalendar | None = None, **fields) -> SLAPolicy:
    number = next(_sequence)
    policy = SLAPolicy.objects.create(
        name=f"Policy {number}",
        slug=f"policy-{number}",
        calendar=calendar or make_calendar(),
        **fields,
    )
    for level in PriorityLevel.objects.all():
        PriorityTarget.objects.create(
            policy=policy, level=level, first_response_amount=1, resolution_amount=2
        )
    return policy


def make_contract(
    *, organization: Organization, policy: SLAPolicy | None = None, **fields
) -> SupportContract:
    return SupportContract.objects.create(
        organization=organization,
        policy=policy or SLAPolicy.objects.get(is_default=True),
        valid_from=fields.pop("valid_from", date(2020, 1, 1)),
        **fields,
    )


def make_feature_request(*, author=None, title: str | None = None, status: str = "", **fields):
    """A feature request through its service (author voted and subscribed); `status` is set
    directly afterwards, for tests that start from a reviewed request."""
    from django.utils import timezone

    from feature_requests import services as feature_services

    author = author or make_customer()
    feature_request = feature_services.feature_request_create(
        author=author,
        title=title or f"Feature {next(_sequence)}",
        description=fields.pop("description", "Would help a lot."),
        now=fields.pop("now", None) or timezone.now(),
        **fields,
    )
    if status:
        type(feature_request).objects.filter(pk=feature_request.pk).update(status=status)
        feature_request.refresh_from_db()
    return feature_request
