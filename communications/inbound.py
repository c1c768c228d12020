"""Inbound e-mail: store the bytes first, then thread, open, hold, ignore or quarantine.

Nothing is lost: the raw source is written, in its own transaction, before anything is
parsed; a redelivery is recognised by identical bytes; any failure while processing leaves
the message in quarantine with its error, for an analyst (`communications.held_mail`).

Nothing is forged into the record either: the sender is believed only as far as our own
mail server vouches for it (`email_auth`), only someone who may see a ticket in the portal
writes on it (`tickets.selectors.ticket_visible_to`), and every instant is when our systems
saw the message, never a date the sender wrote.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from communications import email_auth, email_parsing, notifications, outbound, services
from communications.models import InboundEmail, Message, OutboundEmail
from feature_requests import inbound as feature_inbound
from sla.models import PriorityLevel
from tickets import selectors as ticket_selectors
from tickets import services as ticket_services
from tickets.models import Organization, Ticket

logger = logging.getLogger(__name__)
Status = InboundEmail.Status
Reason = InboundEmail.HoldReason
Arrival = InboundEmail.ArrivalSource


class Held(Exception):
    """Processing stops here: the message waits for an analyst, with the reason."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


def digest(value: bytes | str) -> str:
    data = value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value
    return hashlib.sha256(data).hexdigest()


def email_ingest(
    raw: bytes, *, now: datetime, read_at: datetime | None = None, source: str = Arrival.READ
) -> tuple[InboundEmail, bool]:
    """Take one raw message; returns its record and whether it was new (not a redelivery).

    `read_at` is when our side got it (IMAP internal date, Maildir file date), `source`
    says which; the topmost Received line of a trusted host outranks both.
    """
    raw_digest = digest(raw)
    existing = InboundEmail.objects.filter(raw_digest=raw_digest).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            record = InboundEmail.objects.create(
                raw_digest=raw_digest,
                raw=raw,
                received_at=read_at or now,
                arrival_source=source if read_at else Arrival.READ,
                status=Status.QUARANTINED,
                hold_reason=Reason.UNREADABLE,
                error=_("Not processed yet."),
            )
    except IntegrityError:  # the same bytes delivered twice at once
        return InboundEmail.objects.get(raw_digest=raw_digest), False
    return email_process(record, now=now), True


def email_process(record: InboundEmail, *, now: datetime) -> InboundEmail:
    """(Re-)process a stored message; any failure puts it in quarantine with the error."""
    first_time = record.processed_at is None
    try:
        with transaction.atomic():
            _process(record, now, first_time=first_time)
    except Held as held:
        record.status, record.hold_reason, record.error = Status.HELD, held.reason, held.detail
        record.ticket = None
    except Exception as error:
        record.status, record.hold_reason = Status.QUARANTINED, Reason.UNREADABLE
        record.error = f"{type(error).__name__}: {error}"[:4000]
        record.ticket = None  # rolled back with everything else
    record.processed_at = now
    _save_outcome(record)
    if record.status == Status.HELD and record.hold_reason == Reason.UNKNOWN_SENDER:
        _autoreply_unknown(record, now)
    return record


def _save_outcome(record: InboundEmail) -> None:
    try:
        with transaction.atomic():
            record.save()
    except Exception as error:  # whatever the parsed fields held, the outcome is kept
        InboundEmail.objects.filter(pk=record.pk).update(
            status=Status.QUARANTINED,
            hold_reason=Reason.UNREADABLE,
            error=f"{type(error).__name__}: {error}"[:4000],
            ticket=None,
            processed_at=record.processed_at,
        )
        record.refresh_from_db()


# -- processing -------------------------------------------------------------------------------


