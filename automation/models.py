"""Macros (canned replies that may also move the ticket) and triage rules (what happens on
their own when a ticket is opened or the customer writes), and the record of each rule run."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from automation.placeholders import placeholders_check
from helpdesk.db import TimeStampedModel
from tickets.models import Ticket

# The languages a macro is written in (the portal's), pt-BR first: the fallback.
MACRO_LANGUAGES = ("pt-br", "en", "es")


class Macro(TimeStampedModel):
    """A canned reply in pt-BR, English and Spanish, which may also change the ticket."""

    class Visibility(models.TextChoices):
        PERSONAL = "personal", _("personal (only its owner)")
        SHARED = "shared", _("shared (every analyst)")

    # Statuses a macro may move a ticket to (assigning is a field of its own; cancelling
    # needs a reason of its own, written by a person).
    STATUSES = [
        (status.value, status.label)
        for status in (
            Ticket.Status.IN_PROGRESS,
            Ticket.Status.WAITING_ON_CUSTOMER,
            Ticket.Status.RESOLVED,
            Ticket.Status.CLOSED,
        )
    ]

    name = models.CharField(_("name"), max_length=100)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PERSONAL
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="macros",
        verbose_name=_("owner"),
        limit_choices_to={"is_staff": True},
    )
    is_active = models.BooleanField(_("active"), default=True)
    reply_pt_br = models.TextField(_("reply (Brazilian Portuguese)"), blank=True)
    reply_en = models.TextField(_("reply (English)"), blank=True)
    reply_es = models.TextField(_("reply (Spanish)"), blank=True)
    note = models.TextField(
        _("internal note"), blank=True, help_text=_("Added for analysts only; never sent.")
    )
    status = models.CharField(
        _("set status"), max_length=30, choices=STATUSES, blank=True, default=""
    )
    status_reason = models.CharField(
        _("reason for the status"),
        max_length=300,
        blank=True,
        help_text=_("Required for “waiting on customer”: what the customer needs to provide."),
    )
    priority = models.ForeignKey(
        "sla.PriorityLevel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set priority"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assign to"),
        limit_choices_to={"is_staff": True, "is_active": True},
    )
    assign_to_applier = models.BooleanField(_("assign to whoever applies it"), default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        permissions = [("manage_shared_macros", _("Can manage shared macros"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(assignee__isnull=True) | Q(assign_to_applier=False),
                name="macro_one_assignee",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, list] = {}
        for field in ("reply_pt_br", "reply_en", "reply_es", "note"):
            try:
                placeholders_check(getattr(self, field))
            except ValidationError as error:
                errors.setdefault(field, []).extend(error.error_list)
        if self.assignee_id and self.assign_to_applier:
            errors.setdefault("assign_to_applier", []).append(
                _("Choose an analyst or “whoever applies it”, not both.")
            )
        if self.status == Ticket.Status.WAITING_ON_CUSTOMER and not self.status_reason.strip():
            errors.setdefault("status_reason", []).append(
                _("Say what the customer needs to provide.")
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_shared(self) -> bool:
        return self.visibility == self.Visibility.SHARED

    def reply_in(self, language: str) -> tuple[str, str]:
        """(language, reply text) in `language`, else in Brazilian Portuguese."""
        field = {"pt-br": "reply_pt_br", "en": "reply_en", "es": "reply_es"}
        text = getattr(self, field.get((language or "").lower(), "reply_pt_br"))
        if text.strip():
            return language.lower(), text
        return "pt-br", self.reply_pt_br


class TriageRule(TimeStampedModel):
    """When a ticket is opened or the customer writes, and the conditions hold, act on it.

    Conditions left empty match everything; words match whole words or phrases of the
    subject and text, ignoring accents and case.
    """

    class When(models.TextChoices):
        CREATED = "created", _("a ticket is opened")
        UPDATED = "updated", _("the customer writes on a ticket")
        BOTH = "both", _("a ticket is opened or the customer writes")

    class IntegrationCondition(models.TextChoices):
        ANY = "", _("any (with or without)")
        WITH = "with", _("about an integration")
        VENDOR = "vendor", _("about a vendor-built integration")
        SELF_SERVICE = "self_service", _("about a self-service integration")
        WITHOUT = "without", _("about no integration")

    CHANNELS = Ticket.Channel.choices

    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveIntegerField(
        _("order"), default=0, help_text=_("Rules run from the lowest number up.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    when = models.CharField(_("when"), max_length=10, choices=When.choices, default=When.CREATED)
    channels = models.JSONField(
        _("channels"),
        default=list,
        blank=True,
        help_text=_("Through which channels (none chosen: any)."),
    )
    words = models.TextField(
        _("subject or text contains"),
        blank=True,
        help_text=_(
            "One word or phrase per line (or separated by commas); any of them matches. "
            "Accents and case are ignored."
        ),
    )
    sender_domains = models.CharField(
        _("sender's domain"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated, e.g. acme.com.br (empty: any)."),
    )
    organizations = models.ManyToManyField(
        "tickets.Organization",
        blank=True,
        related_name="+",
        verbose_name=_("organizations"),
        help_text=_("None chosen: any."),
    )
    integration = models.CharField(
        _("integration"),
        max_length=20,
        choices=IntegrationCondition.choices,
        default=IntegrationCondition.ANY,
        blank=True,
    )
    levels = models.ManyToManyField(
        "sla.PriorityLevel",
        blank=True,
        related_name="+",
        verbose_name=_("current levels"),
        help_text=_("None chosen: any."),
    )
    set_level = models.ForeignKey(
        "sla.PriorityLevel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set level"),
    )
    set_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assign to"),
        limit_choices_to={"is_staff": True, "is_active": True},
    )
    set_team = models.ForeignKey(
        "workspace.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assign within team"),
        help_text=_(
            "To the team's member with the fewest open tickets (left as it is when a member "
            "of the team already has it)."
        ),
    )
    note = models.TextField(_("add internal note"), blank=True)
    macro = models.ForeignKey(
        Macro,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="triage_rules",
        verbose_name=_("apply macro"),
        limit_choices_to={"visibility": Macro.Visibility.SHARED, "assign_to_applier": False},
    )
    stop_processing = models.BooleanField(
        _("stop here"),
        default=False,
        help_text=_("When this rule matches, the rules after it do not run."),
    )

    history = HistoricalRecords(m2m_fields=[organizations, levels])

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("triage rule")
        verbose_name_plural = _("triage rules")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.macro_id and (not self.macro.is_shared or self.macro.assign_to_applier):
            raise ValidationError(
                {
                    "macro": _(
                        "A rule applies only shared macros that do not assign to whoever "
                        "applies them."
                    )
                }
            )
        if self.set_assignee_id and self.set_team_id:
            raise ValidationError(
                {"set_team": _("Assign to an analyst or within a team, not both.")}
            )
        if not (
            self.set_level_id
            or self.set_assignee_id
            or self.set_team_id
            or self.note.strip()
            or self.macro_id
        ):
            raise ValidationError(_("Choose at least one thing for the rule to do."))


class TriageRun(models.Model):
    """One rule that matched a ticket, and what it did (or why it failed)."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("applied")
        FAILED = "failed", _("failed")

    rule = models.ForeignKey(
        TriageRule,
        on_delete=models.SET_NULL,
        null=True,
        related_name="runs",
        verbose_name=_("rule"),
    )
    rule_name = models.CharField(_("rule name"), max_length=100)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        related_name="triage_runs",
        verbose_name=_("ticket"),
    )
    trigger = models.CharField(
        _("trigger"),
        max_length=10,
        choices=[
            (TriageRule.When.CREATED, _("opened")),
            (TriageRule.When.UPDATED, _("customer wrote")),
        ],
    )
    at = models.DateTimeField(_("at"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    changes = models.TextField(_("what it did"), blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("triage run")
        verbose_name_plural = _("triage runs")
        indexes = [models.Index(fields=["ticket", "at"], name="triage_run_ticket_at")]

    def __str__(self) -> str:
        return f"{self.rule_name} · {self.ticket_id} · {self.get_outcome_display()}"
