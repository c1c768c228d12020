"""Reads of the workspace: the queues, the saved views, and their tickets and counts.

Every list is a queryset of tickets filtered on indexed columns (status, assignee, the
next deadline, the clocks' states) and split in three tabs, each ordered so an index serves
it: the deadline still ahead (soonest first), overdue (the next deadline already passed,
longest overdue first), and no running deadline (waiting on the customer, every clock met).
So whatever breaches in the next hour is never buried under tickets 478 hours overdue.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sla.models import SLAClock
from tickets import selectors as ticket_selectors
from tickets.models import Ticket
from workspace.models import PRESENCE_TTL, AwaitingReply, SavedView, Team, TicketPresence

Status = Ticket.Status
OPEN_STATUSES = tuple(s for s in Status.values if s not in Ticket.CLOSED_STATUSES)
# A count walks its rows; past this many, "10000+" says enough and keeps the home fast.
COUNT_CAP = 10_000
BREACHING_SOON = timedelta(hours=1)


@dataclass(frozen=True)
class Tab:
    key: str
    title: str


AHEAD, OVERDUE, NO_DEADLINE = "ahead", "overdue", "no_deadline"
TABS = (
    Tab(AHEAD, _("Deadline ahead")),
    Tab(OVERDUE, _("Overdue")),
    Tab(NO_DEADLINE, _("No running deadline")),
)
TAB_KEYS = tuple(tab.key for tab in TABS)


@dataclass(frozen=True)
class QueueView:
    """One list of the queues home: a built-in queue or a saved view."""

    key: str
    title: str
    description: str
    tickets: Callable[..., QuerySet]  # (user=, now=) -> tickets
    order: str = SavedView.Order.NEXT_DUE
    saved_view: SavedView | None = None


def open_tickets() -> QuerySet[Ticket]:
    """Tickets still being worked: not resolved, closed or cancelled (merged ones are
    cancelled)."""
    return Ticket.objects.filter(status__in=OPEN_STATUSES)


def teammates(user) -> QuerySet:
    """Analysts who share a team with `user` (`user` included when in a team)."""
    return get_user_model().objects.filter(workspace_teams__members=user).values("pk")


def team_member_to_assign(team: Team, current_assignee_id: int | None):
    """The member of `team` a ticket should go to: None when its assignee is already one of
    them (or nobody in the team can take it), else the active member with the fewest open
    tickets (the longest-standing member on a tie), so rules spread work instead of piling
    it on whoever is first."""
    members = get_user_model().objects.filter(workspace_teams=team, is_staff=True, is_active=True)
    if current_assignee_id is not None and members.filter(pk=current_assignee_id).exists():
        return None
    load = Count("assigned_tickets", filter=Q(assigned_tickets__status__in=OPEN_STATUSES))
    return members.annotate(open_tickets=load).order_by("open_tickets", "pk").first()


def teams_of(user) -> list[str]:
    return list(Team.objects.filter(members=user).values_list("name", flat=True))


def _mine(*, user, now):
    return open_tickets().filter(assignee=user)


def _unassigned(*, user, now):
    return open_tickets().filter(assignee__isnull=True)


def _breaching_soon(*, user, now):
    return open_tickets().filter(next_due_at__gte=now, next_due_at__lt=now + BREACHING_SOON)


def _at_risk(*, user, now):
    return ticket_selectors.tickets_in_sla_state(open_tickets(), "at_risk", now=now)


def _breached(*, user, now):
    return ticket_selectors.tickets_in_sla_state(open_tickets(), "breached", now=now)


def _customer_answered(*, user, now):
    # Driven by the marks (an index on when the customer answered): they are as few as the
    # live tickets waiting for us, since a closed or cancelled ticket loses its mark. A probe
    # per open ticket cost 190 ms at 200,000 open tickets.
    answered = AwaitingReply.objects.filter(customer_answered_at__isnull=False)
    return (
        open_tickets()
        .exclude(status=Status.WAITING_ON_CUSTOMER)
        .filter(pk__in=answered.values("ticket_id"))
    )


def _waiting(*, user, now):
    return Ticket.objects.filter(status=Status.WAITING_ON_CUSTOMER)


def _team(*, user, now):
    # The teammates first, as a list: with none, no query is counted at all; as a subquery,
    # SQLite walked a million tickets by deadline looking for them.
    return open_tickets().filter(assignee__in=list(teammates(user).values_list("pk", flat=True)))


def _all_open(*, user, now):
    return open_tickets()


QUEUES: tuple[QueueView, ...] = (
    QueueView("mine", _("My open tickets"), _("Assigned to you and not finished."), _mine),
    QueueView(
        "unassigned",
        _("Unassigned"),
        _("Open tickets nobody has taken: the first response is met on assignment."),
        _unassigned,
    ),
    QueueView(
        "breaching-soon",
        _("Breaching within 1 hour"),
        _("Open tickets whose next deadline runs out in the coming hour."),
        _breaching_soon,
    ),
    QueueView(
        "at-risk",
        _("At risk"),
        _("A clock passed its level's warning threshold and has not breached."),
        _at_risk,
    ),
    QueueView(
        "breached",
        _("Breached and still open"),
        _("A clock breached (a fact no later change clears) and the ticket is not finished."),
        _breached,
    ),
    QueueView(
        "customer-answered",
        _("Customer answered"),
        _("The customer wrote after our last reply: waiting for us."),
        _customer_answered,
    ),
    QueueView(
        "waiting",
        _("Waiting on customer"),
        _("The resolution clock is paused until the customer answers."),
        _waiting,
    ),
    QueueView(
        "team",
        _("My team's tickets"),
        _("Open tickets assigned to the members of your teams."),
        _team,
    ),
    QueueView("all-open", _("All open tickets"), _("Every ticket not finished."), _all_open),
)
QUEUE_KEYS = {queue.key: queue for queue in QUEUES}


# -- saved views ------------------------------------------------------------------------


def saved_views_visible_to(user) -> QuerySet[SavedView]:
    """The analyst's own views and every shared one."""
    return SavedView.objects.filter(Q(owner=user) | Q(shared=True)).select_related("owner")


