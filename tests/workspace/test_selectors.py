"""Which tickets land in which queue, on real clocks started by the ticket services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communications import services as record_services
from tests import factories
from tests.workspace.conftest import Desk
from tickets.models import Ticket
from workspace import selectors
from workspace.models import AwaitingReply, Team

pytestmark = pytest.mark.django_db
Status = Ticket.Status


def in_queue(key: str, user) -> set[int]:
    tickets = selectors.QUEUE_KEYS[key].tickets(user=user, now=timezone.now())
    return set(tickets.values_list("pk", flat=True))


def test_open_views_leave_out_resolved_closed_cancelled_and_merged_tickets(desk: Desk, agent):
    working = desk.assign(desk.open(), agent)
    resolved = desk.move(desk.assign(desk.open(), agent), Status.RESOLVED, agent)
    closed = desk.move(
        desk.move(desk.assign(desk.open(), agent), Status.RESOLVED, agent), Status.CLOSED, agent
    )
    cancelled = desk.move(desk.open(), Status.CANCELLED, agent, "Duplicado")
    duplicate = desk.assign(desk.open(), agent)
    record_services.tickets_merge(
        duplicate=duplicate, into=working, actor=agent, now=timezone.now()
    )
    assert in_queue("mine", agent) == {working.pk}
    assert in_queue("all-open", agent) == {working.pk}
    finished = {resolved.pk, closed.pk, cancelled.pk, duplicate.pk}
    for key in selectors.QUEUE_KEYS:
        assert not in_queue(key, agent) & finished, key


def test_mine_and_unassigned(desk: Desk, agent, lead):
    mine = desk.assign(desk.open(), agent)
    theirs = desk.assign(desk.open(), lead)
    nobodys = desk.open()
    assert in_queue("mine", agent) == {mine.pk}
    assert in_queue("mine", lead) == {theirs.pk}
    assert in_queue("unassigned", agent) == {nobodys.pk}


def test_breaching_within_the_hour_at_risk_and_breached_follow_the_clocks(desk: Desk, agent):
    # Critica: first response in 1 h around the clock, warned at 75 % (45 min).
    soon = desk.open("critica", ago=timedelta(minutes=5))  # due in 55 min, not yet warned
    warned = desk.open("critica", ago=timedelta(minutes=50))  # past 45 min: at risk, due in 10
    late = desk.open("critica", ago=timedelta(hours=2))  # breached an hour ago
    calm = desk.open("baixa")  # 4 business hours: never due within the hour
    answered_late = desk.assign(desk.open("critica", ago=timedelta(hours=3)), agent)

    assert in_queue("breaching-soon", agent) == {soon.pk, warned.pk}
    assert in_queue("at-risk", agent) == {warned.pk}
    # A breach is a fact: assigning after the deadline leaves the ticket breached.
    assert in_queue("breached", agent) == {late.pk, answered_late.pk}
    assert calm.pk not in in_queue("breaching-soon", agent) | in_queue("at-risk", agent)


def test_customer_answered_and_waiting_on_customer(desk: Desk, agent):
    waiting = desk.wait_on_customer(desk.assign(desk.open(), agent), agent)
    answered = desk.wait_on_customer(desk.assign(desk.open(), agent), agent)
    untouched = desk.assign(desk.open(), agent)
    assert in_queue("waiting", agent) == {waiting.pk, answered.pk}
    assert in_queue("customer-answered", agent) == set()

    desk.customer_writes(answered)  # resumes the ticket: waiting for us now
    assert in_queue("waiting", agent) == {waiting.pk}
    assert in_queue("customer-answered", agent) == {answered.pk}

    desk.analyst_writes(answered, agent, internal=True)  # a note is no answer
    assert in_queue("customer-answered", agent) == {answered.pk}
    desk.analyst_writes(answered, agent)
    assert in_queue("customer-answered", agent) == set()
    assert untouched.pk not in in_queue("customer-answered", agent)


def test_the_first_unanswered_message_keeps_its_instant(desk: Desk, agent):
    ticket = desk.assign(desk.open(), agent)
    first = desk.customer_writes(ticket, "Alô?")
    desk.customer_writes(ticket, "Alguém aí?")
    assert AwaitingReply.objects.get(ticket=ticket).customer_answered_at == first.created_at


def test_a_customer_answer_on_a_resolved_ticket_that_stays_resolved_is_not_open(desk: Desk, agent):
    ticket = desk.assign(desk.open(), agent)
    desk.customer_writes(ticket)
    desk.move(ticket, Status.RESOLVED, agent)
    assert in_queue("customer-answered", agent) == set()


def test_closed_and_cancelled_tickets_lose_their_mark_resolved_ones_keep_it(desk: Desk, agent):
    closing = desk.assign(desk.open(), agent)
    desk.customer_writes(closing, "Obrigado!")
    desk.move(closing, Status.RESOLVED, agent)
    assert AwaitingReply.objects.filter(ticket=closing).exists()  # it may still be reopened
    desk.move(closing, Status.CLOSED, agent)
    cancelling = desk.assign(desk.open(), agent)
    desk.customer_writes(cancelling, "Esqueçam")
    desk.move(cancelling, Status.CANCELLED, agent, "Engano")
    live = desk.assign(desk.open(), agent)
    desk.customer_writes(live)
    assert set(AwaitingReply.objects.values_list("ticket_id", flat=True)) == {live.pk}
    assert in_queue("customer-answered", agent) == {live.pk}


def test_my_team_is_the_open_tickets_of_my_teams_members(desk: Desk, agent, lead):
    colleague = factories.make_analyst(username="caio")
    outsider = factories.make_analyst(username="olga")
    team = Team.objects.create(name="N2")
    team.members.add(agent, colleague)
    Team.objects.create(name="Outra").members.add(agent, outsider)  # two teams, no duplicate
    ours = desk.assign(desk.open(), colleague)
    mine = desk.assign(desk.open(), agent)
    also_outsiders = desk.assign(desk.open(), outsider)
    desk.assign(desk.open(), lead)  # lead is in no team
    desk.open()
    assert in_queue("team", agent) == {ours.pk, mine.pk, also_outsiders.pk}
    assert in_queue("team", colleague) == {ours.pk, mine.pk}
    assert in_queue("team", lead) == set()
    tickets = selectors.QUEUE_KEYS["team"].tickets(user=agent, now=timezone.now())
    assert tickets.count() == 3  # no row twice for two shared teams


def test_tabs_split_ahead_overdue_and_no_deadline_each_in_deadline_order(desk: Desk, agent):
    later = desk.open("baixa")
    sooner = desk.open("critica", ago=timedelta(minutes=30))
    overdue_long = desk.open("critica", ago=timedelta(hours=5))
    overdue_recent = desk.open("critica", ago=timedelta(hours=2))
    waiting = desk.wait_on_customer(desk.assign(desk.open(), agent), agent)
    now = timezone.now()
    tickets = selectors.QUEUE_KEYS["all-open"].tickets(user=agent, now=now)

    def tab(key):
        listed = selectors.ordered(selectors.in_tab(tickets, key, now=now), key, "next_due")
        return list(listed.values_list("pk", flat=True))

    assert tab(selectors.AHEAD) == [sooner.pk, later.pk]
    assert tab(selectors.OVERDUE) == [overdue_long.pk, overdue_recent.pk]
    assert tab(selectors.NO_DEADLINE) == [waiting.pk]


def test_counts_are_exact_below_the_cap_and_capped_above(desk: Desk, agent):
    for _n in range(3):
        desk.open()
    tickets = selectors.open_tickets()
    assert selectors.counts({"all": tickets, "none": tickets.none()}) == {"all": 3, "none": 0}
    assert selectors.counts({"all": tickets}, cap=2) == {"all": 3}  # "2+"
