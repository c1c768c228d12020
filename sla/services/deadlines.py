"""SLA rules in action: deadlines of a ticket, previews, and the default policy."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from helpdesk.formats import MAX_UTC_OFFSET
from sla import business_time, defaults, selectors
from sla.models import PriorityLevel, PriorityTarget, SLAPolicy, target_duration


class SLAError(ValueError):
    """A question about deadlines that cannot be answered as asked (a clear message)."""


@dataclass(frozen=True)
class Target:
    """A budget and the clock that spends it."""

    duration: timedelta
    clock: business_time.Clock


@dataclass(frozen=True)
class Deadlines:
    policy: SLAPolicy
    level: PriorityLevel
    reported_at: datetime
    integration_24x7: bool
    first_response: Target
    resolution: Target
    first_response_due: datetime
    resolution_due: datetime

    def as_json(self) -> dict[str, str]:
        """The preview's public shape: ISO 8601 instants carrying their offset."""
        zone = self.first_response_due.tzinfo
        return {
            "policy": self.policy.slug,
            "priority": self.level.code,
            "reported_at": self.reported_at.astimezone(zone).isoformat(),
            "first_response_due": self.first_response_due.isoformat(),
            "resolution_due": self.resolution_due.isoformat(),
        }


def _target(amount: int, unit: str, clock: str, business_day: timedelta) -> Target:
    return Target(target_duration(amount, unit, business_day), business_time.CLOCKS[clock])


def targets_for(
    target: PriorityTarget, *, integration_24x7: bool, business_day: timedelta
) -> tuple[Target, Target]:
    """First-response and resolution targets, with 24x7 integration support if it applies."""
    first_response = _target(
        target.first_response_amount,
        target.first_response_unit,
        target.first_response_clock,
        business_day,
    )
    if integration_24x7 and target.integration_resolution_amount:
        resolution = _target(
            target.integration_resolution_amount,
            target.integration_resolution_unit,
            target.integration_resolution_clock,
            business_day,
        )
    else:
        resolution = _target(
            target.resolution_amount, target.resolution_unit, target.resolution_clock, business_day
        )
    return first_response, resolution


def deadlines_compute(
    *, policy: SLAPolicy, level: PriorityLevel, reported_at: datetime, integration_24x7: bool
) -> Deadlines:
    """Due instants of a ticket reported at `reported_at` under `policy`.

    24x7 integration support counts only for levels the policy says it covers.
    """
    if reported_at.tzinfo is None:
        raise SLAError(_("The reported instant must carry its UTC offset."))
    target = next((t for t in policy.targets.all() if t.level_id == level.pk), None)
    if target is None:
        raise SLAError(
            _("Policy “%(policy)s” has no target for level “%(level)s”.")
            % {"policy": policy.slug, "level": level.code}
        )
    covered = integration_24x7 and level.integration_24x7_eligible
    engine = selectors.business_time_for(policy.calendar)
    first_response, resolution = targets_for(
        target, integration_24x7=covered, business_day=engine.spec.longest_day
    )
    try:
        first_response_due = engine.add(reported_at, first_response.duration, first_response.clock)
        resolution_due = engine.add(reported_at, resolution.duration, resolution.clock)
    except business_time.BusinessTimeError as error:
        raise SLAError(str(error)) from error
    return Deadlines(
        policy=policy,
        level=level,
        reported_at=reported_at,
        integration_24x7=covered,
        first_response=first_response,
        resolution=resolution,
        first_response_due=first_response_due,
        resolution_due=resolution_due,
    )


def parse_reported_at(raw: str) -> datetime:
    """Parse an ISO 8601 instant that must carry its offset (a lost '+' from a URL is mended)."""
    text = (raw or "").strip()
    if len(text) > 6 and text[-6] == " " and text[-5:-3].isdigit():
        text = f"{text[:-6]}+{text[-5:]}"  # '+03:00' decoded from a query string as ' 03:00'
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise SLAError(
            _("“%(value)s” is not an ISO 8601 instant, e.g. 2026-11-27T17:00:00-03:00.")
            % {"value": raw}
        ) from None
    if value.tzinfo is None:
        raise SLAError(
            _("“%(value)s” has no UTC offset; write it like 2026-11-27T17:00:00-03:00.")
            % {"value": raw}
        )
    if abs(value.utcoffset()) > MAX_UTC_OFFSET:
        raise SLAError(_("Give a UTC offset between -14:00 and +14:00."))
    if not 1900 <= value.year <= 9000:
        raise SLAError(_("“%(value)s” is outside the years 1900 to 9000.") % {"value": raw})
    return value


def deadline_preview(
    *,
    priority: str,
    reported_at: datetime,
    integration_24x7: bool = False,
    policy_slug: str | None = None,
    user=None,
) -> Deadlines:
    """Deadlines for a priority code under a policy the actor may see (default if none)."""
    policies = (
        selectors.policies_visible_to(user)
        if user is not None
        else (selectors.policies_with_rules().active())
    )
    if policy_slug:
        policy = policies.filter(slug=policy_slug).first()
        if policy is None:
            raise SLAError(_("Unknown SLA policy “%(slug)s”.") % {"slug": policy_slug})
    else:
        policy = policies.filter(is_default=True).first()
        if policy is None:
            raise SLAError(_("No default SLA policy is configured."))
    level = selectors.priority_levels().filter(code=priority).first()
    if level is None:
        codes = ", ".join(selectors.priority_levels().values_list("code", flat=True))
        raise SLAError(
            _("Unknown priority “%(code)s”; use one of: %(codes)s.")
            % {"code": priority, "codes": codes}
        )
    return deadlines_compute(
        policy=policy, level=level, reported_at=reported_at, integration_24x7=integration_24x7
    )


