"""Writes of the tickets domain. Status changes will live here too (`ticket_transition`)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from sla import selectors as sla_selectors
from sla import services as sla_services
from tickets.models import Integration, Organization, ReferenceCounter, Ticket


def reference_next(*, year: int) -> str:
    """Hand out the next reference of a year; the row lock makes it safe under concurrency."""
    ReferenceCounter.objects.get_or_create(year=year)
    ReferenceCounter.objects.filter(year=year).update(last_number=F("last_number") + 1)
    number = ReferenceCounter.objects.select_for_update().get(year=year).last_number
    return f"HD-{year}-{number:06d}"


@transaction.atomic
def ticket_create(
    *,
    organization: Organization,
    requester,
    subject: str,
    description: str,
    priority,
    reported_at: datetime,
    now: datetime,
    channel: str = Ticket.Channel.PORTAL,
    category: str = Ticket.Category.OTHER,
    integration: Integration | None = None,
) -> Ticket:
    """Open a ticket whose clocks start when the customer communicated."""
    if reported_at > now:
        raise ValidationError({"reported_at": _("The report cannot be in the future.")})
    if integration is not None and integration.organization_id != organization.pk:
        raise ValidationError(
            {"integration": _("The integration must belong to the ticket's organization.")}
        )
    contract = sla_selectors.contract_in_force(organization, reported_at.date())
    policy = contract.policy if contract else sla_selectors.default_policy()
    if policy is None:
        raise ValidationError(_("No SLA policy applies: configure a default policy."))
    policy = sla_selectors.policies_with_rules().get(pk=policy.pk)
    covered = bool(
        contract
        and contract.integration_24x7
        and integration is not None
        and integration.is_vendor_built
    )
    deadlines = sla_services.deadlines_compute(
        policy=policy, level=priority, reported_at=reported_at, integration_24x7=covered
    )
    ticket = Ticket(
        reference=reference_next(year=reported_at.year),
        organization=organization,
        requester=requester,
        subject=subject,
        description=description,
        category=category,
        priority=priority,
        integration=integration,
        channel=channel,
        reported_at=reported_at,
        policy=policy,
        integration_24x7=deadlines.integration_24x7,
        first_response_due=deadlines.first_response_due,
        resolution_due=deadlines.resolution_due,
    )
    ticket._change_reason = _("Ticket opened")
    ticket.save()
    return ticket
