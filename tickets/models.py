"""Customer organizations, their people and integrations, and the tickets they open."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from helpdesk.db import TimeStampedModel


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
        return self.filter(resolution_due__lt=instant)


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

    CLOSED_STATUSES = (Status.RESOLVED, Status.CLOSED, Status.CANCELLED)

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
    policy = models.ForeignKey(
        "sla.SLAPolicy",
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("SLA policy"),
    )
    integration_24x7 = models.BooleanField(_("covered by 24x7 integration support"), default=False)
    first_response_due = models.DateTimeField(_("first response due"))
    resolution_due = models.DateTimeField(_("resolution due"))

    objects = TicketQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-reported_at"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [models.Index(fields=["status", "resolution_due"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

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