def _process(record: InboundEmail, now: datetime, *, first_time: bool) -> None:
    raw = bytes(record.raw)
    parsed = email_parsing.parse(raw)
    _describe(record, parsed)
    if first_time:
        _settle_arrival(record, parsed, now)
    record.status, record.hold_reason, record.error, record.ticket = Status.PROCESSED, "", "", None
    original = _same_content_as(record, parsed) if record.message_id_reused else None
    if original is not None:
        # One message delivered twice by two routes (To and Cc of two of our addresses):
        # only the trace headers differ. Kept, never processed twice.
        record.status, record.ticket = Status.IGNORED, original.ticket
        record.error = _("A copy of message #%(pk)s (same Message-ID, sender and content).") % {
            "pk": original.pk
        }
        return
    if parsed.automatic or parsed.from_address == _own_address():
        record.status = Status.IGNORED
        return
    if not parsed.from_address:
        raise Held(Reason.INVALID_SENDER, _("The From header does not hold exactly one address."))
    verdict = email_auth.sender_verdict(
        parsed.authentication_results,
        from_domain=parsed.from_domain,
        trusted_ids=settings.EMAIL_TRUSTED_AUTHSERV_IDS,
    )
    record.sender_verified, record.authentication = verdict.verified, verdict.detail[:300]
    if verdict.spoofed:
        raise Held(
            Reason.SPOOFED_DOMAIN,
            _("%(domain)s says this message is not theirs (%(detail)s).")
            % {"domain": parsed.from_domain, "detail": verdict.detail},
        )
    user = _user_of(parsed.from_address)
    _check_staff(user, verdict)
    organization = _organization_of(user)
    strict = organization is not None and not organization.email_accept_unverified
    if strict and not verdict.verified:
        raise Held(
            Reason.UNVERIFIED_SENDER,
            _("%(organization)s accepts only e-mail our mail server verified (%(detail)s).")
            % {"organization": organization.name, "detail": verdict.detail},
        )
    if feature_inbound.is_addressed_to_feature_requests(raw):
        feature_inbound.email_propose(record, parsed, user=user, now=now)
        if record.status == Status.HELD:
            raise Held(Reason.UNKNOWN_SENDER, record.error)
        return
    ticket = _thread(parsed)
    if ticket is not None:
        _reply(record, parsed, ticket, user, now)
    elif user is not None and user.is_staff:
        raise Held(Reason.NOT_ALLOWED, _("An analyst's e-mail that answers no ticket."))
    elif organization is not None:
        open_ticket(record, parsed, user, organization, now)
    else:
        _open_by_domain(record, parsed, user, now)


def _describe(record: InboundEmail, parsed) -> None:
    """What the message says of itself, kept on the record whatever happens next."""
    record.message_id = parsed.message_id
    record.message_id_digest = digest(parsed.message_id)
    record.message_id_reused = (
        InboundEmail.objects.filter(message_id_digest=record.message_id_digest)
        .exclude(pk=record.pk)
        .exists()
    )
    record.from_address = parsed.from_address[:320]
    record.subject = parsed.subject[:998]


def _content_key(parsed) -> tuple:
    attachments = sorted(digest(a.data) for a in parsed.attachments)
    return (parsed.from_address, parsed.subject, parsed.text, parsed.html, attachments)


def _same_content_as(record: InboundEmail, parsed) -> InboundEmail | None:
    """An earlier message with this Message-ID and the same sender, subject, text and files."""
    key = _content_key(parsed)
    earlier = InboundEmail.objects.filter(
        message_id_digest=record.message_id_digest, pk__lt=record.pk
    ).order_by("pk")
    for candidate in earlier[:20]:
        try:
            if _content_key(email_parsing.parse(bytes(candidate.raw))) == key:
                return candidate
        except Exception:
            continue
    return None


def _settle_arrival(record: InboundEmail, parsed, now: datetime) -> None:
    """When the customer communicated: our mail server's stamp, else when we read it; far
    off instants are clamped (a wrong clock must not breach or stretch a deadline)."""
    stamped = email_parsing.arrival_stamp(parsed.received, settings.EMAIL_TRUSTED_RECEIVED_BY)
    if stamped is not None:
        record.received_at, record.arrival_source = stamped, Arrival.RECEIVED_HEADER
    earliest = now - timedelta(hours=settings.EMAIL_ARRIVAL_MAX_AGE_HOURS)
    if record.received_at > now or record.received_at < earliest:
        record.arrival_clamped_from = record.received_at
        record.received_at = min(max(record.received_at, earliest), now)


