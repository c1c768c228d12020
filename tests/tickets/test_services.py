"""The ticket lifecycle and its clocks, through `tickets.services` (the only way in)."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from sla import clocks
from sla import services as sla_services
from sla.models import ClockEventKind, PriorityTarget, SLAClock
from tests import factories
from tickets import selectors, services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
SP = ZoneInfo("America/Sao_Paulo")
Status = Ticket.Status


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SP)


NOW = at(25, 12)


def open_ticket(*, customer=None, level, reported_at=NOW, now=None, integration=None) -> Ticket:
    customer = customer or factories.make_customer()
    return services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="Relatórios fora do ar",
        description="Nenhum relatório carrega.",
        priority=level,
        reported_at=reported_at,
        now=now or max(reported_at, NOW),
        integration=integration,
    )


def dues(ticket: Ticket) -> dict[str, datetime | None]:
    return {c.metric: c.due_at for c in SLAClock.objects.filter(ticket=ticket)}


def clock(ticket: Ticket, metric: str = "resolution") -> SLAClock:
    return SLAClock.objects.get(ticket=ticket, metric=metric)


def assert_replays(ticket: Ticket) -> None:
    """Replaying each clock's events gives the stored due instant and state."""
    engine = sla_services.snapshot_engine(ticket.sla_snapshot)
    for stored in SLAClock.objects.filter(ticket=ticket):
        replayed = clocks.replay(engine, list(stored.events.order_by("recorded_at", "id")))
        assert (replayed.due_at, replayed.state) == (stored.due_at, stored.state), stored.metric
        assert replayed.paused_total == stored.paused_total


# -- opening ----------------------------------------------------------------------------------


def test_references_are_sequential_per_year(default_policy, levels):
    first = open_ticket(level=levels["baixa"])
    second = open_ticket(level=levels["baixa"])
    assert (first.reference, second.reference) == ("HD-2026-000001", "HD-2026-000002")


def test_the_why_of_a_change_is_kept_whole(default_policy, levels):
    analyst = factories.make_analyst()
    ticket = open_ticket(level=levels["baixa"])
    why = "O cliente explicou por telefone que todos os relatórios param às 10h. " * 4
    ticket = services.ticket_change_priority(
        ticket=ticket, level=levels["media"], actor=analyst, now=NOW, reason=why
    )
    assert ticket.history.first().history_change_reason == why


def test_the_reference_year_is_the_desks_not_utcs(default_policy, levels):
    """New Year's Eve at 22:00 in São Paulo is already January 1st in UTC."""
    eve = datetime(2026, 12, 31, 22, tzinfo=SP)
    ticket = open_ticket(level=levels["baixa"], reported_at=eve, now=eve)
    assert ticket.reference == "HD-2026-000001"


def test_clocks_start_when_the_customer_communicated(default_policy, levels):
    ticket = open_ticket(level=levels["media"], reported_at=at(19, 15))
    assert dues(ticket) == {"first_response": at(23, 10), "resolution": at(27, 15)}
    assert ticket.next_due_at == at(23, 10)
    assert ticket.history.get().history_change_reason == "Ticket opened"
    assert_replays(ticket)


def test_a_ticket_reported_long_ago_starts_breached(default_policy, levels):
    ticket = open_ticket(level=levels["critica"], reported_at=at(20, 10))
    assert clock(ticket).state == "breached"
    assert clock(ticket).events.filter(kind=ClockEventKind.BREACHED).exists()
    assert_replays(ticket)


def test_the_contracted_policy_applies(default_policy, levels):
    customer = factories.make_customer()
    policy = factories.make_policy()  # 1 h first response, 2 h resolution, business hours
    factories.make_contract(organization=customer.membership.organization, policy=policy)
    ticket = open_ticket(customer=customer, level=levels["baixa"])
    assert ticket.sla_snapshot.policy == policy
    assert dues(ticket)["first_response"] == NOW + timedelta(hours=1)


