"""References stay unique when many tickets are opened at once (PostgreSQL row locks)."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections

from tests import factories
from tickets import services
from tickets.models import Ticket

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises writers by itself"
    ),
]


def test_concurrent_openings_get_distinct_sequential_references(levels):
    customer = factories.make_customer()
    reported = datetime(2026, 11, 25, 10, tzinfo=ZoneInfo("America/Sao_Paulo"))
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            start.wait()
            services.ticket_create(
                organization=customer.membership.organization,
                requester=customer,
                subject="s",
                description="d",
                priority=levels["baixa"],
                reported_at=reported,
                now=reported,
            )
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=open_one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    references = sorted(Ticket.objects.values_list("reference", flat=True))
    assert references == [f"HD-2026-{n:06d}" for n in range(1, 9)]