def _check_staff(user, verdict: email_auth.SenderVerdict) -> None:
    """An analyst's voice is never taken from an e-mail our server did not authenticate."""
    if user is None or not user.is_staff:
        return
    if not verdict.verified:
        raise Held(
            Reason.STAFF_UNVERIFIED,
            _("The sender claims to be an analyst, but our mail server did not verify it (%s).")
            % verdict.detail,
        )
    if not settings.EMAIL_ACCEPT_STAFF_REPLIES:
        raise Held(
            Reason.STAFF_BY_EMAIL,
            _("Analysts answer from the back office (EMAIL_ACCEPT_STAFF_REPLIES is off)."),
        )


def _reply(record, parsed, ticket: Ticket, user, now: datetime) -> None:
    if not ticket_selectors.ticket_visible_to(user, ticket):
        raise Held(
            Reason.NOT_ALLOWED,
            _("%(sender)s may not see %(reference)s in the portal, so may not write on it.")
            % {"sender": parsed.from_address, "reference": ticket.reference},
        )
    is_analyst = user.is_staff
    if not is_analyst and not record.sender_verified and not _requested_by(ticket, user):
        raise Held(
            Reason.UNVERIFIED_SENDER,
            _(
                "Our mail server did not verify %(sender)s: an unverified sender writes only "
                "on their own tickets, and %(reference)s is someone else's."
            )
            % {"sender": parsed.from_address, "reference": ticket.reference},
        )
    answered_at = record.received_at
    if not is_analyst and not ticket.is_open and not _reopen(ticket, user, answered_at, now):
        # The customer's word must land on a live ticket with a running clock, never on a
        # closed one nobody looks at: a follow-up opens, referring to the old ticket.
        open_ticket(record, parsed, user, ticket.organization, now, follow_up_of=ticket)
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
        answered_at=answered_at,
    )
    record.ticket = ticket
    _note_clamped_arrival(record, ticket, now)


def _requested_by(ticket: Ticket, user) -> bool:
    """They opened it, or opened a duplicate merged into it (their own conversation)."""
    return ticket.requester_id == user.pk or ticket.merged_tickets.filter(requester=user).exists()


def _reopen(ticket: Ticket, user, answered_at: datetime, now: datetime) -> bool:
    """Reopen a resolved ticket the customer answered, if the ticket's rules allow it.

    tickets.services decides: the requester or an organization admin, within the policy's
    reopen window, judged when the answer arrived. Anything else is False.
    """
    if ticket.status != Ticket.Status.RESOLVED:
        return False
    at = min(max(answered_at, ticket.resolved_at or answered_at), now)
    try:
        with transaction.atomic():
            ticket_services.ticket_transition(
                ticket=ticket,
                to_status=Ticket.Status.IN_PROGRESS,
                actor=user,
                now=at,
                reason=_("The customer replied by e-mail"),
            )
    except ValidationError:
        return False
    return True


def _open_by_domain(record, parsed, user, now: datetime) -> None:
    """A stranger at an organization's domain joins it only on a verified e-mail."""
    organization = organization_of_domain(parsed.from_domain)
    if organization is None or user is not None:
        raise Held(Reason.UNKNOWN_SENDER, _("Unknown sender: held for an analyst."))
    if not record.sender_verified:
        raise Held(
            Reason.UNVERIFIED_SENDER,
            _(
                "%(sender)s writes from a domain of %(organization)s, but our mail server did "
                "not verify it (%(detail)s): unverified e-mail never joins an organization."
            )
            % {
                "sender": parsed.from_address,
                "organization": organization.name,
                "detail": record.authentication,
            },
        )
    if not organization.email_domain_signup:
        raise Held(
            Reason.UNKNOWN_SENDER,
            _("%(organization)s does not let senders of its domains join by e-mail.")
            % {"organization": organization.name},
        )
    requester = ticket_services.member_create(
        organization=organization, email=parsed.from_address, name=parsed.from_name
    )
    open_ticket(record, parsed, requester, organization, now)


def open_ticket(
    record: InboundEmail, parsed, requester, organization, now: datetime, follow_up_of=None
) -> Ticket:
    """Open a ticket from a message, reported when it arrived (also for `held_mail`)."""
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
        sender_verified=record.sender_verified,
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
    if _threadable(record.message_id):
        outbound.emails_thread_under(ticket=ticket, message_id=record.message_id)
    _note_clamped_arrival(record, ticket, now)
    return ticket