def test_a_foreign_integration_is_refused(default_policy, levels):
    foreign = factories.make_integration(organization=factories.make_organization())
    with pytest.raises(ValidationError) as error:
        open_ticket(level=levels["alta"], integration=foreign)
    assert "integration" in error.value.message_dict
    assert not Ticket.objects.exists()


def test_a_report_in_the_future_is_refused(default_policy, levels):
    with pytest.raises(ValidationError):
        open_ticket(level=levels["alta"], reported_at=NOW + timedelta(minutes=1), now=NOW)


# -- 24x7 integration support -----------------------------------------------------------------


@pytest.fixture
def covered_customer(default_policy):
    customer = factories.make_customer()
    factories.make_contract(
        organization=customer.membership.organization,
        integration_24x7=True,
        on_call_phone="+55 11 4000-0000",
    )
    return customer


def test_24x7_covers_a_vendor_built_integration_under_contract(covered_customer, levels):
    integration = factories.make_integration(organization=covered_customer.membership.organization)
    ticket = open_ticket(
        customer=covered_customer,
        level=levels["alta"],
        reported_at=at(24, 2),
        integration=integration,
    )
    assert ticket.integration_24x7
    assert dues(ticket) == {"first_response": at(24, 11), "resolution": at(24, 13, 30)}


@pytest.mark.parametrize("failing", ["contract", "self_service", "level", "no_integration"])
def test_24x7_says_which_condition_failed(default_policy, levels, failing):
    customer = factories.make_customer()
    organization = customer.membership.organization
    if failing != "contract":
        factories.make_contract(
            organization=organization, integration_24x7=True, on_call_phone="+55 11 4000-0000"
        )
    integration = (
        None
        if failing == "no_integration"
        else factories.make_integration(
            organization=organization, vendor_built=failing != "self_service"
        )
    )
    level = levels["media" if failing == "level" else "alta"]
    ticket = open_ticket(
        customer=customer, level=level, reported_at=at(24, 2), integration=integration
    )
    assert not ticket.integration_24x7
    expected = {
        "contract": "contract",
        "self_service": "self-service",
        "level": "level",
        "no_integration": "not about an integration",
    }[failing]
    assert expected in ticket.integration_24x7_detail
    if level.code == "alta":
        assert dues(ticket)["resolution"] == at(24, 17)  # 8 business hours from 09:00


# -- assignment and transitions -----------------------------------------------------------------


def test_assignment_meets_the_first_response(default_policy, levels):
    analyst = factories.make_analyst()
    ticket = open_ticket(level=levels["alta"], reported_at=at(24, 9), now=at(24, 9))
    ticket = services.ticket_assign(
        ticket=ticket, analyst=analyst, actor=analyst, now=at(24, 9, 30)
    )
    first = clock(ticket, "first_response")
    assert (ticket.status, ticket.assignee) == (Status.ASSIGNED, analyst)
    assert (first.state, first.met_at) == ("met", at(24, 9, 30))
    record = ticket.history.first()
    assert record.history_user == analyst and "Assigned" in record.history_change_reason
    assert ticket.next_due_at == dues(ticket)["resolution"]
    assert_replays(ticket)


def test_a_customer_cannot_be_assigned(default_policy, levels):
    customer = factories.make_customer()
    ticket = open_ticket(customer=customer, level=levels["alta"])
    with pytest.raises(ValidationError):
        services.ticket_assign(ticket=ticket, analyst=customer, actor=customer, now=NOW)


def ticket_in(status: str, level, analyst) -> Ticket:
    """A ticket brought to `status` through the services."""
    ticket = open_ticket(level=level, reported_at=at(24, 9))
    if status == Status.NEW:
        return ticket
    if status == Status.CANCELLED:
        return services.ticket_transition(
            ticket=ticket, to_status=status, actor=analyst, now=NOW, reason="duplicate"
        )
    ticket = services.ticket_assign(ticket=ticket, analyst=analyst, actor=analyst, now=NOW)
    path = {
        Status.ASSIGNED: [],
        Status.IN_PROGRESS: [Status.IN_PROGRESS],
        Status.WAITING_ON_CUSTOMER: [Status.IN_PROGRESS, Status.WAITING_ON_CUSTOMER],
        Status.RESOLVED: [Status.IN_PROGRESS, Status.RESOLVED],
        Status.CLOSED: [Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED],
    }[status]
    for step in path:
        ticket = services.ticket_transition(
            ticket=ticket, to_status=step, actor=analyst, now=NOW, reason="logs, please"
        )
    return ticket


