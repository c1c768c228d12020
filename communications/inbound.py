"""Inbound e-mail: store the bytes first, then thread, open, hold, ignore or quarantine.

Nothing is lost: the raw source is written before anything can fail, a redelivery is
stopped by the unique Message-ID, and any failure leaves the message in quarantine with its
error, to be re-processed or attached to a ticket by an analyst.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from communications import email_parsing, notifications, outbound, services
from communications.models import InboundEmail, Message, OutboundEmail
from feature_requests import inbound as feature_inbound
from sla.models import PriorityLevel
from tickets import services as ticket_services
from tickets.models import Organization, Ticket

Status = InboundEmail.Status


def email_ingest(raw: bytes, *, now: datetime) -> tuple[InboundEmail, bool]:
    """Take one raw message; returns its record and whether it was new (not a redelivery)."""
    message_id = email_parsing.message_id_of(raw)
    existing = InboundEmail.objects.filter(message_id=message_id).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            record = InboundEmail.objects.create(
                message_id=message_id,
                raw=raw,
                received_at=now,
                status=Status.QUARANTINED,
                error=_("Not processed yet."),
            )
    except IntegrityError:  # the same message delivered twice at once
        return InboundEmail.objects.get(message_id=message_id), False
    return email_process(record, now=now), True


def email_process(record: InboundEmail, *, now: datetime) -> InboundEmail:
    """(Re-)process a stored message; any failure puts it in quarantine with the error."""
    try:
        with transaction.atomic():
            _process(record, now)
            record.error = ""
    except Exception as error:
        record.status = Status.QUARANTINED
        record.error = f"{type(error).__name__}: {error}"[:4000]
    record.processed_at = now
    record.save()
    return record


@transaction.atomic
def email_attach_to_ticket(record: InboundEmail, *, ticket: Ticket, actor, now: datetime):
    """An analyst files a held or quarantined message on a ticket, as the customer's word."""
    try:
        parsed = email_parsing.parse(bytes(record.raw))
        body, html, files = parsed.text, parsed.html, _files(parsed)
    except email_parsing.UnusableEmail:
        body, html, files = bytes(record.raw).decode("utf-8", "replace"), "", []
    message = services.message_post(
        ticket=ticket,
        author=None,
        author_email=record.from_address,
        body=body or _("(empty message)"),
        html=html,
        channel=Message.Channel.EMAIL,
        now=now,
        files=files,
        inbound_email=record,
    )
    record.ticket, record.status, record.error = ticket, Status.PROCESSED, ""
    record.processed_at = now
    record.save()
    return message


# -- processing -------------------------------------------------------------------------------


def _process(record: InboundEmail, now: datetime) -> None:
    parsed = email_parsing.parse(bytes(record.raw))
    record.from_address = parsed.from_address[:320]
    record.subject = parsed.subject[:998]
    if parsed.received_at is not None and parsed.received_at <= now:
        record.received_at = parsed.received_at
    if parsed.automatic or parsed.from_address == _own_address():
        record.status = Status.IGNORED
        return
    user, organization = _identify(parsed.from_address)
    if feature_inbound.is_addressed_to_feature_requests(bytes(record.raw)):
        feature_inbound.email_propose(record, parsed, user=user, now=now)
        return
    ticket = _thread(parsed)
    if ticket is not None:
        _reply(record, parsed, ticket, user, organization, now)
    elif organization is not None:
        _open(record, parsed, user, organization, now)
    else:
        record.status = Status.HELD
        record.error = _("Unknown sender: held for an analyst.")
        _autoreply_unknown(record, parsed, now)


def _reply(record, parsed, ticket, user, organization, now) -> None:
    is_analyst = user is not None and user.is_staff
    if not is_analyst and (organization is None or organization.pk != ticket.organization_id):
        record.status = Status.HELD
        record.error = _("The sender is not of the ticket's organization: held for an analyst.")
        return
    if not is_analyst and not ticket.is_open and not _reopen(ticket, user, now):
        # The customer's word must land on a live ticket with a running clock, never on a
        # closed one nobody looks at: a follow-up opens, referring to the old ticket.
        _open(record, parsed, user, organization, now, follow_up_of=ticket)
        return
    services.message_post(
        ticket=ticket,
        author=user,
        author_email=parsed.from_address,
        body=_body_with_notes(parsed),
        html=parsed.html,
        channel=Message.Channel.EMAIL,
        now=now,
        files=_storable(parsed),
        inbound_email=record,
    )
    record.ticket, record.status = ticket, Status.PROCESSED


