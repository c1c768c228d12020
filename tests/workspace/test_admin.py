"""The queues home and each view's list in the back office: what they show, who reaches them,
and what they cost in queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import roles
from tests import factories
from tests.workspace.conftest import Desk, logged_in, member_of
from tickets.models import Ticket
from workspace import selectors
from workspace.models import SavedView, Team

pytestmark = pytest.mark.django_db
HOME = "/admin/workspace/queue/"


def view_url(key: str, **query) -> str:
    url = reverse("admin:workspace_queue_view", args=[key])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def listed(response) -> list[int]:
    return [row["ticket"].pk for row in response.context["rows"]]


def home_counts(response) -> dict[str, tuple[int, int]]:
    rows = response.context["queues"] + response.context["saved_views"]
    return {row["view"].key: (row["count"], row["overdue"]) for row in rows}


def test_the_home_counts_every_queue_and_links_each_view(desk: Desk, agent):
    desk.assign(desk.open(), agent)
    desk.open("critica", ago=timedelta(minutes=5))
    desk.open("critica", ago=timedelta(hours=2))
    response = logged_in(agent).get(HOME)
    assert response.status_code == 200
    counts = home_counts(response)
    assert counts["mine"] == (1, 0)
    assert counts["unassigned"] == (2, 1)
    assert counts["breaching-soon"] == (1, 0)
    assert counts["breached"] == (1, 1)
    assert counts["all-open"] == (3, 1)
    body = response.content.decode()
    for queue in selectors.QUEUES:
        assert view_url(queue.key) in body
    assert 'class="breadcrumbs"' in body


def test_the_home_and_the_ticket_list_link_each_other(agent):
    client = logged_in(agent)
    assert HOME in client.get("/admin/").content.decode()
    assert HOME in client.get("/admin/tickets/ticket/").content.decode()


def test_a_view_lists_the_deadlines_ahead_first_and_the_overdue_in_their_tab(desk: Desk, agent):
    later = desk.open("baixa")
    sooner = desk.open("critica", ago=timedelta(minutes=30))
    overdue = desk.open("critica", ago=timedelta(hours=2))
    client = logged_in(agent)
    response = client.get(view_url("unassigned"))
    assert response.context["tab"] == "ahead"
    assert listed(response) == [sooner.pk, later.pk]
    tabs = {tab["key"]: tab["count"] for tab in response.context["tabs"]}
    assert tabs == {"ahead": 2, "overdue": 1, "no_deadline": 0}
    assert listed(client.get(view_url("unassigned", tab="overdue"))) == [overdue.pk]


def test_a_view_opens_on_its_first_tab_with_tickets(desk: Desk, agent):
    waiting = desk.wait_on_customer(desk.assign(desk.open(), agent), agent)
    response = logged_in(agent).get(view_url("waiting"))
    assert response.context["tab"] == "no_deadline"
    assert listed(response) == [waiting.pk]


def test_bad_input_on_a_view_is_never_a_500(desk: Desk, agent):
    desk.open()
    client = logged_in(agent)
    assert client.get(view_url("unassigned", tab="nonsense", p="x")).status_code == 200
    assert client.get(view_url("unassigned", p="99999")).status_code == 200
    assert client.get(view_url("no-such-view")).status_code == 404
    assert client.get(view_url("saved-abc")).status_code == 404
    assert client.get(view_url("saved-999999")).status_code == 404


def test_a_view_pages_by_fifty(desk: Desk, agent):
    customer = desk.customer
    for _n in range(52):
        desk.open(requester=customer)
    client = logged_in(agent)
    first = client.get(view_url("unassigned"))
    second = client.get(view_url("unassigned", tab="ahead", p=2))
    assert len(listed(first)) == 50
    assert len(listed(second)) == 2
    assert not set(listed(first)) & set(listed(second))


def test_taking_tickets_from_a_view_assigns_them_to_me(desk: Desk, agent):
    first, second = desk.open(), desk.open()
    client = logged_in(agent)
    back = view_url("unassigned")
    response = client.post(
        reverse("admin:workspace_queue_take"), {"tickets": [first.pk, second.pk], "next": back}
    )
    assert response.status_code == 302
    assert response["Location"] == back
    assert set(Ticket.objects.filter(assignee=agent).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    # nothing chosen, or an off-site "next": a message and the home, never a 500
    response = client.post(
        reverse("admin:workspace_queue_take"), {"tickets": ["x"], "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == HOME


def test_an_sla_admin_sees_the_queues_but_may_not_take_tickets(desk: Desk):
    ticket = desk.open()
    sla_admin = member_of(roles.SLA_ADMINS)
    client = logged_in(sla_admin)
    assert client.get(HOME).status_code == 200
    response = client.post(reverse("admin:workspace_queue_take"), {"tickets": [ticket.pk]})
    assert response.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


@pytest.mark.parametrize("who", ["customer", "anonymous"])
def test_a_customer_or_a_stranger_reaches_no_page_of_the_workspace(desk: Desk, agent, who):
    ticket = desk.open()
    view = SavedView.objects.create(name="Todas", owner=agent, shared=True)
    client = logged_in(desk.customer) if who == "customer" else logged_in(agent).__class__()
    urls = [
        HOME,
        view_url("unassigned"),
        view_url(f"saved-{view.pk}"),
        "/admin/workspace/",
        "/admin/workspace/savedview/",
        "/admin/workspace/savedview/add/",
        f"/admin/workspace/savedview/{view.pk}/change/",
        "/admin/workspace/team/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (302, 404), url
        if response.status_code == 302:
            assert response["Location"].startswith("/admin/login/"), url
    response = client.post(reverse("admin:workspace_queue_take"), {"tickets": [ticket.pk]})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_a_staff_user_without_a_role_gets_403_not_the_queues(db):
    client = logged_in(factories.make_analyst())
    assert client.get(HOME).status_code == 403
    assert client.get(view_url("unassigned")).status_code == 403


def _expected_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_home_costs_the_same_queries_whatever_the_tickets_analysts_and_views(
    desk: Desk, agent, django_assert_num_queries
):
    client = logged_in(agent)
    desk.assign(desk.open(), agent)
    few = _expected_queries(client, HOME)
    for n in range(3):
        colleague = factories.make_analyst(username=f"colega{n}")
        team = Team.objects.create(name=f"Time {n}")
        team.members.add(agent, colleague)
        desk.assign(desk.open("critica", ago=timedelta(hours=n)), colleague)
        desk.wait_on_customer(desk.assign(desk.open(), colleague), colleague)
        desk.customer_writes(desk.assign(desk.open(), colleague))
        SavedView.objects.create(name=f"Minha {n}", owner=agent, filters={"levels": [1]})
        SavedView.objects.create(name=f"Dela {n}", owner=colleague, shared=True)
    # session, user, its and its groups' permissions, saved views, the teammates, every count
    # (one query), teams, the header's notice bell
    with django_assert_num_queries(few):
        response = client.get(HOME)
    assert len(response.context["saved_views"]) == 6
    assert few <= 9


def one_of_each(desk: Desk, agent, colleague) -> None:
    """A ticket for every queue (and more than one page's worth of none)."""
    desk.assign(desk.open(), agent)
    desk.open("critica", ago=timedelta(minutes=5))  # unassigned, breaching within the hour
    desk.open("critica", ago=timedelta(minutes=50))  # at risk
    desk.assign(desk.open("critica", ago=timedelta(hours=3)), colleague)  # breached, team
    desk.wait_on_customer(desk.assign(desk.open(), agent), agent)
    desk.customer_writes(desk.assign(desk.open(), agent))
    desk.open("alta", organization=factories.make_organization())


def test_each_view_costs_the_same_queries_whatever_the_tickets(
    desk: Desk, agent, django_assert_num_queries
):
    client = logged_in(agent)
    colleague = factories.make_analyst(username="caio")
    Team.objects.create(name="N2").members.add(agent, colleague)
    view = SavedView.objects.create(name="Novos", owner=agent, filters={"statuses": ["new"]})
    keys = [*selectors.QUEUE_KEYS, f"saved-{view.pk}"]
    one_of_each(desk, agent, colleague)
    before = {}
    for key in keys:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(view_url(key))
        assert response.context["rows"], key  # a page with rows: the rows' queries counted
        before[key] = len(queries)
    for n in range(5):
        other = factories.make_analyst(username=f"colega{n}")
        Team.objects.create(name=f"Time {n}").members.add(agent, other)
        one_of_each(desk, agent, other)
    for key in keys:
        with django_assert_num_queries(before[key]):
            response = client.get(view_url(key))
        # session, user, its and its groups' permissions, (the saved view), the tabs' counts
        # (one query), the page's ids, its rows, their clocks, the header's notice bell
        assert before[key] <= 10, key
    assert len(response.context["rows"]) == 6 * 3  # the saved view: the new (unassigned) ones