@pytest.mark.parametrize("source", Status.values)
@pytest.mark.parametrize("target", Status.values)
def test_every_transition_is_allowed_or_refused_as_the_lifecycle_says(
    default_policy, levels, source, target
):
    analyst = factories.make_analyst()
    ticket = ticket_in(source, levels["media"], analyst)
    allowed = target in services.TRANSITIONS[source] and target != Status.ASSIGNED
    history_before = ticket.history.count()
    try:
        services.ticket_transition(
            ticket=ticket, to_status=target, actor=analyst, now=NOW, reason="a reason"
        )
    except ValidationError:
        assert not allowed
        ticket.refresh_from_db()
        assert ticket.status == source and ticket.history.count() == history_before
    else:
        assert allowed
        ticket.refresh_from_db()
        assert ticket.status == target
        assert_replays(ticket)


@pytest.mark.parametrize("target", [Status.WAITING_ON_CUSTOMER, Status.CANCELLED])
def test_waiting_and_cancelling_need_a_reason(default_policy, levels, target):
    analyst = factories.make_analyst()
    ticket = ticket_in(Status.IN_PROGRESS, levels["media"], analyst)
    with pytest.raises(ValidationError) as error:
        services.ticket_transition(ticket=ticket, to_status=target, actor=analyst, now=NOW)
    assert "reason" in error.value.message_dict


# -- pauses -----------------------------------------------------------------------------------


def test_waiting_on_the_customer_pauses_resolution_and_resume_moves_it(default_policy, levels):
    analyst = factories.make_analyst()
    ticket = open_ticket(level=levels["alta"], reported_at=at(24, 9), now=at(24, 9))
    ticket = services.ticket_assign(
        ticket=ticket, analyst=analyst, actor=analyst, now=at(24, 9, 30)
    )
    ticket = services.ticket_transition(
        ticket=ticket, to_status=Status.IN_PROGRESS, actor=analyst, now=at(24, 9, 45)
    )
    ticket = services.ticket_transition(
        ticket=ticket,
        to_status=Status.WAITING_ON_CUSTOMER,
        actor=analyst,
        now=at(24, 10),
        reason="Precisamos do log da integração",
    )
    paused = clock(ticket)
    assert (paused.state, paused.due_at) == ("paused", None)
    assert paused.remaining_at_pause == timedelta(hours=7)  # 1 h of 8 spent
    assert ticket.next_due_at is None

    customer = ticket.requester
    ticket = services.ticket_customer_replied(ticket=ticket, actor=customer, now=at(25, 11))
    resumed = clock(ticket)
    assert ticket.status == Status.IN_PROGRESS
    assert resumed.due_at == at(25, 18)  # 7 business hours from Wed 11:00
    assert resumed.paused_total == timedelta(hours=25)
    assert_replays(ticket)


def test_resolving_while_waiting_ends_the_pause_and_meets_the_clock(default_policy, levels):
    analyst = factories.make_analyst()
    ticket = ticket_in(Status.WAITING_ON_CUSTOMER, levels["media"], analyst)
    ticket = services.ticket_transition(
        ticket=ticket, to_status=Status.RESOLVED, actor=analyst, now=NOW + timedelta(hours=1)
    )
    resolution = clock(ticket)
    assert resolution.state == "met" and resolution.paused_since is None
    assert resolution.paused_total == timedelta(hours=1)
    assert_replays(ticket)