def _reopen(ticket: Ticket, user, now: datetime) -> bool:
    """Reopen a resolved ticket the customer answered, if the ticket's rules allow it.

    tickets.services decides: the requester or an organization admin, within the policy's
    reopen window. Anything else (past the window, closed, cancelled) is False.
    """
    if ticket.status != Ticket.Status.RESOLVED:
        return False
    try:
        with transaction.atomic():
            ticket_services.ticket_transition(
                ticket=ticket,
                to_status=Ticket.Status.IN_PROGRESS,
                actor=user,
                now=now,
                reason=_("The customer replied by e-mail"),
            )
    except ValidationError:
        return False
    return True


def _open(record, parsed, user, organization, now, follow_up_of: Ticket | None = None) -> None:
    requester = user or _customer_for(parsed, organization)
    subject = parsed.subject or _("(no subject)")
    description = parsed.text or _("(empty message)")
    priority = PriorityLevel.objects.order_by("-number").first()
    if follow_up_of is not None:
        with translation.override(notifications.language_of(requester)):  # the customer reads it
            subject = _("Follow-up to %(reference)s: %(subject)s") % {
                "reference": follow_up_of.reference,
                "subject": follow_up_of.subject,
            }
            note = _(
                "The customer wrote again about %(reference)s (%(status)s), which can no "
                "longer be reopened; this ticket follows it up."
            ) % {"reference": follow_up_of.reference, "status": follow_up_of.get_status_display()}
        description = f"{note}\n\n{description}"
        priority = follow_up_of.priority  # the same problem, back
    ticket = ticket_services.ticket_create(
        organization=organization,
        requester=requester,
        subject=subject[:200],
        description=description,
        priority=priority,
        reported_at=record.received_at,
        now=now,
        channel=Ticket.Channel.EMAIL,
    )
    services.message_post(
        ticket=ticket,
        author=requester,
        author_email=parsed.from_address,
        body=_body_with_notes(parsed),
        html=parsed.html,
        channel=Message.Channel.EMAIL,
        now=now,
        files=_storable(parsed),
        inbound_email=record,
    )
    record.ticket, record.status = ticket, Status.PROCESSED
    outbound.emails_thread_under(ticket=ticket, message_id=record.message_id)


def _thread(parsed: email_parsing.ParsedEmail) -> Ticket | None:
    """The ticket a message answers: by the Message-IDs it cites, then by its subject."""
    ids = parsed.thread_ids
    if ids:
        ours = OutboundEmail.objects.filter(message_id__in=ids, ticket__isnull=False)
        theirs = InboundEmail.objects.filter(message_id__in=ids, ticket__isnull=False)
        ticket_id = (
            ours.values_list("ticket_id", flat=True).first()
            or theirs.values_list("ticket_id", flat=True).first()
        )
        if ticket_id:
            return Ticket.objects.get(pk=ticket_id)
    reference = parsed.ticket_reference
    return Ticket.objects.filter(reference=reference).first() if reference else None


def _identify(address: str):
    """The user with this address and their organization, or the organization of its domain."""
    user = (
        get_user_model()
        .objects.filter(email__iexact=address, is_active=True)
        .select_related("membership__organization")
        .first()
    )
    if user is not None:
        membership = getattr(user, "membership", None)
        return user, membership.organization if membership else None
    domain = address.rsplit("@", 1)[-1]
    for organization in Organization.objects.filter(email_domains__icontains=domain):
        domains = {d.strip().lower() for d in organization.email_domains.split(",")}
        if domain in domains:
            return None, organization
    return None, None


def _customer_for(parsed, organization):
    """A customer account for a colleague writing from the organization's domain."""
    return ticket_services.member_create(
        organization=organization, email=parsed.from_address, name=parsed.from_name
    )


def _files(parsed) -> list[services.IncomingFile]:
    return [
        services.IncomingFile(a.filename, a.content_type, a.data, a.content_id)
        for a in parsed.attachments
    ]


def _storable(parsed) -> list[services.IncomingFile]:
    return [f for f in _files(parsed) if services.attachment_problem(f) is None]


def _body_with_notes(parsed) -> str:
    """The text, plus a line for each attachment kept only in the original e-mail."""
    template = _("[%(name)s was not stored separately (%(problem)s); the original e-mail has it.]")
    notes = [
        template % {"name": f.name, "problem": problem}
        for f in _files(parsed)
        if (problem := services.attachment_problem(f))
    ]
    return "\n\n".join([parsed.text or _("(empty message)"), *notes])


def _own_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()


def _autoreply_unknown(record: InboundEmail, parsed, now: datetime) -> None:
    """One polite answer per address a day: enough to help, never enough to loop."""
    recent = OutboundEmail.objects.filter(
        Q(to__iexact=parsed.from_address),
        auto_submitted=True,
        created_at__gte=now - timedelta(days=1),
    ).exists()
    if not recent:
        notifications.unknown_sender(record, parsed.from_address, parsed.subject)
