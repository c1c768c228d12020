"""What changes a ticket's searchable words, heard where it happens (connected in apps.py).

Writes that send no signal are covered here too: the messages `tickets_merge` moves with
`update()` (both tickets are saved in the same transaction, so both are indexed), and what
`communications.erasure.person_erase` overwrites with `update()` (its erasure record's
creation re-indexes every ticket the person's words were on).
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_save

from communications.erasure import TOMBSTONE
from communications.models import Message, PersonalDataErasure
from search import services
from tickets.models import Organization, Ticket

# The ticket's own fields that are in its document; other saves (status, clocks) change none.
TICKET_FIELDS = frozenset(
    {"reference", "subject", "description", "organization", "organization_id", "requester"}
    | {"requester_id"}
)
PERSON_FIELDS = ("first_name", "last_name", "email")


def connect() -> None:
    uid = "search.signals"
    post_save.connect(ticket_saved, sender=Ticket, dispatch_uid=f"{uid}.ticket_saved")
    post_delete.connect(ticket_deleted, sender=Ticket, dispatch_uid=f"{uid}.ticket_deleted")
    post_save.connect(message_changed, sender=Message, dispatch_uid=f"{uid}.message_saved")
    post_delete.connect(message_changed, sender=Message, dispatch_uid=f"{uid}.message_deleted")
    pre_save.connect(
        organization_renaming, sender=Organization, dispatch_uid=f"{uid}.organization_pre"
    )
    post_save.connect(organization_saved, sender=Organization, dispatch_uid=f"{uid}.organization")
    user = get_user_model()
    pre_save.connect(person_renaming, sender=user, dispatch_uid=f"{uid}.person_pre")
    post_save.connect(person_saved, sender=user, dispatch_uid=f"{uid}.person")
    post_save.connect(erasure_recorded, sender=PersonalDataErasure, dispatch_uid=f"{uid}.erasure")


def ticket_saved(sender, instance: Ticket, created: bool, update_fields, using, **kwargs):
    if created or update_fields is None or TICKET_FIELDS & set(update_fields):
        services.tickets_index_later([instance.pk], using=using, created=created)


def ticket_deleted(sender, instance: Ticket, using, **kwargs):
    services.tickets_index_later([instance.pk], using=using)  # gone: its document goes


def message_changed(sender, instance: Message, using, **kwargs):
    services.tickets_index_later([instance.ticket_id], using=using)


def organization_renaming(sender, instance: Organization, update_fields, using, **kwargs):
    """Remember whether the name changes: renaming re-indexes all its tickets, nothing else
    about an organization does."""
    instance._search_renamed = _changed(instance, ("name",), update_fields, using)


def organization_saved(sender, instance: Organization, created: bool, using, **kwargs):
    if not created and getattr(instance, "_search_renamed", False):
        tickets = Ticket.objects.using(using).filter(organization=instance)
        services.tickets_index_later(tickets.values_list("pk", flat=True), using=using)


def person_renaming(sender, instance, update_fields, using, **kwargs):
    """A requester's name and e-mail are in their tickets' documents (logins save only
    `last_login`, and cost nothing here)."""
    instance._search_renamed = _changed(instance, PERSON_FIELDS, update_fields, using)


def person_saved(sender, instance, created: bool, using, **kwargs):
    if not created and getattr(instance, "_search_renamed", False):
        tickets = Ticket.objects.using(using).filter(requester_id=instance.pk)
        services.tickets_index_later(tickets.values_list("pk", flat=True), using=using)


def erasure_recorded(sender, instance: PersonalDataErasure, created: bool, using, **kwargs):
    """After an erasure no document may still hold the person's words, name or address.

    The erasure overwrote messages and descriptions with `update()` (no signals), and the
    messages it took may have been found by e-mail address, so every ticket with a
    tombstoned message is re-indexed too (a scan, as rare as erasures; unchanged documents
    are not rewritten).
    """
    if not created:
        return
    person = instance.person_id_erased
    by_message = Message.objects.using(using).filter(Q(author_id=person) | Q(body=TOMBSTONE))
    tickets = Ticket.objects.using(using).filter(
        Q(requester_id=person) | Q(pk__in=by_message.values("ticket_id"))
    )
    services.tickets_index_later(tickets.values_list("pk", flat=True), using=using)


def _changed(instance, fields: tuple[str, ...], update_fields, using: str) -> bool:
    if instance.pk is None:
        return False
    if update_fields is not None and not set(fields) & set(update_fields):
        return False
    stored = type(instance)._default_manager.using(using).filter(pk=instance.pk)
    before = stored.values_list(*fields).first()
    return before is not None and before != tuple(getattr(instance, f) for f in fields)