def test_a_waiting_ticket_schedules_a_reminder(
    default_policy, levels, mailoutbox, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from tickets.tasks import remind_waiting_customer

    analyst = factories.make_analyst()
    ticket = ticket_in(Status.IN_PROGRESS, levels["media"], analyst)
    ticket.requester.email = "cliente@example.com"
    ticket.requester.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_transition(
            ticket=ticket,
            to_status=Status.WAITING_ON_CUSTOMER,
            actor=analyst,
            now=NOW,
            reason="Envie o log",
        )
    queued = DBTaskResult.objects.get(task_path__endswith="remind_waiting_customer")
    assert queued.run_after == NOW + default_policy.waiting_reminder_after

    assert remind_waiting_customer.call(ticket.pk, NOW.isoformat()) is True
    assert "Envie o log" in mailoutbox[-1].body
    assert mailoutbox[-1].to == ["cliente@example.com"]
    assert "aguardando" in mailoutbox[-1].subject  # the site's language, pt-BR, by default
    membership = ticket.requester.membership
    membership.language = "es"
    membership.save()
    assert remind_waiting_customer.call(ticket.pk, NOW.isoformat()) is True
    assert "Envie o log" in mailoutbox[-1].body
    assert mailoutbox[-1].subject != mailoutbox[-2].subject  # in the customer's own language
    services.ticket_customer_replied(ticket=ticket, actor=ticket.requester, now=NOW)
    assert remind_waiting_customer.call(ticket.pk, NOW.isoformat()) is False


# -- reopen and evidence ----------------------------------------------------------------------


def test_the_customer_reopens_within_the_window_and_the_resolved_time_does_not_count(
    default_policy, levels
):
    analyst = factories.make_analyst()
    ticket = ticket_in(Status.RESOLVED, levels["media"], analyst)
    met_clock = clock(ticket)
    reopened = services.ticket_transition(
        ticket=ticket,
        to_status=Status.IN_PROGRESS,
        actor=ticket.requester,
        now=NOW + timedelta(days=1),
        reason="Voltou a falhar",
    )
    running = clock(reopened)
    assert reopened.status == Status.IN_PROGRESS and running.met_at is None
    assert running.paused_total == timedelta(days=1)
    assert running.due_at > met_clock.due_at
    assert_replays(reopened)


def test_the_customer_cannot_reopen_after_the_window(default_policy, levels):
    analyst = factories.make_analyst()
    ticket = ticket_in(Status.RESOLVED, levels["media"], analyst)
    with pytest.raises(ValidationError, match="reopen window"):
        services.ticket_transition(
            ticket=ticket,
            to_status=Status.IN_PROGRESS,
            actor=ticket.requester,
            now=NOW + timedelta(days=8),
        )
    services.ticket_transition(  # an analyst still can
        ticket=ticket, to_status=Status.IN_PROGRESS, actor=analyst, now=NOW + timedelta(days=8)
    )


def test_another_customer_cannot_reopen(default_policy, levels):
    analyst = factories.make_analyst()
    ticket = ticket_in(Status.RESOLVED, levels["media"], analyst)
    with pytest.raises(ValidationError):
        services.ticket_transition(
            ticket=ticket,
            to_status=Status.IN_PROGRESS,
            actor=factories.make_customer(),
            now=NOW,
        )


@pytest.mark.parametrize("origin", [Ticket.Origin.CUSTOMER, Ticket.Origin.THIRD_PARTY])
def test_a_customer_origin_needs_evidence(default_policy, levels, origin):
    analyst = factories.make_analyst()
    ticket = ticket_in(Status.IN_PROGRESS, levels["alta"], analyst)
    with pytest.raises(ValidationError) as error:
        services.ticket_transition(
            ticket=ticket, to_status=Status.RESOLVED, actor=analyst, now=NOW, origin=origin
        )
    assert "evidence_note" in error.value.message_dict
    resolved = services.ticket_transition(
        ticket=ticket,
        to_status=Status.RESOLVED,
        actor=analyst,
        now=NOW,
        origin=origin,
        evidence_note="O firewall do cliente bloqueia o webhook (log anexo no e-mail).",
    )
    assert resolved.origin == origin
    assert resolved.evidence.get().recorded_by == analyst


# -- priority and policy changes ---------------------------------------------------------------


def test_a_priority_change_recomputes_from_reported_at_keeping_pauses(default_policy, levels):
    analyst = factories.make_analyst()
    ticket = open_ticket(level=levels["media"], reported_at=at(24, 9), now=at(24, 9))
    services.ticket_assign(ticket=ticket, analyst=analyst, actor=analyst, now=at(24, 9, 10))
    services.ticket_transition(
        ticket=ticket, to_status=Status.WAITING_ON_CUSTOMER, actor=analyst, now=at(24, 10),
        reason="log",
    )  # fmt: skip
    services.ticket_customer_replied(ticket=ticket, actor=ticket.requester, now=at(24, 12))
    with pytest.raises(ValidationError):
        services.ticket_change_priority(
            ticket=ticket, level=levels["alta"], actor=analyst, now=at(24, 13), reason=""
        )
    ticket = services.ticket_change_priority(
        ticket=ticket,
        level=levels["alta"],
        actor=analyst,
        now=at(24, 13),
        reason="Afeta todos os relatórios",
    )
    # 8 business hours from 09:00 with 2 h paused: 19:00 -> next day 10:00
    assert dues(ticket)["resolution"] == at(25, 10)
    assert clock(ticket, "first_response").state == "met"
    assert ticket.history.first().history_change_reason == "Afeta todos os relatórios"
    assert clock(ticket).events.filter(kind=ClockEventKind.RECALCULATED).exists()
    assert_replays(ticket)


def test_policy_edits_do_not_move_open_tickets_until_re_applied(default_policy, levels):
    analyst = factories.make_analyst()
    ticket = open_ticket(level=levels["media"], reported_at=at(24, 9), now=at(24, 9))
    services.ticket_assign(ticket=ticket, analyst=analyst, actor=analyst, now=at(24, 9, 10))
    services.ticket_transition(
        ticket=ticket, to_status=Status.WAITING_ON_CUSTOMER, actor=analyst, now=at(24, 10),
        reason="log",
    )  # fmt: skip
    services.ticket_customer_replied(ticket=ticket, actor=ticket.requester, now=at(24, 11))
    before = dues(ticket)
    target = PriorityTarget.objects.get(policy=default_policy, level=levels["media"])
    target.resolution_amount = 1  # 1 business day
    target.save()
    record_edit(default_policy, now=at(24, 8))  # as the admin does when the edit is saved

    newcomer = open_ticket(level=levels["media"], reported_at=at(24, 9), now=at(24, 12))
    assert dues(ticket) == before  # the snapshot holds
    assert dues(newcomer)["resolution"] == at(24, 18)  # one business day: 9 h

    moved = services.tickets_reapply_policy(policy=default_policy, actor=analyst, now=at(24, 12))
    assert moved == 1  # the newcomer already counts on the new rules
    # 9 business hours from 09:00 with 1 h paused -> Wed 10:00
    assert dues(ticket)["resolution"] == at(25, 10)
    assert clock(ticket).paused_total == timedelta(hours=1)
    ticket.refresh_from_db()
    assert ticket.history.first().history_change_reason == "SLA policy re-applied"
    assert_replays(ticket)


def record_edit(policy, *, now: datetime):
    from sla import selectors as sla_selectors

    fresh = sla_selectors.policies_with_rules().get(pk=policy.pk)
    return sla_services.policy_version_record(fresh, now=now)


def test_a_ticket_entered_late_counts_on_the_rules_in_force_when_it_was_reported(
    default_policy, levels
):
    """A phone call at 09:00, entered at 12:00, after the policy changed at 10:00."""
    record_edit(default_policy, now=at(23, 8))  # the rules before the edit, on record
    target = PriorityTarget.objects.get(policy=default_policy, level=levels["media"])
    target.resolution_amount = 1  # 5 business days -> 1
    target.save()
    record_edit(default_policy, now=at(24, 10))

    called = open_ticket(level=levels["media"], reported_at=at(24, 9), now=at(24, 12))
    assert dues(called)["resolution"] == at(30, 18)  # 5 business days: the old rules
    later = open_ticket(level=levels["media"], reported_at=at(24, 10, 30), now=at(24, 12))
    assert dues(later)["resolution"] == at(25, 10, 30)  # 1 business day: the new rules
    assert called.sla_snapshot != later.sla_snapshot
    assert_replays(called)


def test_rules_first_seen_are_taken_as_always_in_force(default_policy, levels):
    ticket = open_ticket(level=levels["media"], reported_at=at(19, 15))
    version = default_policy.versions.get()
    assert version.snapshot == ticket.sla_snapshot
    assert version.in_force_from == sla_services.SINCE_EVER
    again = open_ticket(level=levels["media"], reported_at=at(20, 15))
    assert default_policy.versions.count() == 1  # same rules, nothing new on record
    assert again.sla_snapshot == ticket.sla_snapshot


def test_reapply_preview_counts_what_would_move(default_policy, levels):
    from sla import selectors as sla_selectors

    for hour in (9, 10, 11):
        open_ticket(level=levels["baixa"], reported_at=at(24, hour))
    target = PriorityTarget.objects.get(policy=default_policy, level=levels["baixa"])
    target.first_response_amount = 2
    target.save()
    snapshot = sla_services.snapshot_take(
        sla_selectors.policies_with_rules().get(pk=default_policy.pk)
    )
    open_clocks = list(SLAClock.objects.select_related("ticket__priority").filter(met_at=None))
    preview = sla_services.reapply_preview(
        clocks_with_tickets=open_clocks, snapshot=snapshot, now=at(24, 12)
    )
    assert (preview.tickets, preview.tickets_moving, preview.clocks_moving) == (3, 3, 3)
    assert (preview.earlier, preview.later) == (3, 0)
    assert preview.largest_shift == timedelta(hours=2)
    assert preview.mean_shift == -timedelta(hours=2)


def test_reapply_moves_only_what_the_change_touches(default_policy, levels):
    """A ticket of an untouched level, and a clock already met, are left as they were; a
    paused clock keeps its pauses and gets the new budget's remainder."""
    analyst = factories.make_analyst()
    untouched = open_ticket(level=levels["baixa"], reported_at=at(24, 9), now=at(24, 9))
    met = open_ticket(level=levels["media"], reported_at=at(24, 9), now=at(24, 9))
    services.ticket_assign(ticket=met, analyst=analyst, actor=analyst, now=at(24, 9, 30))
    waiting = open_ticket(level=levels["media"], reported_at=at(24, 9), now=at(24, 9))
    services.ticket_assign(ticket=waiting, analyst=analyst, actor=analyst, now=at(24, 9, 10))
    services.ticket_transition(
        ticket=waiting, to_status=Status.WAITING_ON_CUSTOMER, actor=analyst, now=at(24, 11),
        reason="log",
    )  # fmt: skip
    met_before = clock(met, "first_response")
    untouched_before = dues(untouched)
    history_before = untouched.history.count()

    target = PriorityTarget.objects.get(policy=default_policy, level=levels["media"])
    target.first_response_amount, target.resolution_amount = 1, 1  # 1 h, 1 business day
    target.save()
    from sla import selectors as sla_selectors

    snapshot = sla_services.snapshot_take(
        sla_selectors.policies_with_rules().get(pk=default_policy.pk)
    )
    stale = selectors.open_clocks_on_stale_rules(default_policy, snapshot)
    preview = sla_services.reapply_preview(
        clocks_with_tickets=stale, snapshot=snapshot, now=at(24, 12)
    )
    # met: resolution moves; waiting: its paused resolution budget shrinks; untouched: nothing
    assert (preview.tickets, preview.tickets_moving, preview.clocks_moving) == (3, 2, 2)

    moved = services.tickets_reapply_policy(policy=default_policy, actor=analyst, now=at(24, 12))
    assert moved == 2
    untouched.refresh_from_db()
    assert untouched.sla_snapshot == snapshot  # on the new rules, though nothing moved
    assert dues(untouched) == untouched_before
    assert untouched.history.count() == history_before
    assert not clock(untouched).events.filter(kind=ClockEventKind.RECALCULATED).exists()
    after = clock(met, "first_response")
    assert (after.due_at, after.state, after.met_at) == (
        met_before.due_at, met_before.state, met_before.met_at,
    )  # fmt: skip
    paused = clock(waiting)
    assert paused.state == "paused"
    # 9 h budget, 2 h spent (09:00-11:00) before the pause: 7 h left
    assert paused.remaining_at_pause == timedelta(hours=7)
    for ticket in (untouched, met, waiting):
        assert_replays(ticket)


# -- breaches, isolation, demo ------------------------------------------------------------------


def test_breaches_are_marked_once_with_an_event(default_policy, levels):
    ticket = open_ticket(level=levels["alta"], reported_at=at(25, 9), now=at(25, 9))
    assert sla_services.clocks_mark_breaches(now=at(25, 11, 1)) == 1  # first response
    assert sla_services.clocks_mark_breaches(now=at(25, 11, 2)) == 0
    assert clock(ticket, "first_response").state == "breached"
    assert_replays(ticket)


def test_sla_states_as_the_lists_filter_them(default_policy, levels):
    analyst = factories.make_analyst()
    waiting = open_ticket(level=levels["media"], reported_at=at(24, 9), now=at(24, 9))
    cancelled = open_ticket(level=levels["media"], reported_at=at(24, 9), now=at(24, 9))
    late = open_ticket(level=levels["alta"], reported_at=at(24, 9), now=at(24, 9))
    for ticket, status in ((waiting, Status.WAITING_ON_CUSTOMER), (cancelled, Status.CANCELLED)):
        services.ticket_assign(ticket=ticket, analyst=analyst, actor=analyst, now=at(24, 9, 5))
        services.ticket_transition(
            ticket=ticket, to_status=status, actor=analyst, now=at(24, 10), reason="log"
        )

    def in_state(state):
        return set(selectors.tickets_in_sla_state(Ticket.objects.all(), state, now=at(24, 12)))

    assert in_state("paused") == {waiting}  # a cancelled ticket's clocks are stopped
    assert in_state("breached") == {late}  # past its 2 h first response, not yet swept
    assert in_state("running") == set()
    assert in_state("met") == set()


def test_what_breaches_next_is_one_indexed_query(default_policy, levels, django_assert_num_queries):
    from sla import selectors as sla_selectors

    soon = open_ticket(level=levels["alta"], reported_at=at(25, 9), now=at(25, 9))
    open_ticket(level=levels["baixa"], reported_at=at(25, 9), now=at(25, 9))
    with django_assert_num_queries(1):
        breaching = list(sla_selectors.clocks_breaching_between(at(25, 10, 30), at(25, 11, 30)))
    assert [c.ticket_id for c in breaching] == [soon.pk]


def test_customers_see_only_what_is_theirs(default_policy, levels):
    organization = factories.make_organization()
    member = factories.make_customer(organization=organization)
    colleague = factories.make_customer(organization=organization)
    org_admin = factories.make_customer(organization=organization, is_admin=True)
    stranger = factories.make_customer()
    own = open_ticket(customer=member, level=levels["baixa"])
    colleagues = open_ticket(customer=colleague, level=levels["baixa"])
    foreign = open_ticket(customer=stranger, level=levels["baixa"])

    assert set(selectors.tickets_visible_to(member)) == {own}
    assert set(selectors.tickets_visible_to(org_admin)) == {own, colleagues}
    assert set(selectors.tickets_visible_to(stranger)) == {foreign}
    analyst_view = set(selectors.tickets_visible_to(factories.make_analyst()))
    assert analyst_view == {own, colleagues, foreign}


def test_demo_data_loads_twice_and_covers_every_state(default_policy):
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    call_command("load_demo_data", stdout=out)
    for username in ("admin", "analista", "cliente"):
        assert username in out.getvalue()
    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)  # every state of the lifecycle
    assert Ticket.objects.filter(integration_24x7=True).exists()
    states = set(SLAClock.objects.values_list("state", flat=True))
    assert {"met", "breached", "paused", "running"} <= states
    assert set(Ticket.objects.values_list("priority__code", flat=True)) == {
        "critica",
        "alta",
        "media",
        "baixa",
    }
