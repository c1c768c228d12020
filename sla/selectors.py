"""Reads of the SLA domain: calendars as engine specs, policies visible to an actor."""

from datetime import date

from django.db.models import Prefetch, Q, QuerySet

from sla import business_time
from sla.models import (
    BusinessCalendar,
    PriorityLevel,
    PriorityTarget,
    SLAPolicy,
    SupportContract,
)


def calendar_spec(calendar: BusinessCalendar) -> business_time.CalendarSpec:
    """The engine's view of a calendar (uses prefetched rows when they are there)."""
    weekly: dict[int, list[business_time.Period]] = {}
    for period in calendar.working_periods.all():
        weekly.setdefault(period.weekday, []).append(period.as_period())
    extra: dict[date, list[business_time.Period]] = {}
    for day in calendar.extra_working_days.all():
        extra.setdefault(day.date, []).append(day.as_period())
    return business_time.CalendarSpec.build(
        timezone=calendar.timezone,
        weekly=weekly,
        holiday_country=calendar.holiday_country,
        holiday_subdivision=calendar.holiday_subdivision,
        holiday_categories=calendar.category_list,
        closures=[closure.date for closure in calendar.closures.all()],
        extra_working_days=extra,
    )


def business_time_for(calendar: BusinessCalendar) -> business_time.BusinessTime:
    """The cached engine of a calendar; a changed calendar gets a fresh index."""
    return business_time.for_calendar(calendar_spec(calendar))


def policies_with_rules() -> QuerySet[SLAPolicy]:
    """Policies with their calendar and targets loaded in a fixed number of queries."""
    return SLAPolicy.objects.select_related("calendar").prefetch_related(
        "calendar__working_periods",
        "calendar__closures",
        "calendar__extra_working_days",
        Prefetch("targets", queryset=PriorityTarget.objects.select_related("level")),
    )


def default_policy() -> SLAPolicy | None:
    return policies_with_rules().filter(is_default=True).first()


def policies_visible_to(user) -> QuerySet[SLAPolicy]:
    """Analysts see every policy; others the default and the ones their contracts name."""
    policies = policies_with_rules().active()
    if user is not None and user.is_authenticated and user.is_staff:
        return policies
    visible = Q(is_default=True)
    membership = getattr(user, "membership", None) if user is not None else None
    if membership is not None:
        visible |= Q(contracts__organization_id=membership.organization_id)
    return policies.filter(visible).distinct()


def contract_in_force(organization, on: date) -> SupportContract | None:
    """The organization's contract valid on a date, if any."""
    return (
        SupportContract.objects.select_related("policy")
        .filter(organization=organization, valid_from__lte=on)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .order_by("-valid_from")
        .first()
    )


def priority_levels() -> QuerySet[PriorityLevel]:
    return PriorityLevel.objects.all()
