"""Triage rules react to what the ticket services report (tickets.events).

A run happens after the commit of the change that caused it: the ticket (or the e-mail that
opened it, with its message and files) is saved first, whatever a rule then does, and a rule
is judged on the whole of what arrived.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from automation import services
from communications.models import Message
from tickets.models import Ticket


@dataclass(frozen=True)
class _PendingRun:
    """A run waiting for the commit."""

    ticket_id: int
    facts: services.TriageFacts
    now: datetime

    def __call__(self) -> None:
        services.triage_run(ticket_id=self.ticket_id, facts=self.facts, now=self.now)


def _is_opening(ticket, message) -> bool:
    """Whether the message is the e-mail that opened the ticket (recorded just after the
    ticket, and judged with its opening), not the customer writing on it."""
    return (
        ticket.channel == Ticket.Channel.EMAIL
        and message.channel == Message.Channel.EMAIL
        and not Message.objects.filter(ticket=ticket, direction=Message.Direction.FROM_CUSTOMER)
        .exclude(pk=message.pk)
        .exists()
    )


def _on_opened(ticket, now, **_kwargs) -> None:
    if services.triage_running():
        return
    run = _PendingRun(ticket.pk, services.facts_of_opening(ticket), now)
    transaction.on_commit(run, robust=True)


def _on_customer_replied(ticket, message, now, **_kwargs) -> None:
    if services.triage_running() or _is_opening(ticket, message):
        return
    run = _PendingRun(ticket.pk, services.facts_of_message(ticket, message), now)
    transaction.on_commit(run, robust=True)


def connect() -> None:
    """Called once at start-up (AutomationConfig.ready)."""
    from tickets import events

    events.ticket_opened.connect(_on_opened, dispatch_uid="automation.triage.opened")
    events.customer_replied.connect(
        _on_customer_replied, dispatch_uid="automation.triage.customer_replied"
    )
