"""Writes of the feature-request domain: proposals, votes, subscriptions, status, merges.

Each function takes the actor and `now`, runs in one transaction, and schedules any e-mail
after the commit. Vote counts change only through atomic UPDATEs guarded by the one-vote
constraint, so they stay exact when many people vote at once.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from feature_requests.models import (
    Comment,
    FeatureRequest,
    Notice,
    NotificationPreference,
    Subscription,
    TicketLink,
    Vote,
)

Status = FeatureRequest.Status

# Which status an analyst may move a request to from where it stands. MERGED only by merging.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.SUBMITTED: frozenset({Status.UNDER_REVIEW, Status.APPROVED, Status.DECLINED}),
    Status.UNDER_REVIEW: frozenset({Status.APPROVED, Status.DECLINED}),
    Status.APPROVED: frozenset({Status.UNDER_REVIEW, Status.DECLINED, Status.SHIPPED}),
    Status.DECLINED: frozenset({Status.UNDER_REVIEW}),
    Status.SHIPPED: frozenset(),
    Status.MERGED: frozenset(),
}


class FeatureRequestError(ValidationError):
    """A change the rules of feature requests do not allow; the message says why."""


def available_transitions(feature_request: FeatureRequest) -> list[str]:
    """Statuses an analyst can move the request to (for buttons and forms)."""
    allowed = TRANSITIONS[feature_request.status]
    return [status for status in Status.values if status in allowed]


def _save(feature_request: FeatureRequest, *, actor, reason: str, now: datetime) -> None:
    feature_request._history_user = actor
    feature_request._history_date = now
    feature_request._change_reason = reason[:100]
    feature_request.save()


def _locked(feature_request: FeatureRequest) -> FeatureRequest:
    return FeatureRequest.objects.select_for_update().get(pk=feature_request.pk)


def _subscribe(feature_request_id: int, user, *, source: str, now: datetime) -> bool:
    """Add a subscription unless there is one; True when it was added (race-safe)."""
    if Subscription.objects.filter(feature_request_id=feature_request_id, user=user).exists():
        return False
    try:
        with transaction.atomic():
            Subscription.objects.create(
                feature_request_id=feature_request_id, user=user, source=source, created_at=now
            )
    except IntegrityError:  # subscribed by a concurrent request meanwhile
        return False
    return True


def _check_customer_or_analyst(actor) -> None:
    if not actor.is_staff and getattr(actor, "membership", None) is None:
        raise FeatureRequestError(_("Only customers and analysts can propose features."))


@transaction.atomic
def feature_request_create(
    *,
    author,
    title: str,
    description: str,
    now: datetime,
    product_area: str = FeatureRequest.ProductArea.OTHER,
    is_private: bool = False,
    channel: str = FeatureRequest.Channel.PORTAL,
    inbound_email=None,
) -> FeatureRequest:
    """Register a proposal; its author votes for it and is subscribed."""
    _check_customer_or_analyst(author)
    title, description = title.strip(), description.strip()
    if not title:
        raise FeatureRequestError({"title": _("Give the request a title.")})
    if not description:
        raise FeatureRequestError({"description": _("Describe what you need and why.")})
    if product_area not in FeatureRequest.ProductArea.values:
        raise FeatureRequestError({"product_area": _("Choose a product area.")})
    membership = getattr(author, "membership", None)
    feature_request = FeatureRequest(
        title=title[:200],
        description=description,
        product_area=product_area,
        author=author,
        organization=membership.organization if membership else None,
        is_private=is_private and membership is not None,
        channel=channel,
        status_changed_at=now,
        inbound_email=inbound_email,
    )
    _save(feature_request, actor=author, reason=_("Request registered"), now=now)
    _subscribe(feature_request.pk, author, source=Subscription.Source.AUTHOR, now=now)
    Vote.objects.create(feature_request=feature_request, user=author, created_at=now)
    FeatureRequest.objects.filter(pk=feature_request.pk).update(vote_count=F("vote_count") + 1)
    feature_request.vote_count += 1
    return feature_request


def _check_votable(feature_request: FeatureRequest) -> None:
    if feature_request.status == Status.MERGED:
        raise FeatureRequestError(
            _("This request was merged into #%(number)d: vote there.")
            % {"number": feature_request.merged_into_id}
        )
    if not feature_request.accepts_votes:
        raise FeatureRequestError(
            _("A %(status)s request takes no more votes.")
            % {"status": feature_request.get_status_display()}
        )


@transaction.atomic
def feature_request_vote(*, feature_request: FeatureRequest, user, now: datetime) -> bool:
    """Add the user's vote (and subscribe them); False when they had already voted."""
    # The row lock orders a vote after a merge or a status change being saved: no vote lands
    # on a request that was just merged or closed.
    feature_request = _locked(feature_request)
    _check_votable(feature_request)
    try:
        with transaction.atomic():
            Vote.objects.create(feature_request=feature_request, user=user, created_at=now)
    except IntegrityError:  # already voted, perhaps a double click a moment ago
        return False
    FeatureRequest.objects.filter(pk=feature_request.pk).update(vote_count=F("vote_count") + 1)
    _subscribe(feature_request.pk, user, source=Subscription.Source.VOTE, now=now)
    return True


