"""The customer portal's pages: what they show, to whom, in which zone, and at what cost."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from tests import factories
from tickets import services

pytestmark = pytest.mark.django_db
SAO_PAULO = ZoneInfo("America/Sao_Paulo")


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
