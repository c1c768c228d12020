"""The written record is never deleted.

Tickets, their clocks and clock events, messages, attachments, calls, agreements, received
e-mails, evidence and the history rows of all of them leave only by closing, cancelling with a
reason, merging, or the erasure of a person's data (which rewrites, never removes). A
`pre_delete` receiver refuses every deletion of these rows, however it is asked for: a model's
`delete()`, a queryset's, a cascade, the admin or the API.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models.signals import pre_delete
from django.utils.translation import gettext as _

RECORD_MODELS = (
    "tickets.Ticket",
    "tickets.TicketEvidence",
    "sla.SLAClock",
    "sla.SLAClockEvent",
    "communications.Message",
    "communications.Attachment",
    "communications.Call",
    "communications.Agreement",
    "communications.InboundEmail",
)


class RecordDeletionRefused(Exception):
    """Something asked to delete a row of the written record."""


def _refuse(sender, instance, **kwargs) -> None:
    raise RecordDeletionRefused(
        _(
            "%(what)s is part of the written record and is never deleted: close, cancel or "
            "merge the ticket instead."
        )
        % {"what": sender._meta.verbose_name}
    )


def record_models() -> list:
    """The record's models and their history models (django-simple-history)."""
    found = []
    for label in RECORD_MODELS:
        model = apps.get_model(label)
        found.append(model)
        history = getattr(model, "history", None)
        if history is not None and hasattr(history, "model"):
            found.append(history.model)
    return found


def protect_record() -> None:
    """Connect the refusal (from an AppConfig.ready, once every model is loaded)."""
    for model in record_models():
        pre_delete.connect(_refuse, sender=model, dispatch_uid=f"record-{model._meta.label}")
