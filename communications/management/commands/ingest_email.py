"""Ingest e-mail from a Maildir, an mbox file, or one raw message on standard input."""

import mailbox
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from communications import inbound


class Command(BaseCommand):
    help = "Ingest e-mail: PATH is a Maildir folder or an mbox file; '-' reads one message."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Maildir folder, mbox file, or - for standard input")

    def handle(self, *args, path: str, **options):
        raws = [sys.stdin.buffer.read()] if path == "-" else self._mailbox(Path(path))
        counts: dict[str, int] = {}
        for raw in raws:
            record, created = inbound.email_ingest(raw, now=timezone.now())
            outcome = record.status if created else "duplicate"
            counts[outcome] = counts.get(outcome, 0) + 1
        summary = ", ".join(f"{name}: {count}" for name, count in sorted(counts.items()))
        self.stdout.write(summary or "no messages")

    def _mailbox(self, path: Path):
        if path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir():
            box = mailbox.Maildir(path, factory=None, create=False)
        elif path.is_file():
            box = mailbox.mbox(path, factory=None, create=False)
        else:
            raise CommandError(f"{path} is neither a Maildir folder nor an mbox file")
        for key in box.iterkeys():
            yield box.get_bytes(key)
