"""The analysts' in-app notices: the bell in the back office's header."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notice(models.Model):
    """One thing an analyst should look at on one ticket, told once (by `key`).

    The same key as the e-mail of the same event (when there is one): a retried event or a
    sweep run twice finds the row there and adds nothing. The headline is the kind, read in
    the viewer's language; `text` is what it is about (the customer's words, the note, the
    deadline).
    """

    class Kind(models.TextChoices):
        CUSTOMER_ANSWERED = "customer_answered", _("the customer answered")
        MENTIONED = "mentioned", _("mentioned in a note")
        AT_RISK = "at_risk", _("ticket at risk")
        LOW_RATING = "low_rating", _("low satisfaction rating")

    key = models.CharField(_("key"), max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name=_("ticket"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Who wrote what the notice is about (empty: the customer or the desk)."),
    )
    text = models.CharField(_("text"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [
            # the bell: "my unread", newest first
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notice_bell"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.ticket_id} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
