"""What a ticket can be found by: its words, split into what customers see and what not."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from communications.models import Message
from tickets.models import Ticket

# Long e-mail threads are mostly quotes and signatures: enough of each part to be found by,
# and well inside PostgreSQL's 1 MB limit for a text search vector.
PART_MAX_CHARS = 100_000


@dataclass(frozen=True)
class TicketText:
    """A ticket's searchable words: `public` for everyone who sees it, `notes` for analysts;
    and the ticket's organization, by which a customer's search narrows the matches."""

    ticket_id: int
    public: str
    notes: str
    organization_id: int | None = None

    @property
    def digest(self) -> str:
        """Tells an unchanged document from a changed one without rebuilding its vectors."""
        text = f"{self.organization_id}\x1f{self.public}\x1f{self.notes}"
        return hashlib.sha256(text.encode()).hexdigest()


def texts_of(ticket_ids: Iterable[int], *, using: str = "default") -> dict[int, TicketText]:
    """The searchable text of each ticket that still exists, in two queries."""
    ids = list(ticket_ids)
    public: dict[int, list[str]] = {}
    notes: dict[int, list[str]] = {}
    organizations: dict[int, int] = {}
    rows = (
        Ticket.objects.using(using)
        .filter(pk__in=ids)
        .order_by()
        .values_list(
            "pk",
            "organization_id",
            "reference",
            "subject",
            "organization__name",
            "requester__first_name",
            "requester__last_name",
            "requester__email",
            "description",
        )
    )
    for pk, organization_id, *fields in rows:
        organizations[pk] = organization_id
        public[pk] = [field for field in fields if field] + [_address_words(fields[5])]
        notes[pk] = []
    messages = (
        Message.objects.using(using)
        .filter(ticket_id__in=ids)
        .order_by("ticket_id", "created_at", "id")
        .values_list("ticket_id", "direction", "visible_body", "body")
    )
    for ticket_id, direction, visible_body, body in messages:
        # What the ticket shows (quoted replies and signatures left out), as people read it.
        words = visible_body or body
        if ticket_id in public and words:
            into = notes if direction == Message.Direction.INTERNAL else public
            into[ticket_id].append(words)
    return {
        pk: TicketText(pk, _joined(public[pk]), _joined(notes[pk]), organizations[pk])
        for pk in public  # a ticket deleted meanwhile has no text, so no document
    }


def _address_words(address: str) -> str:
    """An e-mail address as words too ("maria acme example com"): PostgreSQL's parser keeps
    a whole address as one token, so a piece of it ("maria@acme") would find nothing."""
    return " ".join(address.replace("@", " ").replace(".", " ").split())


def _joined(parts: list[str]) -> str:
    # PostgreSQL refuses NUL characters in text.
    return "\n".join(parts).replace("\x00", " ")[:PART_MAX_CHARS]
