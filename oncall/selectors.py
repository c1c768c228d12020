"""Who is on call, which organizations have a dedicated phone, and when to tell an analyst."""

import contextlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from oncall.models import NotificationPreference, OnCallShift
from sla import selectors as sla_selectors
from sla.business_time import BusinessTimeError
from sla.models import SupportContract

_CALENDAR_ROWS = (
    "working_calendar__working_periods",
    "working_calendar__closures",
    "working_calendar__extra_working_days",
)


def on_call_at(instant: datetime) -> QuerySet:
    """Active analysts with a shift running at `instant`."""
    shifts = OnCallShift.objects.covering(instant)
    return (
        get_user_model()
        .objects.filter(is_staff=True, is_active=True, pk__in=shifts.values("analyst_id"))
        .order_by("pk")
    )


def shifts_now(now: datetime) -> QuerySet[OnCallShift]:
    """The shifts running at `now`, with their analysts."""
    return OnCallShift.objects.covering(now).select_related("analyst").order_by("ends_at")


def dedicated_phones(on: date) -> QuerySet[SupportContract]:
    """Contracts in force with 24x7 integration support: the numbers customers call."""
    return (
        SupportContract.objects.in_force(on)
        .filter(integration_24x7=True)
        .select_related("organization")
        .order_by("organization__name")
    )


def _next_working_instant(engine, now: datetime) -> datetime:
    """The start of the calendar's next working period (it is closed at `now`)."""
    tick = timedelta(microseconds=1)
    try:
        return engine.add(now, tick) - tick
    except BusinessTimeError:  # a calendar with no working time at all: do not hold forever
        return now


def with_preferences(users: QuerySet) -> QuerySet:
    """Analysts read with their notice preferences (and calendars) in the same query, so
    telling them about a ticket costs no query per reader of preferences."""
    return users.select_related("notification_preference__working_calendar").prefetch_related(
        *(f"notification_preference__{rows}" for rows in _CALENDAR_ROWS)
    )


def _preferences(users) -> dict[int, NotificationPreference]:
    """Each analyst's preferences, saved or the defaults: those read with the analysts
    (`with_preferences`) as they are, the others in one query (and their calendars')."""
    saved = {}
    unread = []
    for user in users:
        if not type(user).notification_preference.is_cached(user):
            unread.append(user.pk)
            continue
        with contextlib.suppress(NotificationPreference.DoesNotExist):
            saved[user.pk] = user.notification_preference
    if unread:
        for preference in (
            NotificationPreference.objects.filter(user_id__in=unread)
            .select_related("working_calendar")
            .prefetch_related(*_CALENDAR_ROWS)
        ):
            saved[preference.user_id] = preference
    return {user.pk: saved.get(user.pk) or NotificationPreference(user=user) for user in users}


def _instants(users, preferences, now: datetime) -> dict[int, datetime | None]:
    default_engine = None
    instants: dict[int, datetime | None] = {}
    for user in users:
        preference = preferences[user.pk]
        if preference.working_calendar is not None:
            engine = sla_selectors.business_time_for(preference.working_calendar)
        else:
            if default_engine is None:
                default_engine = _default_engine()
            engine = default_engine
        instants[user.pk] = _instant_for(preference.outside_hours, engine, now)
    return instants


def delivery_instants(users, *, now: datetime) -> dict[int, datetime | None]:
    """When each analyst wants a notice raised at `now` (None: not by e-mail).

    Inside their working hours: at once. Outside: as they chose (hold until their next
    working period, e-mail at once, or no e-mail at all). Being on call overrides this; the
    caller knows who is (communications.notifications).
    """
    users = list(users)
    return _instants(users, _preferences(users), now)


# The kinds of notice an analyst may tune (about their own tickets; low ratings, for the
# team leads), and the preference that rules each.
NOTICE_KINDS = {
    "customer_answered": "on_customer_answer",
    "mentioned": "on_mention",
    "at_risk": "on_at_risk",
    "low_rating": "on_low_rating",
}


@dataclass(frozen=True)
class NoticeWishes:
    """What analysts want done with notices raised at one instant, read once for a batch."""

    instants: dict[int, datetime | None]  # when to e-mail each (`delivery_instants`)
    channels: dict[int, dict[str, str]]  # kind -> NotificationPreference.Channel

    def by_email(self, user_id: int, kind: str) -> bool:
        return self.channels[user_id][kind] == NotificationPreference.Channel.EMAIL

    def in_bell(self, user_id: int, kind: str) -> bool:
        return self.channels[user_id][kind] != NotificationPreference.Channel.OFF


def notice_wishes(users, *, now: datetime) -> NoticeWishes:
    """When to e-mail each analyst and which kinds of notice they want, and how (one read)."""
    users = list({user.pk: user for user in users}.values())
    preferences = _preferences(users)
    channels = {
        pk: {kind: getattr(preference, field) for kind, field in NOTICE_KINDS.items()}
        for pk, preference in preferences.items()
    }
    return NoticeWishes(_instants(users, preferences, now), channels)


def _instant_for(outside_hours: str, engine, now: datetime) -> datetime | None:
    choice = NotificationPreference.OutsideHours
    if engine is None or engine.is_open(now) or outside_hours == choice.SEND:
        return now
    if outside_hours == choice.SKIP:
        return None
    return _next_working_instant(engine, now)


def _default_engine():
    """The desk's hours: the default policy's calendar, from its last recorded rules (one
    query; every ticket opened records them), else read from the policy itself."""
    from sla import services as sla_services
    from sla.models import PolicyVersion

    version = (
        PolicyVersion.objects.filter(policy__is_default=True)
        .order_by("-in_force_from", "-pk")
        .select_related("snapshot")
        .first()
    )
    if version is not None:
        return sla_services.snapshot_engine(version.snapshot)
    policy = sla_selectors.default_policy()
    return sla_selectors.business_time_for(policy.calendar) if policy else None
