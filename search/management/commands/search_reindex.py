"""Rebuild every ticket's search document (after a bulk import or an index change)."""

from django.core.management.base import BaseCommand

from search import services


class Command(BaseCommand):
    help = "Rebuild every ticket's search document, in batches."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=5000, help="Tickets per transaction.")
        parser.add_argument("--database", default="default")

    def handle(self, *args, batch: int, database: str, **options):
        done = services.tickets_reindex_all(
            using=database,
            batch=batch,
            progress=lambda count: self.stdout.write(f"{count} tickets indexed"),
        )
        self.stdout.write(self.style.SUCCESS(f"{done} tickets indexed."))
