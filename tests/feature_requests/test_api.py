"""The feature-request API: visibility, proposals, votes, follows, comments, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from feature_requests.models import FeatureRequest, Vote
from tests import factories

pytestmark = pytest.mark.django_db
Status = FeatureRequest.Status
URL = "/api/feature-requests/"


@pytest.fixture
def world():
    acme = factories.make_organization(name="Acme")
    member = factories.make_customer(organization=acme)
    stranger = factories.make_customer()
    analyst = factories.make_analyst()
    public = factories.make_feature_request(
        author=member, title="Exportar CSV", status=Status.UNDER_REVIEW, product_area="live_chat"
    )
    private = factories.make_feature_request(
        author=member, title="Integração SAP", is_private=True, status=Status.APPROVED
    )
    return {
        "member": member,
        "stranger": stranger,
        "analyst": analyst,
        "public": public,
        "private": private,
    }


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def titles(response) -> set[str]:
    return {row["title"] for row in response.json()["results"]}


def test_each_role_lists_what_it_may_see(world):
    assert titles(client_for(world["member"]).get(URL)) == {"Exportar CSV", "Integração SAP"}
    assert titles(client_for(world["stranger"]).get(URL)) == {"Exportar CSV"}
    assert titles(client_for(world["analyst"]).get(URL)) == {"Exportar CSV", "Integração SAP"}
    assert client_for(None).get(URL).status_code in (401, 403)
    private = world["private"].pk
    for suffix in ("", "comments/"):
        assert client_for(world["stranger"]).get(f"{URL}{private}/{suffix}").status_code == 404
    assert client_for(world["stranger"]).post(f"{URL}{private}/vote/").status_code == 404


def test_propose_vote_follow_and_comment(world):
    client = client_for(world["stranger"])
    created = client.post(
        URL,
        {"title": "Modo escuro", "description": "À noite", "product_area": "chatbot"},
        format="json",
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["status"], body["vote_count"], body["voted"], body["subscribed"]) == (
        "submitted",
        1,
        True,
        True,
    )
    fr = world["public"].pk
    assert client.post(f"{URL}{fr}/vote/").json() == {
        "vote_count": 2,
        "voted": True,
        "subscribed": True,
    }
    assert client.post(f"{URL}{fr}/vote/").json()["vote_count"] == 2
    assert client.post(f"{URL}{fr}/unsubscribe/").json()["subscribed"] is False
    assert client.post(f"{URL}{fr}/unvote/").json() == {
        "vote_count": 1,
        "voted": False,
        "subscribed": False,
    }
    assert client.post(f"{URL}{fr}/subscribe/").json()["subscribed"] is True
    comment = client.post(f"{URL}{fr}/comments/", {"body": "Preciso disso"}, format="json")
    assert comment.status_code == 201 and comment.json()["is_official"] is False
    answer = client_for(world["analyst"]).post(
        f"{URL}{fr}/comments/", {"body": "Avaliando"}, format="json"
    )
    assert answer.json()["is_official"] is True
    listed = client.get(f"{URL}{fr}/comments/").json()
    assert [c["body"] for c in listed] == ["Preciso disso", "Avaliando"]


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"title": "", "description": "x"},
        {"title": "x", "description": "y", "product_area": "nope"},
        {"title": "x" * 300, "description": "y"},
    ],
)
def test_bad_proposals_are_a_400(world, payload):
    response = client_for(world["member"]).post(URL, payload, format="json")
    assert response.status_code == 400 and response.json()["detail"]


def test_a_declined_request_refuses_votes_with_a_400(world):
    FeatureRequest.objects.filter(pk=world["public"].pk).update(status=Status.DECLINED)
    response = client_for(world["stranger"]).post(f"{URL}{world['public'].pk}/vote/")
    assert response.status_code == 400
    assert not Vote.objects.filter(user=world["stranger"]).exists()


def test_customers_cannot_change_status_through_the_api(world):
    client = client_for(world["member"])
    fr = world["public"].pk
    assert client.patch(f"{URL}{fr}/", {"status": "approved"}, format="json").status_code == 405
    assert client.put(f"{URL}{fr}/", {"status": "approved"}, format="json").status_code == 405


def test_filters_search_and_ordering(world):
    client = client_for(world["analyst"])
    assert titles(client.get(URL, {"status": "approved"})) == {"Integração SAP"}
    assert titles(client.get(URL, {"product_area": "live_chat"})) == {"Exportar CSV"}
    assert titles(client.get(URL, {"q": "exportar"})) == {"Exportar CSV"}
    assert titles(client.get(URL, {"q": "INTEGRACAO"})) == {"Integração SAP"}
    assert titles(client.get(URL, {"search": "SAP"})) == {"Integração SAP"}
    assert titles(client.get(URL, {"search": "integracao"})) == {"Integração SAP"}
    assert titles(client.get(URL, {"search": "INTEGRAÇÃO sap"})) == {"Integração SAP"}
    assert titles(client.get(URL, {"search": "integracao csv"})) == set()  # every word
    ordered = client.get(URL, {"ordering": "created_at"}).json()["results"]
    assert [r["title"] for r in ordered] == ["Exportar CSV", "Integração SAP"]
    assert titles(client_for(world["member"]).get(URL, {"voted": "true"})) == {
        "Exportar CSV",
        "Integração SAP",
    }
    assert titles(client_for(world["stranger"]).get(URL, {"voted": "true"})) == set()
    assert client.get(URL, {"status": "bogus"}).status_code == 400
    assert client.get(URL, {"created_after": "yesterday"}).status_code == 400
    offset_nobody_uses = {"created_after": "0247-09-05T07:17:44-20:31"}
    assert client.get(URL, offset_nobody_uses).status_code == 400  # PostgreSQL would refuse it
    assert client.get(URL, {"ordering": "nonsense"}).status_code == 200


def test_the_list_costs_the_same_queries_for_any_length(world, django_assert_num_queries):
    client = client_for(world["member"])
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for _ in range(15):
        factories.make_feature_request(status=Status.APPROVED)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(URL, {"page_size": 50})
    assert response.json()["count"] == 17


def test_a_merged_request_takes_no_comments(world):
    from django.utils import timezone

    from feature_requests import services

    survivor = factories.make_feature_request(author=world["member"], status=Status.APPROVED)
    duplicate = world["public"]
    services.feature_request_merge(
        duplicate=duplicate, survivor=survivor, actor=world["analyst"], now=timezone.now()
    )
    response = client_for(world["member"]).post(
        f"{URL}{duplicate.pk}/comments/", {"body": "Ainda preciso disto"}, format="json"
    )
    assert response.status_code == 400
    assert f"mesclada em #{survivor.pk}: comente lá" in str(response.json())
    assert not duplicate.comments.exists()


@pytest.mark.parametrize("name", ["voted", "subscribed"])
def test_a_bad_yes_or_no_filter_is_a_400(world, name):
    client = client_for(world["member"])
    assert client.get(URL, {name: "maybe"}).status_code == 400
    both = {"Exportar CSV", "Integração SAP"}  # the member wrote, voted for and follows both
    assert titles(client.get(URL, {name: "true"})) == both
    assert titles(client.get(URL, {name: "false"})) == set()
    assert titles(client.get(URL, {name: ""})) == {"Exportar CSV", "Integração SAP"}
