"""Full-text ticket search: one selector for the admin, the API and the portal."""

import re

from django.db.models import QuerySet

from search import postgres, services
from tickets.models import Ticket

# A ticket reference (tickets.services.reference_next: HD-2026-000123) or a prefix of one.
REFERENCE_PREFIX = re.compile(r"HD-\d{0,4}(?:-\d{0,6})?", re.IGNORECASE)
# Longer input is not a search anyone types; cut it before it reaches the database.
QUERY_MAX_CHARS = 500
_WORDY = re.compile(r"[^\W_]")


def tickets_matching(
    tickets: QuerySet[Ticket], text: str, *, staff: bool, organization_id: int | None = None
) -> QuerySet[Ticket]:
    """Narrow `tickets` to those matching `text`; blank text leaves them as they are.

    Words are matched in the reference, subject, description, organization, requester's
    name and e-mail and the messages, without regard to case or accents (and, on
    PostgreSQL, to Portuguese, English and Spanish word endings). Internal notes count only
    when `staff`. A reference or a prefix of one ("HD-2026-0001") finds by reference. The
    result is a filter on `tickets`, so every restriction already on it (what the user may
    see) still holds; order it by an indexed column and slice it to page. When the tickets
    are all of one organization (a customer's), `organization_id` lets PostgreSQL narrow the
    matches to it in the index, before reading any ticket. `tickets_visible_to` and
    `visible_organization` (tickets.selectors) give both for a user.
    """
    text = (text or "").replace("\x00", " ").strip()[:QUERY_MAX_CHARS]
    if not text:
        return tickets
    if REFERENCE_PREFIX.fullmatch(text):
        return _with_reference_prefix(tickets, text.upper())
    if not _WORDY.search(text):
        return tickets.none()  # only punctuation: nothing can match it
    return services.backend(tickets.db).tickets_matching(
        tickets, text, staff=staff, organization_id=organization_id
    )


def _with_reference_prefix(tickets: QuerySet[Ticket], prefix: str) -> QuerySet[Ticket]:
    if services.backend(tickets.db) is postgres:
        # LIKE 'prefix%' uses the pattern index PostgreSQL keeps for the unique reference.
        return tickets.filter(reference__startswith=prefix)
    # SQLite's LIKE ignores case, so it cannot use the (binary) unique index; a range can.
    return tickets.filter(reference__gte=prefix, reference__lt=prefix + "\U0010ffff")
