"""The API tokens page: created by POST then a redirect, the key shown once, the help readable."""

import re
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from accounts import services
from accounts.models import ApiToken
from communications import services as record_services
from tests import factories

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def test_a_token_is_created_once_and_its_key_shown_once():
    customer = factories.make_customer()
    client = _client(customer)

    created = client.post("/account/tokens/", {"name": "ERP"})
    assert created.status_code == 302 and created["Location"] == "/account/tokens/"
    shown = client.get("/account/tokens/").content.decode()
    key = re.search(r'id="new-key-value">(hd_[^<]+)<', shown).group(1)
    assert 'data-copy="new-key-value"' in shown
    assert ApiToken.objects.get(user=customer).prefix == key[:10]

    reloaded = client.get("/account/tokens/").content.decode()
    assert key not in reloaded
    assert ApiToken.objects.filter(user=customer).count() == 1


def test_the_help_text_shows_the_header_with_its_placeholder_escaped():
    html = _client(factories.make_customer()).get("/account/tokens/").content.decode()

    assert "Authorization: Token &lt;key&gt;" in html
    assert "<key>" not in html


def test_a_refused_name_comes_back_typed():
    customer = factories.make_customer()
    for number in range(services.MAX_ACTIVE_TOKENS):
        services.api_token_create(user=customer, name=f"t{number}", now=timezone.now())

    refused = _client(customer).post("/account/tokens/", {"name": "ERP nightly"})

    assert refused.status_code == 400
    assert 'value="ERP nightly"' in refused.content.decode()


def test_the_page_costs_the_same_queries_with_more_tokens(django_assert_num_queries):
    customer = factories.make_customer()
    client = _client(customer)
    client.get("/account/tokens/")
    for number in range(5):
        services.api_token_create(user=customer, name=f"t{number}", now=timezone.now())
    # session, user (with membership, for the menu), tokens
    with django_assert_num_queries(3):
        client.get("/account/tokens/")


def test_another_users_token_cannot_be_revoked():
    token, _key = services.api_token_create(
        user=factories.make_customer(), name="ERP", now=timezone.now()
    )
    response = _client(factories.make_customer()).post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 404


# -- attachments with a token ------------------------------------------------------------------


@pytest.fixture
def attachment(default_policy, levels):
    customer = factories.make_customer()
    now = timezone.now()
    ticket = record_services.ticket_open(
        organization=customer.membership.organization,
        requester=customer,
        subject="Logs",
        description="d",
        priority=levels["alta"],
        reported_at=now,
        now=now,
        files=[record_services.IncomingFile("erro.log", "text/plain", b"ERROR at 9:00\n")],
    )
    return ticket.attachments.get()


def _token_header(user) -> dict:
    _token, key = services.api_token_create(user=user, name="ERP", now=timezone.now())
    return {"authorization": f"Token {key}"}


def test_an_api_token_downloads_the_download_url_it_was_given(attachment):
    owner = attachment.ticket.requester
    headers = _token_header(owner)
    listed = Client(headers=headers).get(f"/api/tickets/{attachment.ticket.reference}/attachments/")
    (url,) = [item["download_url"] for item in listed.json()]

    response = Client(headers=headers).get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"ERROR at 9:00\n"


def test_a_foreign_token_gets_404_and_a_bad_one_401(attachment):
    url = f"/attachments/{attachment.pk}/"
    stranger = factories.make_customer()

    assert Client(headers=_token_header(stranger)).get(url).status_code == 404
    assert Client(headers={"authorization": "Token hd_nope"}).get(url).status_code == 401
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert unescape(Client(headers={"authorization": "Token hd_nope"}).get(url).json()["detail"])
