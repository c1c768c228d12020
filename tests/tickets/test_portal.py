"""The customer portal's pages: what they show, to whom, in which zone, and at what cost."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from tests import factories
from tickets import services
from tickets.models import Ticket
from tickets.views import HOME_PAGE_SIZE

pytestmark = pytest.mark.django_db
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
# Session, user, membership, count, page of tickets, their clocks, the priority filter's levels.
HOME_QUERIES = 7


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ticket(customer, level, *, reported_at=None, **fields):
    reported_at = reported_at or timezone.now()
    return services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject=fields.pop("subject", "Falha nos relatórios"),
        description="d",
        priority=level,
        reported_at=reported_at,
        now=max(reported_at, timezone.now()),
        **fields,
    )


# -- "the clock will start counting at ..." -------------------------------------------------


def test_out_of_hours_notice_counts_from_the_report_not_from_the_page_view(default_policy, levels):
    customer = factories.make_customer()
    saturday = datetime(2026, 11, 21, 10, 0, tzinfo=SAO_PAULO)
    ticket = _ticket(customer, levels["alta"], reported_at=saturday)

    response = _client(customer).get(f"{ticket.get_absolute_url()}?opened=1")

    assert response.context["clock_starts_at"] == datetime(2026, 11, 23, 9, 0, tzinfo=SAO_PAULO)
    assert "23/11/2026 09:00 (UTC-03:00)" in response.content.decode()


def test_no_clock_notice_for_a_ticket_reported_in_support_hours(default_policy, levels):
    customer = factories.make_customer()
    monday = datetime(2026, 11, 23, 10, 0, tzinfo=SAO_PAULO)
    ticket = _ticket(customer, levels["alta"], reported_at=monday)

    response = _client(customer).get(f"{ticket.get_absolute_url()}?opened=1")

    assert response.context["clock_starts_at"] is None


# -- home: pagination and query count -------------------------------------------------------


def _many_tickets(customer, level, count: int) -> list:
    return [_ticket(customer, level, subject=f"Ticket {number}") for number in range(count)]


@pytest.mark.parametrize("count", [5, 50])
def test_home_costs_the_same_queries_for_5_or_50_tickets(
    count, default_policy, levels, django_assert_num_queries
):
    customer = factories.make_customer()
    _many_tickets(customer, levels["media"], count)
    client = _client(customer)

    with django_assert_num_queries(HOME_QUERIES):
        response = client.get("/")

    assert response.status_code == 200
    assert len(response.context["open_rows"]) == min(count, HOME_PAGE_SIZE)


def test_home_pages_keep_open_tickets_first_and_the_filters(default_policy, levels):
    customer = factories.make_customer()
    tickets = _many_tickets(customer, levels["media"], HOME_PAGE_SIZE + 1)
    newest = tickets[-1]
    Ticket.objects.filter(pk=newest.pk).update(status=Ticket.Status.CLOSED)
    client = _client(customer)

    first = client.get("/", {"q": "Ticket"})
    second = client.get("/", {"q": "Ticket", "page": 2})

    assert len(first.context["open_rows"]) == HOME_PAGE_SIZE
    assert first.context["closed_rows"] == []
    assert 'href="?q=Ticket&amp;page=2"' in first.content.decode()
    assert [row[0].pk for row in second.context["closed_rows"]] == [newest.pk]
    assert second.context["open_rows"] == []


@pytest.mark.parametrize("page", ["abc", "-1", "0", "999", "1.5", "", "9" * 40])
def test_a_bad_page_number_is_a_page_not_an_error(page, default_policy, levels):
    customer = factories.make_customer()
    _many_tickets(customer, levels["media"], 3)

    response = _client(customer).get("/", {"page": page})

    assert response.status_code == 200
    assert len(response.context["open_rows"]) == 3
