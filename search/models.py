"""The per-ticket search document: the words a ticket can be found by, ready for the index."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketSearchDocument(models.Model):
    """One ticket's searchable text, kept current by `search.services`.

    On PostgreSQL the two vectors hold the words (GIN-indexed, created by the migration);
    on SQLite they stay empty and the words live in the FTS5 table `search_ticket_fts`
    (rowid = ticket id), which Django cannot describe as a model.
    """

    ticket = models.OneToOneField(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_document",
        verbose_name=_("ticket"),
    )
    # What a customer who sees the ticket may find it by: never an internal note.
    vector = SearchVectorField(null=True)
    # The same plus the internal notes, only when there are notes (null otherwise: analysts
    # then search `vector`, so tickets without notes cost no second copy).
    vector_with_notes = SearchVectorField(null=True)
    # The ticket's, copied: a customer's search is narrowed to the organization in the
    # index (PostgreSQL combines this index with the words' GIN index) before any ticket
    # is read.
    organization = models.ForeignKey(
        "tickets.Organization",
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        verbose_name=_("organization"),
    )
    digest = models.CharField(max_length=64)
    indexed_at = models.DateTimeField(_("indexed at"))

    class Meta:
        ordering = ["ticket"]
        verbose_name = _("ticket search document")
        verbose_name_plural = _("ticket search documents")

    def __str__(self) -> str:
        return str(self.ticket_id)
