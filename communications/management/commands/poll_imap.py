"""Fetch unseen messages from the IMAP mailbox of the settings (run it from cron)."""

from django.core.management.base import BaseCommand

from communications.tasks import poll_imap_mailbox


class Command(BaseCommand):
    help = "Ingest the unseen messages of the IMAP mailbox configured in IMAP_* settings."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true", help="run it in the background worker instead"
        )

    def handle(self, *args, enqueue: bool, **options):
        if enqueue:
            poll_imap_mailbox.enqueue()
            self.stdout.write("queued")
            return
        self.stdout.write(f"{poll_imap_mailbox.call()} message(s) ingested")
