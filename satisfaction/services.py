"""The requester's answer to a resolution: signed one-click links, the verdict, the rating.

The e-mail's links are signed (Django's TimestampSigner, salted for this use) and carry the
survey and the action; the survey makes them single-use (its verdict and its rating are given
once). Opening a link never acts: the page it opens has one button, since mail scanners
follow links. The ticket itself changes only through `tickets.services`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from satisfaction.models import LOW_SCORE, Rating, Survey

LINKS_VALID_FOR = timedelta(days=30)
SOLVED, REOPEN, RATE = "solved", "reopen", "rate"
ACTIONS = (SOLVED, REOPEN, RATE)
_SALT = "satisfaction.answer-link"


class LinkError(ValidationError):
    """A link that cannot act (expired, used, or the ticket moved on); the message says why."""


class _Signer(signing.TimestampSigner):
    """Django's TimestampSigner with the instant passed in (`now`), as every service takes
    it: links are signed at the resolution's instant and checked against the request's."""

    def __init__(self, *, at: datetime) -> None:
        super().__init__(salt=_SALT)
        self._at = at

    def timestamp(self) -> str:
        return signing.b62_encode(int(self._at.timestamp()))

    def unsign(self, value, max_age=None):
        result = signing.Signer.unsign(self, value)
        value, stamp = result.rsplit(self.sep, 1)
        if max_age is not None:
            age = self._at.timestamp() - signing.b62_decode(stamp)
            if age > max_age.total_seconds():
                raise signing.SignatureExpired(f"Signature age {age} > {max_age} seconds")
        return value


def link_token(survey: Survey, action: str, *, now: datetime) -> str:
    """The signed token of one action on one survey, valid for LINKS_VALID_FOR from `now`."""
    return _Signer(at=now).sign_object({"s": survey.pk, "a": action})


def link_urls(survey: Survey, *, now: datetime) -> dict[str, str]:
    """The absolute links of the resolved e-mail, by action."""
    base = settings.PORTAL_URL.rstrip("/")
    return {
        action: base + reverse("satisfaction:answer", args=[link_token(survey, action, now=now)])
        for action in ACTIONS
    }


def link_read(token: str, *, now: datetime) -> tuple[Survey, str]:
    """The survey and action a token names; LinkError if it is forged, expired or spent.

    Forged or unknown: Survey.DoesNotExist (a 404, telling nothing)."""
    try:
        payload = _Signer(at=now).unsign_object(token, max_age=LINKS_VALID_FOR)
    except signing.SignatureExpired as error:
        raise LinkError(
            _("This link has expired. Open the ticket in the portal to answer there.")
        ) from error
    except (signing.BadSignature, ValueError) as error:
        raise Survey.DoesNotExist from error
    if not isinstance(payload, dict) or payload.get("a") not in ACTIONS:
        raise Survey.DoesNotExist
    survey = Survey.objects.select_related("ticket", "requester", "rating").get(pk=payload.get("s"))
    action = payload["a"]
    _check_unspent(survey, action)
    return survey, action


def _check_unspent(survey: Survey, action: str) -> None:
    if action == RATE:
        if hasattr(survey, "rating"):
            raise LinkError(_("This link was already used: thank you, your rating is recorded."))
    elif survey.verdict:
        raise LinkError(_("This link was already used: the ticket was already answered."))


@transaction.atomic
def survey_open(*, ticket, now: datetime) -> Survey:
    """Ask the requester about this resolution (once: a second call finds the same survey)."""
    if ticket.resolved_at is None:
        raise LinkError(_("Only a resolved ticket can be rated."))
    survey, _created = Survey.objects.get_or_create(
        ticket=ticket,
        resolved_at=ticket.resolved_at,
        defaults={"requester_id": ticket.requester_id, "asked_at": now},
    )
    return survey


def _locked(survey: Survey) -> Survey:
    return (
        Survey.objects.select_for_update().select_related("ticket", "requester").get(pk=survey.pk)
    )


@transaction.atomic
def survey_answer(*, survey: Survey, action: str, now: datetime, reason: str = "") -> Survey:
    """The requester's verdict: "solved" closes the ticket, "reopen" reopens it (within the
    policy's reopen window, as `tickets.services` rules). Given once, for the resolution
    asked about: a ticket that moved on since refuses the link."""
    from tickets import services as ticket_services
    from tickets.models import Ticket

    if action not in (SOLVED, REOPEN):
        raise LinkError(_("Unknown answer."))
    survey = _locked(survey)
    _check_unspent(survey, action)
    ticket = survey.ticket
    if ticket.status != Ticket.Status.RESOLVED or ticket.resolved_at != survey.resolved_at:
        raise LinkError(
            _("The ticket changed since this e-mail was sent; see where it stands in the portal.")
        )
    if action == SOLVED:
        to_status, verdict = Ticket.Status.CLOSED, Survey.Verdict.SOLVED
        default_reason = _("The customer confirmed the solution")
    else:
        to_status, verdict = Ticket.Status.IN_PROGRESS, Survey.Verdict.REOPENED
        default_reason = _("The customer said the problem is not solved")
    ticket_services.ticket_transition(
        ticket=ticket,
        to_status=to_status,
        actor=survey.requester,
        now=now,
        reason=reason.strip()[:300] or default_reason,
    )
    survey.verdict, survey.verdict_at = verdict, now
    survey.save(update_fields=["verdict", "verdict_at"])
    return survey


@transaction.atomic
def rating_record(*, survey: Survey, score: int, comment: str, actor, now: datetime) -> Rating:
    """Keep the requester's rating of a resolution (once per survey); a low one (1-2) is told
    to the team leads, in the bell."""
    if not 1 <= int(score) <= 5:
        raise LinkError({"score": _("Choose a score from 1 to 5.")})
    survey = _locked(survey)
    if Rating.objects.filter(survey=survey).exists():
        raise LinkError(_("This link was already used: thank you, your rating is recorded."))
    rating = Rating.objects.create(
        survey=survey,
        ticket_id=survey.ticket_id,
        score=int(score),
        comment=comment.strip()[:2000],
        rated_at=now,
        rated_by=actor,
    )
    if rating.score <= LOW_SCORE:
        _tell_team_leads(rating, now=now)
    return rating


def _tell_team_leads(rating: Rating, *, now: datetime) -> None:
    """The leads hear of a low rating in the bell and by e-mail, as each prefers (the
    notices' own kind, "low satisfaction rating"); who is told what is communications'."""
    from communications import notifications

    notifications.rating_low(rating, now=now)