def saved_view_queue(view: SavedView) -> QueueView:
    return QueueView(
        f"saved-{view.pk}",
        view.name,
        "",
        lambda *, user, now: saved_view_tickets(view.filters, user=user, now=now),
        order=view.order,
        saved_view=view,
    )


def _ints(values) -> list[int]:
    return [int(v) for v in _list(values) if isinstance(v, int) or str(v).isdigit()]


def _list(values) -> list:
    return values if isinstance(values, list) else []


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def _in_days(field: str, start, end) -> Q:
    """`field` within the days `start`..`end` (both included) of the desk's zone."""
    q = Q()
    if (start := _date(start)) is not None:
        q &= Q(**{f"{field}__gte": _day_start(start)})
    if (end := _date(end)) is not None:
        q &= Q(**{f"{field}__lt": _day_start(end + timedelta(days=1))})
    return q


def saved_view_tickets(filters: dict, *, user, now: datetime) -> QuerySet[Ticket]:
    """The tickets a saved view's filters select: values of one filter are alternatives,
    filters combine. No status chosen means the open ones.

    The filters were validated by `SavedViewForm` when saved; they are read again without
    trusting them (a stale or hand-edited value is ignored, never a 500) and without a query.
    """
    filters = filters if isinstance(filters, dict) else {}
    statuses = [s for s in _list(filters.get("statuses")) if s in Status.values]
    tickets = Ticket.objects.filter(status__in=statuses or OPEN_STATUSES)
    if levels := _ints(filters.get("levels")):
        tickets = tickets.filter(priority_id__in=levels)
    if organizations := _ints(filters.get("organizations")):
        tickets = tickets.filter(organization_id__in=organizations)
    if channels := [c for c in _list(filters.get("channels")) if c in Ticket.Channel.values]:
        tickets = tickets.filter(channel__in=channels)
    assignees = _list(filters.get("assignees"))
    if assignees:
        ids = _ints(assignees) + ([user.pk] if "me" in assignees else [])
        who = Q(assignee_id__in=ids) if ids else Q(pk__in=[])
        if "unassigned" in assignees:
            who |= Q(assignee__isnull=True)
        tickets = tickets.filter(who)
    tickets = tickets.filter(
        _in_days("reported_at", filters.get("reported_from"), filters.get("reported_to"))
        & _in_days("next_due_at", filters.get("due_from"), filters.get("due_to"))
    )
    states = [s for s in _list(filters.get("sla_states")) if s in ticket_selectors.SLA_STATES]
    if len(states) == 1:
        tickets = ticket_selectors.tickets_in_sla_state(tickets, states[0], now=now)
    elif states:
        every = Ticket.objects.all()
        either = Q()
        for state in states:
            chosen = ticket_selectors.tickets_in_sla_state(every, state, now=now)
            either |= Q(pk__in=chosen.values("pk"))
        tickets = tickets.filter(either)
    return tickets


# -- tabs, order and counts ---------------------------------------------------------------


def in_tab(tickets: QuerySet[Ticket], tab: str, *, now: datetime) -> QuerySet[Ticket]:
    if tab == OVERDUE:
        return tickets.filter(next_due_at__lt=now)
    if tab == NO_DEADLINE:
        return tickets.filter(next_due_at__isnull=True)
    return tickets.filter(next_due_at__gte=now)


