"""Writes of the written record: messages, attachments, calls and agreements.

The ticket's lifecycle stays in `tickets.services`; a customer's message on a ticket that
waits on them resumes it through there.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from datetime import datetime, timedelta
from fnmatch import fnmatch
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communications import email_parsing, notifications
from communications.models import (
    Agreement,
    Attachment,
    Call,
    InboundEmail,
    Message,
    OutboundEmail,
)
from tickets import events as ticket_events
from tickets import selectors as ticket_selectors
from tickets import services as ticket_services
from tickets.models import Ticket


@dataclass(frozen=True)
class IncomingFile:
    """A file as it arrives (upload or e-mail part), before it is stored."""

    name: str
    content_type: str
    data: bytes
    content_id: str = ""


def attachment_problem(file: IncomingFile) -> str | None:
    """Why a file cannot be stored as an attachment (size, name, type, content), or None.

    The declared content type is the sender's word, so the name's extension and the first
    bytes are checked too: a program declared as application/octet-stream is still refused.
    """
    if len(file.data) > settings.ATTACHMENT_MAX_BYTES:
        return _("“%(name)s” is larger than %(limit)d MB.") % {
            "name": file.name,
            "limit": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
        }
    # Windows ignores trailing dots and spaces: "run.exe. " is run.exe.
    extension = PurePath(file.name.strip().rstrip(". ")).suffix.lower()
    blocked = {f".{e.lower().lstrip('.')}" for e in settings.ATTACHMENT_BLOCKED_EXTENSIONS}
    if extension in blocked:
        return _(
            "“%(name)s” is not accepted: %(extension)s files can run programs or scripts. "
            "Send it in a ZIP file or describe it in the message."
        ) % {"name": file.name, "extension": extension}
    content_type = (file.content_type or "").lower().split(";")[0].strip()
    if content_type in {t.lower() for t in settings.ATTACHMENT_BLOCKED_TYPES} or not any(
        fnmatch(content_type, allowed) for allowed in settings.ATTACHMENT_ALLOWED_TYPES
    ):
        return _("Files of type %(type)s are not accepted.") % {"type": content_type or "?"}
    if _looks_like_a_program(file.data):
        return _("“%(name)s” is not accepted: it contains a program.") % {"name": file.name}
    return None


def _looks_like_a_program(data: bytes) -> bool:
    """A native executable by its magic number: Windows PE, ELF, Mach-O (or a Java class)."""
    if data[:2] == b"MZ" and len(data) >= 64:
        offset = int.from_bytes(data[60:64], "little")
        return data[offset : offset + 4] == b"PE\0\0"
    return data[:4] in {
        b"\x7fELF",
        b"\xfe\xed\xfa\xce",
        b"\xfe\xed\xfa\xcf",
        b"\xce\xfa\xed\xfe",
        b"\xcf\xfa\xed\xfe",
        b"\xca\xfe\xba\xbe",
    }


def attachment_store(
    *, ticket: Ticket, message: Message | None, file: IncomingFile, uploaded_by, now: datetime
) -> Attachment:
    """Store a file under a generated path, keeping its original name and type."""
    problem = attachment_problem(file)
    if problem:
        # Keyed by the forms' field name ("files"): a form can show it on the field, where
        # an unknown key made the portal's add_error raise (a 500 instead of a form error).
        raise ValidationError({"files": problem})
    content_type = file.content_type or (
        mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    )
    attachment = Attachment(
        ticket=ticket,
        message=message,
        original_name=file.name[:255] or "attachment",
        content_type=content_type[:255],
        size=len(file.data),
        content_id=file.content_id,
        uploaded_by=uploaded_by,
        created_at=now,
    )
    attachment.file.save(attachment.original_name, ContentFile(file.data), save=False)
    attachment.save()
    return attachment


@transaction.atomic
def ticket_open(*, files=(), **fields) -> Ticket:
    """Open a ticket (`tickets.services.ticket_create`'s fields) with the files the customer
    sent along, attached to the ticket itself, all or nothing."""
    ticket = ticket_services.ticket_create(**fields)
    requester, now = fields["requester"], fields["now"]
    for file in files:
        attachment_store(ticket=ticket, message=None, file=file, uploaded_by=requester, now=now)
    return ticket


@transaction.atomic
def message_post(
    *,
    ticket: Ticket,
    author,
    body: str,
    channel: str,
    now: datetime,
    internal: bool = False,
    files: list[IncomingFile] = (),
    html: str = "",
    author_email: str = "",
    inbound_email=None,
    answered_at: datetime | None = None,
) -> Message:
    """Add a message to a ticket; analysts may write internal notes, customers may not.

    Only someone who may see the ticket writes on it (`tickets.selectors.ticket_visible_to`,
    the portal's own rule), whatever the channel. A customer's message resumes a ticket
    waiting on them from `answered_at` (when it arrived), default `now`.
    """
    body = (body or "").replace("\x00", "").strip()
    if not body and not files:
        raise ValidationError({"body": _("Write a message or attach a file.")})
    from_customer = author is None or not author.is_staff
    if (
        from_customer
        and author is not None
        and not ticket_selectors.ticket_visible_to(author, ticket)
    ):
        raise ValidationError(_("Only someone who may see this ticket can write on it."))
    if internal and from_customer:
        raise ValidationError(_("Only analysts can write internal notes."))
    direction = (
        Message.Direction.INTERNAL
        if internal
        else Message.Direction.FROM_CUSTOMER
        if from_customer
        else Message.Direction.TO_CUSTOMER
    )
    message = Message.objects.create(
        ticket=ticket,
        direction=direction,
        channel=channel,
        author=author,
        author_email=(author_email or getattr(author, "email", "") or "")[:254],
        body=body,
        visible_body=email_parsing.visible_text(body) if inbound_email else "",
        body_html=email_parsing.sanitise_html(html) if html else "",
        inbound_email=inbound_email,
    )
    for file in files:
        attachment_store(ticket=ticket, message=message, file=file, uploaded_by=author, now=now)
    if direction == Message.Direction.FROM_CUSTOMER:
        ticket_services.ticket_customer_replied(
            ticket=ticket, actor=author, now=now, answered_at=answered_at
        )
        ticket_events.customer_replied.send(sender=Ticket, ticket=ticket, message=message, now=now)
    elif direction == Message.Direction.TO_CUSTOMER:
        notifications.public_reply(message)
    else:
        notifications.note_written(message, now=now)  # colleagues it @mentions
    return message


def system_note_post(*, ticket: Ticket, body: str, now: datetime) -> Message:
    """An internal note the helpdesk itself writes on a ticket (no author), for analysts."""
    return Message.objects.create(
        ticket=ticket,
        direction=Message.Direction.INTERNAL,
        channel=Message.Channel.EMAIL,
        author=None,
        body=body,
    )


@transaction.atomic
def call_record(
    *,
    ticket: Ticket,
    kind: str,
    started_at: datetime,
    duration: timedelta,
    participants: str,
    summary: str,
    actor,
) -> Call:
    """Write down a call or meeting; without its written outcome it is not recorded."""
    errors = {}
    if not summary.strip():
        errors["summary"] = _("Write what was said and decided: the record must be in writing.")
    if not participants.strip():
        errors["participants"] = _("Say who took part.")
    if duration <= timedelta(0):
        errors["duration"] = _("The duration must be positive.")
    if errors:
        raise ValidationError(errors)
    return Call.objects.create(
        ticket=ticket,
        kind=kind,
        started_at=started_at,
        duration=duration,
        participants=participants.strip(),
        summary=summary.strip(),
        recorded_by=actor,
    )


@transaction.atomic
def agreement_record(
    *,
    ticket: Ticket,
    kind: str,
    text: str,
    customer_party: str,
    actor,
    agreed_date: datetime | None = None,
    call: Call | None = None,
    supersedes: Agreement | None = None,
) -> Agreement:
    """Record an agreement, or a corrected version of one; the customer gets it in writing."""
    if not text.strip():
        raise ValidationError({"text": _("Write what was agreed.")})
    if not customer_party.strip():
        raise ValidationError({"customer_party": _("Say who agreed on the customer's side.")})
    version = 1
    if supersedes is not None:
        supersedes = Agreement.objects.select_for_update().get(pk=supersedes.pk)
        if supersedes.ticket_id != ticket.pk:
            raise ValidationError(_("A correction must be on the same ticket."))
        if Agreement.objects.filter(supersedes=supersedes).exists():
            raise ValidationError(_("This version was already corrected; correct the latest one."))
        version = supersedes.version + 1
    agreement = Agreement(
        ticket=ticket,
        kind=kind,
        text=text.strip(),
        agreed_date=agreed_date,
        vendor_party=actor,
        customer_party=customer_party.strip(),
        call=call,
        version=version,
        supersedes=supersedes,
    )
    agreement._history_user = actor
    agreement.save()
    notifications.agreement_recorded(agreement)
    return agreement


@transaction.atomic
def tickets_merge(*, duplicate: Ticket, into: Ticket, actor, now: datetime) -> Ticket:
    """Fold a duplicate into the ticket that stays, since the record is never deleted.

    The duplicate's messages and files move (with the e-mails, so replies to either thread
    onto the kept ticket); its calls and agreements stay where they were made. The duplicate
    is cancelled as "merged into HD-…"; the kept ticket counts from the earlier report.
    """
    if actor is None or not actor.is_staff:
        raise ValidationError(_("Only analysts merge tickets."))
    into = ticket_services.ticket_absorb(into=into, duplicate=duplicate, actor=actor, now=now)
    moved = Message.objects.filter(ticket=duplicate).update(ticket=into)
    Attachment.objects.filter(ticket=duplicate).update(ticket=into)
    InboundEmail.objects.filter(ticket=duplicate).update(ticket=into)
    OutboundEmail.objects.filter(ticket=duplicate).update(ticket=into)
    system_note_post(
        ticket=into,
        body=_(
            "%(reference)s (“%(subject)s”, reported %(reported)s) was merged into this ticket "
            "by %(analyst)s: its %(count)d message(s) are here now."
        )
        % {
            "reference": duplicate.reference,
            "subject": duplicate.subject,
            "reported": timezone.localtime(duplicate.reported_at).strftime("%Y-%m-%d %H:%M"),
            "analyst": actor.get_username(),
            "count": moved,
        },
        now=now,
    )
    system_note_post(
        ticket=duplicate,
        body=_("Merged into %(reference)s: the conversation continues there.")
        % {"reference": into.reference},
        now=now,
    )
    return into
