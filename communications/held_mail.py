"""What an analyst does with e-mail that was held or quarantined.

Each action keeps the message and says on it who did what: "create contact and ticket",
"attach to ticket" (the customer answered when the e-mail arrived, not when it was filed)
and "discard with reason". Nothing is ever deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communications import email_parsing, inbound, services
from communications.models import InboundEmail, Message
from tickets import services as ticket_services
from tickets.models import Organization, Ticket

Status = InboundEmail.Status
WORKABLE = (Status.HELD, Status.QUARANTINED)


def _locked(record: InboundEmail) -> InboundEmail:
    """The row as it stands, locked: two analysts cannot file one message twice."""
    record = InboundEmail.objects.select_for_update().get(pk=record.pk)
    if record.status not in WORKABLE:
        raise ValidationError(
            _("This e-mail was already dealt with (%(status)s).")
            % {"status": record.get_status_display()}
        )
    return record


def _log(record: InboundEmail, line: str, *, actor, now: datetime) -> None:
    """Append to the record's details what was done, keeping why it had been held."""
    stamp = timezone.localtime(now).strftime("%Y-%m-%d %H:%M")
    entry = f"[{stamp}] {line} ({actor.get_username()})"
    record.error = f"{record.error}\n{entry}".strip()[:8000]


def _parsed(record: InboundEmail):
    try:
        return email_parsing.parse(bytes(record.raw))
    except Exception:
        return None


@transaction.atomic
def email_attach_to_ticket(record: InboundEmail, *, ticket: Ticket, actor, now: datetime):
    """File a held or quarantined message on a ticket, as the customer's word.

    The analyst vouches for it; the clock treats it as an answer given when it arrived.
    """
    record = _locked(record)
    parsed = _parsed(record)
    if parsed is not None:
        body, html, files = parsed.text, parsed.html, inbound.files_of(parsed)
        files = [f for f in files if services.attachment_problem(f) is None]
    else:
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
        answered_at=record.received_at,
    )
    filed = _("Filed on %(reference)s") % {"reference": ticket.reference}
    _log(record, filed, actor=actor, now=now)
    record.ticket, record.status, record.processed_at = ticket, Status.PROCESSED, now
    record.save()
    return message


@dataclass(frozen=True)
class ContactSuggestion:
    """Who a held e-mail says its sender is: what "create contact and ticket" starts from."""

    address: str  # empty: no single sender address, no contact can be made
    name: str
    organization: Organization | None  # the one that lists the sender's domain


def contact_suggestion(record: InboundEmail) -> ContactSuggestion:
    """The sender's address and name from the kept original, and the organization whose
    e-mail domains include the sender's (the analyst confirms or picks another)."""
    parsed = _parsed(record)
    if parsed is None or not parsed.from_address:
        return ContactSuggestion("", "", None)
    return ContactSuggestion(
        parsed.from_address,
        parsed.from_name,
        inbound.organization_of_domain(parsed.from_domain),
    )


@transaction.atomic
def email_open_for_contact(
    record: InboundEmail, *, organization: Organization, name: str = "", actor, now: datetime
) -> Ticket:
    """Make the sender a member of `organization` and open a ticket from the message.

    The ticket opens as an e-mailed one would (`inbound.open_ticket`: reported when the
    e-mail arrived, its files attached, the customer's acknowledgement threaded under it,
    triage run after the commit). Once only: the row is locked and must still be held, so a
    second submit is refused, never a second ticket.
    """
    record = _locked(record)
    parsed = _parsed(record)
    if parsed is None or not parsed.from_address:
        raise ValidationError(_("This e-mail has no single sender address to make a contact of."))
    user = (
        get_user_model()
        .objects.filter(email__iexact=parsed.from_address)
        .select_related("membership")
        .first()
    )
    if user is not None and user.is_staff:
        raise ValidationError(_("This address belongs to an analyst, not a customer."))
    membership = getattr(user, "membership", None) if user is not None else None
    if user is not None and (membership is None or membership.organization_id != organization.pk):
        raise ValidationError(
            _("This address already belongs to someone outside %(org)s.")
            % {"org": organization.name}
        )
    requester = user or ticket_services.member_create(
        organization=organization, email=parsed.from_address, name=name or parsed.from_name
    )
    ticket = inbound.open_ticket(record, parsed, requester, organization, now)
    _log(
        record,
        _("Contact created in %(organization)s and %(reference)s opened")
        % {"organization": organization.name, "reference": ticket.reference},
        actor=actor,
        now=now,
    )
    record.processed_at = now
    record.save()
    return ticket


@transaction.atomic
def email_discard(record: InboundEmail, *, reason: str, actor, now: datetime) -> InboundEmail:
    """Set a message aside for good, saying why; it stays, with its source, in the record."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why this e-mail is discarded.")})
    record = _locked(record)
    record.status, record.discarded_by = Status.DISCARDED, actor
    record.discard_reason, record.processed_at = reason.strip(), now
    record.save()
    return record