def ordered(tickets: QuerySet[Ticket], tab: str, order: str) -> QuerySet[Ticket]:
    """The tab's order: by the next deadline (the ticket_next_due index walks it), or by the
    report instant (ticket_reported); the id breaks ties so pages never overlap."""
    if order == SavedView.Order.NEWEST:
        return tickets.order_by("-reported_at", "-pk")
    if order == SavedView.Order.OLDEST or tab == NO_DEADLINE:
        return tickets.order_by("reported_at", "pk")
    return tickets.order_by("next_due_at", "pk")


def counts(querysets: dict[str, QuerySet], *, cap: int = COUNT_CAP) -> dict[str, int]:
    """How many rows each queryset has (at most `cap` + 1), in one query.

    Each count is its own scalar subquery, so each uses the indexes of its own filters
    (one aggregate with a condition per view would read every ticket once instead); the
    cap bounds the cost of a huge backlog.
    """
    if not querysets:
        return {}
    by_database: dict[str, list[str]] = {}
    for name, queryset in querysets.items():
        by_database.setdefault(queryset.db, []).append(name)
    found: dict[str, int] = {}
    for alias, names in by_database.items():
        connection = connections[alias]
        selects, params = [], []
        for name in names:
            inner = querysets[name].order_by().values("pk")[: cap + 1]
            try:
                sql, inner_params = inner.query.get_compiler(using=alias).as_sql()
            except EmptyResultSet:  # a filter that can match nothing (`.none()`, `in []`)
                selects.append("0")
                continue
            selects.append(f"(SELECT COUNT(*) FROM ({sql}) counted)")
            params.extend(inner_params)
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(selects), params)
            found.update(zip(names, cursor.fetchone(), strict=True))
    return found


def with_list_columns(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """What a page of a view shows per ticket, read in a fixed number of queries (the ids
    are paged first, `helpdesk.db.rows_by_ids_first`: these joins only touch the page)."""
    return tickets.select_related(
        "organization", "priority", "assignee", "sla_snapshot"
    ).prefetch_related(Prefetch("clocks", queryset=SLAClock.objects.order_by("metric")))


# -- the ticket page: who else is on it, the customer's other tickets, what arrived since -----


@dataclass(frozen=True)
class Colleague:
    """Another analyst with a ticket's page open."""

    user_id: int
    name: str
    typing: bool


def _name(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


def colleagues_on(ticket_id: int, *, user, now: datetime) -> list[Colleague]:
    """The other analysts whose page of the ticket said it was open within the expiry, those
    typing first. One query."""
    rows = (
        TicketPresence.objects.filter(ticket_id=ticket_id, seen_at__gte=now - PRESENCE_TTL)
        .exclude(user=user)
        .order_by("-typing", "user__username")
        .values_list("user_id", "user__first_name", "user__last_name", "user__username", "typing")
    )
    return [
        Colleague(user_id, _name(first, last, username), typing)
        for user_id, first, last, username, typing in rows
    ]


def colleagues_on_tickets(*, user, now: datetime) -> dict[int, list[Colleague]]:
    """Every ticket some other analyst has open right now, with who: one query, whatever the
    page of the list (only live rows are read: a handful per analyst at work)."""
    rows = (
        TicketPresence.objects.filter(seen_at__gte=now - PRESENCE_TTL)
        .exclude(user=user)
        .order_by("ticket_id", "-typing", "user__username")
        .values_list(
            "ticket_id",
            "user_id",
            "user__first_name",
            "user__last_name",
            "user__username",
            "typing",
        )
    )
    by_ticket: dict[int, list[Colleague]] = {}
    for ticket_id, user_id, first, last, username, typing in rows:
        by_ticket.setdefault(ticket_id, []).append(
            Colleague(user_id, _name(first, last, username), typing)
        )
    return by_ticket


RECENT_TICKETS = 5


def customer_recent_tickets(ticket: Ticket, *, limit: int = RECENT_TICKETS) -> dict[str, list]:
    """The requester's latest other tickets and the latest of the rest of the organization
    (a few each), for the ticket page's side panel.

    Two queries, each a short walk of an index. One query for both (`pk IN (…) OR pk IN
    (…)`) made PostgreSQL scan the whole table: 370 ms at a million tickets.
    """
    fields = ("pk", "reference", "subject", "status", "reported_at", "requester_id")
    others = Ticket.objects.exclude(pk=ticket.pk).order_by("-reported_at", "-pk").only(*fields)
    return {
        "requester": list(others.filter(requester_id=ticket.requester_id)[:limit]),
        "organization": list(
            others.filter(organization_id=ticket.organization_id).exclude(
                requester_id=ticket.requester_id
            )[:limit]
        ),
    }


def messages_after(ticket: Ticket, *, message_id: int, user) -> list:
    """Messages written on the ticket after the one a page last saw (notes included for
    analysts): what a reply about to be sent would cross."""
    from communications.selectors import messages_visible_to

    return list(messages_visible_to(user, ticket).filter(pk__gt=message_id).order_by("pk"))
