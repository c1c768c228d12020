"""A call on the on-call phone: one step opens (or joins) the ticket and writes the call down."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from communications.models import Call
from oncall import services
from oncall.services import Caller
from sla.models import ClockMetric, SLAClock
from tests import factories
from tests.oncall.conftest import at
from tickets import services as ticket_services
from tickets.models import OrganizationMember, Ticket

pytestmark = pytest.mark.django_db


def take(desk, **overrides):
    arguments = {
        "analyst": desk["on_call"],
        "called_at": at(24, 2),
        "duration": timedelta(minutes=12),
        "organization": desk["organization"],
        "caller": Caller(member=desk["customer"], phone="+55 11 98888-0000"),
        "summary": "Leads stopped reaching the CRM at 01:40.\nWebhook answers 500.",
        "integration": desk["vendor_integration"],
        "level": desk["levels"]["alta"],
        "now": at(24, 2, 15),
    }
    return services.call_take(**(arguments | overrides))


def wait_on_customer(desk, ticket, *, since):
    ticket_services.ticket_transition(
        ticket=ticket,
        to_status=Ticket.Status.WAITING_ON_CUSTOMER,
        actor=desk["on_call"],
        now=since,
        reason="Need the webhook logs",
    )


def due(ticket, metric):
    return SLAClock.objects.get(ticket=ticket, metric=metric).due_at


def test_a_covered_call_opens_a_ticket_whose_clocks_start_at_the_call(desk):
    taken = take(desk)

    ticket = taken.ticket
    assert taken.opened
    assert ticket.reported_at == at(24, 2)
    assert ticket.channel == Ticket.Channel.PHONE
    assert ticket.category == Ticket.Category.INTEGRATION
    assert ticket.integration_24x7
    # PRODUCT.md: Alta with 24x7 support reported Tue 02:00 → first response Tue 11:00,
    # resolution Tue 13:30.
    assert due(ticket, ClockMetric.FIRST_RESPONSE) == at(24, 11)
    assert due(ticket, ClockMetric.RESOLUTION) == at(24, 13, 30)
    assert ticket.subject == "Leads stopped reaching the CRM at 01:40."
    assert ticket.assignee == desk["on_call"]


def test_the_call_is_written_down_with_who_called_and_who_took_it(desk):
    taken = take(desk)

    call = Call.objects.get(ticket=taken.ticket)
    assert call == taken.call
    assert call.kind == Call.Kind.PHONE
    assert call.started_at == at(24, 2)
    assert call.duration == timedelta(minutes=12)
    assert "rita@acme.example" in call.participants
    assert "+55 11 98888-0000" in call.participants
    assert "otto" in call.participants
    assert call.recorded_by == desk["on_call"]


@pytest.mark.parametrize(
    ("integration", "level", "reason"),
    [
        ("own_integration", "alta", "self-service"),
        (None, "alta", "not about an integration"),
        ("vendor_integration", "media", "not covered by 24x7"),
    ],
)
def test_a_call_not_covered_is_recorded_on_business_time_and_says_why(
    desk, integration, level, reason
):
    taken = take(
        desk, integration=desk[integration] if integration else None, level=desk["levels"][level]
    )

    ticket = taken.ticket
    assert not ticket.integration_24x7
    assert reason in ticket.integration_24x7_detail
    assert ticket.reported_at == at(24, 2)
    if level == "alta":  # 8 business hours from the next opening, Tue 09:00
        assert due(ticket, ClockMetric.RESOLUTION) == at(24, 17)


def test_without_a_contract_a_call_is_still_recorded(desk, levels):
    organization = factories.make_organization()
    caller = factories.make_customer(organization=organization)
    taken = take(
        desk,
        organization=organization,
        caller=Caller(member=caller),
        integration=factories.make_integration(organization=organization),
    )
    assert "contract has no 24x7" in taken.ticket.integration_24x7_detail


def test_a_new_caller_becomes_a_member_of_the_organization(desk):
    taken = take(desk, caller=Caller(name="Caio", email="caio@acme.example"))

    member = OrganizationMember.objects.get(user__email="caio@acme.example")
    assert member.organization == desk["organization"]
    assert taken.ticket.requester == member.user
    assert not member.user.has_usable_password()


def test_a_new_caller_with_the_e_mail_of_another_organizations_person_is_refused(desk):
    stranger = factories.make_customer(email="eve@elsewhere.example")
    with pytest.raises(ValidationError) as refused:
        take(desk, caller=Caller(name="Eve", email=stranger.email))
    assert "caller_email" in refused.value.error_dict
    assert not Ticket.objects.exists()


def test_a_member_of_another_organization_is_refused_as_caller(desk):
    with pytest.raises(ValidationError) as refused:
        take(desk, caller=Caller(member=factories.make_customer()))
    assert "caller" in refused.value.error_dict


def test_a_call_about_an_open_ticket_joins_it(desk):
    first = take(desk).ticket

    again = take(desk, ticket=first, called_at=at(24, 3), now=at(24, 3, 5), summary="Still down.")

    assert not again.opened
    assert again.ticket == first
    assert Ticket.objects.count() == 1
    assert list(first.calls.values_list("summary", flat=True)) == ["Still down.", first.description]


def test_a_call_from_a_customer_we_wait_on_resumes_the_ticket(desk):
    ticket = take(desk).ticket
    wait_on_customer(desk, ticket, since=at(24, 3))

    again = take(desk, ticket=ticket, called_at=at(24, 4), now=at(24, 4, 5), summary="Logs sent.")

    assert again.ticket.status == Ticket.Status.IN_PROGRESS


def test_a_closed_ticket_or_another_organizations_ticket_is_refused(desk):
    ticket = take(desk).ticket
    ticket_services.ticket_transition(
        ticket=ticket,
        to_status=Ticket.Status.CANCELLED,
        actor=desk["on_call"],
        now=at(24, 3),
        reason="Duplicate",
    )
    with pytest.raises(ValidationError) as closed:
        take(desk, ticket=ticket, now=at(24, 4))
    assert "closed" in str(closed.value)

    other = factories.make_organization()
    with pytest.raises(ValidationError) as foreign:
        take(
            desk,
            ticket=take(desk).ticket,
            organization=other,
            caller=Caller(name="X", email="x@o.example"),
        )
    assert "another organization" in str(foreign.value)


def test_a_call_without_a_written_summary_is_refused_before_anything_is_written(desk):
    with pytest.raises(ValidationError) as refused:
        take(desk, summary="   ")
    assert "summary" in refused.value.error_dict
    assert not Ticket.objects.exists()


def test_a_new_ticket_needs_a_level(desk):
    with pytest.raises(ValidationError) as refused:
        take(desk, level=None)
    assert "level" in refused.value.error_dict


def test_a_call_recorded_late_resumes_the_wait_at_the_calls_time(desk):
    ticket = take(desk).ticket
    wait_on_customer(desk, ticket, since=at(24, 2, 30))

    take(desk, ticket=ticket, called_at=at(24, 3), now=at(24, 5), summary="Logs sent.")

    resolution = SLAClock.objects.get(ticket=ticket, metric=ClockMetric.RESOLUTION)
    assert resolution.paused_total == timedelta(minutes=30)


def test_a_new_callers_e_mail_that_is_someones_user_name_is_refused_not_a_crash(desk):
    factories.make_user(username="joe@acme.example", email="joseph@elsewhere.example")

    with pytest.raises(ValidationError) as refused:
        take(desk, caller=Caller(name="Joe", email="joe@acme.example"))

    assert "caller_email" in refused.value.error_dict