@dataclass(frozen=True)
class PreviewRow:
    level: PriorityLevel
    cases: list[tuple[str, datetime, datetime, datetime]]  # label, reported, first, resolution


def policy_preview_table(policy: SLAPolicy, *, now: datetime) -> list[PreviewRow]:
    """Deadlines per level for a ticket reported now, next Friday 17:00 and Saturday 10:00."""
    engine = selectors.business_time_for(policy.calendar)
    local_now = now.astimezone(engine.zone)
    friday = _next_weekday_at(local_now, weekday=4, hour=17)
    saturday = _next_weekday_at(local_now, weekday=5, hour=10)
    samples = [(_("now"), local_now), (_("Friday 17:00"), friday), (_("Saturday 10:00"), saturday)]
    rows = []
    for target in policy.targets.all():
        cases = []
        for label, reported_at in samples:
            deadlines = deadlines_compute(
                policy=policy, level=target.level, reported_at=reported_at, integration_24x7=False
            )
            cases.append(
                (label, reported_at, deadlines.first_response_due, deadlines.resolution_due)
            )
        rows.append(PreviewRow(level=target.level, cases=cases))
    return rows


def _next_weekday_at(local_now: datetime, *, weekday: int, hour: int) -> datetime:
    days_ahead = (weekday - local_now.weekday()) % 7
    day = (local_now + timedelta(days=days_ahead)).date()
    candidate = datetime(day.year, day.month, day.day, hour, tzinfo=local_now.tzinfo)
    if candidate <= local_now:
        day = day + timedelta(days=7)
        candidate = datetime(day.year, day.month, day.day, hour, tzinfo=local_now.tzinfo)
    return candidate


@transaction.atomic
def default_policy_install() -> SLAPolicy:
    """Install the policy of PRODUCT.md if it is missing, with its texts in pt-BR, en and es;
    never overwrite an analyst's edits."""
    from django.apps import apps
    from django.utils import translation
    from modeltranslation.settings import DEFAULT_LANGUAGE

    with translation.override(DEFAULT_LANGUAGE):  # the data's texts are pt-BR's
        policy = defaults.install_default_policy(apps)
        defaults.install_translations(apps)
    return policy


def upcoming_closed_days(calendar, *, today, count: int) -> list[tuple]:
    """The next holidays and closures of a calendar, with their names, for display."""
    spec = selectors.calendar_spec(calendar)
    closures = {closure.date: closure.reason for closure in calendar.closures.all()}
    names: dict = {}
    for year in (today.year, today.year + 1):
        if spec.holiday_country:
            import holidays as holidays_lib

            names |= holidays_lib.country_holidays(
                spec.holiday_country,
                subdiv=spec.holiday_subdivision or None,
                years=year,
                categories=spec.holiday_categories or ("public",),
            )
    extra_days = {day for day, _ in spec.extra_working_days}
    merged = {day: name for day, name in names.items() if day not in extra_days}
    merged |= {day: reason or _("closure") for day, reason in closures.items()}
    return sorted((day, name) for day, name in merged.items() if day >= today)[:count]


@dataclass(frozen=True)
class TargetRow:
    level: PriorityLevel
    first_response_seconds: int
    first_response_clock: str
    resolution_seconds: int
    resolution_clock: str
    integration_24x7_resolution_seconds: int | None


@dataclass(frozen=True)
class PolicyOverview:
    slug: str
    name: str
    timezone: str
    working_periods: list
    upcoming_holidays: list[dict]
    targets: list[TargetRow]
    integration_24x7: bool
    on_call_phone: str
    description: str = ""  # the policy's own text, in the reader's language


def policy_overview(*, user, today) -> PolicyOverview | None:
    """The policy that applies to the user's organization, in plain terms (API, portal)."""
    membership = getattr(user, "membership", None)
    contract = selectors.contract_in_force(membership.organization, today) if membership else None
    policy = contract.policy if contract else selectors.default_policy()
    if policy is None:
        return None
    policy = selectors.policies_with_rules().get(pk=policy.pk)
    business_day = selectors.business_time_for(policy.calendar).spec.longest_day
    rows = []
    for target in policy.targets.all():
        first, resolution = targets_for(target, integration_24x7=False, business_day=business_day)
        _first, covered = targets_for(target, integration_24x7=True, business_day=business_day)
        rows.append(
            TargetRow(
                level=target.level,
                first_response_seconds=int(first.duration.total_seconds()),
                first_response_clock=first.clock.code,
                resolution_seconds=int(resolution.duration.total_seconds()),
                resolution_clock=resolution.clock.code,
                integration_24x7_resolution_seconds=(
                    int(covered.duration.total_seconds()) if covered != resolution else None
                ),
            )
        )
    return PolicyOverview(
        slug=policy.slug,
        name=policy.name,
        timezone=policy.calendar.timezone,
        working_periods=list(policy.calendar.working_periods.all()),
        upcoming_holidays=[
            {"date": day, "name": name}
            for day, name in upcoming_closed_days(policy.calendar, today=today, count=10)
        ],
        targets=rows,
        integration_24x7=bool(contract and contract.integration_24x7),
        on_call_phone=contract.on_call_phone if contract and contract.integration_24x7 else "",
        description=policy.description,
    )
