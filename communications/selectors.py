"""Reads of the written record, scoped to what an actor may see."""

from django.db.models import QuerySet

from communications.models import Agreement, Attachment, Message
from tickets.selectors import tickets_visible_to


def attachments_visible_to(user) -> QuerySet[Attachment]:
    """Attachments of tickets the user sees; internal notes' files only for analysts."""
    attachments = Attachment.objects.filter(ticket__in=tickets_visible_to(user))
    if not (user.is_authenticated and user.is_staff):
        attachments = attachments.exclude(message__direction=Message.Direction.INTERNAL)
    return attachments


def messages_visible_to(user, ticket) -> QuerySet[Message]:
    messages = Message.objects.filter(ticket__in=tickets_visible_to(user), ticket=ticket)
    if not (user.is_authenticated and user.is_staff):
        messages = messages.exclude(direction=Message.Direction.INTERNAL)
    return messages.select_related("author").prefetch_related("attachments")


def agreements_visible_to(user) -> QuerySet[Agreement]:
    return Agreement.objects.filter(ticket__in=tickets_visible_to(user)).select_related(
        "vendor_party", "supersedes"
    )
