"""The SLA clocks of a ticket: started from a policy snapshot, met, paused, recalculated.

Every change writes an event row, so a clock can be explained and replayed (`sla.clocks`).
The ticket's own lifecycle lives in `tickets.services`, which calls these functions.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from helpdesk.db import bulk_update_rows
from helpdesk.formats import format_instant
from sla import business_time, clocks, selectors
from sla.models import (
    ClockEventKind,
    ClockMetric,
    ClockState,
    PolicySnapshot,
    PolicyVersion,
    PriorityLevel,
    SLAClock,
    SLAClockEvent,
    SLAPolicy,
)
from sla.models.policies import default_language_text
from sla.services.deadlines import SLAError, Target, targets_for

# -- snapshots ------------------------------------------------------------------------------


def _target_json(target: Target) -> list:
    return [int(target.duration.total_seconds()), target.clock.code]


def snapshot_content(policy: SLAPolicy) -> dict:
    """Everything a ticket's deadlines depend on, as plain JSON."""
    spec = selectors.calendar_spec(policy.calendar)
    business_day = spec.longest_day
    targets = {}
    for target in policy.targets.all():
        first_response, resolution = targets_for(
            target, integration_24x7=False, business_day=business_day
        )
        _first, integration_resolution = targets_for(
            target, integration_24x7=True, business_day=business_day
        )
        targets[target.level.code] = {
            "first_response": _target_json(first_response),
            "resolution": _target_json(resolution),
            "integration_resolution": _target_json(integration_resolution),
        }
    return {
        # pt-BR's name whatever the language active: a language must not make a new snapshot
        "policy": {
            "id": policy.pk,
            "slug": policy.slug,
            "name": default_language_text(policy, "name"),
        },
        "calendar": clocks.spec_to_json(spec),
        "targets": targets,
        "reopen_window": int(policy.reopen_window.total_seconds()),
        "waiting_reminder_after": int(policy.waiting_reminder_after.total_seconds()),
    }


def snapshot_take(policy: SLAPolicy) -> PolicySnapshot:
    """The snapshot of the policy's current rules (shared with tickets that saw the same)."""
    content = snapshot_content(policy)
    return _snapshot_stored(policy, content, _content_hash(content))


