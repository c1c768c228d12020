"""The rules of feature requests: votes, subscriptions, status, merges, comments, tickets."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feature_requests import selectors, services
from feature_requests.models import FeatureRequest, Notice, Subscription, TicketLink, Vote
from tests import factories

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))
Status = FeatureRequest.Status


def votes_of(feature_request) -> int:
    feature_request.refresh_from_db()
    counted = Vote.objects.filter(feature_request=feature_request).count()
    assert feature_request.vote_count == counted
    return feature_request.vote_count


def subscribers(feature_request) -> set:
    return set(
        Subscription.objects.filter(feature_request=feature_request).values_list(
            "user__username", flat=True
        )
    )


def test_creating_a_request_votes_and_subscribes_the_author():
    author = factories.make_customer()
    fr = services.feature_request_create(
        author=author,
        title="  Exportar conversas em CSV ",
        description="Para auditoria.",
        product_area=FeatureRequest.ProductArea.LIVE_CHAT,
        now=NOW,
    )
    assert fr.title == "Exportar conversas em CSV"
    assert fr.status == Status.SUBMITTED
    assert fr.organization == author.membership.organization
    assert votes_of(fr) == 1
    assert subscribers(fr) == {author.username}
    assert fr.history.count() == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"title": " ", "description": "x"},
        {"title": "x", "description": ""},
        {"title": "x", "description": "y", "product_area": "nope"},
    ],
)
def test_a_request_needs_a_title_a_description_and_a_known_area(fields):
    with pytest.raises(services.FeatureRequestError):
        services.feature_request_create(author=factories.make_customer(), now=NOW, **fields)


def test_only_customers_and_analysts_propose():
    with pytest.raises(services.FeatureRequestError):
        services.feature_request_create(
            author=factories.make_user(), title="t", description="d", now=NOW
        )


def test_one_vote_per_user_and_it_can_be_withdrawn():
    fr = factories.make_feature_request()
    voter = factories.make_customer()
    assert services.feature_request_vote(feature_request=fr, user=voter, now=NOW) is True
    assert services.feature_request_vote(feature_request=fr, user=voter, now=NOW) is False
    assert votes_of(fr) == 2
    assert voter.username in subscribers(fr)  # voting subscribes
    assert services.feature_request_unvote(feature_request=fr, user=voter, now=NOW) is True
    assert services.feature_request_unvote(feature_request=fr, user=voter, now=NOW) is False
    assert votes_of(fr) == 1
    assert voter.username in subscribers(fr)  # withdrawing a vote does not unsubscribe


def test_the_database_refuses_a_second_vote():
    from django.db import IntegrityError, transaction

    fr = factories.make_feature_request()
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(feature_request=fr, user=fr.author, created_at=NOW)


@pytest.mark.parametrize("status", [Status.DECLINED, Status.SHIPPED])
def test_closed_requests_take_no_votes(status):
    fr = factories.make_feature_request(status=status)
    with pytest.raises(services.FeatureRequestError):
        services.feature_request_vote(feature_request=fr, user=factories.make_customer(), now=NOW)


def test_follow_and_unfollow_without_voting():
    fr = factories.make_feature_request()
    follower = factories.make_customer()
    assert services.feature_request_subscribe(feature_request=fr, user=follower, now=NOW)
    assert not services.feature_request_subscribe(feature_request=fr, user=follower, now=NOW)
    assert votes_of(fr) == 1
    assert Subscription.objects.get(feature_request=fr, user=follower).source == "follow"
    assert services.feature_request_unsubscribe(feature_request=fr, user=follower, now=NOW)
    assert follower.username not in subscribers(fr)


def test_status_changes_need_an_analyst_a_reason_and_an_allowed_step():
    fr = factories.make_feature_request()
    analyst = factories.make_analyst()
    with pytest.raises(services.FeatureRequestError):
        services.feature_request_change_status(
            feature_request=fr, to_status=Status.APPROVED, reason="ok", actor=fr.author, now=NOW
        )
    with pytest.raises(services.FeatureRequestError):
        services.feature_request_change_status(
            feature_request=fr, to_status=Status.APPROVED, reason=" ", actor=analyst, now=NOW
        )
    with pytest.raises(services.FeatureRequestError):
        services.feature_request_change_status(
            feature_request=fr, to_status=Status.SHIPPED, reason="x", actor=analyst, now=NOW
        )
    with pytest.raises(services.FeatureRequestError):
        services.feature_request_change_status(
            feature_request=fr, to_status="bogus", reason="x", actor=analyst, now=NOW
        )
    with pytest.raises(services.FeatureRequestError):
        services.feature_request_change_status(
            feature_request=fr, to_status=Status.MERGED, reason="x", actor=analyst, now=NOW
        )
    done = services.feature_request_change_status(
        feature_request=fr,
        to_status=Status.UNDER_REVIEW,
        reason="Estamos avaliando.",
        actor=analyst,
        now=NOW,
    )
    assert (done.status, done.status_reason, done.status_changed_at) == (
        Status.UNDER_REVIEW,
        "Estamos avaliando.",
        NOW,
    )
    record = done.history.order_by("-history_id").first()
    assert (record.history_user, record.history_change_reason) == (analyst, "Estamos avaliando.")


def test_the_status_history_lists_each_change_with_its_public_reason():
    fr = factories.make_feature_request()
    analyst = factories.make_analyst()
    for step, status in enumerate([Status.UNDER_REVIEW, Status.APPROVED, Status.SHIPPED], 1):
        services.feature_request_change_status(
            feature_request=fr,
            to_status=status,
            reason=f"passo {step}",
            actor=analyst,
            now=NOW + timedelta(days=step),
        )
    services.comment_post(feature_request=fr, author=analyst, body="nota", now=NOW)
    history = selectors.status_history(fr)
    assert [(h["status"], h["reason"]) for h in history] == [
        (Status.SUBMITTED, ""),
        (Status.UNDER_REVIEW, "passo 1"),
        (Status.APPROVED, "passo 2"),
        (Status.SHIPPED, "passo 3"),
    ]
    assert history[2]["at"] == NOW + timedelta(days=2)


def approve(fr, analyst, *, now=NOW, reason="Entra no roadmap."):
    return services.feature_request_change_status(
        feature_request=fr, to_status=Status.APPROVED, reason=reason, actor=analyst, now=now
    )


def test_approval_writes_one_notice_per_subscriber_even_when_saved_twice():
    fr = factories.make_feature_request()
    analyst = factories.make_analyst()
    voter, follower, gone = (factories.make_customer() for _ in range(3))
    services.feature_request_vote(feature_request=fr, user=voter, now=NOW)
    services.feature_request_subscribe(feature_request=fr, user=follower, now=NOW)
    services.feature_request_subscribe(feature_request=fr, user=gone, now=NOW)
    services.feature_request_unsubscribe(feature_request=fr, user=gone, now=NOW)
    approve(fr, analyst)
    approve(fr, analyst)  # saved twice: nothing changes
    services.feature_request_change_status(
        feature_request=fr, to_status=Status.UNDER_REVIEW, reason="revendo", actor=analyst, now=NOW
    )
    approve(fr, analyst, reason="De novo aprovado.")  # approved again: nobody is told twice
    notices = Notice.objects.filter(feature_request=fr, event=Notice.Event.APPROVED)
    assert sorted(n.recipient_id for n in notices) == sorted([fr.author_id, voter.pk, follower.pk])
    assert {n.reason for n in notices} == {"Entra no roadmap."}


def test_under_review_notifies_nobody_declined_and_shipped_do():
    fr = factories.make_feature_request()
    analyst = factories.make_analyst()
    services.feature_request_change_status(
        feature_request=fr, to_status=Status.UNDER_REVIEW, reason="r", actor=analyst, now=NOW
    )
    assert not Notice.objects.exists()
    services.feature_request_change_status(
        feature_request=fr, to_status=Status.DECLINED, reason="fora", actor=analyst, now=NOW
    )
    assert Notice.objects.get().event == Notice.Event.DECLINED


def test_merge_moves_votes_and_subscribers_without_counting_anyone_twice():
    analyst = factories.make_analyst()
    survivor = factories.make_feature_request(title="Exportar CSV")
    duplicate = factories.make_feature_request(title="Exportação em CSV")
    both, only_dup, only_survivor, follower = (factories.make_customer() for _ in range(4))
    for user in (both, only_dup):
        services.feature_request_vote(feature_request=duplicate, user=user, now=NOW)
    for user in (both, only_survivor):
        services.feature_request_vote(feature_request=survivor, user=user, now=NOW)
    services.feature_request_subscribe(feature_request=duplicate, user=follower, now=NOW)
    ticket_requester = duplicate.author
    assert votes_of(survivor) == 3 and votes_of(duplicate) == 3

    services.feature_request_merge(duplicate=duplicate, survivor=survivor, actor=analyst, now=NOW)

    # survivor's author, both, only_survivor + duplicate's author, only_dup
    assert votes_of(survivor) == 5
    assert votes_of(duplicate) == 0
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED and duplicate.merged_into == survivor
    assert f"#{survivor.pk}" in duplicate.status_reason
    assert subscribers(survivor) == {
        u.username
        for u in (survivor.author, both, only_survivor, ticket_requester, only_dup, follower)
    }
    assert subscribers(duplicate) == set()
    with pytest.raises(services.FeatureRequestError):
        services.feature_request_vote(feature_request=duplicate, user=both, now=NOW)
    with pytest.raises(services.FeatureRequestError):
        services.feature_request_merge(
            duplicate=survivor, survivor=duplicate, actor=analyst, now=NOW
        )
    with pytest.raises(services.FeatureRequestError):
        services.feature_request_merge(
            duplicate=survivor, survivor=survivor, actor=analyst, now=NOW
        )


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    duplicate_voters=st.sets(st.integers(0, 7), max_size=8),
    survivor_voters=st.sets(st.integers(0, 7), max_size=8),
)
def test_merged_votes_are_the_union_of_voters(duplicate_voters, survivor_voters):
    analyst = factories.make_analyst()
    people = [factories.make_customer() for _ in range(8)]
    survivor, duplicate = factories.make_feature_request(), factories.make_feature_request()
    for index in duplicate_voters:
        services.feature_request_vote(feature_request=duplicate, user=people[index], now=NOW)
    for index in survivor_voters:
        services.feature_request_vote(feature_request=survivor, user=people[index], now=NOW)
    services.feature_request_merge(duplicate=duplicate, survivor=survivor, actor=analyst, now=NOW)
    expected = len(duplicate_voters | survivor_voters) + 2  # the two authors
    assert votes_of(survivor) == expected
    assert set(Vote.objects.filter(feature_request=survivor).values_list("user", flat=True)) == {
        people[i].pk for i in duplicate_voters | survivor_voters
    } | {survivor.author_id, duplicate.author_id}


def test_comments_from_analysts_are_official():
    fr = factories.make_feature_request()
    analyst = factories.make_analyst()
    customer_comment = services.comment_post(
        feature_request=fr, author=fr.author, body="Também preciso", now=NOW
    )
    answer = services.comment_post(feature_request=fr, author=analyst, body="Avaliando", now=NOW)
    assert (customer_comment.is_official, answer.is_official) == (False, True)
    assert list(selectors.comments_of(fr)) == [customer_comment, answer]
    with pytest.raises(services.FeatureRequestError):
        services.comment_post(feature_request=fr, author=fr.author, body="  ", now=NOW)


def test_linking_a_ticket_subscribes_its_requester(default_policy, levels):
    from tickets import services as ticket_services

    customer = factories.make_customer()
    analyst = factories.make_analyst()
    ticket = ticket_services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="Queria exportar",
        description="x",
        priority=levels["baixa"],
        reported_at=NOW,
        now=NOW,
    )
    fr = factories.make_feature_request()
    with pytest.raises(services.FeatureRequestError):
        services.feature_request_link_ticket(
            feature_request=fr, ticket=ticket, actor=customer, now=NOW
        )
    services.feature_request_link_ticket(feature_request=fr, ticket=ticket, actor=analyst, now=NOW)
    services.feature_request_link_ticket(feature_request=fr, ticket=ticket, actor=analyst, now=NOW)
    assert TicketLink.objects.filter(ticket=ticket).count() == 1
    assert customer.username in subscribers(fr)
    assert list(selectors.feature_requests_linked_to(ticket)) == [fr]


def test_customers_see_reviewed_public_requests_and_their_organizations_own():
    acme = factories.make_organization()
    member = factories.make_customer(organization=acme)
    colleague = factories.make_customer(organization=acme)
    stranger = factories.make_customer()
    analyst = factories.make_analyst()
    own_new = factories.make_feature_request(author=colleague)
    own_private = factories.make_feature_request(
        author=colleague, is_private=True, status=Status.APPROVED
    )
    foreign_new = factories.make_feature_request(author=stranger)
    foreign_public = factories.make_feature_request(author=stranger, status=Status.UNDER_REVIEW)
    foreign_private = factories.make_feature_request(
        author=stranger, is_private=True, status=Status.APPROVED
    )

    def visible(user):
        return set(selectors.feature_requests_visible_to(user))

    assert visible(member) == {own_new, own_private, foreign_public}
    assert visible(analyst) == {own_new, own_private, foreign_new, foreign_public, foreign_private}
    assert visible(factories.make_user()) == {foreign_public}
    assert foreign_private not in visible(member)


def test_similar_requests_are_found_by_shared_words():
    customer = factories.make_customer()
    export = factories.make_feature_request(
        title="Exportar conversas em CSV", status=Status.UNDER_REVIEW
    )
    factories.make_feature_request(title="Modo escuro no widget", status=Status.UNDER_REVIEW)
    found = selectors.similar_requests(customer, "exportar csv das conversas")
    assert found and found[0] == export
    assert selectors.similar_requests(customer, "?") == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("relatorio", {"report"}),
        ("RELATÓRIO", {"report"}),
        ("Relatório", {"report"}),
        ("relatório cliente", {"report"}),
        ("EXPORTACAO", {"export"}),  # in the description only
        ("relatorio escuro", set()),  # every word must be there
    ],
)
def test_the_boards_search_ignores_case_and_accents(text, found):
    analyst = factories.make_analyst()
    report = factories.make_feature_request(
        title="Relatório por cliente", description="Um por mês.", status=Status.UNDER_REVIEW
    )
    export = factories.make_feature_request(
        title="Modo escuro", description="Na exportação também.", status=Status.UNDER_REVIEW
    )
    named = {"report": report, "export": export}
    assert set(selectors.board(analyst, q=text)) == {named[name] for name in found}


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(st.tuples(st.integers(0, 4), st.booleans()), max_size=25))
def test_any_sequence_of_votes_and_withdrawals_keeps_the_count_exact(steps):
    fr = factories.make_feature_request()
    people = [factories.make_customer() for _ in range(5)]
    voted = {fr.author_id}
    for index, add in steps:
        user = people[index]
        if add:
            changed = services.feature_request_vote(feature_request=fr, user=user, now=NOW)
            assert changed == (user.pk not in voted)
            voted.add(user.pk)
        else:
            changed = services.feature_request_unvote(feature_request=fr, user=user, now=NOW)
            assert changed == (user.pk in voted)
            voted.discard(user.pk)
    assert votes_of(fr) == len(voted)


def test_a_merge_into_a_private_request_moves_only_its_own_organizations_people():
    acme = factories.make_organization()
    member = factories.make_customer(organization=acme)
    colleague = factories.make_customer(organization=acme)
    stranger = factories.make_customer()
    no_org = factories.make_user()
    analyst = factories.make_analyst()
    private = factories.make_feature_request(
        author=member, title="Integração SAP", is_private=True, status=Status.APPROVED
    )
    duplicate = factories.make_feature_request(author=colleague, status=Status.UNDER_REVIEW)
    services.feature_request_subscribe(feature_request=duplicate, user=analyst, now=NOW)
    for outsider in (stranger, no_org):
        services.feature_request_subscribe(feature_request=duplicate, user=outsider, now=NOW)
        with pytest.raises(services.FeatureRequestError, match=f"#{private.pk}"):
            services.feature_request_merge(
                duplicate=duplicate, survivor=private, actor=analyst, now=NOW
            )
        services.feature_request_unsubscribe(feature_request=duplicate, user=outsider, now=NOW)
    # A vote that stayed after its voter stopped following counts as someone moving too.
    services.feature_request_vote(feature_request=duplicate, user=stranger, now=NOW)
    services.feature_request_unsubscribe(feature_request=duplicate, user=stranger, now=NOW)
    with pytest.raises(services.FeatureRequestError):
        services.feature_request_merge(
            duplicate=duplicate, survivor=private, actor=analyst, now=NOW
        )
    services.feature_request_unvote(feature_request=duplicate, user=stranger, now=NOW)
    duplicate.refresh_from_db()
    assert duplicate.status == Status.UNDER_REVIEW and subscribers(private) == {member.username}
    services.feature_request_merge(duplicate=duplicate, survivor=private, actor=analyst, now=NOW)
    assert subscribers(private) == {member.username, colleague.username, analyst.username}


def test_a_ticket_cannot_be_linked_to_another_organizations_private_request(default_policy, levels):
    from tickets import services as ticket_services

    customer = factories.make_customer()
    analyst = factories.make_analyst()
    ticket = ticket_services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="Queria integrar",
        description="x",
        priority=levels["baixa"],
        reported_at=NOW,
        now=NOW,
    )
    foreign = factories.make_feature_request(title="Segredo alheio", is_private=True)
    with pytest.raises(services.FeatureRequestError, match=f"#{foreign.pk}"):
        services.feature_request_link_ticket(
            feature_request=foreign, ticket=ticket, actor=analyst, now=NOW
        )
    assert not TicketLink.objects.exists()
    assert customer.username not in subscribers(foreign)
    own = factories.make_feature_request(author=customer, is_private=True)
    services.feature_request_link_ticket(feature_request=own, ticket=ticket, actor=analyst, now=NOW)
    assert TicketLink.objects.get().feature_request == own