@transaction.atomic
def feature_request_unvote(*, feature_request: FeatureRequest, user, now: datetime) -> bool:
    """Withdraw the user's vote; they stay subscribed. False when there was none."""
    feature_request = _locked(feature_request)  # not while a merge moves the votes
    deleted, _rows = Vote.objects.filter(feature_request=feature_request, user=user).delete()
    if not deleted:
        return False
    # Only the transaction that deleted the row decrements: the count never drifts.
    FeatureRequest.objects.filter(pk=feature_request.pk).update(vote_count=F("vote_count") - 1)
    return True


@transaction.atomic
def feature_request_subscribe(*, feature_request: FeatureRequest, user, now: datetime) -> bool:
    """Follow a request without voting; False when already following."""
    feature_request = _locked(feature_request)
    if feature_request.status == Status.MERGED:
        raise FeatureRequestError(
            _("This request was merged into #%(number)d: follow that one.")
            % {"number": feature_request.merged_into_id}
        )
    return _subscribe(feature_request.pk, user, source=Subscription.Source.FOLLOW, now=now)


@transaction.atomic
def feature_request_unsubscribe(*, feature_request: FeatureRequest, user, now: datetime) -> bool:
    """Stop following a request (its notices stop too); a vote, if any, stays."""
    deleted, _rows = Subscription.objects.filter(
        feature_request=feature_request, user=user
    ).delete()
    return bool(deleted)


@transaction.atomic
def notification_preference_set(*, user, email_opt_out: bool, now: datetime):
    """Turn every feature-request e-mail off (or back on) for a user."""
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email_opt_out": email_opt_out, "changed_at": now}
    )
    return preference


@transaction.atomic
def feature_request_change_status(
    *,
    feature_request: FeatureRequest,
    to_status: str,
    reason: str,
    actor,
    now: datetime,
) -> FeatureRequest:
    """An analyst moves a request on, with a public reason; subscribers are told after commit.

    Approving an approved request again changes nothing and tells nobody twice.
    """
    if not actor.is_staff:
        raise FeatureRequestError(_("Only analysts can change the status of a request."))
    feature_request = _locked(feature_request)
    if to_status not in Status.values:
        raise FeatureRequestError(_("Unknown status “%(status)s”.") % {"status": to_status})
    if to_status == feature_request.status:
        return feature_request
    if to_status == Status.MERGED:
        raise FeatureRequestError(_("Merge the request into another to mark it merged."))
    if to_status not in TRANSITIONS[feature_request.status]:
        raise FeatureRequestError(
            _("A request cannot go from %(current)s to %(target)s.")
            % {
                "current": feature_request.get_status_display(),
                "target": Status(to_status).label,
            }
        )
    reason = reason.strip()
    if not reason:
        raise FeatureRequestError({"reason": _("Say why, in words the subscribers will read.")})
    feature_request.status = to_status
    feature_request.status_reason = reason
    feature_request.status_changed_at = now
    _save(feature_request, actor=actor, reason=reason, now=now)
    from feature_requests import notifications

    notifications.status_changed(feature_request, now=now)
    return feature_request


