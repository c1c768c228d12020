"""Writes of the workspace: keeping track of which tickets wait for our reply."""

from datetime import datetime

from workspace.models import AwaitingReply


def awaiting_reply_note(*, ticket_id: int, from_customer: bool, at: datetime) -> None:
    """A public message was written: the customer's starts (or continues) the wait for our
    reply, ours ends it. Internal notes are not answers and are never passed here.

    The first unanswered customer message keeps its instant: the wait began then.
    """
    if from_customer:
        updated = AwaitingReply.objects.filter(
            ticket_id=ticket_id, customer_answered_at__isnull=True
        ).update(customer_answered_at=at)
        if not updated:
            AwaitingReply.objects.get_or_create(
                ticket_id=ticket_id, defaults={"customer_answered_at": at}
            )
    else:
        AwaitingReply.objects.filter(ticket_id=ticket_id).update(customer_answered_at=None)


def message_written(sender, instance, created: bool, **kwargs) -> None:
    """post_save of communications.Message: note a new public message (thin receiver)."""
    if not created or kwargs.get("raw"):
        return
    direction = instance.Direction
    if instance.direction in (direction.FROM_CUSTOMER, direction.TO_CUSTOMER):
        awaiting_reply_note(
            ticket_id=instance.ticket_id,
            from_customer=instance.direction == direction.FROM_CUSTOMER,
            at=instance.created_at,
        )
