"""Customer organizations, their people and integrations, and the tickets they open."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from helpdesk.db import TimeStampedModel
from tickets.timezones import validate_time_zone


class Organization(TimeStampedModel):
    """A customer company."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    email_domains = models.CharField(
        _("e-mail domains"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated domains whose senders belong to this organization."),
    )
    email_accept_unverified = models.BooleanField(
        _("accept e-mail our mail server could not verify"),
        default=True,
        help_text=_(
            "Members may open tickets (marked “sender not verified”) and answer their own "
            "tickets from e-mail that fails authentication, as badly configured mail servers "
            "often do. Off: such e-mail waits for an analyst."
        ),
    )
    email_domain_signup = models.BooleanField(
        _("verified senders of its domains become members"),
        default=True,
        help_text=_(
            "A verified e-mail from one of the domains above opens a ticket and an account. "
            "Unverified e-mail never joins an organization."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class OrganizationMember(models.Model):
    """A customer user and the one organization they belong to."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("user"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="members",
        verbose_name=_("organization"),
    )
    is_admin = models.BooleanField(
        _("organization admin"),
        default=False,
        help_text=_("Sees every ticket of the organization, not only their own."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="pt-br",
        help_text=_("The language of the e-mails they get."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_(
            "Where they read dates and times, e.g. Europe/Lisbon (empty: the support "
            "calendar's zone)."
        ),
    )

    class Meta:
        ordering = ["organization", "user__username"]
        verbose_name = _("organization member")
        verbose_name_plural = _("organization members")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"

    def clean(self) -> None:
        if self.user_id and self.user.is_staff:
            raise ValidationError(_("Analysts (staff users) cannot be customer members."))


class Integration(TimeStampedModel):
    """An integration of an organization's system with the product."""

    class BuiltBy(models.TextChoices):
        VENDOR = "vendor", _("built by the vendor")
        SELF_SERVICE = "self_service", _("self-service (built by the customer)")

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="integrations",
        verbose_name=_("organization"),
    )
    name = models.CharField(_("name"), max_length=200)
    system = models.CharField(_("system it connects to"), max_length=200, blank=True)
    built_by = models.CharField(
        _("built by"), max_length=20, choices=BuiltBy.choices, default=BuiltBy.VENDOR
    )

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = _("integration")
        verbose_name_plural = _("integrations")
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="integration_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_vendor_built(self) -> bool:
        return self.built_by == self.BuiltBy.VENDOR


class ReferenceCounter(models.Model):
    """Last ticket number handed out in a year; incremented atomically in the database."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        ordering = ["year"]
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class TicketQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=Ticket.CLOSED_STATUSES)

    def due_before(self, instant):
        """Tickets with a running clock that runs out before `instant` (indexed)."""
        return self.filter(next_due_at__lt=instant)


class Ticket(TimeStampedModel):
    """A customer's incident or question, worked inside the deadlines of its policy."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        ASSIGNED = "assigned", _("assigned")
        IN_PROGRESS = "in_progress", _("in progress")
        WAITING_ON_CUSTOMER = "waiting_on_customer", _("waiting on customer")
        RESOLVED = "resolved", _("resolved")
        CLOSED = "closed", _("closed")
        CANCELLED = "cancelled", _("cancelled")

    class Channel(models.TextChoices):
        PORTAL = "portal", _("portal")
        EMAIL = "email", _("e-mail")
        PHONE = "phone", _("phone")
        API = "api", _("API")

    class Category(models.TextChoices):
        PLATFORM = "platform", _("platform")
        INTEGRATION = "integration", _("integration")
        QUESTION = "question", _("question")
        OTHER = "other", _("other")

    class Scope(models.TextChoices):
        ONE_CUSTOMER = "one", _("one customer")
        SEVERAL_CUSTOMERS = "several", _("several customers")

    class Origin(models.TextChoices):
        UNDETERMINED = "undetermined", _("undetermined")
        VENDOR = "vendor", _("vendor")
        CUSTOMER = "customer", _("customer")
        THIRD_PARTY = "third_party", _("customer's third party")

    CLOSED_STATUSES = (Status.RESOLVED, Status.CLOSED, Status.CANCELLED)
    ORIGINS_NEEDING_EVIDENCE = (Origin.CUSTOMER, Origin.THIRD_PARTY)

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("organization"),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="requested_tickets",
        verbose_name=_("requester"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.OTHER
    )
    affected_service = models.CharField(
        _("affected product or service"), max_length=100, blank=True
    )
    scope = models.CharField(
        _("scope"), max_length=10, choices=Scope.choices, default=Scope.ONE_CUSTOMER
    )
    priority = models.ForeignKey(
        "sla.PriorityLevel",
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("priority"),
    )
    integration = models.ForeignKey(
        Integration,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("integration"),
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.PORTAL
    )
    reported_at = models.DateTimeField(
        _("reported at"), help_text=_("When the customer communicated: every clock starts here.")
    )
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.NEW
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
        limit_choices_to={"is_staff": True},
    )
    shared_with = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="shared_tickets",
        verbose_name=_("shared with"),
        help_text=_("Colleagues of the requester who may follow this ticket."),
    )
    origin = models.CharField(
        _("root-cause origin"), max_length=20, choices=Origin.choices, default=Origin.UNDETERMINED
    )
    sla_snapshot = models.ForeignKey(
        "sla.PolicySnapshot",
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("SLA rules applied"),
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_tickets",
        verbose_name=_("merged into"),
        help_text=_("A duplicate's messages moved to this ticket; the duplicate was cancelled."),
    )
    sender_verified = models.BooleanField(
        _("sender verified"),
        default=True,
        help_text=_(
            "False when an e-mail our mail server could not authenticate opened the ticket: "
            "the From address may be forged."
        ),
    )
    integration_24x7 = models.BooleanField(_("covered by 24x7 integration support"), default=False)
    integration_24x7_detail = models.CharField(
        _("24x7 coverage"), max_length=300, blank=True, help_text=_("Why it is or is not covered.")
    )
    next_due_at = models.DateTimeField(
        _("next due"),
        null=True,
        blank=True,
        help_text=_("Earliest deadline of a running clock (kept by the SLA services)."),
    )
    breached_at = models.DateTimeField(
        _("first breach"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When a clock of this ticket first ran out (kept by the database)."),
    )
    at_risk_from = models.DateTimeField(
        _("at risk from"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When a running clock of this ticket passes its level's warning threshold (kept "
            "by the database)."
        ),
    )
    waiting_reason = models.CharField(_("waiting on the customer for"), max_length=300, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = TicketQuerySet.as_manager()
    # The "why" of a change is the analyst's own words: never cut short.
    history = HistoricalRecords(
        excluded_fields=["next_due_at", "breached_at", "at_risk_from"],
        history_change_reason_field=models.TextField(null=True),
    )

    class Meta:
        ordering = ["-reported_at"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["next_due_at"], name="ticket_next_due"),
            models.Index(fields=["status", "next_due_at"], name="ticket_status_next_due"),
            # the API's and the portal's default order (newest reported first), whole desk
            # and per organization
            models.Index(fields=["reported_at"], name="ticket_reported"),
            models.Index(fields=["organization", "reported_at"], name="ticket_org_reported"),
            # the "breached" lists (a clock ever ran out), and the never-breached tickets by
            # their next deadline, with when they are at risk (the at-risk lists: the soonest
            # ones walked in order, and counted, within the index alone)
            models.Index(
                fields=["breached_at", "next_due_at", "at_risk_from"],
                name="ticket_breached_due_risk",
            ),
            # the never-breached running tickets in the lists' order (soonest deadline
            # first), with when they turn at risk: a page of the at-risk or running list is
            # the index's first entries. PostgreSQL misjudges how many tickets are at risk
            # (1,400 for 22,000 at a million) and otherwise sorts them all (120 ms).
            models.Index(
                fields=["next_due_at", "-reported_at", "-id", "at_risk_from"],
                condition=models.Q(breached_at__isnull=True, next_due_at__isnull=False),
                name="ticket_unbreached_by_due",
            ),
            # (PostgreSQL also has ticket_org_requester, migration 0014: a customer's
            # tickets counted from an index)
            # an analyst's open tickets (the queues' "mine" and "my team's"): a long-serving
            # analyst has tens of thousands of finished ones
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("tickets:detail", args=[self.reference])

    @property
    def is_open(self) -> bool:
        return self.status not in self.CLOSED_STATUSES

    def clean(self) -> None:
        if (
            self.integration_id
            and self.organization_id
            and self.integration.organization_id != self.organization_id
        ):
            raise ValidationError(
                {"integration": _("The integration must belong to the ticket's organization.")}
            )
        if self.assignee_id and not self.assignee.is_staff:
            raise ValidationError({"assignee": _("Only analysts can be assigned to tickets.")})


class TicketEvidence(models.Model):
    """Proof that an incident originated with the customer or its third party."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("ticket")
    )
    note = models.TextField(_("written note"), blank=True)
    file = models.FileField(_("attachment"), upload_to="evidence/%Y/%m/", blank=True)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["ticket", "recorded_at"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(note="", file=""), name="evidence_note_or_file"
            )
        ]

    def __str__(self) -> str:
        return self.original_name or self.note[:60]
