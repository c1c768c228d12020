"""Erasing a person's data on request (LGPD art. 18, GDPR art. 17).

The one removal the record allows, and it removes no row: the person's name, e-mail address
and login, what they wrote (messages, ticket descriptions, e-mails received from them, with
their raw source and files) and the e-mails we sent them become a tombstone. Tickets, clocks,
events, instants and verdicts stay as they were, so SLA reports and statements do not change.
The erasure itself is recorded: who, when, why, and how much was erased.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from communications.models import (
    Agreement,
    Attachment,
    Call,
    InboundEmail,
    Message,
    OutboundEmail,
    PersonalDataErasure,
)
from tickets.models import Ticket

TOMBSTONE = "[erased at the person's request]"


@transaction.atomic
def person_erase(*, person, actor, reason: str, now: datetime) -> PersonalDataErasure:
    """Replace everything that identifies `person` with a tombstone; keep every instant."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say which request this erasure answers.")})
    if person.is_staff:
        raise ValidationError(_("Analysts' accounts are not erased here."))
    user_model = get_user_model()
    person = user_model.objects.select_for_update().get(pk=person.pk)
    address = (person.email or "").strip()
    by_person = Q(author=person) | (Q(author_email__iexact=address) if address else Q(pk__in=[]))
    messages = Message.objects.filter(by_person)
    message_ids = list(messages.values_list("pk", flat=True))
    summary = {
        "messages": messages.update(body=TOMBSTONE, visible_body="", body_html="", author_email=""),
        "attachments": _tombstone_files(
            Attachment.objects.filter(Q(uploaded_by=person) | Q(message_id__in=message_ids))
        ),
        "ticket_descriptions": _erase_descriptions(person),
        "emails_received": _erase_received(address),
        "calls_and_agreements": _erase_named(person, address),
        "emails_sent": (
            OutboundEmail.objects.filter(to__iexact=address).update(
                to=_erased_address(person), body_text=TOMBSTONE, body_html=""
            )
            if address
            else 0
        ),
    }
    person.username = f"erased-{person.pk}"
    person.email = _erased_address(person)
    person.first_name = person.last_name = ""
    person.is_active = False
    person.set_unusable_password()
    person.save()
    return PersonalDataErasure.objects.create(
        person_id_erased=person.pk,
        erased_at=now,
        erased_by=actor,
        reason=reason.strip(),
        summary=summary,
    )


def _erase_named(person, address: str) -> int:
    """Calls and agreements that name the person (as the caller, the customer's party): the
    names go, the instants and what was agreed stay. Agreements refuse every other rewrite;
    erasure is the one the record allows, so it goes around their guard on purpose."""
    names = [n for n in (person.get_full_name().strip(), address) if len(n) >= 3]
    if not names:
        return 0
    count = 0
    for field, models in (
        ("participants", (Call, Call.history.model)),
        ("customer_party", (Agreement, Agreement.history.model)),
    ):
        naming = Q()
        for name in names:
            naming |= Q(**{f"{field}__icontains": name})
        for index, model in enumerate(models):
            updated = QuerySet.update(model.objects.filter(naming), **{field: TOMBSTONE})
            count += updated if index == 0 else 0
    return count


def _erased_address(person) -> str:
    return f"erased-{person.pk}@erased.invalid"


def _tombstone_files(attachments) -> int:
    count = 0
    for attachment in attachments:
        attachment.file.delete(save=False)
        attachment.file.save("erased.txt", ContentFile(TOMBSTONE.encode()), save=False)
        attachment.original_name, attachment.size = "erased.txt", len(TOMBSTONE)
        attachment.content_type = "text/plain"
        attachment.save(update_fields=["file", "original_name", "size", "content_type"])
        count += 1
    return count


def _erase_descriptions(person) -> int:
    """What they wrote when opening tickets, in the ticket and in its history rows."""
    count = Ticket.objects.filter(requester=person).update(description=TOMBSTONE)
    Ticket.history.filter(requester_id=person.pk).update(description=TOMBSTONE)
    return count


def _erase_received(address: str) -> int:
    """E-mails they sent: the raw source (their words, signature, files) and headers."""
    if not address:
        return 0
    return InboundEmail.objects.filter(from_address__iexact=address).update(
        raw=TOMBSTONE.encode(), from_address="", subject=TOMBSTONE
    )
