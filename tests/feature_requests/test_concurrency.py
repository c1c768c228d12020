"""Vote counts stay exact when many people vote, and change their minds, at once."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections

from feature_requests import services
from feature_requests.models import FeatureRequest, Vote
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises writers by itself"
    ),
]
NOW = datetime(2026, 11, 25, 10, tzinfo=ZoneInfo("America/Sao_Paulo"))


def run_at_once(actions) -> list[BaseException]:
    start = threading.Barrier(len(actions))
    errors: list[BaseException] = []

    def run(action) -> None:
        try:
            start.wait()
            action()
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_voters_are_each_counted_once():
    fr = factories.make_feature_request()
    voters = [factories.make_customer() for _ in range(10)]
    actions = [
        (lambda user=user: services.feature_request_vote(feature_request=fr, user=user, now=NOW))
        for user in voters
        for _twice in range(2)  # each voter double-clicks
    ]
    assert not run_at_once(actions)
    fr.refresh_from_db()
    assert fr.vote_count == Vote.objects.filter(feature_request=fr).count() == 11


def test_concurrent_votes_and_withdrawals_keep_the_count_exact():
    fr = factories.make_feature_request()
    leaving = [factories.make_customer() for _ in range(6)]
    for user in leaving:
        services.feature_request_vote(feature_request=fr, user=user, now=NOW)
    arriving = [factories.make_customer() for _ in range(6)]
    actions = [
        (lambda user=user: services.feature_request_unvote(feature_request=fr, user=user, now=NOW))
        for user in leaving
        for _twice in range(2)
    ] + [
        (lambda user=user: services.feature_request_vote(feature_request=fr, user=user, now=NOW))
        for user in arriving
    ]
    assert not run_at_once(actions)
    fr = FeatureRequest.objects.get(pk=fr.pk)
    assert fr.vote_count == Vote.objects.filter(feature_request=fr).count() == 7


def test_votes_racing_a_merge_end_on_the_survivor_exactly_once():
    analyst = factories.make_analyst()
    survivor, duplicate = factories.make_feature_request(), factories.make_feature_request()
    voters = [factories.make_customer() for _ in range(8)]
    for user in voters[:4]:  # half already voted for the survivor
        services.feature_request_vote(feature_request=survivor, user=user, now=NOW)

    def vote_for_duplicate(user):
        try:
            services.feature_request_vote(feature_request=duplicate, user=user, now=NOW)
        except services.FeatureRequestError:  # merged first: the vote goes to the survivor
            services.feature_request_vote(feature_request=survivor, user=user, now=NOW)

    actions = [(lambda user=user: vote_for_duplicate(user)) for user in voters] + [
        lambda: services.feature_request_merge(
            duplicate=duplicate, survivor=survivor, actor=analyst, now=NOW
        )
    ]
    assert not run_at_once(actions)
    survivor = FeatureRequest.objects.get(pk=survivor.pk)
    duplicate = FeatureRequest.objects.get(pk=duplicate.pk)
    assert duplicate.status == FeatureRequest.Status.MERGED
    assert duplicate.vote_count == Vote.objects.filter(feature_request=duplicate).count() == 0
    # 8 voters + both authors, each once
    assert survivor.vote_count == Vote.objects.filter(feature_request=survivor).count() == 10
