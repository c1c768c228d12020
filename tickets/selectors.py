"""Reads of the tickets domain, scoped to what an actor may see."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet

from sla.models import ClockState, SLAClock, SLAClockEvent
from tickets.models import Ticket


def tickets_with_clocks() -> QuerySet[Ticket]:
    """Tickets with everything a list shows, in a fixed number of queries."""
    return Ticket.objects.select_related(
        "organization", "requester", "priority", "assignee", "sla_snapshot"
    ).prefetch_related(Prefetch("clocks", queryset=SLAClock.objects.order_by("metric")))


def tickets_visible_to(user) -> QuerySet[Ticket]:
    """Analysts see every ticket; an organization admin the organization's; others their own."""
    tickets = tickets_with_clocks()
    if not user.is_authenticated:
        return tickets.none()
    if user.is_staff:
        return tickets
    membership = getattr(user, "membership", None)
    if membership is None:
        return tickets.none()
    own = tickets.filter(organization_id=membership.organization_id)
    if membership.is_admin:
        return own
    # The shared tickets as a subquery, not a join: a join needs DISTINCT, which made
    # PostgreSQL sort the organization's every row, bodies and all, to count a customer's
    # list (125 ms at a million tickets); without it an index serves each side.
    shared = Ticket.shared_with.through.objects.filter(user=user).values("ticket_id")
    return own.filter(Q(requester=user) | Q(pk__in=shared))


def visible_organization(user) -> int | None:
    """The organization every ticket `user` may see belongs to (a customer's), or None (an
    analyst sees every organization's): a search narrows its matches to it."""
    if user is None or user.is_staff:
        return None
    membership = getattr(user, "membership", None)
    return membership.organization_id if membership is not None else None


def ticket_visible_to(user, ticket: Ticket) -> bool:
    """Whether `user` may see (and so write on) this ticket: the rule of `tickets_visible_to`
    for one ticket already in hand, on every channel (portal, API, e-mail)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff:
        return True
    membership = getattr(user, "membership", None)
    if membership is None or membership.organization_id != ticket.organization_id:
        return False
    if membership.is_admin or ticket.requester_id == user.pk:
        return True
    return ticket.shared_with.filter(pk=user.pk).exists()


SLA_STATES = ("breached", "at_risk", "running", "paused", "met")


def tickets_in_sla_state(tickets: QuerySet[Ticket], state: str, *, now: datetime):
    """Tickets by the state of their clocks, as the lists show it.

    breached: a clock that ever breached (the ticket's `breached_at`, a fact no later change
    clears, kept from the clocks by the database) or one running past its due instant
    before the sweep marks it; running: a clock counting and none breached; at_risk: a
    clock past its level's warning threshold (`warn_at`, the instant the sweep warns at),
    none breached; paused: an open ticket waiting on the customer (a cancelled ticket's
    clocks are stopped, not paused); met: every clock met, none ever breached.

    A clock running late shows on its ticket as a `next_due_at` (the earliest deadline of
    its unmet clocks) already past, so "breached" is two indexed columns of the ticket, and
    "at risk" the never-breached tickets whose next deadline is still ahead and whose
    `at_risk_from` (the earliest warning instant of a running clock) has passed: one index
    holds all three, walked in order on PostgreSQL and SQLite alike.
    """

    def ids(clocks):  # a plain subquery: the clocks' indexes find them once
        return clocks.values("ticket_id")

    overdue = Q(next_due_at__lt=now)
    never_breached = Q(breached_at__isnull=True) & ~overdue
    if state == "breached":
        return tickets.filter(Q(breached_at__isnull=False) | overdue)
    if state == "at_risk":  # past the level's warning threshold, as the sweep warns
        return tickets.filter(breached_at__isnull=True, next_due_at__gte=now, at_risk_from__lte=now)
    if state == "running":
        running = SLAClock.objects.filter(state=ClockState.RUNNING)
        return tickets.filter(never_breached, pk__in=ids(running))
    if state == "paused":
        paused = SLAClock.objects.filter(state=ClockState.PAUSED)
        return tickets.open().filter(pk__in=ids(paused))
    if state == "met":
        unmet = SLAClock.objects.filter(met_at__isnull=True)
        return tickets.filter(never_breached).exclude(pk__in=ids(unmet))
    return tickets


def clock_events_of(ticket: Ticket) -> list[SLAClockEvent]:
    """The ticket's clock events in order, read once per ticket object (the back office's
    page shows them twice: in the timeline and in their own table)."""
    cached = ticket.__dict__.get("_clock_events")
    if cached is None:
        cached = ticket.__dict__["_clock_events"] = list(
            SLAClockEvent.objects.filter(sla_clock__ticket=ticket)
            .select_related("sla_clock", "actor")
            .order_by("recorded_at", "id")
        )
    return cached


def open_clocks_on_stale_rules(policy, snapshot) -> list[SLAClock]:
    """Unmet clocks of open tickets of a policy that still count on older rules."""
    return list(
        SLAClock.objects.filter(
            met_at__isnull=True,
            ticket__in=Ticket.objects.open().filter(sla_snapshot__policy=policy),
        )
        .exclude(ticket__sla_snapshot=snapshot)
        .select_related("ticket__priority")
    )


def open_tickets_of_policy(policy) -> QuerySet[Ticket]:
    return Ticket.objects.open().filter(sla_snapshot__policy=policy)


def queue_analysts() -> QuerySet:
    """Who hears about unassigned tickets: every active analyst."""
    return get_user_model().objects.filter(is_staff=True, is_active=True).order_by("pk")


def team_leads() -> QuerySet:
    """Who hears about every breach: active analysts in the team leads' group (admin-editable)."""
    return queue_analysts().filter(groups__name=settings.SLA_TEAM_LEADS_GROUP)
