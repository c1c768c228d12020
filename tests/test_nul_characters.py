"""A NUL character anywhere in a request is a 400 with a message, on every database.

PostgreSQL refuses NUL in text: before this guard some of these were a 500 there only.
"""

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer_client(default_policy):
    client = Client()
    client.force_login(factories.make_customer())
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/feature-requests/similar/?title=a%00b",
        "/reports/statement/?organization=a%00b",
        "/reports/statement/a%00b/2026-11/",
        "/?q=a%00b",
    ],
)
def test_a_nul_in_the_address_or_query_is_a_400(customer_client, url):
    response = customer_client.get(url)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_in_a_form_field_is_a_400(customer_client):
    response = customer_client.post("/account/tokens/", {"name": "integração\x00"})
    assert response.status_code == 400


def test_the_api_answers_in_its_own_shape(customer_client):
    response = customer_client.get("/api/tickets/?search=a%00b")
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


def test_a_broken_multipart_body_is_left_to_the_view(customer_client):
    response = customer_client.post(
        "/api/tickets/",
        data=b"--x\r\nContent-Disposition: form-data; name=\r\n",
        content_type="multipart/form-data; boundary=x",
    )
    assert response.status_code in (400, 415)
