"""The back office: moderation queue, status with reason, merges, answers, linked tickets."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.utils import timezone

from feature_requests import services
from feature_requests.models import FeatureRequest, Notice, Subscription
from tests import factories

pytestmark = pytest.mark.django_db
Status = FeatureRequest.Status
CHANGELIST = "/admin/feature_requests/featurerequest/"


def test_the_moderation_queue_lists_new_requests_in_constant_queries(
    admin_client_logged, django_assert_max_num_queries
):
    for _ in range(3):
        factories.make_feature_request()
    reviewed = factories.make_feature_request(status=Status.UNDER_REVIEW, title="Já revisada")
    with django_assert_max_num_queries(12):
        response = admin_client_logged.get(CHANGELIST, {"queue": "moderation"})
    assert response.status_code == 200
    assert reviewed.title not in response.content.decode()
    for _ in range(10):
        factories.make_feature_request()
    with django_assert_max_num_queries(12):
        assert admin_client_logged.get(CHANGELIST).status_code == 200


def test_the_change_page_shows_the_forms_votes_and_subscribers(admin_client_logged):
    fr = factories.make_feature_request()
    voter = factories.make_customer(username="votante")
    services.feature_request_vote(feature_request=fr, user=voter, now=timezone.now())
    page = admin_client_logged.get(f"{CHANGELIST}{fr.pk}/change/").content.decode()
    assert "votante" in page
    assert f"{CHANGELIST}{fr.pk}/status/" in page
    assert f"{CHANGELIST}{fr.pk}/merge/" in page


def test_status_change_with_reason_from_the_change_page(
    admin_client_logged, django_capture_on_commit_callbacks
):
    fr = factories.make_feature_request()
    url = f"{CHANGELIST}{fr.pk}/status/"
    admin_client_logged.post(url, {"to_status": "approved", "reason": ""})
    fr.refresh_from_db()
    assert fr.status == Status.SUBMITTED  # a reason is required
    with django_capture_on_commit_callbacks():
        admin_client_logged.post(url, {"to_status": "approved", "reason": "No roadmap."})
    fr.refresh_from_db()
    assert (fr.status, fr.status_reason) == (Status.APPROVED, "No roadmap.")
    assert Notice.objects.filter(feature_request=fr).count() == 1
    page = admin_client_logged.get(f"{CHANGELIST}{fr.pk}/change/").content.decode()
    assert "No roadmap." in page


def test_merge_action_and_bulk_status(admin_client_logged, django_capture_on_commit_callbacks):
    survivor = factories.make_feature_request()
    duplicates = [factories.make_feature_request() for _ in range(2)]
    ids = [str(d.pk) for d in duplicates]
    asked = admin_client_logged.post(
        CHANGELIST, {"action": "merge_into", ACTION_CHECKBOX_NAME: ids}
    )
    assert asked.status_code == 200 and b"apply" in asked.content
    admin_client_logged.post(
        CHANGELIST,
        {"action": "merge_into", ACTION_CHECKBOX_NAME: ids, "apply": "1", "survivor": survivor.pk},
    )
    survivor.refresh_from_db()
    assert survivor.vote_count == 3
    assert FeatureRequest.objects.filter(status=Status.MERGED).count() == 2
    with django_capture_on_commit_callbacks():
        admin_client_logged.post(
            CHANGELIST,
            {
                "action": "change_status",
                ACTION_CHECKBOX_NAME: [str(survivor.pk)],
                "apply": "1",
                "to_status": "declined",
                "reason": "Fora do escopo.",
            },
        )
    survivor.refresh_from_db()
    assert survivor.status == Status.DECLINED
    assert Notice.objects.filter(feature_request=survivor).count() == 3


def test_official_answer_and_ticket_link_from_the_change_page(
    admin_client_logged, default_policy, levels
):
    from tickets import services as ticket_services

    customer = factories.make_customer()
    now = timezone.now()
    ticket = ticket_services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="Pedido de recurso",
        description="x",
        priority=levels["baixa"],
        reported_at=now,
        now=now,
    )
    fr = factories.make_feature_request()
    admin_client_logged.post(f"{CHANGELIST}{fr.pk}/comment/", {"body": "Vamos avaliar."})
    assert fr.comments.get().is_official
    admin_client_logged.post(f"{CHANGELIST}{fr.pk}/link/", {"reference": "HD-1999-000001"})
    assert not fr.ticket_links.exists()
    admin_client_logged.post(f"{CHANGELIST}{fr.pk}/link/", {"reference": ticket.reference})
    assert fr.ticket_links.get().ticket == ticket
    assert Subscription.objects.filter(feature_request=fr, user=customer).exists()


def test_customers_cannot_reach_the_back_office(client):
    fr = factories.make_feature_request()
    client.force_login(fr.author)
    response = client.post(f"{CHANGELIST}{fr.pk}/status/", {"to_status": "approved", "reason": "x"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    fr.refresh_from_db()
    assert fr.status == Status.SUBMITTED


@pytest.mark.parametrize("kind", ["status", "merge", "comment", "link"])
@pytest.mark.parametrize("object_id", ["abc", "1x", "²"])
def test_an_object_form_posted_to_a_bad_id_is_not_found(admin_client_logged, kind, object_id):
    response = admin_client_logged.post(f"{CHANGELIST}{object_id}/{kind}/", {"body": "x"})
    assert response.status_code == 404


def test_the_admin_says_why_a_private_request_cannot_take_a_link_or_a_merge(
    admin_client_logged, default_policy, levels
):
    from tickets import services as ticket_services

    customer = factories.make_customer()
    now = timezone.now()
    ticket = ticket_services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="Pedido de recurso",
        description="x",
        priority=levels["baixa"],
        reported_at=now,
        now=now,
    )
    foreign = factories.make_feature_request(is_private=True, status=Status.APPROVED)
    response = admin_client_logged.post(
        f"{CHANGELIST}{foreign.pk}/link/", {"reference": ticket.reference}, follow=True
    )
    assert f"#{foreign.pk} é privada de outra organização" in response.content.decode()
    assert not foreign.ticket_links.exists()
    duplicate = factories.make_feature_request(author=customer, status=Status.UNDER_REVIEW)
    admin_client_logged.post(f"{CHANGELIST}{duplicate.pk}/link/", {"reference": ticket.reference})
    response = admin_client_logged.post(
        f"{CHANGELIST}{duplicate.pk}/merge/", {"survivor": foreign.pk}, follow=True
    )
    assert f"#{foreign.pk} é privada da sua organização" in response.content.decode()
    duplicate.refresh_from_db()
    assert duplicate.status == Status.UNDER_REVIEW
    assert Subscription.objects.filter(feature_request=duplicate, user=customer).exists()
