"""What the requester says after a resolution: solved or not, and how it went (1-5)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Survey(models.Model):
    """The question asked once per resolution of a ticket (by e-mail and on the portal).

    Its verdict is given once: the "yes, solved" and "no, reopen" links of the e-mail share
    it, so using one spends both (a link is valid once). The rating hangs from it, once too.
    """

    class Verdict(models.TextChoices):
        SOLVED = "solved", _("solved")
        REOPENED = "reopened", _("reopened")

    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.PROTECT,
        related_name="surveys",
        verbose_name=_("ticket"),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requester"),
    )
    resolved_at = models.DateTimeField(_("resolved at"))
    asked_at = models.DateTimeField(_("asked at"))
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices, blank=True)
    verdict_at = models.DateTimeField(_("verdict given at"), null=True, blank=True)

    class Meta:
        ordering = ["-asked_at", "-id"]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "resolved_at"], name="survey_once_per_resolution"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} @ {self.resolved_at:%Y-%m-%d %H:%M}"


class Rating(models.Model):
    """The requester's 1-5 rating of one resolution, with an optional comment; kept for good
    (a ticket resolved again is asked again, and its earlier ratings stay as history)."""

    survey = models.OneToOneField(
        Survey, on_delete=models.PROTECT, related_name="rating", verbose_name=_("survey")
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.PROTECT,
        related_name="ratings",
        verbose_name=_("ticket"),
    )
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    rated_at = models.DateTimeField(_("rated at"))
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("rated by"),
    )

    class Meta:
        ordering = ["-rated_at", "-id"]
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["rated_at"], name="rating_by_instant")]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.score}/5"

    @property
    def is_low(self) -> bool:
        return self.score <= LOW_SCORE


LOW_SCORE = 2  # 1 and 2 tell the team leads
