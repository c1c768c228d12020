"""The ticket lifecycle: the only code that changes a ticket's status, priority or assignee.

Each function takes the actor and `now`, runs in one transaction, drives the SLA clocks
through `sla.services`, and leaves a history record saying who did it and why.
"""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk.db import bulk_update_rows
from sla import selectors as sla_selectors
from sla import services as sla_services
from sla.models import ClockMetric, PriorityLevel, SLAClock, SLAPolicy
from tickets import events, selectors
from tickets.models import (
    Integration,
    Organization,
    OrganizationMember,
    ReferenceCounter,
    Ticket,
    TicketEvidence,
)

Status = Ticket.Status

# Which status may follow which. ASSIGNED is reached only through `ticket_assign`.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.ASSIGNED, Status.CANCELLED}),
    Status.ASSIGNED: frozenset(
        {Status.IN_PROGRESS, Status.WAITING_ON_CUSTOMER, Status.RESOLVED, Status.CANCELLED}
    ),
    Status.IN_PROGRESS: frozenset({Status.WAITING_ON_CUSTOMER, Status.RESOLVED, Status.CANCELLED}),
    Status.WAITING_ON_CUSTOMER: frozenset({Status.IN_PROGRESS, Status.RESOLVED, Status.CANCELLED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset(),
    Status.CANCELLED: frozenset(),
}
ASSIGNABLE_STATUSES = (
    Status.NEW,
    Status.ASSIGNED,
    Status.IN_PROGRESS,
    Status.WAITING_ON_CUSTOMER,
)


class TicketError(ValidationError):
    """A change the ticket's rules do not allow; the message says why, for a person."""


def available_transitions(ticket: Ticket) -> list[str]:
    """Statuses an analyst can move the ticket to from where it stands (for buttons)."""
    return [status for status in Status.values if status in TRANSITIONS[ticket.status]]


def reference_next(*, year: int) -> str:
    """Hand out the next reference of a year, safe under concurrency: one UPDATE ... RETURNING
    takes the number under the row's write lock (the year's first ticket creates the row)."""
    table = connection.ops.quote_name(ReferenceCounter._meta.db_table)
    sql = f"UPDATE {table} SET last_number = last_number + 1 WHERE year = %s RETURNING last_number"
    with connection.cursor() as cursor:
        cursor.execute(sql, [year])
        row = cursor.fetchone()
        if row is None:
            ReferenceCounter.objects.get_or_create(year=year)
            cursor.execute(sql, [year])
            row = cursor.fetchone()
    return f"HD-{year}-{row[0]:06d}"


def _policy_for(organization: Organization, reported_at: datetime):
    """The contract in force and its policy with its rules, read once."""
    contract = sla_selectors.contract_in_force_at(organization, reported_at)
    policy = sla_selectors.policy_with_rules(contract.policy if contract else None)
    if policy is None:
        raise TicketError(_("No SLA policy applies: configure a default policy."))
    return contract, policy


def _targets_check(policy, level: PriorityLevel) -> None:
    if not any(target.level_id == level.pk for target in policy.targets.all()):
        raise TicketError(
            {
                "priority": _("Policy “%(policy)s” has no targets for level “%(level)s”.")
                % {"policy": policy.name, "level": level.name}
            }
        )


def ticket_rules_check(*, organization: Organization, priority: PriorityLevel, reported_at):
    """Refuse, before anything is written, a ticket no policy can give deadlines to."""
    _contract, policy = _policy_for(organization, reported_at)
    _targets_check(policy, priority)


def ticket_coverage(
    *, organization: Organization, integration: Integration | None, priority, reported_at
) -> sla_services.Coverage:
    """Whether 24x7 integration support would cover a ticket reported at `reported_at`, and
    if not, which condition fails (the same answer `ticket_create` records)."""
    contract = sla_selectors.contract_in_force_at(organization, reported_at)
    return sla_services.integration_coverage(
        contract=contract, integration=integration, level=priority
    )


def member_create(*, organization: Organization, email: str, name: str = ""):
    """A customer account for a person of the organization who has none yet.

    No password: they set one through the portal's password reset when they want to log in.
    """
    user = get_user_model()(username=email[:150], email=email, first_name=name[:150])
    user.set_unusable_password()
    user.save()
    OrganizationMember.objects.create(user=user, organization=organization)
    return user


def _save(ticket: Ticket, *, actor, reason: str, now: datetime) -> None:
    ticket._history_user = actor
    ticket._history_date = now  # the history tells when it happened, as the clocks do
    ticket._change_reason = reason
    ticket.save()


def _refresh_next_due(ticket: Ticket, ticket_clocks) -> None:
    """The ticket in hand shows its clocks' next deadline; the row already has it, written by
    the clocks' own triggers (tickets/triggers.py) in the statement that changed them."""
    ticket.next_due_at = sla_services.next_due(ticket_clocks)


@transaction.atomic
def ticket_create(
    *,
    organization: Organization,
    requester,
    subject: str,
    description: str,
    priority: PriorityLevel,
    reported_at: datetime | None = None,
    now: datetime,
    channel: str = Ticket.Channel.PORTAL,
    category: str = Ticket.Category.OTHER,
    integration: Integration | None = None,
    affected_service: str = "",
    scope: str = Ticket.Scope.ONE_CUSTOMER,
    sender_verified: bool = True,
) -> Ticket:
    """Open a ticket whose clocks start when the customer communicated (default: now).

    Files the customer sent with it are attached by `communications.services.ticket_open`;
    `sender_verified` is False when an e-mail our mail server could not authenticate opened it.
    """
    reported_at = reported_at or now
    if reported_at > now:
        raise TicketError({"reported_at": _("The report cannot be in the future.")})
    if integration is not None and integration.organization_id != organization.pk:
        raise TicketError(
            {"integration": _("The integration must belong to the ticket's organization.")}
        )
    contract, policy = _policy_for(organization, reported_at)
    _targets_check(policy, priority)
    coverage = sla_services.integration_coverage(
        contract=contract, integration=integration, level=priority
    )
    ticket = Ticket(
        # the year the customer lived it, in the desk's zone (not UTC's New Year)
        reference=reference_next(year=timezone.localtime(reported_at).year),
        organization=organization,
        requester=requester,
        subject=subject,
        description=description,
        category=category,
        affected_service=affected_service,
        scope=scope,
        priority=priority,
        integration=integration,
        channel=channel,
        reported_at=reported_at,
        sla_snapshot=sla_services.snapshot_in_force(policy, at=reported_at, now=now),
        integration_24x7=coverage.covered,
        integration_24x7_detail=coverage.detail,
        sender_verified=sender_verified,
    )
    _save(ticket, actor=requester, reason=_("Ticket opened"), now=now)
    started = sla_services.clocks_start(
        ticket=ticket,
        snapshot=ticket.sla_snapshot,
        level=priority,
        integration_24x7=coverage.covered,
        now=now,
    )
    _refresh_next_due(ticket, started)
    late = [clock for clock in started if clock.breached_at is not None]
    events.ticket_opened.send(sender=Ticket, ticket=ticket, clocks=started, now=now)
    sla_announce(warned=[], breached=late, now=now)  # reported already past a deadline
    return ticket


def _locked(ticket: Ticket) -> tuple[Ticket, dict[str, SLAClock]]:
    """The ticket and its clocks, locked for this transaction (no lost concurrent update)."""
    fresh = Ticket.objects.select_for_update().select_related("sla_snapshot").get(pk=ticket.pk)
    ticket_clocks = {c.metric: c for c in SLAClock.objects.select_for_update().filter(ticket=fresh)}
    return fresh, ticket_clocks


@transaction.atomic
def ticket_assign(*, ticket: Ticket, analyst, actor, now: datetime, reason: str = "") -> Ticket:
    """Give the ticket to an analyst; the first assignment meets the first-response clock."""
    if not (analyst.is_staff and analyst.is_active):
        raise TicketError({"assignee": _("Only active analysts can be assigned to tickets.")})
    ticket, ticket_clocks = _locked(ticket)
    if ticket.status not in ASSIGNABLE_STATUSES:
        raise TicketError(
            _("A %(status)s ticket cannot be assigned.") % {"status": ticket.get_status_display()}
        )
    engine = sla_services.snapshot_engine(ticket.sla_snapshot)
    ticket.assignee = analyst
    if ticket.status == Status.NEW:
        ticket.status = Status.ASSIGNED
    sla_services.clock_meet(
        clock=ticket_clocks[ClockMetric.FIRST_RESPONSE], engine=engine, at=now, actor=actor
    )
    name = analyst.get_full_name() or analyst.get_username()
    _save(ticket, actor=actor, reason=reason or _("Assigned to %(name)s") % {"name": name}, now=now)
    _refresh_next_due(ticket, ticket_clocks.values())
    if analyst != actor:
        events.ticket_assigned.send(sender=Ticket, ticket=ticket, now=now)
    return ticket


def _check_transition(ticket: Ticket, to_status: str, *, actor, now: datetime, reason: str):
    if to_status not in Status.values:
        raise TicketError(_("Unknown status “%(status)s”.") % {"status": to_status})
    if to_status == Status.ASSIGNED:
        raise TicketError(_("Assign the ticket to an analyst to move it to assigned."))
    if to_status == ticket.status:
        # "cannot go from closed to closed" read as "cannot be closed again": say what it is.
        raise TicketError(
            _("The ticket is already %(status)s: nothing changed.")
            % {"status": ticket.get_status_display()}
        )
    if to_status not in TRANSITIONS[ticket.status]:
        raise TicketError(
            _("A ticket cannot go from %(current)s to %(target)s.")
            % {
                "current": ticket.get_status_display(),
                "target": Status(to_status).label,
            }
        )
    needs_reason = {
        Status.WAITING_ON_CUSTOMER: _("Say what the customer needs to provide."),
        Status.CANCELLED: _("Say why the ticket is cancelled."),
    }
    if to_status in needs_reason and not reason.strip():
        raise TicketError({"reason": needs_reason[to_status]})
    if ticket.status == Status.RESOLVED and to_status == Status.IN_PROGRESS:
        _check_reopen(ticket, actor=actor, now=now, reason=reason)


def _check_reopen(ticket: Ticket, *, actor, now: datetime, reason: str) -> None:
    if actor is not None and actor.is_staff:
        return
    if actor is None or (ticket.requester_id != actor.pk and not _is_org_admin(actor, ticket)):
        raise TicketError(_("Only the customer or an analyst can reopen this ticket."))
    window = timedelta(seconds=ticket.sla_snapshot.content.get("reopen_window", 0))
    if ticket.resolved_at is None or now - ticket.resolved_at > window:
        raise TicketError(
            _("The reopen window has passed; please open a new ticket referring to %(ref)s.")
            % {"ref": ticket.reference}
        )
    if not reason.strip():
        # The analyst needs to know what is still wrong; the customer sees it on the ticket.
        raise TicketError({"reason": _("Say what is still wrong, so we know where to look.")})


def _is_org_admin(user, ticket: Ticket) -> bool:
    membership = getattr(user, "membership", None)
    return bool(
        membership and membership.is_admin and membership.organization_id == ticket.organization_id
    )


def _record_origin(
    ticket: Ticket, *, origin: str | None, note: str, file, actor, now: datetime
) -> None:
    """Set the root-cause origin; customer or third-party origins need evidence on file."""
    if origin:
        if origin not in Ticket.Origin.values:
            raise TicketError({"origin": _("Unknown origin “%(origin)s”.") % {"origin": origin}})
        ticket.origin = origin
    if note.strip() or file:
        TicketEvidence.objects.create(
            ticket=ticket,
            note=note.strip(),
            file=file or "",
            original_name=getattr(file, "name", "") or "",
            recorded_by=actor,
            recorded_at=now,
        )
    if ticket.origin in Ticket.ORIGINS_NEEDING_EVIDENCE and not ticket.evidence.exists():
        raise TicketError(
            {
                "evidence_note": _(
                    "An incident that originated with the customer or its third party needs "
                    "evidence: attach a file or write a note."
                )
            }
        )


@transaction.atomic
def ticket_transition(
    *,
    ticket: Ticket,
    to_status: str,
    actor,
    now: datetime,
    reason: str = "",
    origin: str | None = None,
    evidence_note: str = "",
    evidence_file=None,
) -> Ticket:
    """Move a ticket to another status, with the clock effects the policy asks for."""
    ticket, ticket_clocks = _locked(ticket)
    _check_transition(ticket, to_status, actor=actor, now=now, reason=reason)
    engine = sla_services.snapshot_engine(ticket.sla_snapshot)
    resolution = ticket_clocks[ClockMetric.RESOLUTION]
    previous = ticket.status
    if to_status == Status.WAITING_ON_CUSTOMER:
        sla_services.clock_pause(
            clock=resolution, engine=engine, at=now, reason=reason, actor=actor
        )
        ticket.waiting_reason = reason.strip()
        _schedule_waiting_reminder(ticket, now=now)
    elif previous == Status.WAITING_ON_CUSTOMER and to_status == Status.IN_PROGRESS:
        sla_services.clock_resume(clock=resolution, engine=engine, at=now, actor=actor)
        ticket.waiting_reason = ""
    elif to_status == Status.RESOLVED:
        _record_origin(
            ticket, origin=origin, note=evidence_note, file=evidence_file, actor=actor, now=now
        )
        sla_services.clock_meet(clock=resolution, engine=engine, at=now, actor=actor)
        ticket.resolved_at, ticket.waiting_reason = now, ""
    elif previous == Status.RESOLVED and to_status == Status.IN_PROGRESS:
        sla_services.clock_reopen(
            clock=resolution, engine=engine, at=now, actor=actor, reason=reason
        )
        ticket.resolved_at = None
    elif to_status == Status.CLOSED:
        _record_origin(
            ticket, origin=origin, note=evidence_note, file=evidence_file, actor=actor, now=now
        )
        ticket.closed_at = now
    elif to_status == Status.CANCELLED:
        sla_services.clocks_stop(
            ticket_clocks=ticket_clocks.values(), engine=engine, at=now, reason=reason, actor=actor
        )
        ticket.waiting_reason = ""
    ticket.status = to_status
    default_reason = _("Status: %(old)s → %(new)s") % {
        "old": Status(previous).label,
        "new": Status(to_status).label,
    }
    _save(ticket, actor=actor, reason=reason or default_reason, now=now)
    _refresh_next_due(ticket, ticket_clocks.values())
    if to_status == Status.WAITING_ON_CUSTOMER:
        events.ticket_waiting.send(sender=Ticket, ticket=ticket, now=now)
    elif to_status == Status.RESOLVED:
        events.ticket_resolved.send(sender=Ticket, ticket=ticket, now=now)
    return ticket


def _schedule_waiting_reminder(ticket: Ticket, *, now: datetime) -> None:
    from tickets.tasks import remind_waiting_customer

    delay = timedelta(seconds=ticket.sla_snapshot.content.get("waiting_reminder_after", 0))
    if delay <= timedelta(0):
        return
    transaction.on_commit(
        lambda: remind_waiting_customer.using(run_after=now + delay).enqueue(
            ticket.pk, now.isoformat()
        )
    )


@transaction.atomic
def ticket_customer_replied(
    *,
    ticket: Ticket,
    actor,
    now: datetime,
    answered_at: datetime | None = None,
    reason: str = "",
) -> Ticket:
    """A customer's answer resumes a ticket that was waiting on them.

    The wait ends when they answered (`answered_at`: an e-mail's arrival, a call's start),
    however late it is processed or filed, but never before the wait began.
    """
    ticket, ticket_clocks = _locked(ticket)  # the caller's copy may be stale
    if ticket.status != Status.WAITING_ON_CUSTOMER:
        return ticket
    at = min(answered_at or now, now)
    paused_since = ticket_clocks[ClockMetric.RESOLUTION].paused_since
    if paused_since is not None and at < paused_since:
        at = paused_since
    return ticket_transition(
        ticket=ticket,
        to_status=Status.IN_PROGRESS,
        actor=actor,
        now=at,
        reason=reason or _("The customer answered"),
    )


@transaction.atomic
def ticket_change_priority(
    *, ticket: Ticket, level: PriorityLevel, actor, now: datetime, reason: str
) -> Ticket:
    """Recompute both clocks from `reported_at` with the new level's targets (pauses kept)."""
    if not reason.strip():
        raise TicketError({"reason": _("Say why the priority changes.")})
    ticket, ticket_clocks = _locked(ticket)
    if not ticket.is_open:
        raise TicketError(_("The priority of a finished ticket cannot change."))
    if level.pk == ticket.priority_id:
        raise TicketError({"priority": _("The ticket already has this priority.")})
    coverage = ticket_coverage(
        organization=ticket.organization,
        integration=ticket.integration,
        priority=level,
        reported_at=ticket.reported_at,
    )
    try:
        sla_services.snapshot_targets(
            ticket.sla_snapshot, level_code=level.code, integration_24x7=coverage.covered
        )
    except sla_services.SLAError as error:
        raise TicketError({"priority": str(error)}) from None
    recalculated = sla_services.clocks_recalculate(
        ticket_clocks=ticket_clocks.values(),
        snapshot=ticket.sla_snapshot,
        level=level,
        integration_24x7=coverage.covered,
        now=now,
        actor=actor,
        reason=reason,
    )
    ticket.priority = level
    ticket.integration_24x7, ticket.integration_24x7_detail = coverage.covered, coverage.detail
    _save(ticket, actor=actor, reason=reason, now=now)
    _refresh_next_due(ticket, ticket_clocks.values())
    for clock in recalculated.breached:
        clock.ticket = ticket
    sla_announce(warned=[], breached=recalculated.breached, now=now)  # an upgrade made it late
    return ticket


@transaction.atomic
def tickets_reapply_policy(*, policy: SLAPolicy, actor, now: datetime) -> int:
    """Move open tickets of a policy onto its current rules, in bulk; paused time is kept.

    Each moved ticket gets a history record and each clock a `recalculated` event.
    """
    policy = sla_selectors.policies_with_rules().get(pk=policy.pk)
    snapshot = sla_services.snapshot_take(policy)
    stale = list(
        selectors.open_tickets_of_policy(policy)
        .exclude(sla_snapshot=snapshot)
        .select_for_update()
        .select_related("priority")
    )
    if not stale:
        return 0
    by_id = {ticket.pk: ticket for ticket in stale}
    ticket_clocks = list(SLAClock.objects.filter(ticket__in=stale).select_for_update())
    for clock in ticket_clocks:
        clock.ticket = by_id[clock.ticket_id]
    reason = _("Policy “%(policy)s” re-applied") % {"policy": policy.name}
    reapplied = sla_services.clocks_reapply(
        clocks_with_tickets=ticket_clocks, snapshot=snapshot, now=now, actor=actor, reason=reason
    )
    changed = reapplied.changed
    clocks_by_ticket: dict[int, list[SLAClock]] = {}
    for clock in ticket_clocks:
        clocks_by_ticket.setdefault(clock.ticket_id, []).append(clock)
    for ticket in stale:  # every one counts on the new rules from now on, moved or not
        ticket.sla_snapshot = snapshot
        ticket.next_due_at = sla_services.next_due(clocks_by_ticket.get(ticket.pk, []))
    bulk_update_rows(stale, ["sla_snapshot", "next_due_at"])
    moved_ids = {clock.ticket_id for clock in changed}
    moved = [ticket for ticket in stale if ticket.pk in moved_ids]
    Ticket.history.bulk_history_create(
        moved,
        update=True,
        default_date=now,
        default_user=actor,
        default_change_reason=_("SLA policy re-applied"),
    )
    sla_announce(warned=[], breached=reapplied.breached, now=now)
    return len(moved)


@transaction.atomic
def ticket_share(*, ticket: Ticket, members, actor, now: datetime) -> Ticket:
    """Share the ticket with exactly `members`, colleagues of its organization (others unshared)."""
    if not (ticket.requester_id == actor.pk or _is_org_admin(actor, ticket)):
        raise TicketError(_("Only the requester or an organization admin can share this ticket."))
    wanted = {member.pk for member in members} - {ticket.requester_id}
    colleagues = set(
        ticket.organization.members.filter(user_id__in=wanted).values_list("user_id", flat=True)
    )
    if wanted - colleagues:
        raise TicketError(_("A ticket can be shared only with members of its organization."))
    ticket, _clocks = _locked(ticket)
    ticket.shared_with.set(colleagues)
    _save(ticket, actor=actor, reason=_("Sharing with colleagues changed"), now=now)
    return ticket


@transaction.atomic
def ticket_absorb(*, into: Ticket, duplicate: Ticket, actor, now: datetime) -> Ticket:
    """The ticket side of a merge: the duplicate is cancelled as merged into `into`, whose
    clocks count from the earlier report of the two (met ones stay history), and whose
    people now include the duplicate's requester and colleagues it was shared with.

    The messages move in `communications.services.tickets_merge`, which calls this.
    """
    if into.pk == duplicate.pk:
        raise TicketError(_("A ticket cannot be merged into itself."))
    locked = {t.pk: _locked(t) for t in sorted([into, duplicate], key=lambda t: t.pk)}
    into, into_clocks = locked[into.pk]  # locked in pk order, so two merges never deadlock
    duplicate = locked[duplicate.pk][0]
    if duplicate.organization_id != into.organization_id:
        raise TicketError(_("Only tickets of the same organization can be merged."))
    if not into.is_open or duplicate.status not in ASSIGNABLE_STATUSES:
        raise TicketError(_("Both tickets must be open (the duplicate not yet resolved)."))
    reason = _("Merged into %(reference)s") % {"reference": into.reference}
    duplicate = ticket_transition(
        ticket=duplicate, to_status=Status.CANCELLED, actor=actor, now=now, reason=reason
    )
    duplicate.merged_into = into
    Ticket.objects.filter(pk=duplicate.pk).update(merged_into=into)
    late = []
    if duplicate.reported_at < into.reported_at:
        engine = sla_services.snapshot_engine(into.sla_snapshot)
        late = sla_services.clocks_restart(
            ticket_clocks=into_clocks.values(),
            engine=engine,
            started_at=duplicate.reported_at,
            now=now,
            actor=actor,
            reason=_("%(reference)s, reported earlier, was merged in")
            % {"reference": duplicate.reference},
        )
        into.reported_at = duplicate.reported_at
    people = {duplicate.requester_id, *duplicate.shared_with.values_list("pk", flat=True)}
    into.shared_with.add(*(people - {into.requester_id}))
    _save(
        into,
        actor=actor,
        reason=_("%(reference)s merged into this ticket") % {"reference": duplicate.reference},
        now=now,
    )
    _refresh_next_due(into, into_clocks.values())
    for clock in late:
        clock.ticket = into
    sla_announce(warned=[], breached=late, now=now)
    return into


def tickets_sla_sweep(*, now: datetime) -> sla_services.Sweep:
    """Warn and breach the clocks whose instant came, and tell the right analysts once."""
    sweep = sla_services.clocks_sweep(now=now)
    sla_announce(warned=sweep.warned, breached=sweep.breached, now=now)
    return sweep


def sla_announce(*, warned, breached, now: datetime) -> None:
    """Announce clocks at risk and breached (who is told is communications.notifications'
    business): the sweep's, and those of a ticket opened already late or moved into lateness
    by a priority change or a re-applied policy."""
    if warned or breached:
        events.clocks_late.send(sender=Ticket, warned=warned, breached=breached, now=now)
