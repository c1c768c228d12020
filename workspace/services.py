"""Writes of the workspace: which tickets wait for our reply, who has a ticket open, and
answering from the ticket page."""

from datetime import datetime

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from communications import services as record_services
from communications.models import Message
from tickets import services as ticket_services
from tickets.models import Ticket
from workspace.models import PRESENCE_TTL, AwaitingReply, TicketPresence


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


# A closed or cancelled ticket is never answered again (a customer writing on it opens a
# follow-up ticket): its mark is dropped, so the marks stay as few as the live tickets.
FINAL_STATUSES = (Ticket.Status.CLOSED, Ticket.Status.CANCELLED)


def awaiting_reply_forget(*, ticket_id: int) -> None:
    AwaitingReply.objects.filter(ticket_id=ticket_id).delete()


def ticket_saved(sender, instance, created: bool, update_fields=None, **kwargs) -> None:
    """post_save of tickets.Ticket: a ticket that reached a final status waits for nobody."""
    if created or kwargs.get("raw") or instance.status not in FINAL_STATUSES:
        return
    if update_fields is None or "status" in update_fields:
        awaiting_reply_forget(ticket_id=instance.pk)


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


# -- presence: who has a ticket open, who is typing -------------------------------------------


def presence_note(*, ticket_id: int, user, typing: bool, now: datetime) -> None:
    """Say that `user` has the ticket's page open (typing a reply or not) as of `now`.

    One statement whatever came before (an upsert on the ticket and analyst), so a page
    polling every few seconds costs one write.
    """
    TicketPresence.objects.bulk_create(
        [TicketPresence(ticket_id=ticket_id, user=user, typing=typing, seen_at=now)],
        update_conflicts=True,
        unique_fields=["ticket", "user"],
        update_fields=["typing", "seen_at"],
    )


def presence_leave(*, ticket_id: int, user) -> None:
    """The analyst closed the ticket's page (or sent their reply and left it)."""
    TicketPresence.objects.filter(ticket_id=ticket_id, user=user).delete()


def presence_forget_expired(*, now: datetime) -> int:
    """Remove every row past its expiry: pages closed without saying so. One DELETE."""
    deleted, _ = TicketPresence.objects.filter(seen_at__lt=now - PRESENCE_TTL).delete()
    return deleted


# -- answering from the ticket page ------------------------------------------------------------


class Response(models.TextChoices):
    """What the ticket page's reply box does with the text."""

    REPLY = "reply", _("Reply")
    NOTE = "note", _("Internal note")
    REPLY_AND_WAIT = "reply_waiting", _("Reply and set waiting on customer")
    REPLY_AND_RESOLVE = "reply_resolve", _("Reply and resolve")


RESPONSE_STATUS = {
    Response.REPLY_AND_WAIT: Ticket.Status.WAITING_ON_CUSTOMER,
    Response.REPLY_AND_RESOLVE: Ticket.Status.RESOLVED,
}


@transaction.atomic
def ticket_respond(
    *,
    ticket: Ticket,
    actor,
    response: str,
    body: str,
    now: datetime,
    files: list = (),
    assign_to_me: bool = False,
    reason: str = "",
) -> Message:
    """Answer from the ticket page: a reply or a note, taking the ticket first when asked, and
    moving it to waiting on the customer or resolved in the same breath.

    All or nothing: when the move is refused (no reason given for waiting, a status it cannot
    leave for that one), the reply is not sent and the ticket is not taken either; the caller
    gets the refusal as a `ValidationError` and keeps the text.
    """
    response = Response(response)
    if assign_to_me and ticket.assignee_id is None:
        ticket = ticket_services.ticket_assign(ticket=ticket, analyst=actor, actor=actor, now=now)
    message = record_services.message_post(
        ticket=ticket,
        author=actor,
        body=body,
        channel=Message.Channel.BACK_OFFICE,
        now=now,
        internal=response == Response.NOTE,
        files=files,
    )
    to_status = RESPONSE_STATUS.get(response)
    if to_status is not None:
        ticket_services.ticket_transition(
            ticket=ticket, to_status=to_status, actor=actor, now=now, reason=reason
        )
    return message
