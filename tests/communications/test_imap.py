"""The IMAP poller against a small IMAP4rev1 server on loopback (a real socket peer)."""

import imaplib
import socketserver
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from communications.models import InboundEmail
from communications.tasks import poll_imap_mailbox

pytestmark = pytest.mark.django_db
CORPUS = Path(__file__).parent / "fixtures" / "emails"
# When the mailbox got each message: an hour ago, to the second, in the server's zone.
DELIVERED = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0)
INTERNAL_DATE = DELIVERED.astimezone(ZoneInfo("America/Sao_Paulo")).strftime(
    "%d-%b-%Y %H:%M:%S -0300"
)


class Mailbox:
    def __init__(self, messages: list[bytes]) -> None:
        self.messages = messages
        self.seen: set[int] = set()
        self.logins: list[tuple[str, str]] = []
        self.log: list[tuple[str, int]] = []  # (FETCH item or STORE, message number)
        self.hang_up_at: tuple[str, int] | None = None  # the connection drops there


class IMAPHandler(socketserver.StreamRequestHandler):
    """Just the commands the poller speaks: LOGIN, SELECT, SEARCH UNSEEN, FETCH, STORE.

    As a real server does (RFC 3501 6.4.5), fetching RFC822 or BODY[] sets \\Seen at once;
    only BODY.PEEK[] leaves the flags alone.
    """

    mailbox: Mailbox

    def send(self, line: str | bytes) -> None:
        self.wfile.write((line if isinstance(line, bytes) else line.encode()) + b"\r\n")

    def handle(self) -> None:
        self.send("* OK IMAP4rev1 test server ready")
        for raw in self.rfile:
            tag, command, *rest = raw.decode().rstrip("\r\n").split(" ", 2)
            arguments = rest[0] if rest else ""
            command = command.upper()
            if command == "CAPABILITY":
                self.send("* CAPABILITY IMAP4rev1")
            elif command == "LOGIN":
                user, password = arguments.split(" ", 1)
                self.mailbox.logins.append((user.strip('"'), password.strip('"')))
            elif command == "SELECT":
                self.send(f"* {len(self.mailbox.messages)} EXISTS")
            elif command == "SEARCH":
                unseen = [
                    str(n)
                    for n in range(1, len(self.mailbox.messages) + 1)
                    if n not in self.mailbox.seen
                ]
                self.send("* SEARCH " + " ".join(unseen))
            elif command == "FETCH":
                number_text, item = arguments.split(" ", 1)
                number, item = int(number_text), item.strip("()").upper()
                self.mailbox.log.append((item, number))
                body = self.mailbox.messages[number - 1]
                if "BODY.PEEK[]" not in item.split():
                    self.mailbox.seen.add(number)
                date = f'INTERNALDATE "{INTERNAL_DATE}" ' if "INTERNALDATE" in item else ""
                self.send(f"* {number} FETCH ({date}BODY[] {{{len(body)}}}")
                self.wfile.write(body)
                self.send(")")
                if self.mailbox.hang_up_at == ("FETCH", number):
                    return  # the connection drops before the poller could store it
            elif command == "STORE":
                number = int(arguments.split(" ", 1)[0])
                if self.mailbox.hang_up_at == ("STORE", number):
                    return  # the flag never arrives
                self.mailbox.log.append(("STORE", number))
                self.mailbox.seen.add(number)
            elif command == "LOGOUT":
                self.send("* BYE")
                self.send(f"{tag} OK LOGOUT completed")
                return
            self.send(f"{tag} OK {command} completed")


@pytest.fixture
def imap_server(settings):
    names = ["01_new_multipart_alternative.eml", "25_held_unknown_sender.eml"]
    mailbox = Mailbox([(CORPUS / name).read_bytes() for name in names])
    handler = type("Handler", (IMAPHandler,), {"mailbox": mailbox})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.IMAP_HOST, settings.IMAP_PORT = "127.0.0.1", server.server_address[1]
    settings.IMAP_USE_SSL, settings.IMAP_USER, settings.IMAP_PASSWORD = False, "suporte", "s3cret"
    try:
        yield mailbox
    finally:
        server.shutdown()
        server.server_close()


def test_unseen_messages_are_ingested_once_and_marked_seen(imap_server, default_policy, customer):
    assert poll_imap_mailbox.call() == 2
    assert imap_server.logins == [("suporte", "s3cret")]
    assert imap_server.seen == {1, 2}
    # Fetched without touching the flags, flagged by us once stored.
    assert imap_server.log == [
        ("INTERNALDATE BODY.PEEK[]", 1),
        ("STORE", 1),
        ("INTERNALDATE BODY.PEEK[]", 2),
        ("STORE", 2),
    ]
    # With no trusted Received host configured, the mailbox's own arrival date counts.
    arrivals = set(InboundEmail.objects.values_list("received_at", "arrival_source"))
    assert arrivals == {(DELIVERED, "imap")}
    assert set(InboundEmail.objects.values_list("status", flat=True)) == {"processed", "held"}
    assert poll_imap_mailbox.call() == 0  # nothing unseen is left
    assert InboundEmail.objects.count() == 2


def test_a_message_lost_in_transit_stays_unseen_and_comes_back(
    imap_server, default_policy, customer
):
    imap_server.hang_up_at = ("FETCH", 1)  # fetched, then the connection drops
    with pytest.raises((imaplib.IMAP4.error, OSError)):
        poll_imap_mailbox.call()
    assert imap_server.seen == set()  # fetching did not mark it read
    assert not InboundEmail.objects.exists()

    imap_server.hang_up_at = None
    assert poll_imap_mailbox.call() == 2
    assert imap_server.seen == {1, 2}
    assert InboundEmail.objects.count() == 2


def test_a_message_is_flagged_only_once_it_is_stored(imap_server, default_policy, customer):
    imap_server.hang_up_at = ("STORE", 1)  # stored here, but the flag never reaches the server
    with pytest.raises((imaplib.IMAP4.error, OSError)):
        poll_imap_mailbox.call()
    assert imap_server.seen == set()
    assert InboundEmail.objects.count() == 1  # it was stored before the flag was asked for

    imap_server.hang_up_at = None
    assert poll_imap_mailbox.call() == 2  # fetched again: the redelivery adds nothing
    assert imap_server.seen == {1, 2}
    assert InboundEmail.objects.count() == 2
