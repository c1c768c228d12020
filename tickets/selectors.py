"""Reads of the tickets domain, scoped to what an actor may see."""

from django.db.models import QuerySet

from tickets.models import Ticket


def tickets_visible_to(user) -> QuerySet[Ticket]:
    """Analysts see every ticket; an organization admin the organization's; others their own."""
    tickets = Ticket.objects.select_related(
        "organization", "requester", "priority", "assignee", "policy"
    )
    if not user.is_authenticated:
        return tickets.none()
    if user.is_staff:
        return tickets
    membership = getattr(user, "membership", None)
    if membership is None:
        return tickets.none()
    if membership.is_admin:
        return tickets.filter(organization_id=membership.organization_id)
    return tickets.filter(organization_id=membership.organization_id, requester=user)