def _content_hash(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _snapshot_stored(policy: SLAPolicy, content: dict, digest: str) -> PolicySnapshot:
    snapshot, _created = PolicySnapshot.objects.get_or_create(
        content_hash=digest, defaults={"policy": policy, "content": content}
    )
    return snapshot


# Rules first seen with no version on record are taken as in force since forever.
SINCE_EVER = datetime(2000, 1, 1, tzinfo=UTC)


def policy_version_record(policy: SLAPolicy, *, now: datetime) -> PolicySnapshot:
    """Note the policy's current rules as in force from `now`, if they changed since last noted.

    Called before and after each edit in the admin (so the rules being replaced are on record)
    and whenever a ticket opens (so edits made elsewhere are noticed, late but never lost).
    """
    return _version_record(policy, now=now).snapshot


def _version_record(policy: SLAPolicy, *, now: datetime) -> PolicyVersion:
    """The policy's version in force: the last on record when its rules are still the
    current ones (one query, the usual case; none when the rules have not changed since
    this process found it), else a new one from `now`.

    A policy kept by `selectors.policy_with_rules` keeps the version found for it: any new
    version changes the rules' token, and with it the kept policy. A version created is
    not kept (its transaction may roll back).
    """
    known = getattr(policy, "_version_in_force", None)
    if known is not None:
        return known
    content = snapshot_content(policy)
    digest = _content_hash(content)
    latest = (
        PolicyVersion.objects.filter(policy=policy)
        .select_related("snapshot")
        .order_by("-in_force_from", "-pk")
        .first()
    )
    if latest is not None and latest.snapshot.content_hash == digest:
        if getattr(policy, "_rules_token", None):  # a policy kept under the rules' token
            policy._version_in_force = latest
        return latest
    snapshot = _snapshot_stored(policy, content, digest)
    return PolicyVersion.objects.create(
        policy=policy, snapshot=snapshot, in_force_from=SINCE_EVER if latest is None else now
    )


def snapshot_in_force(policy: SLAPolicy, *, at: datetime, now: datetime) -> PolicySnapshot:
    """The rules of a policy in force at `at` (when the customer communicated): the current
    ones unless `at` is before they came into force (a ticket reported in the past)."""
    current = _version_record(policy, now=now)
    if at >= current.in_force_from:
        return current.snapshot
    version = (
        PolicyVersion.objects.filter(policy=policy, in_force_from__lte=at)
        .order_by("-in_force_from", "-pk")
        .select_related("snapshot")
        .first()
    )
    return version.snapshot if version is not None else current.snapshot


_ENGINES_BY_HASH: dict[str, business_time.BusinessTime] = {}


def snapshot_engine(snapshot: PolicySnapshot) -> business_time.BusinessTime:
    """The engine of the calendar frozen in a snapshot, built once per content.

    A snapshot's hash names its content, so the engine is found by the hash alone: lists ask
    for it twice per row, and serializing the calendar to find it cost more than the row.
    """
    engine = _ENGINES_BY_HASH.get(snapshot.content_hash)
    if engine is None:
        engine = business_time.for_calendar(clocks.spec_from_json(snapshot.content["calendar"]))
        if len(_ENGINES_BY_HASH) >= 256:  # bounded: policies change rarely, but they change
            _ENGINES_BY_HASH.clear()
        _ENGINES_BY_HASH[snapshot.content_hash] = engine
    return engine


def snapshot_targets(
    snapshot: PolicySnapshot, *, level_code: str, integration_24x7: bool
) -> dict[str, Target]:
    """First-response and resolution targets of a level in a snapshot."""
    try:
        targets = snapshot.content["targets"][level_code]
    except KeyError:
        raise SLAError(
            _("Policy “%(policy)s” has no target for level “%(level)s”.")
            % {"policy": snapshot.content["policy"]["slug"], "level": level_code}
        ) from None
    resolution = targets["integration_resolution" if integration_24x7 else "resolution"]
    return {
        ClockMetric.FIRST_RESPONSE: _target(targets["first_response"]),
        ClockMetric.RESOLUTION: _target(resolution),
    }


def _target(data: list) -> Target:
    seconds, clock_code = data
    return Target(timedelta(seconds=seconds), business_time.CLOCKS[clock_code])


# -- 24x7 integration coverage --------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    covered: bool
    detail: str


def integration_coverage(*, contract, integration, level: PriorityLevel) -> Coverage:
    """Whether 24x7 integration support covers an incident, and if not, which condition fails."""
    failures = []
    if contract is None or not contract.integration_24x7:
        failures.append(_("the organization's contract has no 24x7 integration support"))
    if integration is None:
        failures.append(_("the ticket is not about an integration"))
    elif not integration.is_vendor_built:
        failures.append(_("the integration is self-service, not built by the vendor"))
    if not level.integration_24x7_eligible:
        failures.append(
            _("level “%(level)s” is not covered by 24x7 support") % {"level": level.name}
        )
    if failures:
        return Coverage(False, _("Not covered: %(reasons)s.") % {"reasons": "; ".join(failures)})
    return Coverage(True, _("Covered by 24x7 integration support."))


# -- clocks ---------------------------------------------------------------------------------


_TARGET_EVENTS = (ClockEventKind.STARTED, ClockEventKind.RECALCULATED)


def _event(clock: SLAClock, kind: str, *, at: datetime, now: datetime, actor=None, reason=""):
    carries_target = kind in _TARGET_EVENTS
    return SLAClockEvent(
        sla_clock=clock,
        kind=kind,
        at=at,
        recorded_at=now,
        budget=clock.budget if carries_target else None,
        clock=clock.clock if carries_target else "",
        due_at=clock.due_at,
        reason=reason[:500],
        actor=actor,
    )


def _pauses(clock: SLAClock) -> list[clocks.Interval]:
    """Paused intervals from the clock's events, read fresh (never a stale prefetch), in the
    order of their instants: an answer recorded late still ends the wait when it came."""
    events = SLAClockEvent.objects.filter(sla_clock=clock).order_by("at", "recorded_at", "id")
    return clocks.pauses_from_events(events)


def _warning_share(budget: timedelta, percent: int) -> timedelta:
    return budget * percent // 100


def _recompute(
    clock: SLAClock, engine: business_time.BusinessTime, now: datetime, pauses=None
) -> None:
    pauses = _pauses(clock) if pauses is None else pauses
    kind = business_time.CLOCKS[clock.clock]
    clock.due_at = clocks.due_with_pauses(engine, clock.started_at, clock.budget, kind, pauses)
    clock.warn_at = clocks.due_with_pauses(
        engine, clock.started_at, _warning_share(clock.budget, clock.warn_percent), kind, pauses
    )
    clock.state = clocks.clock_state(
        due_at=clock.due_at, met_at=clock.met_at, now=now, breached_at=clock.breached_at
    )


def _breach_if_late(clock: SLAClock, now: datetime, *, actor=None) -> SLAClockEvent | None:
    """Record the breach of a clock found past its deadline (opened late, upgraded into
    lateness, met late before the sweep saw it): once, dated at the deadline."""
    overdue = clock.met_at is None and clock.due_at is not None and clock.due_at < now
    if clock.breached_at is not None or not (overdue or clock.state == ClockState.BREACHED):
        return None
    clock.breached_at = clock.due_at
    return _event(clock, ClockEventKind.BREACHED, at=clock.due_at, now=now, actor=actor)


def clocks_start(
    *, ticket, snapshot: PolicySnapshot, level: PriorityLevel, integration_24x7: bool, now: datetime
) -> list[SLAClock]:
    """Start both clocks of a new ticket at the moment the customer communicated."""
    engine = snapshot_engine(snapshot)
    targets = snapshot_targets(snapshot, level_code=level.code, integration_24x7=integration_24x7)
    percent = level.warning_percent
    started = []
    for metric, target in targets.items():
        due = engine.add(ticket.reported_at, target.duration, target.clock)
        warn_at = engine.add(
            ticket.reported_at, _warning_share(target.duration, percent), target.clock
        )
        started.append(
            SLAClock(
                ticket=ticket,
                metric=metric,
                clock=target.clock.code,
                budget=target.duration,
                started_at=ticket.reported_at,
                due_at=due,
                warn_percent=percent,
                warn_at=warn_at,
                state=clocks.clock_state(due_at=due, met_at=None, now=now),
            )
        )
    breaches = [event for c in started if (event := _breach_if_late(c, now)) is not None]
    SLAClock.objects.bulk_create(started)
    events = [_event(c, ClockEventKind.STARTED, at=c.started_at, now=now) for c in started]
    SLAClockEvent.objects.bulk_create(events + breaches)
    return started


def _save(clock: SLAClock, event: SLAClockEvent) -> SLAClock:
    clock.save()
    event.due_at = clock.due_at
    event.save()
    return clock


def clock_meet(*, clock: SLAClock, engine, at: datetime, actor=None) -> SLAClock:
    """The clock's goal is reached (assigned / resolved); a pause still open ends here."""
    if clock.met_at is not None:
        return clock
    if clock.paused_since is not None:
        clock_resume(clock=clock, engine=engine, at=at, actor=actor)
    clock.met_at = at
    pauses = _pauses(clock)
    _recompute(clock, engine, at, pauses)
    clock.time_used = clocks.spent(
        engine, clock.started_at, at, business_time.CLOCKS[clock.clock], pauses
    )
    breach = _breach_if_late(clock, at)
    if breach is not None:  # met late before any sweep saw the deadline pass
        breach.save()
    return _save(clock, _event(clock, ClockEventKind.MET, at=at, now=at, actor=actor))


def clock_pause(*, clock: SLAClock, engine, at: datetime, reason: str, actor=None) -> SLAClock:
    """Stop counting (waiting on the customer); the deadline is unknown until it resumes."""
    if clock.met_at is not None or clock.paused_since is not None:
        return clock
    breach = _breach_if_late(clock, at, actor=actor)  # ran out before the wait began
    if breach is not None:
        breach.save()
    used = clocks.spent(
        engine, clock.started_at, at, business_time.CLOCKS[clock.clock], _pauses(clock)
    )
    clock.remaining_at_pause = max(clock.budget - used, timedelta(0))
    clock.paused_since = at
    event = _event(clock, ClockEventKind.PAUSED, at=at, now=at, actor=actor, reason=reason)
    event.save()
    _recompute(clock, engine, at)
    clock.save()
    event.due_at = clock.due_at
    event.save(update_fields=["due_at"])
    return clock


def clock_resume(*, clock: SLAClock, engine, at: datetime, actor=None, reason="") -> SLAClock:
    """Count again from `at`; the deadline moves by the paused time, in the clock's terms."""
    if clock.paused_since is None:
        return clock
    event = _event(clock, ClockEventKind.RESUMED, at=at, now=at, actor=actor, reason=reason)
    event.save()
    clock.paused_total += at - clock.paused_since
    clock.paused_since = None
    clock.remaining_at_pause = None
    _recompute(clock, engine, at)
    clock.save()
    event.due_at = clock.due_at
    event.save(update_fields=["due_at"])
    return clock


def clock_reopen(*, clock: SLAClock, engine, at: datetime, actor=None, reason="") -> SLAClock:
    """A met clock runs again; the time it stood met does not count."""
    if clock.met_at is None:
        return clock
    event = _event(clock, ClockEventKind.REOPENED, at=at, now=at, actor=actor, reason=reason)
    event.save()
    clock.paused_total += at - clock.met_at
    clock.met_at = None
    clock.warned_at = None  # a clock running again is warned again
    _recompute(clock, engine, at)
    clock.save()
    event.due_at = clock.due_at
    event.save(update_fields=["due_at"])
    return clock


def clocks_stop(
    *, ticket_clocks: Iterable[SLAClock], engine, at: datetime, reason: str, actor=None
):
    """Stop every clock still counting (a cancelled ticket): a pause that never ends."""
    for clock in ticket_clocks:
        clock_pause(clock=clock, engine=engine, at=at, reason=reason, actor=actor)


def _refresh_paused_budget(clock: SLAClock, engine, now: datetime) -> None:
    """What is left of a waiting clock's budget under its (new) target or start."""
    if clock.paused_since is None or clock.due_at is not None:
        return
    kind = business_time.CLOCKS[clock.clock]
    used = clocks.spent(engine, clock.started_at, now, kind, _pauses(clock))
    clock.remaining_at_pause = max(clock.budget - used, timedelta(0))


def _breach_note(reason: str, breached_at: datetime | None, zone) -> str:
    """A recalculation's reason, saying that an earlier breach stands whatever moved."""
    if breached_at is None:
        return reason
    return _("%(reason)s (the breach of %(when)s stands)") % {
        "reason": reason,
        "when": format_instant(breached_at, zone),
    }


@dataclass(frozen=True)
class Recalculated:
    """Clocks put on new targets, and those of them the change made late (to announce)."""

    changed: list[SLAClock]
    breached: list[SLAClock]


def clocks_recalculate(
    *,
    ticket_clocks: Iterable[SLAClock],
    snapshot: PolicySnapshot,
    level: PriorityLevel,
    integration_24x7: bool,
    now: datetime,
    actor=None,
    reason: str,
) -> Recalculated:
    """New targets for existing clocks (priority change, re-applied policy); pauses are kept.

    A met clock is history: its due, met instant and verdict never change. A breach is a
    fact: a deadline moved past it keeps the breach, and the event says so; a deadline moved
    into the past breaches the clock at once (returned in `breached`, to be announced).
    """
    engine = snapshot_engine(snapshot)
    targets = snapshot_targets(snapshot, level_code=level.code, integration_24x7=integration_24x7)
    percent = level.warning_percent
    changed, breached = [], []
    for clock in ticket_clocks:
        if clock.met_at is not None:
            continue
        target = targets[clock.metric]
        clock.budget, clock.clock = target.duration, target.clock.code
        clock.warn_percent = percent
        _recompute(clock, engine, now)
        _refresh_paused_budget(clock, engine, now)
        note = _breach_note(reason, clock.breached_at, engine.zone)
        breach = _breach_if_late(clock, now, actor=actor)
        event = _event(
            clock, ClockEventKind.RECALCULATED, at=now, now=now, actor=actor, reason=note
        )
        changed.append(_save(clock, event))
        if breach is not None:
            breach.save()
            breached.append(clock)
    return Recalculated(changed=changed, breached=breached)


def clocks_restart(
    *,
    ticket_clocks: Iterable[SLAClock],
    engine,
    started_at: datetime,
    now: datetime,
    actor=None,
    reason: str,
) -> list[SLAClock]:
    """Count the unmet clocks from an earlier start (a duplicate reported first was merged
    in): waits kept, met clocks left as history. A `started` event carries the new start, so
    a replay finds it. Returns the clocks this makes late at once, to be announced."""
    breached = []
    for clock in ticket_clocks:
        if clock.met_at is not None or started_at >= clock.started_at:
            continue
        clock.started_at = started_at
        _recompute(clock, engine, now)
        _refresh_paused_budget(clock, engine, now)
        breach = _breach_if_late(clock, now, actor=actor)
        event = _event(clock, ClockEventKind.STARTED, at=started_at, now=now, actor=actor)
        event.reason = reason[:500]
        _save(clock, event)
        if breach is not None:
            breach.save()
            breached.append(clock)
    return breached


@dataclass(frozen=True)
class Sweep:
    """What one sweep changed: clocks warned (still running) and clocks breached."""

    warned: list[SLAClock]
    breached: list[SLAClock]


@transaction.atomic
def clocks_sweep(*, now: datetime) -> Sweep:
    """Warn clocks past their warning instant and breach clocks past their deadline.

    Two indexed range scans and two bulk writes, whatever the size of the desk; a late sweep
    catches up (each event is dated at its own instant, not the sweep's). Rows are locked and
    skipped when another sweep holds them, so overlapping sweeps never record an event twice.
    A clock found already past its deadline is breached, not warned: its warning is moot.
    """
    related = ("ticket__assignee", "ticket__priority")
    to_warn = list(
        SLAClock.objects.to_warn_before(now)
        .filter(due_at__gt=now)
        .select_related(*related)
        .select_for_update(skip_locked=True, of=("self",))
    )
    overdue = list(
        SLAClock.objects.due_before(now)
        .select_related(*related)
        .select_for_update(skip_locked=True, of=("self",))
    )
    for clock in to_warn:
        clock.warned_at = now
    for clock in overdue:
        clock.state = ClockState.BREACHED
        clock.breached_at = clock.due_at
        clock.warned_at = clock.warned_at or now
    SLAClock.objects.bulk_update(
        to_warn + overdue, ["state", "warned_at", "breached_at"], batch_size=2000
    )
    SLAClockEvent.objects.bulk_create(
        [_event(clock, ClockEventKind.WARNED, at=clock.warn_at, now=now) for clock in to_warn]
        + [_event(clock, ClockEventKind.BREACHED, at=clock.due_at, now=now) for clock in overdue],
        batch_size=2000,
    )
    return Sweep(warned=to_warn, breached=overdue)


def clocks_mark_breaches(*, now: datetime) -> int:
    """Mark running clocks whose deadline has passed as breached (and warn those due a
    warning); kept for the cron lines that call it by this name."""
    return len(clocks_sweep(now=now).breached)


def next_due(ticket_clocks: Iterable[SLAClock]) -> datetime | None:
    """The earliest deadline still to be met (overdue ones included): the ticket's urgency."""
    dues = [c.due_at for c in ticket_clocks if c.met_at is None and c.due_at is not None]
    return min(dues, default=None)


# -- policy changes -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReapplyPreview:
    tickets: int  # open tickets still counting on older rules
    tickets_moving: int  # of them, those with a deadline (or a paused budget) that moves
    clocks_moving: int
    earlier: int
    later: int
    largest_shift: timedelta
    mean_shift: timedelta  # signed: negative when deadlines come earlier on average


@dataclass
class Recomputed:
    """A clock under new rules: its new target, due instant and, if paused, budget left."""

    clock: SLAClock
    target: Target
    due_at: datetime | None
    remaining_at_pause: timedelta | None = None
    warn_at: datetime | None = None

    @property
    def shift(self) -> timedelta:
        """How far the deadline moves; for a paused clock, how much more budget it has left."""
        if self.due_at is not None and self.clock.due_at is not None:
            return self.due_at - self.clock.due_at
        if self.due_at is None and self.clock.due_at is None:
            return (self.remaining_at_pause or timedelta(0)) - (
                self.clock.remaining_at_pause or timedelta(0)
            )
        return timedelta(0)

    @property
    def moves(self) -> bool:
        clock = self.clock
        return (
            self.due_at != clock.due_at
            or self.target.duration != clock.budget
            or self.target.clock.code != clock.clock
            or (self.due_at is None and self.remaining_at_pause != clock.remaining_at_pause)
        )


def recompute_many(
    *, clocks_with_tickets: list[SLAClock], snapshot: PolicySnapshot, now: datetime
) -> list[Recomputed]:
    """New targets and due instants of many unmet clocks under a snapshot, without writing.

    Clocks never paused (most of them) go through the engine's vectorised `add_many` in one
    call per clock kind; paused ones are computed one by one, since their pauses differ.
    Met clocks are history and are left out. Each clock needs `ticket__priority` loaded.
    """
    import numpy as np

    engine = snapshot_engine(snapshot)
    results: list[Recomputed] = []
    plain: dict[str, list[Recomputed]] = {}
    for clock in clocks_with_tickets:
        if clock.met_at is not None:
            continue
        ticket = clock.ticket
        try:
            target = snapshot_targets(
                snapshot, level_code=ticket.priority.code, integration_24x7=ticket.integration_24x7
            )[clock.metric]
        except ValueError:
            continue  # the level has no target in the new rules: leave the clock as it is
        item = Recomputed(clock, target, None)
        results.append(item)
        if clock.paused_total or clock.paused_since is not None:
            pauses = _pauses(clock)
            item.due_at = clocks.due_with_pauses(
                engine, clock.started_at, target.duration, target.clock, pauses
            )
            warning = _warning_share(target.duration, clock.warn_percent)
            item.warn_at = clocks.due_with_pauses(
                engine, clock.started_at, warning, target.clock, pauses
            )
            if item.due_at is None:  # still waiting: what is left of the new budget
                used = clocks.spent(engine, clock.started_at, now, target.clock, pauses)
                item.remaining_at_pause = max(target.duration - used, timedelta(0))
        else:
            plain.setdefault(target.clock.code, []).append(item)
    for clock_code, items in plain.items():
        starts = np.fromiter(
            (business_time.to_microseconds(i.clock.started_at) for i in items), dtype=np.int64
        )
        budgets = np.fromiter(
            (i.target.duration // timedelta(microseconds=1) for i in items), dtype=np.int64
        )
        warnings = np.fromiter(
            (
                _warning_share(i.target.duration, i.clock.warn_percent) // timedelta(microseconds=1)
                for i in items
            ),
            dtype=np.int64,
        )
        kind = business_time.CLOCKS[clock_code]
        dues = engine.add_many(starts, budgets, kind)
        warns = engine.add_many(starts, warnings, kind)
        for item, due, warn in zip(items, dues.tolist(), warns.tolist(), strict=True):
            item.due_at = business_time.from_microseconds(due)
            item.warn_at = business_time.from_microseconds(warn)
    return results


def reapply_preview(
    *, clocks_with_tickets: list[SLAClock], snapshot: PolicySnapshot, now: datetime
) -> ReapplyPreview:
    """How many open tickets a re-apply would move, and by how much (nothing is written)."""
    moving = [
        item
        for item in recompute_many(
            clocks_with_tickets=clocks_with_tickets, snapshot=snapshot, now=now
        )
        if item.moves
    ]
    shifts = [item.shift // timedelta(microseconds=1) for item in moving]
    return ReapplyPreview(
        tickets=len({clock.ticket_id for clock in clocks_with_tickets}),
        tickets_moving=len({item.clock.ticket_id for item in moving}),
        clocks_moving=len(moving),
        earlier=sum(1 for shift in shifts if shift < 0),
        later=sum(1 for shift in shifts if shift > 0),
        largest_shift=timedelta(microseconds=max((abs(s) for s in shifts), default=0)),
        mean_shift=timedelta(microseconds=int(sum(shifts) / len(shifts)) if shifts else 0),
    )


def clocks_reapply(
    *,
    clocks_with_tickets: list[SLAClock],
    snapshot: PolicySnapshot,
    now: datetime,
    actor=None,
    reason: str,
) -> Recalculated:
    """Put many clocks on a snapshot's targets in bulk; each one that moves gets a
    `recalculated` event (paused time is kept: pauses are inputs of the recomputation).
    Met clocks are left as they are; those the new rules make late breach at once."""
    changed = []
    for item in recompute_many(clocks_with_tickets=clocks_with_tickets, snapshot=snapshot, now=now):
        if not item.moves:
            continue
        clock = item.clock
        clock.budget, clock.clock, clock.due_at, clock.warn_at = (
            item.target.duration,
            item.target.clock.code,
            item.due_at,
            item.warn_at,
        )
        clock.state = clocks.clock_state(
            due_at=clock.due_at, met_at=clock.met_at, now=now, breached_at=clock.breached_at
        )
        if clock.due_at is None:
            clock.remaining_at_pause = item.remaining_at_pause
        changed.append(clock)
    zone = snapshot_engine(snapshot).zone
    notes = {c.pk: _breach_note(reason, c.breached_at, zone) for c in changed}
    breaches = [event for c in changed if (event := _breach_if_late(c, now, actor=actor))]
    bulk_update_rows(
        changed,
        ["budget", "clock", "due_at", "warn_at", "state", "remaining_at_pause", "breached_at"],
    )
    SLAClockEvent.objects.bulk_create(
        [
            _event(c, ClockEventKind.RECALCULATED, at=now, now=now, actor=actor, reason=notes[c.pk])
            for c in changed
        ]
        + breaches,
        batch_size=2000,
    )
    breached_ids = {event.sla_clock_id for event in breaches}
    return Recalculated(changed=changed, breached=[c for c in changed if c.pk in breached_ids])
