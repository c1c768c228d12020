"""The API's searched ticket list: what it counts, and for whom."""

import pytest
from rest_framework.test import APIClient

from helpdesk.db import SearchCountPaginator
from tests.search.test_selectors import open_ticket

pytestmark = pytest.mark.django_db


def searched(user, text: str) -> dict:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get("/api/tickets/", {"search": text})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def failures(world, indexed):
    with indexed():
        mine = [open_ticket(world, subject=f"Falha {number}") for number in range(3)]
        theirs = open_ticket(world, who="hank", subject="Falha no login")
        open_ticket(world, subject="Outro assunto")
    return {"mine": mine, "theirs": theirs}


def test_a_search_is_counted_exactly_up_to_the_cap(world, failures):
    body = searched(world["analyst"], "falha")
    assert (body["count"], body["count_capped"]) == (4, False)
    assert len(body["results"]) == 4


def test_beyond_the_cap_the_count_is_a_lower_bound(world, failures, monkeypatch):
    monkeypatch.setattr(SearchCountPaginator, "count_cap", 2)
    body = searched(world["analyst"], "falha")
    assert (body["count"], body["count_capped"]) == (2, True)  # at least 2
    assert len(body["results"]) == 3  # paged through the cap and one more
    assert body["next"] is None

    client = APIClient()
    client.force_authenticate(world["analyst"])
    plain = client.get("/api/tickets/").json()  # a list is counted exactly, whatever its size
    assert (plain["count"], plain["count_capped"]) == (5, False)


def test_a_customer_counts_only_their_own_matches(world, failures):
    body = searched(world["maria"], "falha")
    assert (body["count"], body["count_capped"]) == (3, False)
    references = {row["reference"] for row in body["results"]}
    assert references == {ticket.reference for ticket in failures["mine"]}
    assert failures["theirs"].reference not in references
