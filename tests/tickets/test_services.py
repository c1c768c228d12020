"""Opening tickets: references, deadlines from the organization's contract, isolation."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from tests import factories
from tickets import selectors, services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=SAO_PAULO)


def open_ticket(*, customer, level, reported_at=NOW, integration=None) -> Ticket:
    return services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="Relatórios fora do ar",
        description="Nenhum relatório carrega.",
        priority=level,
        reported_at=reported_at,
        now=NOW,
        integration=integration,
    )


def test_references_are_sequential_per_year(default_policy, levels):
    customer = factories.make_customer()
    first = open_ticket(customer=customer, level=levels["baixa"])
    second = open_ticket(customer=customer, level=levels["baixa"])
    assert (first.reference, second.reference) == ("HD-2026-000001", "HD-2026-000002")


def test_deadlines_start_when_the_customer_communicated(default_policy, levels):
    customer = factories.make_customer()
    reported = datetime(2026, 11, 19, 15, 0, tzinfo=SAO_PAULO)
    ticket = open_ticket(customer=customer, level=levels["media"], reported_at=reported)
    assert ticket.first_response_due == datetime(2026, 11, 23, 10, 0, tzinfo=SAO_PAULO)
    assert ticket.resolution_due == datetime(2026, 11, 27, 15, 0, tzinfo=SAO_PAULO)
    assert ticket.policy == default_policy
    assert ticket.history.get().history_change_reason == "Ticket opened"


def test_24x7_applies_only_to_a_vendor_built_integration_under_contract(default_policy, levels):
    customer = factories.make_customer()
    organization = customer.membership.organization
    factories.make_contract(
        organization=organization, integration_24x7=True, on_call_phone="+55 11 4000-0000"
    )
    reported = datetime(2026, 11, 24, 2, 0, tzinfo=SAO_PAULO)
    vendor_built = factories.make_integration(organization=organization, vendor_built=True)
    self_service = factories.make_integration(organization=organization, vendor_built=False)

    covered = open_ticket(
        customer=customer, level=levels["alta"], reported_at=reported, integration=vendor_built
    )
    not_covered = open_ticket(
        customer=customer, level=levels["alta"], reported_at=reported, integration=self_service
    )
    assert covered.integration_24x7
    assert covered.resolution_due == datetime(2026, 11, 24, 13, 30, tzinfo=SAO_PAULO)
    assert not not_covered.integration_24x7
    assert not_covered.resolution_due == datetime(2026, 11, 24, 17, 0, tzinfo=SAO_PAULO)


def test_the_contracted_policy_applies(default_policy, levels):
    customer = factories.make_customer()
    policy = factories.make_policy()  # 1 h first response, 2 h resolution, business hours
    factories.make_contract(organization=customer.membership.organization, policy=policy)
    ticket = open_ticket(customer=customer, level=levels["baixa"])
    assert ticket.policy == policy
    assert ticket.first_response_due == NOW + timedelta(hours=1)


def test_a_foreign_integration_is_refused(default_policy, levels):
    customer = factories.make_customer()
    foreign = factories.make_integration(organization=factories.make_organization())
    with pytest.raises(ValidationError) as error:
        open_ticket(customer=customer, level=levels["alta"], integration=foreign)
    assert "integration" in error.value.message_dict
    assert not Ticket.objects.exists()


def test_a_report_in_the_future_is_refused(default_policy, levels):
    customer = factories.make_customer()
    with pytest.raises(ValidationError):
        open_ticket(customer=customer, level=levels["alta"], reported_at=NOW + timedelta(minutes=1))


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
    assert set(selectors.tickets_visible_to(factories.make_analyst())) == {
        own,
        colleagues,
        foreign,
    }


def test_demo_data_loads_twice_and_prints_the_logins(default_policy):
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    call_command("load_demo_data", stdout=out)
    assert Ticket.objects.count() == 4
    for username in ("admin", "analista", "cliente"):
        assert username in out.getvalue()
    alta = Ticket.objects.get(priority__code="alta")
    assert alta.integration_24x7  # the demo organization has 24x7 integration support


def test_ticket_admin_list_renders(admin_client_logged, default_policy):
    call_command("load_demo_data", stdout=StringIO())
    response = admin_client_logged.get("/admin/tickets/ticket/")
    assert response.status_code == 200
    assert "HD-" in response.content.decode()


def test_ticket_admin_list_costs_the_same_queries_for_more_tickets(
    admin_client_logged, default_policy, levels
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    customer = factories.make_customer()
    for _ in range(2):
        open_ticket(customer=customer, level=levels["alta"])
    with CaptureQueriesContext(connection) as few:
        admin_client_logged.get("/admin/tickets/ticket/")
    for _ in range(8):
        open_ticket(customer=factories.make_customer(), level=levels["media"])
    with CaptureQueriesContext(connection) as many:
        admin_client_logged.get("/admin/tickets/ticket/")
    assert len(many) == len(few)
