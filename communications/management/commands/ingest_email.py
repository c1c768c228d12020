"""Ingest e-mail from a Maildir, an mbox file, or one raw message on standard input."""

import mailbox
import sys
from datetime import UTC, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from communications import inbound
from communications.models import InboundEmail

# sysexits.h: the MTA keeps the message and tries again later.
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = (
        "Ingest e-mail: PATH is a Maildir folder or an mbox file; '-' reads one message "
        "(for an MTA pipe: exit status 75 asks it to retry when the message could not be "
        "stored)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Maildir folder, mbox file, or - for standard input")

    def handle(self, *args, path: str, **options):
        if path == "-":
            messages = [(sys.stdin.buffer.read(), None, InboundEmail.ArrivalSource.READ)]
        else:
            messages = self._mailbox(Path(path))
        counts: dict[str, int] = {}
        not_stored = 0
        for raw, read_at, source in messages:
            try:
                record, created = inbound.email_ingest(
                    raw, now=timezone.now(), read_at=read_at, source=source
                )
            except Exception as error:  # storing failed: the message stays where it was
                self.stderr.write(f"not stored: {type(error).__name__}: {error}")
                not_stored += 1
                continue
            outcome = record.status if created else "duplicate"
            counts[outcome] = counts.get(outcome, 0) + 1
        if not_stored:
            counts["not stored"] = not_stored
        summary = ", ".join(f"{name}: {count}" for name, count in sorted(counts.items()))
        self.stdout.write(summary or "no messages")
        if not_stored:
            sys.exit(EX_TEMPFAIL if path == "-" else 1)

    def _mailbox(self, path: Path):
        """Each message's bytes and when our side got it: a Maildir file's date (set when it
        was delivered); an mbox has no per-message date of ours, so it is read now."""
        if path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir():
            box = mailbox.Maildir(path, factory=None, create=False)
            for key in box.iterkeys():
                delivered = datetime.fromtimestamp(box.get_message(key).get_date(), UTC)
                yield box.get_bytes(key), delivered, InboundEmail.ArrivalSource.FILE
        elif path.is_file():
            box = mailbox.mbox(path, factory=None, create=False)
            for key in box.iterkeys():
                yield box.get_bytes(key), None, InboundEmail.ArrivalSource.READ
        else:
            raise CommandError(f"{path} is neither a Maildir folder nor an mbox file")
