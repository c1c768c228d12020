"""Reads of the SLA domain: calendars as engine specs, policies visible to an actor."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils.translation import gettext as _

from sla import business_time
from sla.models import (
    BusinessCalendar,
    PriorityLevel,
    PriorityTarget,
    SLAClock,
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


def _policy_rules() -> tuple:
    return (
        "calendar__working_periods",
        "calendar__closures",
        "calendar__extra_working_days",
        Prefetch("targets", queryset=PriorityTarget.objects.select_related("level")),
    )


def policies_with_rules() -> QuerySet[SLAPolicy]:
    """Policies with their calendar and targets loaded in a fixed number of queries."""
    return SLAPolicy.objects.select_related("calendar").prefetch_related(*_policy_rules())


def policy_rules_load(policy: SLAPolicy) -> SLAPolicy:
    """A policy already in hand with its calendar (say, through its contract) given the rules
    `policies_with_rules` loads, without reading the policy again."""
    prefetch_related_objects([policy], *_policy_rules())
    return policy


def default_policy() -> SLAPolicy | None:
    return policies_with_rules().filter(is_default=True).first()


# The policies this process loaded with their rules, under the rules' revision token they
# were read at: (token, {policy id or "default": policy}). Replaced whole, never mutated
# after it is published, so threads share it without a lock.
_LOADED: tuple[str | None, dict] = (None, {})


def rules_token() -> str | None:
    """The rules' revision token (`sla.models.RulesRevision`): one query."""
    from sla.models import RulesRevision

    return RulesRevision.objects.filter(pk=1).values_list("token", flat=True).first()


def policy_with_rules(policy: SLAPolicy | None = None) -> SLAPolicy | None:
    """The policy (the default one when None) with its calendar and rules, as
    `policies_with_rules` loads them, kept by the process while no rule has changed.

    One query (the token) when the rules are as this process last read them, instead of
    five. The policy is shared: read it, never change it. A policy in hand (its contract's)
    is returned with its rules loaded, the cached one if current.
    """
    global _LOADED
    token = rules_token()
    loaded_token, loaded = _LOADED
    key = "default" if policy is None else policy.pk
    if token is not None and token == loaded_token and key in loaded:
        return loaded[key]
    found = default_policy() if policy is None else policy_rules_load(policy)
    if token is not None and found is not None:
        found._rules_token = token
        kept = loaded if token == loaded_token else {}
        _LOADED = (token, {**kept, key: found})
    return found


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
        SupportContract.objects.in_force(on)
        .filter(organization=organization)
        .select_related("policy")
        .order_by("-valid_from")
        .first()
    )


def contract_in_force_at(organization, instant: datetime) -> SupportContract | None:
    """The organization's contract valid at an instant, judged on the local date of the
    contract's own calendar (a New York customer at 23:30 is still on that day's contract,
    whatever the date in the helpdesk's zone)."""
    contracts = (
        SupportContract.objects.filter(organization=organization)
        .select_related("policy__calendar")
        .order_by("-valid_from", "-pk")
    )
    for contract in contracts:
        local_day = instant.astimezone(ZoneInfo(contract.policy.calendar.timezone)).date()
        if contract.is_valid_on(local_day):
            return contract
    return None


def priority_levels() -> QuerySet[PriorityLevel]:
    return PriorityLevel.objects.all()


@dataclass(frozen=True)
class ClockStatus:
    """How a clock stands right now, for people: a state, a label and a text."""

    state: str  # on_track, at_risk, breached, paused, met, not_applicable
    label: str
    text: str


def clock_verdict(clock: SLAClock, now: datetime, *, finished: bool = False) -> str:
    """The one reading of a clock everywhere (list, filters, API, portal, sweep): on_track,
    at_risk (past the level's warning threshold, `warn_at`, as the sweep warns), breached (a
    fact once it happened), paused, met; on a closed or cancelled ticket only final verdicts:
    met, breached or not_applicable (stopped before its deadline)."""
    if clock.breached_at is not None:
        return "breached"
    if clock.met_at is not None:
        late = clock.due_at is None or clock.met_at > clock.due_at
        return "breached" if late else "met"
    if clock.due_at is not None and now > clock.due_at and not finished:
        return "breached"
    if finished:
        return "not_applicable"
    if clock.due_at is None:
        return "paused"
    if clock.warn_at is not None and now >= clock.warn_at:
        return "at_risk"
    return "on_track"


def clock_status(
    clock: SLAClock, engine: business_time.BusinessTime, now: datetime, *, finished: bool = False
) -> ClockStatus:
    """Remaining or overdue time in the clock's own terms (business hours when it counts so);
    `finished` (a closed or cancelled ticket) shows the final verdict, never a countdown."""
    kind = business_time.CLOCKS[clock.clock]
    verdict = clock_verdict(clock, now, finished=finished)
    if verdict == "met":
        met_local = clock.met_at.astimezone(engine.zone)
        return ClockStatus("met", _("met"), _("on %(when)s") % {"when": f"{met_local:%d/%m %H:%M}"})
    if verdict == "breached":
        breached_at = clock.breached_at or clock.due_at
        if clock.met_at is not None:
            late = engine.elapsed(breached_at, clock.met_at, kind)
            text = _("met %(late)s late") % {"late": format_duration(late)}
        elif finished or clock.due_at is None:
            local = breached_at.astimezone(engine.zone)
            text = _("ran out on %(when)s") % {"when": f"{local:%d/%m %H:%M}"}
        else:
            overdue = engine.elapsed(breached_at, now, kind)
            text = _("overdue by %(time)s") % {"time": format_duration(overdue)}
        return ClockStatus("breached", _("breached"), text)
    if verdict == "not_applicable":
        return ClockStatus("not_applicable", _("not applicable"), _("stopped before its deadline"))
    if verdict == "paused":
        left = clock.remaining_at_pause or timedelta(0)
        return ClockStatus(
            "paused", _("paused"), _("paused, %(left)s left") % {"left": format_duration(left)}
        )
    left = engine.elapsed(now, clock.due_at, kind)
    label = _("at risk") if verdict == "at_risk" else _("on track")
    return ClockStatus(verdict, label, _("%(left)s left") % {"left": format_duration(left)})


def format_duration(duration: timedelta) -> str:
    """Compact hours and minutes, e.g. "2h 05m" (days are spelled as hours on purpose:
    an SLA is counted in hours of its clock, not calendar days)."""
    minutes = int(duration.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"


def format_shift(shift: timedelta, *, signed: bool = True) -> str:
    """A deadline's move, e.g. "2h 00m later" or "15m earlier" ("no change" when none)."""
    if not shift:
        return _("no change")
    size = format_duration(abs(shift))
    if not signed:
        return size
    return (_("%(size)s later") if shift > timedelta(0) else _("%(size)s earlier")) % {"size": size}


def clocks_of(ticket) -> dict[str, SLAClock]:
    return {clock.metric: clock for clock in ticket.clocks.all()}


def clocks_breaching_between(start: datetime, end: datetime) -> QuerySet[SLAClock]:
    """Running clocks that run out in [start, end): one range scan of the (state, due) index."""
    return SLAClock.objects.running().filter(due_at__gte=start, due_at__lt=end).order_by("due_at")