def _note_clamped_arrival(record: InboundEmail, ticket: Ticket, now: datetime) -> None:
    if record.arrival_clamped_from is None:
        return
    services.system_note_post(
        ticket=ticket,
        body=_(
            "The e-mail of %(sender)s carried an arrival time of %(claimed)s, too far from "
            "when we read it: it counts as arrived at %(used)s."
        )
        % {
            "sender": record.from_address,
            "claimed": timezone.localtime(record.arrival_clamped_from).isoformat(),
            "used": timezone.localtime(record.received_at).isoformat(),
        },
        now=now,
    )


def _threadable(message_id: str) -> bool:
    """A Message-ID our own e-mails may cite: one a mail client sent (not our digest),
    short and plain enough for a header."""
    return (
        bool(message_id)
        and not message_id.endswith("@missing-message-id>")
        and len(message_id) <= 255
        and message_id.isascii()
    )


def _thread(parsed: email_parsing.ParsedEmail) -> Ticket | None:
    """The ticket a message answers: by the Message-IDs it cites, then by its subject."""
    ids = parsed.thread_ids[:100]
    if ids:
        ours = OutboundEmail.objects.filter(
            message_id__in=[i for i in ids if len(i) <= 255], ticket__isnull=False
        )
        theirs = InboundEmail.objects.filter(
            message_id_digest__in=[digest(i) for i in ids],
            ticket__isnull=False,
            status=Status.PROCESSED,
        ).order_by("received_at", "pk")
        ticket_id = (
            ours.values_list("ticket_id", flat=True).first()
            or theirs.values_list("ticket_id", flat=True).first()
        )
        if ticket_id:
            return Ticket.objects.select_related("organization").get(pk=ticket_id)
    reference = parsed.ticket_reference
    if not reference:
        return None
    return Ticket.objects.select_related("organization").filter(reference=reference).first()


def _user_of(address: str):
    """The active user with this address; an analyst first if several share it (the stricter
    rules then apply)."""
    return (
        get_user_model()
        .objects.filter(email__iexact=address, is_active=True)
        .select_related("membership__organization")
        .order_by("-is_staff", "pk")
        .first()
    )


def _organization_of(user) -> Organization | None:
    membership = getattr(user, "membership", None) if user is not None else None
    return membership.organization if membership is not None else None


def organization_of_domain(domain: str) -> Organization | None:
    """The organization that lists `domain` among its e-mail domains (exactly), if any."""
    if not domain:
        return None
    for organization in Organization.objects.filter(email_domains__icontains=domain):
        domains = {d.strip().lower() for d in organization.email_domains.split(",")}
        if domain in domains:
            return organization
    return None


def files_of(parsed) -> list[services.IncomingFile]:
    return [
        services.IncomingFile(a.filename, a.content_type, a.data, a.content_id)
        for a in parsed.attachments
    ]


def _storable(parsed) -> list[services.IncomingFile]:
    return [f for f in files_of(parsed) if services.attachment_problem(f) is None]


def _body_with_notes(parsed) -> str:
    """The text, plus a line for each attachment kept only in the original e-mail."""
    template = _("[%(name)s was not stored separately (%(problem)s); the original e-mail has it.]")
    notes = [
        template % {"name": f.name, "problem": problem}
        for f in files_of(parsed)
        if (problem := services.attachment_problem(f))
    ]
    return "\n\n".join([parsed.text or _("(empty message)"), *notes])


def _own_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()


def _autoreply_unknown(record: InboundEmail, now: datetime) -> None:
    """One polite answer per address a day: enough to help, never enough to loop."""
    if not record.from_address:
        return
    recent = OutboundEmail.objects.filter(
        Q(to__iexact=record.from_address),
        auto_submitted=True,
        created_at__gte=now - timedelta(days=1),
    ).exists()
    if recent:
        return
    try:
        notifications.unknown_sender(record, record.from_address, record.subject)
    except Exception:  # a courtesy: the message itself is stored and held either way
        logger.exception("auto-reply to %s not recorded", record.from_address)
