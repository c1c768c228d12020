"""Background work of the communications domain."""

import imaplib
import time
from datetime import UTC, datetime

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from communications import inbound, outbound
from communications.models import InboundEmail


@task
def send_outbound_email(outbound_id: int) -> bool:
    """Send one recorded e-mail (a no-op if it already went)."""
    return outbound.email_send(outbound_id, now=timezone.now())


@task
def send_outbound_emails(outbound_ids: list[int]) -> int:
    """Send the recorded e-mails of one event, one after the other; returns how many went."""
    now = timezone.now()
    return sum(outbound.email_send(pk, now=now) for pk in outbound_ids)


@task
def poll_imap_mailbox() -> int:
    """Ingest the unseen messages of the configured IMAP mailbox; returns how many."""
    if not settings.IMAP_HOST:
        return 0
    client_class = imaplib.IMAP4_SSL if settings.IMAP_USE_SSL else imaplib.IMAP4
    count = 0
    with client_class(settings.IMAP_HOST, settings.IMAP_PORT) as client:
        client.login(settings.IMAP_USER, settings.IMAP_PASSWORD)
        client.select(settings.IMAP_FOLDER)
        _status, data = client.search(None, "UNSEEN")
        for number in data[0].split():
            # PEEK: a plain RFC822/BODY[] fetch sets \Seen at once, and a crash before the
            # message is stored would lose it; we flag it ourselves, after storing.
            _status, parts = client.fetch(number, "(INTERNALDATE BODY.PEEK[])")
            fetched = next((part for part in parts if isinstance(part, tuple)), None)
            if fetched is None:
                continue
            inbound.email_ingest(
                fetched[1],
                now=timezone.now(),
                read_at=_internal_date(fetched[0]),
                source=InboundEmail.ArrivalSource.IMAP,
            )
            client.store(number, "+FLAGS", "\\Seen")  # only after it is stored
            count += 1
    return count


def _internal_date(response: bytes) -> datetime | None:
    """The server's INTERNALDATE (when the mailbox got the message), as an aware instant."""
    moment = imaplib.Internaldate2tuple(response)
    return datetime.fromtimestamp(time.mktime(moment), UTC) if moment else None