@transaction.atomic
def feature_request_merge(
    *,
    duplicate: FeatureRequest,
    survivor: FeatureRequest,
    actor,
    now: datetime,
    reason: str = "",
) -> FeatureRequest:
    """Merge a duplicate into another request: votes and subscribers move, none counted twice.

    Into a private request only when everyone moving there belongs to its organization (or
    is an analyst): the duplicate's voters, subscribers and linked tickets. Otherwise they
    would vote on, and be told about, a request they may not see.
    """
    if not actor.is_staff:
        raise FeatureRequestError(_("Only analysts can merge requests."))
    if duplicate.pk == survivor.pk:
        raise FeatureRequestError(_("A request cannot be merged into itself."))
    # Lock both rows in a fixed order, so two crossed merges cannot deadlock.
    locked = {
        fr.pk: fr
        for fr in FeatureRequest.objects.select_for_update()
        .filter(pk__in=[duplicate.pk, survivor.pk])
        .order_by("pk")
    }
    duplicate, survivor = locked[duplicate.pk], locked[survivor.pk]
    if duplicate.status == Status.MERGED:
        raise FeatureRequestError(_("This request is already merged."))
    if survivor.status == Status.MERGED:
        raise FeatureRequestError(
            _("The chosen request is itself merged: merge into #%(number)d instead.")
            % {"number": survivor.merged_into_id}
        )
    if survivor.is_private and _has_outsiders(duplicate, survivor.organization_id):
        raise FeatureRequestError(
            _(
                "Request #%(number)d is private to its organization: people or tickets of "
                "other organizations follow this one. Merge it into a public request instead."
            )
            % {"number": survivor.pk}
        )
    already_voted = Vote.objects.filter(feature_request=survivor).values("user_id")
    Vote.objects.filter(feature_request=duplicate).exclude(user_id__in=already_voted).update(
        feature_request=survivor
    )
    Vote.objects.filter(feature_request=duplicate).delete()  # voters of both: one vote
    already_following = Subscription.objects.filter(feature_request=survivor).values("user_id")
    Subscription.objects.filter(feature_request=duplicate).exclude(
        user_id__in=already_following
    ).update(feature_request=survivor, source=Subscription.Source.MERGE)
    Subscription.objects.filter(feature_request=duplicate).delete()
    already_linked = TicketLink.objects.filter(feature_request=survivor).values("ticket_id")
    TicketLink.objects.filter(feature_request=duplicate).exclude(
        ticket_id__in=already_linked
    ).update(feature_request=survivor)
    # Counted from the rows, under the locks: exact whatever happened before.
    survivor_votes = Vote.objects.filter(feature_request=survivor).count()
    FeatureRequest.objects.filter(pk=survivor.pk).update(vote_count=survivor_votes, updated_at=now)
    survivor.vote_count = survivor_votes
    duplicate.status = Status.MERGED
    duplicate.merged_into = survivor
    duplicate.status_reason = reason.strip() or _("Duplicate of #%(number)d “%(title)s”.") % {
        "number": survivor.pk,
        "title": survivor.title,
    }
    duplicate.status_changed_at = now
    duplicate.vote_count = 0
    _save(duplicate, actor=actor, reason=duplicate.status_reason, now=now)
    FeatureRequest.objects.filter(pk=duplicate.pk).update(vote_count=0)
    return survivor


def _has_outsiders(feature_request: FeatureRequest, organization_id: int | None) -> bool:
    """Whether a voter, subscriber or linked ticket of the request is of another organization."""
    outside = ~Q(user__is_staff=True) & ~Q(user__membership__organization_id=organization_id)
    return (
        Vote.objects.filter(feature_request=feature_request).filter(outside).exists()
        or Subscription.objects.filter(feature_request=feature_request).filter(outside).exists()
        or TicketLink.objects.filter(feature_request=feature_request)
        .exclude(ticket__organization_id=organization_id)
        .exists()
    )


@transaction.atomic
def comment_post(*, feature_request: FeatureRequest, author, body: str, now: datetime) -> Comment:
    """Add a comment; an analyst's comment is the vendor's official answer.

    A merged request takes no comments: the conversation goes on at the survivor.
    """
    body = body.strip()
    if not body:
        raise FeatureRequestError({"body": _("Write a comment.")})
    _check_customer_or_analyst(author)
    # The row lock orders a comment after a merge being saved, as for votes.
    feature_request = _locked(feature_request)
    if feature_request.status == Status.MERGED:
        raise FeatureRequestError(
            _("This request was merged into #%(number)d: comment there.")
            % {"number": feature_request.merged_into_id}
        )
    comment = Comment.objects.create(
        feature_request=feature_request,
        author=author,
        body=body[:10000],
        is_official=author.is_staff,
        created_at=now,
    )
    FeatureRequest.objects.filter(pk=feature_request.pk).update(updated_at=now)
    return comment


@transaction.atomic
def feature_request_link_ticket(
    *, feature_request: FeatureRequest, ticket, actor, now: datetime
) -> TicketLink:
    """Link a ticket that asked for the feature; the ticket's requester is subscribed.

    A request private to another organization than the ticket's cannot be linked: its
    requester would be told about a request they may not see.
    """
    if not actor.is_staff:
        raise FeatureRequestError(_("Only analysts can link tickets to requests."))
    if feature_request.status == Status.MERGED:
        feature_request = feature_request.merged_into
    if feature_request.is_private and feature_request.organization_id != ticket.organization_id:
        raise FeatureRequestError(
            _("Request #%(number)d is private to another organization than the ticket's.")
            % {"number": feature_request.pk}
        )
    link, _created = TicketLink.objects.get_or_create(
        feature_request=feature_request,
        ticket=ticket,
        defaults={"linked_by": actor, "linked_at": now},
    )
    _subscribe(feature_request.pk, ticket.requester, source=Subscription.Source.TICKET, now=now)
    return link


def notices_mark_read(*, user, notice_ids: list[int], now: datetime) -> int:
    """Mark the user's own notices as read; returns how many changed."""
    return Notice.objects.filter(recipient=user, pk__in=notice_ids, read_at__isnull=True).update(
        read_at=now
    )
