"""The rota, the preferences and the call form in the back office."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from communications.models import Call
from oncall.models import NotificationPreference, OnCallShift
from tests import factories
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
TAKE_CALL = "/admin/oncall/oncallshift/take-call/"
ROTA = "/admin/oncall/oncallshift/"


def client_for(user) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(user)
    return client


@pytest.fixture
def analyst(desk):
    """The analyst on call, with the analysts' permissions (as the demo's Analysts group)."""
    user = desk["on_call"]
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["tickets", "communications", "oncall", "sla"]
        )
    )
    return user


def form_data(desk, **overrides):
    called = timezone.localtime() - timedelta(minutes=20)
    data = {
        "called_at_0": called.strftime("%Y-%m-%d"),
        "called_at_1": called.strftime("%H:%M:%S"),
        "duration_minutes": "7",
        "organization": desk["organization"].pk,
        "ticket_reference": "",
        "caller": desk["customer"].pk,
        "caller_name": "",
        "caller_email": "",
        "caller_phone": "+55 11 98888-0000",
        "integration": desk["vendor_integration"].pk,
        "level": desk["levels"]["alta"].pk,
        "subject": "Leads stopped",
        "summary": "Webhook answers 500 since 01:40.",
        "assign_to_me": "on",
        "_record": "Record the call",
    }
    return data | overrides


def test_the_form_shows_who_is_on_call_and_the_dedicated_phones(desk, analyst):
    OnCallShift.objects.create(
        analyst=analyst,
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=1),
    )
    page = client_for(analyst).get(TAKE_CALL)

    assert page.status_code == 200
    html = page.content.decode()
    assert "+55 11 4000-2400" in html
    assert "otto" in html
    assert "Nobody is on call" not in html


def test_check_coverage_explains_without_writing_anything(desk, analyst):
    page = client_for(analyst).post(
        TAKE_CALL,
        {
            key: value
            for key, value in form_data(desk, integration=desk["own_integration"].pk).items()
            if key != "_record"
        }
        | {"_check": "Check coverage"},
    )

    assert page.status_code == 200
    html = page.content.decode()
    assert "self-service" in html
    assert "follow business hours" in html
    assert not Ticket.objects.exists()


def test_recording_a_covered_call_opens_the_ticket_and_goes_to_it(desk, analyst):
    response = client_for(analyst).post(TAKE_CALL, form_data(desk))

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/tickets/ticket/{ticket.pk}/change/"
    assert ticket.integration_24x7
    assert ticket.assignee == analyst
    assert ticket.reported_at.replace(second=0) == Call.objects.get().started_at.replace(second=0)
    text = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("also runs outside business hours" in line for line in text)


def test_a_call_on_an_existing_ticket_by_its_reference(desk, analyst):
    client = client_for(analyst)
    client.post(TAKE_CALL, form_data(desk))
    ticket = Ticket.objects.get()

    response = client.post(
        TAKE_CALL,
        form_data(desk, ticket_reference=ticket.reference.lower(), level="", caller=""),
    )

    assert response.status_code == 302
    assert Ticket.objects.count() == 1
    assert ticket.calls.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"level": ""}, "level"),
        ({"caller": ""}, "caller"),
        ({"ticket_reference": "HD-1999-000001"}, "ticket_reference"),
        ({"summary": " "}, "summary"),
        ({"duration_minutes": "0"}, "duration_minutes"),
        ({"organization": "999999"}, "organization"),
        ({"called_at_0": "2999-01-01"}, "called_at"),
        ({"called_at_0": "not a date"}, "called_at"),
    ],
)
def test_bad_input_is_a_form_error_that_keeps_the_typed_text(desk, analyst, overrides, field):
    page = client_for(analyst).post(TAKE_CALL, form_data(desk, **overrides))

    assert page.status_code == 200
    assert field in page.context["form"].errors
    assert "Webhook answers 500" in page.content.decode() or field == "summary"
    assert not Ticket.objects.exists()


def test_things_of_another_organization_are_refused(desk, analyst):
    other = factories.make_organization()
    foreign_integration = factories.make_integration(organization=other)
    foreign_caller = factories.make_customer(organization=other)

    page = client_for(analyst).post(
        TAKE_CALL,
        form_data(desk, integration=foreign_integration.pk, caller=foreign_caller.pk),
    )

    errors = page.context["form"].errors
    assert "integration" in errors and "caller" in errors
    assert not Ticket.objects.exists()


def test_customers_and_analysts_without_permission_cannot_take_calls(desk):
    customer_page = client_for(desk["customer"]).get(TAKE_CALL)
    assert customer_page.status_code == 302  # to the admin login
    assert "/admin/login/" in customer_page["Location"]
    bare_analyst = factories.make_analyst()
    assert client_for(bare_analyst).get(TAKE_CALL).status_code == 403
    assert client_for(bare_analyst).post(TAKE_CALL, form_data(desk)).status_code == 403
    assert not Ticket.objects.exists()


def test_the_form_costs_the_same_queries_for_few_and_many_members(
    desk, analyst, django_assert_max_num_queries
):
    client = client_for(analyst)
    client.get(TAKE_CALL)  # warm caches (content types, permissions)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(TAKE_CALL)
    for _ in range(20):
        factories.make_customer(organization=desk["organization"])
        factories.make_integration(organization=desk["organization"])
    with CaptureQueriesContext(connection) as many:
        client.get(TAKE_CALL)
    assert len(many) == len(few)


def test_the_rota_says_who_is_on_call_and_repeats_shifts_a_week_later(desk, analyst):
    client = client_for(analyst)
    now = timezone.now()
    shift = OnCallShift.objects.create(
        analyst=analyst, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2)
    )
    page = client.get(ROTA)
    assert page.status_code == 200
    assert "On call now" in page.content.decode()
    assert "Record a call" in page.content.decode()

    client.post(ROTA, {"action": "repeat_next_week", "_selected_action": [shift.pk]})
    client.post(ROTA, {"action": "repeat_next_week", "_selected_action": [shift.pk]})

    copies = OnCallShift.objects.filter(starts_at=shift.starts_at + timedelta(days=7))
    assert copies.count() == 1
    assert copies.get().ends_at == shift.ends_at + timedelta(days=7)


def test_a_shift_must_end_after_it_starts_and_belong_to_an_analyst(desk, analyst):
    client = client_for(factories.make_user(is_staff=True, is_superuser=True))
    now = timezone.localtime()
    page = client.post(
        f"{ROTA}add/",
        {
            "analyst": desk["customer"].pk,
            "starts_at_0": now.strftime("%Y-%m-%d"),
            "starts_at_1": "20:00:00",
            "ends_at_0": now.strftime("%Y-%m-%d"),
            "ends_at_1": "08:00:00",
        },
    )
    assert page.status_code == 200
    errors = page.context["adminform"].form.errors
    assert "analyst" in errors
    assert OnCallShift.objects.filter(analyst=desk["customer"]).count() == 0


def test_shift_changes_are_kept_in_history(desk, analyst):
    shift = OnCallShift.objects.create(
        analyst=analyst, starts_at=timezone.now(), ends_at=timezone.now() + timedelta(hours=8)
    )
    shift.ends_at += timedelta(hours=4)
    shift.save()
    assert shift.history.count() == 2


def test_an_analyst_edits_only_their_own_preferences(desk, analyst):
    bare = factories.make_analyst()
    mine = NotificationPreference.objects.create(user=bare)
    theirs = NotificationPreference.objects.create(user=desk["colleague"])
    client = client_for(bare)
    listing = client.get("/admin/oncall/notificationpreference/")
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [mine]
    assert (
        client.get(f"/admin/oncall/notificationpreference/{theirs.pk}/change/").status_code == 302
    )

    response = client.post(
        f"/admin/oncall/notificationpreference/{mine.pk}/change/",
        {
            "user": bare.pk,
            "working_calendar": "",
            "outside_hours": "skip",
            "on_customer_answer": "email",
            "on_mention": "bell",
            "on_at_risk": "off",
            "on_low_rating": "bell",
        },
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.outside_hours == "skip"
    assert (mine.on_customer_answer, mine.on_mention, mine.on_at_risk) == ("email", "bell", "off")
    assert mine.on_low_rating == "bell"


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2020-01-01"])
def test_a_call_from_long_ago_is_a_form_error(desk, analyst, day):
    page = client_for(analyst).post(TAKE_CALL, form_data(desk, called_at_0=day))

    assert page.status_code == 200
    assert "called_at" in page.context["form"].errors
    assert not Ticket.objects.exists()


def test_the_demo_analysts_edit_only_their_own_preferences(db, default_policy):
    from io import StringIO

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("load_demo_data", stdout=StringIO())

    analyst = get_user_model().objects.get(username="analista")
    assert analyst.has_perm("oncall.add_oncallshift")
    assert not analyst.has_perm("oncall.change_notificationpreference")
