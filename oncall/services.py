"""Taking a call on the on-call phone, and keeping the rota filled."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from communications import services as communication_services
from communications.models import Call
from oncall.models import OnCallShift
from sla.models import PriorityLevel
from tickets import services as ticket_services
from tickets.models import Integration, Organization, Ticket


@dataclass(frozen=True)
class CallTaken:
    ticket: Ticket
    call: Call
    opened: bool  # a new ticket (False: the call joined an open one)


@dataclass(frozen=True)
class Caller:
    """Who called: a member of the organization, or a person to add as one."""

    member: object = None  # a user
    name: str = ""
    email: str = ""
    phone: str = ""

    def describe(self) -> str:
        """As written in the call's participants: name, e-mail and the number they called from."""
        user = self.member
        name = (user.get_full_name() or user.username) if user else self.name
        email = user.email if user else self.email
        parts = [name, f"<{email}>" if email else "", self.phone]
        return " ".join(part for part in parts if part)


def _member_of(user, organization: Organization) -> bool:
    membership = getattr(user, "membership", None)
    return membership is not None and membership.organization_id == organization.pk


def _requester(caller: Caller, organization: Organization):
    if caller.member is not None:
        if not _member_of(caller.member, organization):
            raise ValidationError({"caller": _("The caller must be a member of the organization.")})
        return caller.member
    existing = (
        get_user_model()
        .objects.filter(Q(email__iexact=caller.email) | Q(username__iexact=caller.email[:150]))
        .first()
    )
    if existing is not None:
        if not _member_of(existing, organization):
            raise ValidationError(
                {"caller_email": _("This e-mail belongs to someone outside the organization.")}
            )
        return existing  # the same person, known under this e-mail or user name
    return ticket_services.member_create(
        organization=organization, email=caller.email, name=caller.name
    )


@transaction.atomic
def call_take(
    *,
    analyst,
    called_at: datetime,
    duration: timedelta,
    organization: Organization,
    caller: Caller,
    summary: str,
    ticket: Ticket | None = None,
    subject: str = "",
    integration: Integration | None = None,
    level: PriorityLevel | None = None,
    assign_to_me: bool = True,
    now: datetime,
) -> CallTaken:
    """Record a call on the ticket it is about, opening one if it is new.

    A new ticket's clocks start at the call's time, on 24x7 time when the coverage rules
    hold (see `tickets.services.ticket_coverage`), else on business time; the call itself
    is written down (participants and summary) on the ticket either way.
    """
    if not summary.strip():
        raise ValidationError(
            {"summary": _("Write what was said and decided: the record must be in writing.")}
        )
    if ticket is not None:
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)  # as it stands now
        if ticket.organization_id != organization.pk:
            raise ValidationError({"ticket": _("The ticket belongs to another organization.")})
        if ticket.status in Ticket.CLOSED_STATUSES:
            raise ValidationError(
                {"ticket": _("This ticket is closed: record the call on a new ticket.")}
            )
        if ticket.status == Ticket.Status.WAITING_ON_CUSTOMER:
            ticket = ticket_services.ticket_customer_replied(
                ticket=ticket,
                actor=analyst,
                now=now,
                answered_at=called_at,
                reason=_("The customer called"),
            )
        opened = False
    else:
        if level is None:
            raise ValidationError({"level": _("Choose the level of the new ticket.")})
        ticket = ticket_services.ticket_create(
            organization=organization,
            requester=_requester(caller, organization),
            subject=subject.strip() or summary.strip().splitlines()[0][:200],
            description=summary,
            priority=level,
            reported_at=called_at,
            now=now,
            channel=Ticket.Channel.PHONE,
            category=Ticket.Category.INTEGRATION if integration else Ticket.Category.OTHER,
            integration=integration,
        )
        opened = True
    call = communication_services.call_record(
        ticket=ticket,
        kind=Call.Kind.PHONE,
        started_at=called_at,
        duration=duration,
        participants=_("%(caller)s; taken by %(analyst)s")
        % {"caller": caller.describe(), "analyst": analyst.get_full_name() or analyst.username},
        summary=summary,
        actor=analyst,
    )
    if (
        assign_to_me
        and ticket.assignee_id != analyst.pk
        and ticket.status in (ticket_services.ASSIGNABLE_STATUSES)
    ):
        ticket = ticket_services.ticket_assign(
            ticket=ticket,
            analyst=analyst,
            actor=analyst,
            now=now,
            reason=_("Took the call on the on-call phone"),
        )
    return CallTaken(ticket=ticket, call=call, opened=opened)


@transaction.atomic
def shifts_repeat(shifts, *, days: int = 7) -> list[OnCallShift]:
    """Copy shifts `days` later (next week's rota from this week's), skipping exact copies."""
    created = []
    for shift in shifts:
        # on the local wall clock: a shift from 20:00 stays at 20:00 across a DST change
        starts_at = timezone.localtime(shift.starts_at) + timedelta(days=days)
        ends_at = timezone.localtime(shift.ends_at) + timedelta(days=days)
        copy, made = OnCallShift.objects.get_or_create(
            analyst_id=shift.analyst_id,
            starts_at=starts_at,
            ends_at=ends_at,
            defaults={"note": shift.note},
        )
        if made:
            created.append(copy)
    return created
