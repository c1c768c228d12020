"""The ticket's written record: messages, attachments, calls, agreements, e-mail in and out."""

import uuid
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from helpdesk.db import TimeStampedModel


def attachment_path(instance, filename: str) -> str:
    """A generated path: the original name is kept in the row, never trusted on disk."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"attachments/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class InboundEmail(models.Model):
    """Every e-mail that reached us, byte for byte, and what became of it."""

    class Status(models.TextChoices):
        PROCESSED = "processed", _("processed")
        HELD = "held", _("held for an analyst")
        IGNORED = "ignored", _("ignored (auto-reply or bounce)")
        QUARANTINED = "quarantined", _("quarantined")
        DISCARDED = "discarded", _("discarded by an analyst")

    class HoldReason(models.TextChoices):
        UNKNOWN_SENDER = "unknown_sender", _("unknown sender")
        INVALID_SENDER = "invalid_sender", _("no single valid sender address")
        STAFF_UNVERIFIED = "staff_unverified", _("unauthenticated analyst address")
        STAFF_BY_EMAIL = "staff_by_email", _("analysts answer from the back office")
        NOT_ALLOWED = "not_allowed", _("not allowed on that ticket")
        UNVERIFIED_SENDER = "unverified_sender", _("sender not verified")
        SPOOFED_DOMAIN = "spoofed_domain", _("spoofed domain")
        UNREADABLE = "unreadable", _("unreadable")

    class ArrivalSource(models.TextChoices):
        RECEIVED_HEADER = "received_header", _("our mail server's Received line")
        IMAP = "imap", _("the mailbox's arrival date (IMAP)")
        FILE = "file", _("the file's date (Maildir, mbox)")
        READ = "read", _("when we read it")

    raw_digest = models.CharField(
        _("SHA-256 of the source"),
        max_length=64,
        unique=True,
        help_text=_("A redelivery is the same bytes: it is recognised by this digest."),
    )
    raw = models.BinaryField(_("raw source"))
    message_id = models.TextField(
        _("Message-ID"),
        blank=True,
        help_text=_("From the header, in full; a digest of the source when it is missing."),
    )
    message_id_digest = models.CharField(
        _("SHA-256 of the Message-ID"), max_length=64, blank=True, db_index=True
    )
    message_id_reused = models.BooleanField(
        _("Message-ID reused"),
        default=False,
        help_text=_("Another message with other content arrived with the same Message-ID."),
    )
    received_at = models.DateTimeField(_("arrived at"))
    arrival_source = models.CharField(
        _("arrival time from"),
        max_length=16,
        choices=ArrivalSource.choices,
        default=ArrivalSource.READ,
    )
    arrival_clamped_from = models.DateTimeField(
        _("arrival time claimed"),
        null=True,
        blank=True,
        help_text=_("The arrival our systems recorded, when it was too far off to be used."),
    )
    from_address = models.CharField(_("from"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    sender_verified = models.BooleanField(
        _("sender verified"),
        default=False,
        help_text=_("Our mail server authenticated the From domain (DMARC, SPF or DKIM)."),
    )
    authentication = models.CharField(_("authentication"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    hold_reason = models.CharField(
        _("reason"), max_length=20, choices=HoldReason.choices, blank=True
    )
    error = models.TextField(_("details"), blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_emails",
        verbose_name=_("ticket"),
    )
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("discarded by"),
    )
    discard_reason = models.TextField(_("why it was discarded"), blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("inbound e-mail")
        verbose_name_plural = _("inbound e-mails")
        indexes = [models.Index(fields=["status", "received_at"], name="inbound_status_received")]

    def __str__(self) -> str:
        return f"{self.from_address or '?'}: {self.subject[:60]}"


class Message(TimeStampedModel):
    """One exchange on a ticket: from the customer, to the customer, or an internal note."""

    class Direction(models.TextChoices):
        FROM_CUSTOMER = "in", _("from the customer")
        TO_CUSTOMER = "out", _("to the customer")
        INTERNAL = "note", _("internal note")

    class Channel(models.TextChoices):
        PORTAL = "portal", _("portal")
        API = "api", _("API")
        EMAIL = "email", _("e-mail")
        BACK_OFFICE = "back_office", _("back office")

    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("ticket"),
    )
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    author_email = models.EmailField(_("author e-mail"), blank=True)
    body = models.TextField(_("text"), help_text=_("The full plain text, as received."))
    visible_body = models.TextField(
        _("displayed text"), blank=True, help_text=_("Without quoted replies and signatures.")
    )
    body_html = models.TextField(_("HTML (sanitised)"), blank=True)
    inbound_email = models.OneToOneField(
        InboundEmail,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ticket_message",
        verbose_name=_("source e-mail"),
    )

    class Meta:
        ordering = ["ticket", "created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.body[:60]}"

    @property
    def is_internal(self) -> bool:
        return self.direction == self.Direction.INTERNAL

    @property
    def display_text(self) -> str:
        return self.visible_body or self.body


class Attachment(models.Model):
    """A file received or sent, stored under a generated path with its original name kept."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("ticket"),
    )
    message = models.ForeignKey(
        Message,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("message"),
    )
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    content_id = models.CharField(_("Content-ID"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["ticket", "created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_internal(self) -> bool:
        return self.message is not None and self.message.is_internal

    @property
    def is_forwarded_message(self) -> bool:
        """An e-mail the sender forwarded (message/rfc822): their evidence, not their words."""
        return self.content_type.split(";")[0].strip().lower() == "message/rfc822"

    @property
    def label(self) -> str:
        if self.is_forwarded_message:
            return _("Forwarded message: %(name)s") % {"name": self.original_name}
        return self.original_name


class Call(TimeStampedModel):
    """A phone call or meeting, and what was said there, in writing."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("phone call")
        GOOGLE_MEET = "google_meet", _("Google Meet")
        SKYPE = "skype", _("Skype")

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="calls", verbose_name=_("ticket")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    started_at = models.DateTimeField(_("date and time"))
    duration = models.DurationField(_("duration"))
    participants = models.TextField(_("participants"))
    summary = models.TextField(_("written summary"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("call or meeting")
        verbose_name_plural = _("calls and meetings")
        constraints = [
            models.CheckConstraint(condition=~Q(summary=""), name="call_has_summary"),
            models.CheckConstraint(
                condition=Q(duration__gt=timedelta(0)), name="call_positive_duration"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M}"


def _agreement_not_editable() -> ValidationError:
    return ValidationError(
        _("An agreement is never edited in place: record a correction as a new version.")
    )


class AgreementQuerySet(models.QuerySet):
    def current(self):
        """Versions not superseded by a correction."""
        return self.filter(superseded_by__isnull=True)

    def update(self, **kwargs):
        # The written record is corrected only by new versions, never rewritten in bulk.
        raise _agreement_not_editable()

    def bulk_update(self, objs, fields, batch_size=None):
        raise _agreement_not_editable()


class Agreement(TimeStampedModel):
    """A commitment written down on the ticket; corrected only by a new version."""

    class Kind(models.TextChoices):
        COMMITMENT = "commitment", _("commitment")
        WORKAROUND = "workaround", _("accepted workaround")
        NEW_DATE = "new_date", _("new date agreed")
        OTHER = "other", _("other")

    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        related_name="agreements",
        verbose_name=_("ticket"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    text = models.TextField(_("what was agreed"))
    agreed_date = models.DateTimeField(_("date agreed"), null=True, blank=True)
    vendor_party = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agreed by (vendor)"),
    )
    customer_party = models.CharField(_("agreed by (customer)"), max_length=200)
    call = models.ForeignKey(
        Call,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("agreed during"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("corrects"),
    )

    objects = AgreementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["ticket", "created_at", "id"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="agreement_has_text"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}: {self.text[:60]}"

    def save(self, *args, **kwargs):
        """Insert only: a saved agreement is never changed (the supersession link lives on
        the correcting version, so the corrected one needs no update either)."""
        if not self._state.adding:
            raise _agreement_not_editable()
        kwargs["force_insert"] = True  # an explicit pk of an existing row cannot overwrite it
        super().save(*args, **kwargs)


class OutboundEmail(models.Model):
    """An e-mail we send, recorded once: a retried task finds it sent and stops."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    CLAIMABLE = (Status.PENDING, Status.FAILED)

    key = models.CharField(_("key"), max_length=200, unique=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbound_emails",
        verbose_name=_("ticket"),
    )
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=998)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=998, blank=True)
    references = models.TextField(_("References"), blank=True)
    auto_submitted = models.BooleanField(_("automatic reply"), default=False)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(
        _("next attempt at"),
        null=True,
        blank=True,
        help_text=_(
            "When a failed send is tried again, or a held notice is sent (by the worker or "
            "send_due_emails)."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outbound e-mail")
        verbose_name_plural = _("outbound e-mails")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbound_status_next_attempt")
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject[:60]}"


class PersonalDataErasure(models.Model):
    """A person's data erased on their request (LGPD art. 18, GDPR art. 17): who, when, why.

    The one legitimate removal from the record: names, addresses and what the person wrote
    become a tombstone; every instant, clock and verdict stays, so no report changes.
    """

    person_id_erased = models.PositiveBigIntegerField(_("erased person (user id)"))
    erased_at = models.DateTimeField(_("erased at"))
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("erased by"),
    )
    reason = models.TextField(_("why (the request)"))
    summary = models.JSONField(_("what was erased"), default=dict)

    class Meta:
        ordering = ["-erased_at"]
        verbose_name = _("personal data erasure")
        verbose_name_plural = _("personal data erasures")

    def __str__(self) -> str:
        return f"#{self.person_id_erased} @ {self.erased_at:%Y-%m-%d %H:%M}"
