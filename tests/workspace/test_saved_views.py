"""Saved views: filters with several values each, validated at the edge, personal or shared."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.workspace.conftest import Desk, logged_in
from tickets.models import Ticket
from workspace import selectors
from workspace.models import SavedView

pytestmark = pytest.mark.django_db
ADD = "/admin/workspace/savedview/add/"


def change_url(view: SavedView) -> str:
    return f"/admin/workspace/savedview/{view.pk}/change/"


def view_url(view: SavedView) -> str:
    return reverse("admin:workspace_queue_view", args=[f"saved-{view.pk}"])


def selected(filters: dict, user) -> set[int]:
    tickets = selectors.saved_view_tickets(filters, user=user, now=timezone.now())
    return set(tickets.values_list("pk", flat=True))


def form_data(**fields) -> dict:
    return {"name": "Minha visão", "order": "next_due", "position": 0, **fields}


def test_an_analyst_saves_a_view_with_several_values_per_filter(desk: Desk, agent, levels):
    other_org = factories.make_organization()
    today = timezone.localdate()
    response = logged_in(agent).post(
        ADD,
        form_data(
            statuses=["new", "assigned"],
            levels=[levels["critica"].pk, levels["alta"].pk],
            organizations=[desk.organization.pk, other_org.pk],
            assigned=["me", "unassigned"],
            channels=["portal", "email"],
            sla_states=["breached", "at_risk"],
            reported_from=(today - timedelta(days=1)).isoformat(),
            reported_to=today.isoformat(),
        ),
    )
    view = SavedView.objects.get(owner=agent)
    assert response.status_code == 302
    assert response["Location"] == view_url(view)  # straight to its tickets
    assert view.filters == {
        "statuses": ["new", "assigned"],
        "levels": [levels["critica"].pk, levels["alta"].pk],
        "organizations": [desk.organization.pk, other_org.pk],
        "assignees": ["me", "unassigned"],
        "channels": ["portal", "email"],
        "sla_states": ["breached", "at_risk"],
        "reported_from": (today - timedelta(days=1)).isoformat(),
        "reported_to": today.isoformat(),
    }
    assert not view.shared


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"reported_from": "2026-12-10", "reported_to": "2026-12-01"}, "reported_to", "before"),
        ({"due_from": "2026-13-45"}, "due_from", "valid date"),
        ({"statuses": ["nonsense"]}, "statuses", "valid choice"),
        ({"organizations": ["999999"]}, "organizations", "valid choice"),
        ({"levels": ["x"]}, "levels", ""),
        ({"name": ""}, "name", "required"),
    ],
)
def test_bad_filters_get_a_clear_message_never_a_500(agent, default_policy, fields, field, words):
    response = logged_in(agent).post(ADD, form_data(**fields), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors
    assert words in " ".join(errors[field])
    assert not SavedView.objects.exists()


def test_names_are_unique_per_owner_with_a_message(agent, lead, default_policy):
    SavedView.objects.create(name="Minha visão", owner=agent)
    SavedView.objects.create(name="Outra", owner=lead)
    client = logged_in(agent)
    response = client.post(ADD, form_data())
    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors
    assert client.post(ADD, form_data(name="Outra")).status_code == 302  # another owner's name


def test_the_filters_select_their_tickets(desk: Desk, agent, lead):
    email = desk.open("alta", channel=Ticket.Channel.EMAIL)
    mine = desk.assign(desk.open("critica"), agent)
    at_risk = desk.open("critica", ago=timedelta(minutes=50))  # first response warned at 45
    leads = desk.assign(desk.open("critica", ago=timedelta(hours=2)), lead)  # breached
    elsewhere = desk.open("baixa", organization=factories.make_organization())
    critica = desk.levels["critica"].pk
    assert selected({"levels": [critica]}, agent) == {mine.pk, at_risk.pk, leads.pk}
    assert selected({"levels": [critica, desk.levels["alta"].pk]}, agent) == {
        email.pk,
        mine.pk,
        at_risk.pk,
        leads.pk,
    }
    assert selected({"channels": ["email"]}, agent) == {email.pk}
    assert selected({"organizations": [elsewhere.organization_id]}, agent) == {elsewhere.pk}
    # "me" is whoever looks at the view; "unassigned" adds the tickets nobody took
    assert selected({"assignees": ["me"]}, agent) == {mine.pk}
    assert selected({"assignees": ["me"]}, lead) == {leads.pk}
    assert selected({"assignees": ["unassigned", lead.pk]}, agent) == {
        email.pk,
        at_risk.pk,
        leads.pk,
        elsewhere.pk,
    }
    assert selected({"sla_states": ["at_risk"]}, agent) == {at_risk.pk}
    assert selected({"sla_states": ["at_risk", "breached"]}, agent) == {at_risk.pk, leads.pk}
    # several filters combine
    assert selected({"levels": [critica], "assignees": ["me"]}, lead) == {leads.pk}
    assert selected({"levels": [critica], "sla_states": ["running"]}, agent) == {
        mine.pk,
        at_risk.pk,
    }


def test_no_status_means_open_and_statuses_reach_finished_tickets(desk: Desk, agent):
    working = desk.assign(desk.open(), agent)
    resolved = desk.move(desk.assign(desk.open(), agent), Ticket.Status.RESOLVED, agent)
    assert selected({}, agent) == {working.pk}
    assert selected({"statuses": ["resolved"]}, agent) == {resolved.pk}


def test_date_ranges_are_whole_days_of_the_desk(desk: Desk, agent):
    today_ticket = desk.open()
    last_week = desk.open(ago=timedelta(days=7))
    today = timezone.localdate()
    assert selected({"reported_from": today.isoformat()}, agent) == {today_ticket.pk}
    assert selected({"reported_to": (today - timedelta(days=1)).isoformat()}, agent) == {
        last_week.pk
    }
    assert selected({"reported_from": today.isoformat(), "reported_to": today.isoformat()}, agent)
    # the next deadline: a Baixa reported now is due four business hours ahead at least;
    # the one of last week was due days ago
    yesterday = (today - timedelta(days=1)).isoformat()
    assert selected({"due_to": yesterday}, agent) == {last_week.pk}
    assert selected({"due_from": today.isoformat()}, agent) == {today_ticket.pk}


def test_stale_or_hand_edited_filters_are_ignored_never_a_500(desk: Desk, agent):
    ticket = desk.open()
    view = SavedView.objects.create(
        name="Estranha",
        owner=agent,
        filters={
            "statuses": "new",
            "levels": ["x", None, 99999],
            "assignees": ["nobody"],
            "reported_from": "ontem",
            "sla_states": [{"a": 1}],
        },
    )
    client = logged_in(agent)
    assert client.get("/admin/workspace/queue/").status_code == 200
    assert client.get(view_url(view)).status_code == 200
    view.filters = ["not", "a", "dict"]
    view.save()
    response = client.get(view_url(view))
    assert response.status_code == 200
    assert ticket.pk in [row["ticket"].pk for row in response.context["rows"]]
    assert client.get(change_url(view)).status_code == 200


def test_the_home_counts_saved_views_and_a_view_lists_in_its_order(desk: Desk, agent):
    older = desk.open(ago=timedelta(days=2))
    newer = desk.open(ago=timedelta(days=1))
    view = SavedView.objects.create(name="Recentes", owner=agent, order="newest")
    client = logged_in(agent)
    home = client.get("/admin/workspace/queue/")
    row = next(r for r in home.context["saved_views"] if r["view"].saved_view == view)
    assert (row["count"], row["overdue"]) == (2, 2)  # Baixa: 4 business hours, long past
    listed = client.get(view_url(view)).context["rows"]
    assert [r["ticket"].pk for r in listed] == [newer.pk, older.pk]


def test_a_personal_view_is_its_owners_alone(desk: Desk, agent, lead):
    view = SavedView.objects.create(name="Só minha", owner=agent)
    colleague = logged_in(factories.make_analyst())
    colleague_lead = logged_in(lead)
    for client in (colleague_lead,):
        assert client.get(view_url(view)).status_code == 404
        home = client.get("/admin/workspace/queue/")
        assert view not in [r["view"].saved_view for r in home.context["saved_views"]]
        assert client.get(change_url(view)).status_code == 302  # "does not exist" redirect
        assert "Só minha" not in client.get("/admin/workspace/savedview/").content.decode()
    assert colleague.get(view_url(view)).status_code == 403  # staff without a role
    assert logged_in(agent).get(view_url(view)).status_code == 200


def test_a_shared_view_is_seen_by_all_and_edited_by_its_owner_or_a_team_lead(
    desk: Desk, agent, lead
):
    from tests.workspace.conftest import member_of

    view = SavedView.objects.create(name="Da equipe", owner=agent, shared=True)
    other_agent = member_of("Agents")
    other = logged_in(other_agent)
    assert other.get(view_url(view)).status_code == 200
    home = other.get("/admin/workspace/queue/")
    row = next(r for r in home.context["saved_views"] if r["view"].saved_view == view)
    assert row["edit_url"] == ""  # seen, not editable
    assert other.post(change_url(view), form_data(name="Tomada")).status_code == 403
    assert (
        other.post(f"/admin/workspace/savedview/{view.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    view.refresh_from_db()
    assert view.name == "Da equipe"

    response = logged_in(lead).post(change_url(view), form_data(name="Da equipe N2", shared="on"))
    assert response.status_code == 302
    view.refresh_from_db()
    assert (view.name, view.owner, view.shared) == ("Da equipe N2", agent, True)

    response = logged_in(agent).post(change_url(view), form_data(name="De novo minha"))
    assert response.status_code == 302
    view.refresh_from_db()
    assert (view.name, view.shared) == ("De novo minha", False)
    assert logged_in(lead).get(view_url(view)).status_code == 404  # personal again
