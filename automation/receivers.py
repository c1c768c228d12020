"""Triage rules react to what the ticket services report (tickets.events).

A run happens after the commit of the change that caused it: the ticket (or the e-mail that
opened it, with its message and files) is saved first, whatever a rule then does, and a rule
is judged on the whole of what arrived.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction

from automation import services
from automation.models import TriageRule


@dataclass(frozen=True)
class _PendingRun:
    """A run waiting for the commit (a class, so a reply can see the opening's run waiting)."""

    ticket_id: int
    facts: services.TriageFacts
    now: datetime

    def __call__(self) -> None:
        services.triage_run(ticket_id=self.ticket_id, facts=self.facts, now=self.now)


def _opening_pending(ticket_id: int) -> bool:
    """Whether this transaction opened the ticket: an e-mail's first message is recorded
    after the ticket, and is its opening, not the customer writing on it."""
    return any(
        isinstance(callback, _PendingRun)
        and callback.ticket_id == ticket_id
        and callback.facts.trigger == TriageRule.When.CREATED
        for _sids, callback, _robust in connection.run_on_commit
    )


def _on_opened(ticket, now, **_kwargs) -> None:
    if services.triage_running():
        return
    run = _PendingRun(ticket.pk, services.facts_of_opening(ticket), now)
    transaction.on_commit(run, robust=True)


def _on_customer_replied(ticket, message, now, **_kwargs) -> None:
    if services.triage_running() or _opening_pending(ticket.pk):
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
