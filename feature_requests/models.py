"""Feature requests: proposals, votes, subscriptions, comments, linked tickets and notices."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from helpdesk.db import TimeStampedModel


class FeatureRequestQuerySet(models.QuerySet):
    def open_for_votes(self):
        return self.filter(status__in=FeatureRequest.VOTABLE_STATUSES)

    def awaiting_moderation(self):
        return self.filter(status=FeatureRequest.Status.SUBMITTED)


class FeatureRequest(TimeStampedModel):
    """A proposal of a change to the product, which customers vote on and follow."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        UNDER_REVIEW = "under_review", _("under review")
        APPROVED = "approved", _("approved")
        DECLINED = "declined", _("declined")
        SHIPPED = "shipped", _("shipped")
        MERGED = "merged", _("merged")

    class ProductArea(models.TextChoices):
        CHATBOT = "chatbot", _("chatbot")
        LIVE_CHAT = "live_chat", _("live chat")
        HELP_CENTER = "help_center", _("help center")
        VOICE = "voice", _("voice")
        PLATFORM = "platform", _("platform")
        INTEGRATIONS = "integrations", _("integrations")
        OTHER = "other", _("other")

    class Channel(models.TextChoices):
        PORTAL = "portal", _("portal")
        API = "api", _("API")
        EMAIL = "email", _("e-mail")
        BACK_OFFICE = "back_office", _("back office")

    VOTABLE_STATUSES = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.APPROVED)

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    product_area = models.CharField(
        _("product area"), max_length=20, choices=ProductArea.choices, default=ProductArea.OTHER
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="feature_requests",
        verbose_name=_("author"),
    )
    organization = models.ForeignKey(
        "tickets.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feature_requests",
        verbose_name=_("organization"),
    )
    is_private = models.BooleanField(
        _("private to the organization"),
        default=False,
        help_text=_("Only the organization's people and analysts see a private request."),
    )
    channel = models.CharField(
        _("channel"), max_length=12, choices=Channel.choices, default=Channel.PORTAL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    status_reason = models.TextField(
        _("reason for the status"),
        blank=True,
        help_text=_("Public: subscribers read it on the request's page and in the notice."),
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    vote_count = models.PositiveIntegerField(_("votes"), default=0)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("merged into"),
    )

    inbound_email = models.OneToOneField(
        "communications.InboundEmail",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feature_request",
        verbose_name=_("e-mail it came from"),
    )

    objects = FeatureRequestQuerySet.as_manager()
    # Votes change the count through atomic UPDATEs, which leave no history row.
    history = HistoricalRecords(excluded_fields=["vote_count"])

    class Meta:
        ordering = ["-vote_count", "-created_at"]
        verbose_name = _("feature request")
        verbose_name_plural = _("feature requests")
        indexes = [
            models.Index(fields=["status", "-vote_count"], name="fr_status_votes"),
            models.Index(fields=["-updated_at"], name="fr_updated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="merged", merged_into__isnull=False)
                | (~Q(status="merged") & Q(merged_into__isnull=True)),
                name="fr_merged_has_survivor",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("pk")), name="fr_not_merged_into_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("feature_requests:detail", args=[self.pk])

    @property
    def accepts_votes(self) -> bool:
        return self.status in self.VOTABLE_STATUSES


class Vote(models.Model):
    """One user's vote for a request; withdrawn by deleting it."""

    feature_request = models.ForeignKey(
        FeatureRequest,
        on_delete=models.CASCADE,
        related_name="votes",
        verbose_name=_("feature request"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="feature_votes",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("voted at"))

    class Meta:
        ordering = ["feature_request", "created_at"]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["feature_request", "user"], name="fr_one_vote_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.feature_request_id}"


class Subscription(models.Model):
    """Someone who is told when the request is approved, declined or shipped."""

    class Source(models.TextChoices):
        AUTHOR = "author", _("author")
        VOTE = "vote", _("voted")
        FOLLOW = "follow", _("followed")
        TICKET = "ticket", _("asked in a ticket")
        MERGE = "merge", _("moved from a merged request")

    feature_request = models.ForeignKey(
        FeatureRequest,
        on_delete=models.CASCADE,
        related_name="subscriptions",
        verbose_name=_("feature request"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="feature_subscriptions",
        verbose_name=_("user"),
    )
    source = models.CharField(_("why"), max_length=10, choices=Source.choices)
    created_at = models.DateTimeField(_("subscribed at"))

    class Meta:
        ordering = ["feature_request", "created_at"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["feature_request", "user"], name="fr_one_subscription_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ⇢ {self.feature_request_id}"


class NotificationPreference(models.Model):
    """A user's global choice about e-mails on feature requests."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="feature_request_preference",
        verbose_name=_("user"),
    )
    email_opt_out = models.BooleanField(
        _("no e-mail about feature requests"),
        default=False,
        help_text=_("Notices still appear in the portal."),
    )
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        ordering = ["user"]
        verbose_name = _("feature request e-mail preference")
        verbose_name_plural = _("feature request e-mail preferences")

    def __str__(self) -> str:
        return str(self.user)


class Comment(models.Model):
    """A comment on a request; an analyst's is the vendor's official answer."""

    feature_request = models.ForeignKey(
        FeatureRequest,
        on_delete=models.CASCADE,
        related_name="comments",
        verbose_name=_("feature request"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="feature_comments",
        verbose_name=_("author"),
    )
    body = models.TextField(_("comment"))
    is_official = models.BooleanField(_("official answer"), default=False)
    created_at = models.DateTimeField(_("posted at"))

    class Meta:
        ordering = ["feature_request", "created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.body[:60]


class TicketLink(models.Model):
    """A ticket in which a customer asked for the feature."""

    feature_request = models.ForeignKey(
        FeatureRequest,
        on_delete=models.CASCADE,
        related_name="ticket_links",
        verbose_name=_("feature request"),
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        related_name="feature_request_links",
        verbose_name=_("ticket"),
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("linked by"),
    )
    linked_at = models.DateTimeField(_("linked at"))

    class Meta:
        ordering = ["feature_request", "linked_at"]
        verbose_name = _("linked ticket")
        verbose_name_plural = _("linked tickets")
        constraints = [
            models.UniqueConstraint(
                fields=["feature_request", "ticket"], name="fr_ticket_link_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} ↔ {self.feature_request_id}"


class Notice(models.Model):
    """One event told to one subscriber: in the portal, and by e-mail once.

    The unique constraint is what makes a notice exactly-once: saving an approval twice or
    retrying the task finds the row already there.
    """

    class Event(models.TextChoices):
        APPROVED = "approved", _("approved")
        DECLINED = "declined", _("declined")
        SHIPPED = "shipped", _("shipped")

    class EmailStatus(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("not sent (opted out or no address)")

    feature_request = models.ForeignKey(
        FeatureRequest,
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name=_("feature request"),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="feature_notices",
        verbose_name=_("recipient"),
    )
    event = models.CharField(_("event"), max_length=10, choices=Event.choices)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_status = models.CharField(
        _("e-mail"), max_length=8, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    # When a failed e-mail is due again (None: not to be retried); `send_due_emails` sends
    # it when the task backend cannot defer a retry.
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(
                fields=["feature_request", "recipient", "event"], name="fr_notice_once"
            )
        ]
        indexes = [models.Index(fields=["recipient", "-created_at"], name="fr_notice_inbox")]

    def __str__(self) -> str:
        return f"{self.get_event_display()}: {self.feature_request_id} → {self.recipient}"
