"""A corpus of hostile inbound e-mail, and where each message must end.

Every message below is built here as raw bytes, the way it reaches our mail server: broken
MIME, odd charsets, huge headers, forged threading, forged senders, forged dates, loops,
auto-replies, bounces, forwarded messages and DMARC failures. Each case states where the
message ends (threaded onto a ticket, a new ticket, held with a reason, quarantined or
ignored) and why, and the test checks, for each one, that:

- the raw source is kept byte for byte;
- nothing was written on any ticket other than the one it landed on (so never on another
  organization's ticket);
- the arrival instant is what our own mail server saw (PRODUCT.md, "Rules of the record"),
  never what the sender wrote.

The rules (communications.inbound), in order:
1. automatic mail (auto-reply, bulk, bounce, list, loop, our own address) is ignored;
2. a From without exactly one valid address is held "invalid_sender" (no fallback to
   Sender:, Reply-To or Return-Path);
3. DMARC fail reported by our own server is held "spoofed_domain";
4. an analyst's address is held: "staff_unverified", or "staff_by_email" when verified but
   staff replies by e-mail are off;
5. a message that threads to a ticket is accepted only from someone who may see that ticket
   in the portal ("not_allowed" otherwise); unverified, only on a ticket they requested
   ("unverified_sender" otherwise, and always in an organization that accepts no
   unverified mail);
6. without a ticket: a member opens one; an unknown address at an organization's exact
   e-mail domain opens one (and becomes a member) only if verified and the organization
   allows domain sign-up ("unverified_sender" when unverified); anyone else is held
   "unknown_sender".

The world (built once per module, rolled back after each test): Acme (acme.example.com:
cliente, colega, admin) and Beta (beta.example.org: cli), the analyst ana@helpdesk.test,
HD-2026-000001 (cliente's), HD-2026-000002 (cli@beta's) and HD-2026-000003 (cliente's,
shared with colega), whose first e-mails had the Message-IDs <out-000N@helpdesk.test>.
Our MX is mx1.helpdesk.test: the only host whose Received and Authentication-Results we read.
"""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import mailbox
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Q
from django.test import override_settings
from django.utils import translation

from communications import inbound
from communications.models import Attachment, InboundEmail, Message, OutboundEmail
from tests import factories
from tests.communications.conftest import NOW, SP
from tickets import services as ticket_services
from tickets.models import Organization, OrganizationMember, Ticket

pytestmark = pytest.mark.django_db

# -- the instants ------------------------------------------------------------------------------

# Our MX (mx1.helpdesk.test) wrote this instant in its Received line: the customer's moment.
ARRIVED = datetime(2026, 11, 25, 9, 58, tzinfo=SP)
# When the IMAP reader / Maildir reader saw a message that carries no Received line of ours.
READ_AT = datetime(2026, 11, 25, 9, 55, tzinfo=SP)
MAX_AGE = timedelta(hours=120)

ACME = "acme.example.com"
BETA = "beta.example.org"
OURS = "mx1.helpdesk.test"

# -- building raw messages -----------------------------------------------------------------------

CRLF = b"\r\n"
TEXT = "Olá, o relatório de vendas não abre desde ontem.\r\n".encode()
_message_numbers = itertools.count(1)


def received(by: str, when: str, source: str = "mail.example.net [203.0.113.10]") -> bytes:
    """One Received line, folded the way Postfix folds it."""
    return (
        f"Received: from {source}\r\n\tby {by} (Postfix) with ESMTPS id 4Wq1Lk0Zz9;\r\n\t{when}"
    ).encode()


# The Received line our MX prepends: the topmost one, by a host we trust.
OUR_RECEIVED = received(OURS, "Wed, 25 Nov 2026 09:58:00 -0300 (-03)")


def auth_results(*results: str, authserv: str = OURS) -> bytes:
    """An RFC 8601 Authentication-Results header (our MX writes it under its Received)."""
    return (f"Authentication-Results: {authserv};\r\n\t" + ";\r\n\t".join(results)).encode()


def passed(domain: str, authserv: str = OURS) -> bytes:
    """What a server writes for a message properly signed and sent by `domain`."""
    return auth_results(
        f"dkim=pass header.d={domain} header.s=s1",
        f"spf=pass smtp.mailfrom=bounces@{domain}",
        f"dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from={domain}",
        authserv=authserv,
    )


def mail(
    *headers: str | bytes,
    body: bytes | str = TEXT,
    received: tuple[bytes, ...] = (OUR_RECEIVED,),
    auth: tuple[bytes, ...] | bytes = (),
    omit: tuple[str, ...] = (),
) -> bytes:
    """A raw message: our Received (and Authentication-Results) on top, the sender's headers,
    then the usual ones the sender left out (To, Date, Message-ID, MIME headers), and a body.

    Headers given as `str` are written as UTF-8 bytes (8-bit headers are hostile too); a
    `str` body has its line ends made CRLF. Nothing is re-encoded by the stdlib.
    """
    auth = (auth,) if isinstance(auth, bytes) else auth
    lines = [*received, *auth]
    lines += [h.encode() if isinstance(h, str) else h for h in headers]
    present = {line.split(b":", 1)[0].strip().lower() for line in lines}
    defaults = {
        b"to": b"To: Suporte <suporte@helpdesk.test>",
        b"date": b"Date: Wed, 25 Nov 2026 09:57:31 -0300",
        b"message-id": f"Message-ID: <corpus-{next(_message_numbers):04d}@mail.example.net>",
        b"mime-version": b"MIME-Version: 1.0",
    }
    for name, line in defaults.items():
        if name not in present and name.decode() not in omit:
            lines.append(line if isinstance(line, bytes) else line.encode())
    if b"content-type" not in present and "content-type" not in omit:
        lines += [b"Content-Type: text/plain; charset=utf-8", b"Content-Transfer-Encoding: 8bit"]
    if isinstance(body, str):
        body = body.replace("\r\n", "\n").replace("\n", "\r\n").encode()
    return CRLF.join(lines) + CRLF + CRLF + body


def word(text: str, charset: str = "utf-8", encoding: str = "B") -> str:
    """An RFC 2047 encoded word."""
    data = text.encode(charset)
    if encoding == "B":
        return f"=?{charset}?B?{base64.b64encode(data).decode()}?="
    quoted = "".join(
        chr(byte) if chr(byte).isalnum() else "_" if byte == 32 else f"={byte:02X}" for byte in data
    )
    return f"=?{charset}?Q?{quoted}?="


def b64_lines(data: bytes) -> bytes:
    encoded = base64.b64encode(data)
    return CRLF.join(encoded[i : i + 76] for i in range(0, len(encoded), 76)) + CRLF


def nested_multipart(depth: int, leaf: bytes) -> tuple[str, bytes]:
    """`depth` multiparts, each the only part of the one above; the text at the bottom."""
    content_type, body = "text/plain; charset=utf-8", leaf
    for level in range(depth):
        boundary = f"level{level:04d}x"
        part = f"Content-Type: {content_type}\r\n\r\n".encode() + body
        body = f"--{boundary}\r\n".encode() + part + f"\r\n--{boundary}--\r\n".encode()
        content_type = f'multipart/mixed; boundary="{boundary}"'
    return content_type, body


def forwarded_inner(*headers: str, marker: str, attachment: str = "fatura.pdf") -> bytes:
    """A complete message as a customer forwards it: text plus a PDF of its own."""
    head = "\r\n".join(
        [
            *headers,
            "MIME-Version: 1.0",
            'Content-Type: multipart/mixed; boundary="inner"',
        ]
    )
    return (
        head.encode()
        + b"\r\n\r\n--inner\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        + marker.encode()
        + b"\r\n--inner\r\nContent-Type: application/pdf\r\n"
        + f'Content-Disposition: attachment; filename="{attachment}"\r\n'.encode()
        + b"Content-Transfer-Encoding: base64\r\n\r\n"
        + b64_lines(b"%PDF-1.4\n% fatura do fornecedor\n%%EOF\n")
        + b"--inner--\r\n"
    )


def carrying(outer_text: str, inner: bytes, *, disposition: str = "inline") -> bytes:
    """A multipart/mixed body: the customer's words, then the forwarded message/rfc822."""
    return (
        b"--outer\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + outer_text.encode()
        + b"\r\n--outer\r\nContent-Type: message/rfc822\r\n"
        + f"Content-Disposition: {disposition}\r\n\r\n".encode()
        + inner
        + b"\r\n--outer--\r\n"
    )


# The people and what they write with.
CLIENTE = "From: Cliente Acme <cliente@acme.example.com>"
COLEGA = "From: Colega Acme <colega@acme.example.com>"
ADMIN = "From: Admin Acme <admin@acme.example.com>"
CLI_BETA = "From: Cliente Beta <cli@beta.example.org>"
ANA = "From: Ana (Suporte) <ana@helpdesk.test>"
STRANGER = "From: Estranho <estranho@evil.example>"
NEW_SUBJECT = "Subject: Relatorio de vendas nao abre"
# A reply to our first e-mail of HD-2026-000001 (Acme, requested by cliente@acme).
ON_T1 = (
    "Subject: Re: [HD-2026-000001] Relatorios nao carregam",
    "In-Reply-To: <out-0001@helpdesk.test>",
    "References: <out-0001@helpdesk.test>",
)
# The same, for HD-2026-000002 (Beta, requested by cli@beta) and HD-2026-000003 (Acme,
# requested by cliente@acme and shared with colega@acme).
ON_T2 = (
    "Subject: Re: [HD-2026-000002] Integracao parada",
    "In-Reply-To: <out-0002@helpdesk.test>",
    "References: <out-0002@helpdesk.test>",
)
ON_T3 = (
    "Subject: Re: [HD-2026-000003] Planilha compartilhada",
    "In-Reply-To: <out-0003@helpdesk.test>",
    "References: <out-0003@helpdesk.test>",
)


def digest_id(raw: bytes) -> str:
    return f"<sha256-{hashlib.sha256(raw).hexdigest()}@missing-message-id>"


# -- outcomes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Threaded:
    """Processed: one message on an existing ticket."""

    reference: str
    direction: str = "in"
    status = "processed"


@dataclass(frozen=True)
class Opened:
    """Processed: a new ticket of `organization` ("acme" or "beta")."""

    organization: str
    new_member: bool = False
    status = "processed"


@dataclass(frozen=True)
class Held:
    reason: str
    status = "held"


@dataclass(frozen=True)
class Ignored:
    status = "ignored"


IGNORED = Ignored()
UNCHECKED = object()


@dataclass(frozen=True, repr=False)
class Case:
    slug: str
    why: str
    raw: bytes
    expect: Threaded | Opened | Held | Ignored
    # Expected `received_at` (None: not checked) and `arrival_source` (None: not checked).
    arrival: datetime | None = ARRIVED
    source: str | None = "received_header"
    clamped_from: object = None
    read_at: datetime | None = None
    verified: bool | None = None
    # Messages ingested first, each with the reference of the ticket it must land on.
    before: tuple[tuple[bytes, str], ...] = ()
    settings: tuple[tuple[str, object], ...] = ()
    organizations: tuple[tuple[str, dict], ...] = ()
    checks: tuple[Callable, ...] = field(default=())

    def __str__(self) -> str:
        return self.slug

    def __repr__(self) -> str:  # failure reports name the case, not 200 KB of its bytes
        return f"Case({self.slug!r})"


# -- extra checks (each gets the world, the record and what existed before) -------------------


def body_has(*texts: str):
    def check(world, record, before):
        message = Message.objects.get(inbound_email=record)
        for text in texts:
            assert text in message.body, f"{text!r} not in {message.body[:300]!r}"

    return check


def subject_has(text: str):
    def check(world, record, before):
        assert text in record.ticket.subject, record.ticket.subject

    return check


def no_nul(world, record, before):
    message = Message.objects.get(inbound_email=record)
    texts = [record.ticket.subject, record.ticket.description, message.body, message.visible_body]
    texts += [a.original_name for a in message.attachments.all()]
    assert not any("\x00" in text for text in texts)


def message_id_is(*candidates: str):
    def check(world, record, before):
        assert record.message_id in candidates, record.message_id[:200]

    return check


def reused(message_id: str):
    """Another stored message had this Message-ID with other bytes: both are kept."""

    def check(world, record, before):
        assert record.message_id == message_id
        assert record.message_id_reused is True
        assert InboundEmail.objects.filter(message_id=message_id).count() == 2

    return check


def no_mail_to(*addresses: str):
    """Nobody is written to because of this message (no backscatter to a forged name)."""

    def check(world, record, before):
        new = OutboundEmail.objects.exclude(pk__in=before.outbound_ids)
        for address in addresses:
            assert not new.filter(to__iexact=address).exists(), address

    return check


def clamped_with_note(world, record, before):
    assert Message.objects.filter(ticket=record.ticket, direction="note").exists()
    assert record.ticket.reported_at == NOW - MAX_AGE


def became_member(email: str, organization: str):
    def check(world, record, before):
        user = get_user_model().objects.get(email__iexact=email)
        assert user.membership.organization == world.orgs[organization]
        assert not user.membership.is_admin
        assert record.ticket.requester == user

    return check


def forwarded_once(inner_marker: str, inner_file: str = "fatura.pdf"):
    """The forwarded message is ONE .eml attachment of the carrying message: its text is not
    the customer's words, and its own attachments are not stored apart."""

    def check(world, record, before):
        message = Message.objects.get(inbound_email=record)
        attachments = list(message.attachments.all())
        assert [a.original_name.lower().endswith(".eml") for a in attachments] == [True]
        with attachments[0].file.open("rb") as stored:
            assert inner_marker.encode() in stored.read()
        for text in (message.body, message.visible_body, message.body_html):
            assert inner_marker not in text
        assert inner_marker not in record.ticket.description
        assert not Attachment.objects.filter(original_name=inner_file).exists()
        assert Attachment.objects.filter(ticket=record.ticket).count() == (
            before.attachments.get(record.ticket.pk, 0) + 1
        )

    return check


# -- the corpus -------------------------------------------------------------------------------

CASES: list[Case] = []


def case(slug: str, why: str, raw: bytes, expect, **options) -> None:
    CASES.append(Case(slug=slug, why=why, raw=raw, expect=expect, **options))


# Broken MIME. The sender is a known customer writing a new message, so each of these must
# open a ticket: a message we cannot take apart cleanly is still the customer's word.

case(
    "mime-undeclared-boundary",
    "The parts are separated by a boundary other than the one declared.",
    mail(
        CLIENTE,
        NEW_SUBJECT,
        'Content-Type: multipart/mixed; boundary="declared-boundary"',
        body="--other-boundary\nContent-Type: text/plain; charset=utf-8\n\n"
        "Texto numa fronteira nunca declarada.\n--other-boundary--\n",
    ),
    Opened("acme"),
)
case(
    "mime-multipart-without-boundary",
    "multipart/alternative with no boundary parameter at all.",
    mail(CLIENTE, NEW_SUBJECT, "Content-Type: multipart/alternative; charset=utf-8"),
    Opened("acme"),
)
case(
    "mime-missing-closing-boundary",
    "The closing --boundary-- never comes: the text part is still the customer's words.",
    mail(
        CLIENTE,
        NEW_SUBJECT,
        'Content-Type: multipart/alternative; boundary="alt"',
        body="--alt\nContent-Type: text/plain; charset=utf-8\n\nFalta o fechamento da fronteira.\n"
        "--alt\nContent-Type: text/html; charset=utf-8\n\n<p>Falta o fechamento</p>\n",
    ),
    Opened("acme"),
    checks=(body_has("Falta o fechamento da fronteira."),),
)
_deep_type, _deep_body = nested_multipart(40, b"Texto no fundo de 40 multiparts.\r\n")
case(
    "mime-nested-40-deep",
    "40 multiparts nested in each other, the text at the bottom.",
    mail(CLIENTE, NEW_SUBJECT, f"Content-Type: {_deep_type}", body=_deep_body),
    Opened("acme"),
)
_deep_type, _deep_body = nested_multipart(150, b"Texto no fundo de 150 multiparts.\r\n")
case(
    "mime-nested-150-deep",
    "150 multiparts nested in each other (still within what a parser can walk).",
    mail(CLIENTE, NEW_SUBJECT, f"Content-Type: {_deep_type}", body=_deep_body),
    Opened("acme"),
)
case(
    "mime-bad-base64",
    "Declared base64, but the body is not base64 at all.",
    mail(
        CLIENTE,
        NEW_SUBJECT,
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: base64",
        body=b"Isto n\xe3o \xe9 base64 !!! @@@ *** ===\r\n",
    ),
    Opened("acme"),
)
case(
    "mime-base64-bad-padding",
    "base64 cut short: the last quantum and the padding are missing.",
    mail(
        CLIENTE,
        NEW_SUBJECT,
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: base64",
        body=base64.b64encode("O relatório não abre, segue o log.".encode())[:-3] + CRLF,
    ),
    Opened("acme"),
)
case(
    "mime-bad-quoted-printable",
    "quoted-printable with invalid escapes (=ZZ, a lone =4, a soft break at the very end).",
    mail(
        CLIENTE,
        NEW_SUBJECT,
        "Content-Type: text/plain; charset=iso-8859-1",
        "Content-Transfer-Encoding: quoted-printable",
        body=b"Ol=E1, o relat=F3rio =ZZ n=E3o abre =4\r\nfim =",
    ),
    Opened("acme"),
)
case(
    "mime-wrong-cte-base64-on-plain-text",
    "Content-Transfer-Encoding says base64, the body is plain 8-bit text.",
    mail(
        CLIENTE,
        NEW_SUBJECT,
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: base64",
        body="Olá, o relatório não abre, isto não é base64.\n",
    ),
    Opened("acme"),
)
case(
    "mime-unknown-cte",
    "An encoding nobody knows: the bytes are taken as they are.",
    mail(
        CLIENTE,
        NEW_SUBJECT,
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: x-klingon-encoding",
        body="Codificacao desconhecida, texto legivel.\n",
    ),
    Opened("acme"),
    checks=(body_has("Codificacao desconhecida, texto legivel."),),
)
case(
    "mime-8bit-body-declared-7bit",
    "UTF-8 bytes in a body that says 7bit.",
    mail(
        CLIENTE,
        NEW_SUBJECT,
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 7bit",
        body="Relatório não abre: declarado 7bit.\n",
    ),
    Opened("acme"),
    checks=(body_has("Relatório não abre: declarado 7bit."),),
)
case(
    "mime-garbage-content-type",
    "A Content-Type header that is not a content type.",
    mail(CLIENTE, NEW_SUBJECT, 'Content-Type: ;;;/// charset="', body="Tipo ilegivel.\n"),
    Opened("acme"),
)
case(
    "mime-cte-on-multipart",
    "base64 declared on a multipart (forbidden by RFC 2045), the parts in clear.",
    mail(
        CLIENTE,
        NEW_SUBJECT,
        'Content-Type: multipart/mixed; boundary="m"',
        "Content-Transfer-Encoding: base64",
        body="--m\nContent-Type: text/plain; charset=utf-8\n\nParte em claro.\n--m--\n",
    ),
    Opened("acme"),
)
case(
    "mime-headers-only",
    "Headers and nothing else: no blank line, no body.",
    mail(CLIENTE, NEW_SUBJECT, body=b"")[: -len(CRLF + CRLF)],
    Opened("acme"),
)
case(
    "mime-bare-lf",
    "Bare LF line ends throughout (Unix mailers, broken gateways).",
    mail(CLIENTE, NEW_SUBJECT, body="Linhas com LF apenas.\n").replace(CRLF, b"\n"),
    Opened("acme"),
    checks=(body_has("Linhas com LF apenas."),),
)
case(
    "mime-attachment-only-traversal-name",
    "No text at all, one PDF whose name tries to climb out of the storage folder.",
    mail(
        CLIENTE,
        NEW_SUBJECT,
        'Content-Type: multipart/mixed; boundary="m"',
        body=b"--m\r\nContent-Type: application/pdf\r\n"
        b'Content-Disposition: attachment; filename="../../../../etc/passwd.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        + b64_lines(b"%PDF-1.4\n%%EOF\n")
        + b"--m--\r\n",
    ),
    Opened("acme"),
)
case(
    "garbage-random-bytes",
    "3 KB of random bytes: no header, so no sender (held, never a crash).",
    random.Random(2026).randbytes(3000),
    Held("invalid_sender"),
    arrival=NOW,
    source=None,
)
case(
    "garbage-empty",
    "Zero bytes. Kept under a digest of its (empty) source as its id.",
    b"",
    Held("invalid_sender"),
    arrival=NOW,
    source=None,
    checks=(message_id_is(digest_id(b"")),),
)

# Odd charsets. A known customer again: these open tickets; where the declared charset is
# right (or obviously wrong), the text must come out readable.

case(
    "charset-unknown-name",
    "A charset nobody knows; the bytes are UTF-8.",
    mail(CLIENTE, NEW_SUBJECT, "Content-Type: text/plain; charset=x-klingon-8"),
    Opened("acme"),
    checks=(body_has("relatório de vendas não abre"),),
)
case(
    "charset-latin1-labelled-utf8",
    "Says UTF-8, is Latin-1 (the most common lie): invalid UTF-8, read as Windows-1252.",
    mail(
        CLIENTE,
        NEW_SUBJECT,
        "Content-Type: text/plain; charset=utf-8",
        body=b"Relat\xf3rio n\xe3o abre, a\xe7\xe3o urgente.\r\n",
    ),
    Opened("acme"),
    checks=(body_has("Relatório não abre, ação urgente."),),
)
case(
    "charset-utf8-labelled-latin1",
    "Says ISO-8859-1, is UTF-8 (decodes without error into mojibake; must not crash).",
    mail(CLIENTE, NEW_SUBJECT, "Content-Type: text/plain; charset=iso-8859-1"),
    Opened("acme"),
)
case(
    "charset-cp1252-labelled-latin1",
    "Says ISO-8859-1, uses Windows-1252 curly quotes and the euro sign (C1 bytes).",
    mail(
        CLIENTE,
        NEW_SUBJECT,
        "Content-Type: text/plain; charset=iso-8859-1",
        body=b"Cobran\xe7a \x93indevida\x94 de \x80 100,00 \x96 verificar.\r\n",
    ),
    Opened("acme"),
)
case(
    "charset-utf16-declared",
    "A UTF-16 body (with BOM), declared and base64-encoded: decoded with its charset.",
    mail(
        CLIENTE,
        NEW_SUBJECT,
        "Content-Type: text/plain; charset=utf-16",
        "Content-Transfer-Encoding: base64",
        body=b64_lines("Olá, relatório em UTF-16.\r\n".encode("utf-16")),
    ),
    Opened("acme"),
    checks=(body_has("Olá, relatório em UTF-16."), no_nul),
)
case(
    "charset-utf16-labelled-utf8",
    "UTF-16 bytes sent raw and labelled UTF-8: full of NUL bytes, none may be stored.",
    mail(
        CLIENTE,
        NEW_SUBJECT,
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: binary",
        body="Texto UTF-16 rotulado UTF-8.\r\n".encode("utf-16-le"),
    ),
    Opened("acme"),
    checks=(no_nul,),
)
case(
    "charset-8bit-raw-subject",
    "A raw UTF-8 Subject (no RFC 2047): against the RFC, common in practice.",
    mail(CLIENTE, "Subject: Relatório não abre — urgente"),
    Opened("acme"),
    checks=(subject_has("Relatório não abre"),),
)
case(
    "charset-8bit-raw-latin1-display-name",
    "A raw Latin-1 display name in From: the address is still cliente@acme.",
    mail(b"From: Jo\xe3o da Concei\xe7\xe3o <cliente@acme.example.com>", NEW_SUBJECT),
    Opened("acme"),
)
case(
    "rfc2047-b-split-mid-character",
    "A long Subject split into two encoded words in the middle of the 2-byte 'ó'.",
    mail(
        CLIENTE,
        "Subject: =?utf-8?B?"
        + base64.b64encode(b"Relat\xc3").decode()
        + "?=\r\n =?utf-8?B?"
        + base64.b64encode(b"\xb3rio n" + "ão abre".encode()).decode()
        + "?=",
    ),
    Opened("acme"),
    checks=(subject_has("Relatório não abre"),),
)
case(
    "rfc2047-q-split-mid-character",
    "The same split with Q encoding, across a folded line.",
    mail(CLIENTE, "Subject: =?UTF-8?Q?Relat=C3?=\r\n =?UTF-8?Q?=B3rio_n=C3=A3o_abre?="),
    Opened("acme"),
    checks=(subject_has("Relatório não abre"),),
)
case(
    "rfc2047-truncated-words",
    "An encoded word cut in the middle of a character, then one never closed.",
    mail(CLIENTE, "Subject: =?utf-8?B?UmVsYXTD?= e =?utf-8?Q?quebrado_sem_fim"),
    Opened("acme"),
)
case(
    "rfc2047-unknown-charset",
    "An encoded word in a charset nobody knows.",
    mail(CLIENTE, "Subject: =?x-unknown-charset?Q?Relat=F3rio_n=E3o_abre?="),
    Opened("acme"),
)
case(
    "nul-bytes-everywhere",
    "NUL bytes in the Subject, the text and an attachment's name: kept in the raw source, "
    "never in a stored text.",
    mail(
        CLIENTE,
        b"Subject: Relat\x00rio com NUL",
        'Content-Type: multipart/mixed; boundary="m"',
        body=b"--m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nlinha\x00com NUL\r\n"
        b"--m\r\nContent-Type: text/plain\r\n"
        b'Content-Disposition: attachment; filename="nota\x00.txt"\r\n\r\nanexo\r\n--m--\r\n',
    ),
    Opened("acme"),
    checks=(no_nul,),
)

# Huge headers.

case(
    "huge-subject-200kb",
    "A 200 KB Subject on one line.",
    mail(CLIENTE, "Subject: Relatorio " + "A" * 200_000),
    Opened("acme"),
    checks=(lambda world, record, before: len(record.ticket.subject) <= 200,),
)
_references = "\r\n ".join(
    [f"<junk-{n:05d}@noise.example>" for n in range(9_999)] + ["<out-0001@helpdesk.test>"]
)
case(
    "references-folded-10000-times",
    "A References header folded 10,000 times; the nearest (last) id is our e-mail of "
    "HD-2026-000001, which cliente@acme requested.",
    mail(CLIENTE, "Subject: Re: Relatorios", f"References: {_references}"),
    Threaded("HD-2026-000001"),
)
_relays = [
    received(f"relay{n}.example.net", "Tue, 24 Nov 2026 10:00:00 -0300", f"relay{n + 1}.example")
    for n in range(4_999)
]
case(
    "received-5000-lines",
    "5,000 Received lines; only the topmost (ours) tells the arrival.",
    mail(CLIENTE, NEW_SUBJECT, received=(OUR_RECEIVED, *_relays)),
    Opened("acme"),
)
_emoji_id = "<" + "\U0001f600" * 900 + "@acme.example.com>"
_emoji_word = word(_emoji_id)
case(
    "message-id-900-four-byte-chars",
    "A Message-ID of 900 four-byte characters as one RFC 2047 encoded word (4,800 chars): "
    "kept in full, never cut to fit a column.",
    mail(CLIENTE, NEW_SUBJECT, f"Message-ID: {_emoji_word}"),
    Opened("acme"),
    checks=(message_id_is(_emoji_word, _emoji_id),),
)
case(
    "headers-10000-distinct",
    "10,000 distinct X- headers.",
    mail(CLIENTE, NEW_SUBJECT, *(f"X-Noise-{n}: {n}" for n in range(10_000))),
    Opened("acme"),
)
_no_id = mail(CLIENTE, NEW_SUBJECT, "X-Case: no-message-id", omit=("message-id",))
case(
    "no-message-id",
    "No Message-ID: identified by a digest of its bytes.",
    _no_id,
    Opened("acme"),
    checks=(message_id_is(digest_id(_no_id)),),
)

# Forged threading: a way into a ticket the sender may not see.

case(
    "thread-subject-cites-other-org-ticket",
    "cliente@acme puts Beta's ticket reference in the Subject.",
    mail(CLIENTE, "Subject: Re: [HD-2026-000002] Integracao parada"),
    Held("not_allowed"),
)
case(
    "thread-in-reply-to-other-org-email",
    "cliente@acme answers our e-mail of Beta's ticket (In-Reply-To / References).",
    mail(CLIENTE, *ON_T2[1:], "Subject: Re: sua mensagem"),
    Held("not_allowed"),
)
case(
    "thread-headers-win-over-subject",
    "In-Reply-To cites Beta's ticket, the Subject Acme's own: the headers decide (Beta), "
    "so it is held, and nothing lands on either ticket.",
    mail(CLIENTE, "Subject: Re: [HD-2026-000001] ok", "In-Reply-To: <out-0002@helpdesk.test>"),
    Held("not_allowed"),
)
_beta_reply = mail(
    CLI_BETA, *ON_T2, "Message-ID: <beta-reply-1@beta.example.org>", body="Segue o log.\n"
)
case(
    "thread-references-other-org-inbound",
    "cliente@acme cites the Message-ID of cli@beta's own e-mail on Beta's ticket.",
    mail(
        CLIENTE,
        "Subject: Re: Segue o log",
        "In-Reply-To: <beta-reply-1@beta.example.org>",
        "References: <out-0002@helpdesk.test> <beta-reply-1@beta.example.org>",
    ),
    Held("not_allowed"),
    before=((_beta_reply, "HD-2026-000002"),),
)
case(
    "thread-other-org-customer-on-acme-ticket",
    "cli@beta answers our e-mail of Acme's ticket.",
    mail(CLI_BETA, *ON_T1),
    Held("not_allowed"),
)
case(
    "thread-stranger-cites-ticket",
    "An unknown sender citing a ticket is 'not allowed' on it, not just unknown.",
    mail(STRANGER, *ON_T1, body="Apaguem tudo.\n"),
    Held("not_allowed"),
    checks=(no_mail_to("cliente@acme.example.com"),),
)
case(
    "thread-colleague-not-shared",
    "colega@acme, verified, on HD-2026-000001 that was neither requested by nor shared with "
    "them (they are not an admin).",
    mail(COLEGA, *ON_T1, auth=passed(ACME)),
    Held("not_allowed"),
    verified=True,
)
case(
    "thread-reference-only-in-body",
    "Beta's reference in the text only: a subject or header is needed to thread; cliente "
    "opens a new Acme ticket.",
    mail(CLIENTE, NEW_SUBJECT, body="Parecido com o HD-2026-000002 de outra empresa.\n"),
    Opened("acme"),
)
case(
    "thread-unknown-in-reply-to-then-subject",
    "In-Reply-To cites nothing we know: the Subject's reference threads it.",
    mail(
        CLIENTE,
        "Subject: RES: [HD-2026-000001] Relatorios",
        "In-Reply-To: <nao-existe@acme.example.com>",
    ),
    Threaded("HD-2026-000001"),
)
_first_reused = mail(CLIENTE, *ON_T1, "Message-ID: <reused-1@acme.example.com>")
case(
    "message-id-reused-by-stranger",
    "A stranger sends other bytes under the Message-ID of cliente's earlier e-mail: a new "
    "record, flagged as reused, held as unknown; the earlier message stays where it was.",
    mail(STRANGER, NEW_SUBJECT, "Message-ID: <reused-1@acme.example.com>"),
    Held("unknown_sender"),
    before=((_first_reused, "HD-2026-000001"),),
    checks=(reused("<reused-1@acme.example.com>"),),
)
_second_reused = mail(CLIENTE, *ON_T3, "Message-ID: <reused-2@acme.example.com>")
case(
    "message-id-reused-across-organizations",
    "cli@beta writes a new message reusing the Message-ID of an Acme e-mail on "
    "HD-2026-000003: it opens Beta's own ticket, flagged as reused; Acme's stays untouched.",
    mail(CLI_BETA, NEW_SUBJECT, "Message-ID: <reused-2@acme.example.com>"),
    Opened("beta"),
    before=((_second_reused, "HD-2026-000003"),),
    checks=(reused("<reused-2@acme.example.com>"),),
)

# Forged senders.

case(
    "staff-address-unverified",
    "An analyst's address in From, no authentication: an analyst's voice is never taken "
    "from an unauthenticated e-mail.",
    mail(ANA, *ON_T1, body="Pode apagar a base de producao.\n"),
    Held("staff_unverified"),
    verified=False,
)
case(
    "staff-address-uppercase-unverified",
    "The same, with the address in capitals.",
    mail("From: ANA@HELPDESK.TEST", *ON_T1),
    Held("staff_unverified"),
)
case(
    "staff-address-new-message",
    "An analyst's unverified address opening a new ticket: still the analyst rule.",
    mail(ANA, NEW_SUBJECT),
    Held("staff_unverified"),
)
case(
    "staff-address-untrusted-authserv-pass",
    "Authentication-Results saying everything passed, written by a server we do not trust.",
    mail(ANA, *ON_T1, auth=passed("helpdesk.test", authserv="evil.example")),
    Held("staff_unverified"),
    verified=False,
)
case(
    "staff-address-forged-lower-auth-results",
    "Our server found no authentication (topmost header); the sender added one under it "
    "claiming our authserv-id and a pass. Only the topmost counts.",
    mail(
        ANA,
        *ON_T1,
        auth=(
            auth_results("dkim=none", "spf=none smtp.mailfrom=ana@helpdesk.test", "dmarc=none"),
            passed("helpdesk.test"),
        ),
    ),
    Held("staff_unverified"),
    verified=False,
)
case(
    "staff-address-dmarc-pass-other-domain",
    "DMARC passed, but for the attacker's domain, not the From's.",
    mail(ANA, *ON_T1, auth=passed("attacker.example")),
    Held("staff_unverified"),
    verified=False,
)
case(
    "staff-address-verified",
    "The analyst really wrote it, but staff replies by e-mail are off.",
    mail(ANA, *ON_T1, auth=passed("helpdesk.test")),
    Held("staff_by_email"),
    verified=True,
)
case(
    "staff-address-verified-accepted",
    "The analyst really wrote it and staff replies by e-mail are on: it goes to the customer.",
    mail(ANA, *ON_T1, auth=passed("helpdesk.test"), body="Corrigido, pode testar.\n"),
    Threaded("HD-2026-000001", direction="out"),
    verified=True,
    settings=(("EMAIL_ACCEPT_STAFF_REPLIES", True),),
)
case(
    "from-two-addresses",
    "From names two mailboxes: whose word is it?",
    mail("From: cliente@acme.example.com, cli@beta.example.org", NEW_SUBJECT),
    Held("invalid_sender"),
)
case(
    "from-empty",
    "An empty From.",
    mail("From: ", NEW_SUBJECT, "Reply-To: cliente@acme.example.com"),
    Held("invalid_sender"),
    checks=(no_mail_to("cliente@acme.example.com"),),
)
case(
    "from-missing-with-fallbacks",
    "No From at all, but Sender, Reply-To and Return-Path of a customer: no fallback.",
    mail(
        "Return-Path: <cliente@acme.example.com>",
        "Sender: cliente@acme.example.com",
        "Reply-To: cliente@acme.example.com",
        *ON_T1,
    ),
    Held("invalid_sender"),
    checks=(no_mail_to("cliente@acme.example.com"),),
)
case(
    "from-garbage",
    "A From that is no address.",
    mail("From: <<<@@@>>> ;; (((", NEW_SUBJECT),
    Held("invalid_sender"),
)
case(
    "from-empty-group",
    "From is an empty group.",
    mail("From: undisclosed-recipients:;", NEW_SUBJECT),
    Held("invalid_sender"),
)
case(
    "from-no-address-sender-is-org-admin",
    "From has a name and no address; Sender: is Acme's admin, verified. No fallback.",
    mail(
        "From: Admin Acme", "Sender: Admin Acme <admin@acme.example.com>", *ON_T1, auth=passed(ACME)
    ),
    Held("invalid_sender"),
)
case(
    "display-name-spoof-reply-to-and-sender",
    "The display name is cliente's address, Reply-To and Sender are cliente's: the mailbox "
    "is the attacker's. Held as unknown; cliente is not written to.",
    mail(
        'From: "cliente@acme.example.com" <atacante@evil.example>',
        "Reply-To: cliente@acme.example.com",
        "Sender: Cliente Acme <cliente@acme.example.com>",
        "Subject: Trocar o e-mail de cobranca",
    ),
    Held("unknown_sender"),
    checks=(no_mail_to("cliente@acme.example.com"),),
)
case(
    "display-name-spoof-analyst",
    "The display name claims to be our analyst; the mailbox is a stranger's.",
    mail('From: "Ana (Suporte) ana@helpdesk.test" <ana.suporte@evil.example>', *ON_T1),
    Held("not_allowed"),
)
case(
    "lookalike-hyphen-domain",
    "acme-example.com is not acme.example.com.",
    mail("From: cliente@acme-example.com", NEW_SUBJECT),
    Held("unknown_sender"),
)
case(
    "lookalike-rn-for-m",
    "acrne.example.com ('rn' for 'm').",
    mail("From: cliente@acrne.example.com", NEW_SUBJECT),
    Held("unknown_sender"),
)
case(
    "lookalike-cyrillic-punycode",
    "The Cyrillic a (U+0430) in acme, as punycode (xn--cme-5cd).",
    mail("From: cliente@xn--cme-5cd.example.com", NEW_SUBJECT),
    Held("unknown_sender"),
)
case(
    "lookalike-domain-as-prefix",
    "beta.example.org.evil.example only starts like Beta's domain.",
    mail("From: cli@beta.example.org.evil.example", NEW_SUBJECT),
    Held("unknown_sender"),
)
case(
    "subdomain-of-customer-domain",
    "A verified sender at mail.acme.example.com: subdomains do not match, even with domain "
    "sign-up on.",
    mail("From: novo@mail.acme.example.com", NEW_SUBJECT, auth=passed("mail.acme.example.com")),
    Held("unknown_sender"),
    verified=True,
    organizations=(("acme", {"email_domain_signup": True}),),
)
case(
    "domain-signup-verified",
    "An unknown address at Acme's exact domain, verified, sign-up on: a new member opens a ticket.",
    mail("From: Novo <novo@acme.example.com>", NEW_SUBJECT, auth=passed(ACME)),
    Opened("acme", new_member=True),
    verified=True,
    organizations=(("acme", {"email_domain_signup": True}),),
    checks=(became_member("novo@acme.example.com", "acme"),),
)
case(
    "domain-signup-unverified",
    "The same address, not verified: anyone can write that From.",
    mail("From: Novo <novo@acme.example.com>", NEW_SUBJECT),
    Held("unverified_sender"),
    verified=False,
    organizations=(("acme", {"email_domain_signup": True}),),
)
case(
    "domain-signup-off-verified",
    "Verified, but Acme does not let its domain sign up by e-mail.",
    mail("From: Novo <novo@acme.example.com>", NEW_SUBJECT, auth=passed(ACME)),
    Held("unknown_sender"),
    verified=True,
    organizations=(("acme", {"email_domain_signup": False}),),
)
case(
    "known-customer-address-in-capitals",
    "Control: cliente's address in capitals is still cliente (unverified, own new ticket).",
    mail("From: CLIENTE@ACME.EXAMPLE.COM", NEW_SUBJECT),
    Opened("acme"),
    verified=False,
)
case(
    "admin-verified-on-colleague-ticket",
    "Control: Acme's admin, verified, on a ticket cliente requested: admins see them all.",
    mail(ADMIN, *ON_T1, auth=passed(ACME)),
    Threaded("HD-2026-000001"),
    verified=True,
)
case(
    "admin-unverified-on-colleague-ticket",
    "Acme's admin, unverified, on a ticket they did not request.",
    mail(ADMIN, *ON_T1),
    Held("unverified_sender"),
    verified=False,
)
case(
    "admin-spf-aligned-only",
    "No DMARC result; SPF passed for a MAIL FROM at the From's domain: verified.",
    mail(ADMIN, *ON_T1, auth=auth_results("spf=pass smtp.mailfrom=bounces@acme.example.com")),
    Threaded("HD-2026-000001"),
    verified=True,
)
case(
    "admin-dkim-aligned-dmarc-none",
    "dmarc=none (no policy), SPF soft-failed, DKIM passed for the From's domain: verified.",
    mail(
        ADMIN,
        *ON_T1,
        auth=auth_results(
            "dkim=pass header.d=acme.example.com",
            "spf=softfail smtp.mailfrom=x@relay.attacker.example",
            "dmarc=none header.from=acme.example.com",
        ),
    ),
    Threaded("HD-2026-000001"),
    verified=True,
)
case(
    "admin-spf-pass-unaligned",
    "SPF passed, but for the attacker's bounce domain: not verified.",
    mail(
        ADMIN,
        *ON_T1,
        auth=auth_results(
            "dkim=none", "spf=pass smtp.mailfrom=b@mailer.attacker.example", "dmarc=none"
        ),
    ),
    Held("unverified_sender"),
    verified=False,
)
case(
    "admin-dkim-pass-unaligned",
    "DKIM passed, for the attacker's signing domain: not verified.",
    mail(ADMIN, *ON_T1, auth=auth_results("dkim=pass header.d=attacker.example")),
    Held("unverified_sender"),
    verified=False,
)
case(
    "admin-auth-results-microsoft-style",
    "Our server's header with comments and extra properties between the results.",
    mail(
        ADMIN,
        *ON_T1,
        auth=auth_results(
            "spf=pass (sender IP is 203.0.113.10) smtp.mailfrom=acme.example.com",
            "dkim=pass (signature was verified) header.d=acme.example.com",
            "dmarc=pass action=none header.from=acme.example.com",
            "compauth=pass reason=100",
        ),
    ),
    Threaded("HD-2026-000001"),
    verified=True,
)
case(
    "colleague-shared-verified",
    "Control: colega@acme, verified, on HD-2026-000003 that was shared with them.",
    mail(COLEGA, *ON_T3, auth=passed(ACME)),
    Threaded("HD-2026-000003"),
    verified=True,
)
case(
    "colleague-shared-unverified",
    "colega@acme may see HD-2026-000003 but did not request it: unverified, held.",
    mail(COLEGA, *ON_T3),
    Held("unverified_sender"),
    verified=False,
)
case(
    "requester-unverified-by-subject",
    "Control: cliente, unverified, on the ticket they requested, by the Subject alone.",
    mail(CLIENTE, "Subject: RE: [HD-2026-000001] Relatorios"),
    Threaded("HD-2026-000001"),
    verified=False,
)
case(
    "strict-org-unverified-reply",
    "Beta accepts no unverified mail: cli@beta's unverified reply on their own ticket waits.",
    mail(CLI_BETA, *ON_T2),
    Held("unverified_sender"),
    verified=False,
    organizations=(("beta", {"email_accept_unverified": False}),),
)
case(
    "strict-org-unverified-new",
    "Beta accepts no unverified mail: cli@beta's unverified new message waits.",
    mail(CLI_BETA, NEW_SUBJECT),
    Held("unverified_sender"),
    verified=False,
    organizations=(("beta", {"email_accept_unverified": False}),),
)
case(
    "strict-org-verified-new",
    "Control: the same, verified, opens Beta's ticket.",
    mail(CLI_BETA, NEW_SUBJECT, auth=passed(BETA)),
    Opened("beta"),
    verified=True,
    organizations=(("beta", {"email_accept_unverified": False}),),
)

# DMARC failures.

case(
    "dmarc-fail-customer",
    "Our server says DMARC failed for acme.example.com: someone else wrote cliente's From.",
    mail(
        CLIENTE,
        *ON_T1,
        auth=auth_results(
            "dkim=fail header.d=acme.example.com",
            "spf=fail smtp.mailfrom=x@evil.example",
            "dmarc=fail (p=QUARANTINE) header.from=acme.example.com",
        ),
    ),
    Held("spoofed_domain"),
    verified=False,
)
case(
    "dmarc-fail-stranger",
    "DMARC fails for a stranger's domain: spoofed before unknown.",
    mail(STRANGER, NEW_SUBJECT, auth=auth_results("dmarc=fail header.from=evil.example")),
    Held("spoofed_domain"),
)
case(
    "dmarc-fail-staff",
    "DMARC fails for our own analysts' domain: spoofed before the analyst rule.",
    mail(ANA, *ON_T1, auth=auth_results("dmarc=fail header.from=helpdesk.test")),
    Held("spoofed_domain"),
)
case(
    "dmarc-fail-untrusted-authserv",
    "A DMARC fail written by a server we do not trust is ignored: cliente, unverified, "
    "opens a ticket.",
    mail(
        CLIENTE,
        NEW_SUBJECT,
        auth=auth_results("dmarc=fail header.from=acme.example.com", authserv="evil.example"),
    ),
    Opened("acme"),
    verified=False,
)
case(
    "dmarc-fail-topmost-over-forged-pass",
    "Our topmost header says fail; a forged one under it says pass.",
    mail(
        ADMIN,
        *ON_T1,
        auth=(auth_results("dmarc=fail header.from=acme.example.com"), passed(ACME)),
    ),
    Held("spoofed_domain"),
    verified=False,
)
case(
    "dmarc-pass-topmost-over-forged-fail",
    "Control: our topmost header says pass; an older/forged one under it says fail.",
    mail(
        ADMIN,
        *ON_T1,
        auth=(passed(ACME), auth_results("dmarc=fail header.from=acme.example.com")),
    ),
    Threaded("HD-2026-000001"),
    verified=True,
)
case(
    "dmarc-fail-on-auto-reply",
    "An auto-reply that also fails DMARC: automatic mail is ignored first.",
    mail(
        CLIENTE,
        *ON_T1,
        "Auto-Submitted: auto-replied",
        auth=auth_results("dmarc=fail header.from=acme.example.com"),
    ),
    IGNORED,
)

# Forged dates and forged Received lines: the arrival is what our server saw.

case(
    "date-1970",
    "Date: the epoch. The ticket is reported when our MX received it.",
    mail(CLIENTE, NEW_SUBJECT, "Date: Thu, 01 Jan 1970 00:00:00 +0000"),
    Opened("acme"),
)
case(
    "date-2999",
    "Date: the year 2999.",
    mail(CLIENTE, NEW_SUBJECT, "Date: Tue, 31 Dec 2999 23:59:59 +0000"),
    Opened("acme"),
)
case(
    "received-forged-below-ours",
    "The sender wrote a Received line claiming our host two days earlier, under ours.",
    mail(
        CLIENTE,
        NEW_SUBJECT,
        received=(OUR_RECEIVED, received(OURS, "Mon, 23 Nov 2026 08:00:00 -0300")),
    ),
    Opened("acme"),
)
_forged_only = (
    received("mx.attacker.example", "Wed, 25 Nov 2026 09:59:00 -0300"),
    received(OURS, "Mon, 23 Nov 2026 08:00:00 -0300"),
)
case(
    "received-forged-under-untrusted-top",
    "The topmost Received is not ours; the one claiming our host is the sender's: neither "
    "counts, the message arrived when we took it (now).",
    mail(CLIENTE, NEW_SUBJECT, "X-Case: forged-now", received=_forged_only),
    Opened("acme"),
    arrival=NOW,
    source=None,
)
case(
    "received-forged-with-read-at",
    "The same, read from a mailbox at a known instant: that instant.",
    mail(CLIENTE, NEW_SUBJECT, "X-Case: forged-read", received=_forged_only),
    Opened("acme"),
    read_at=READ_AT,
    arrival=READ_AT,
    source="read",
)
case(
    "no-received-with-read-at",
    "No Received line at all, read at a known instant.",
    mail(CLIENTE, NEW_SUBJECT, "X-Case: bare-read", received=()),
    Opened("acme"),
    read_at=READ_AT,
    arrival=READ_AT,
    source="read",
)
case(
    "no-received",
    "No Received line and no read instant: now.",
    mail(CLIENTE, NEW_SUBJECT, "X-Case: bare-now", received=()),
    Opened("acme"),
    arrival=NOW,
    source=None,
)
case(
    "received-by-lookalike-host",
    "The topmost Received was written 'by mx1.helpdesk.test.evil.example': not our host.",
    mail(
        CLIENTE,
        NEW_SUBJECT,
        received=(received(f"{OURS}.evil.example", "Mon, 23 Nov 2026 08:00:00 -0300"),),
    ),
    Opened("acme"),
    arrival=NOW,
    source=None,
)
case(
    "received-ours-unreadable-date",
    "Our topmost Received line with a date nobody can read: now.",
    mail(CLIENTE, NEW_SUBJECT, received=(received(OURS, "quando der, amanha talvez"),)),
    Opened("acme"),
    arrival=NOW,
    source=None,
)
case(
    "received-ours-ten-days-old",
    "Our own Received line, ten days before now (a message stuck in a queue): clamped to "
    "120 h before now, the original kept, and a note on the ticket says so.",
    mail(CLIENTE, NEW_SUBJECT, received=(received(OURS, "Sun, 15 Nov 2026 09:00:00 -0300"),)),
    Opened("acme"),
    arrival=NOW - MAX_AGE,
    clamped_from=datetime(2026, 11, 15, 9, 0, tzinfo=SP),
    checks=(clamped_with_note,),
)
case(
    "received-ours-in-the-future",
    "Our own Received line a day ahead (a clock gone wrong): never later than now.",
    mail(CLIENTE, NEW_SUBJECT, received=(received(OURS, "Thu, 26 Nov 2026 10:00:00 -0300"),)),
    Opened("acme"),
    arrival=NOW,
    source=None,
    clamped_from=UNCHECKED,
)

# Loops: our own mail coming back.

case(
    "loop-our-own-address",
    "From is our own DEFAULT_FROM_EMAIL address.",
    mail("From: Suporte <suporte@helpdesk.test>", *ON_T1),
    IGNORED,
)
case(
    "loop-our-own-address-capitals",
    "Our own address in capitals, bare.",
    mail("From: SUPORTE@HELPDESK.TEST", NEW_SUBJECT),
    IGNORED,
)
case(
    "loop-x-loop",
    "A customer's mailer marked the message X-Loop with our address.",
    mail(CLIENTE, *ON_T1, "X-Loop: suporte@helpdesk.test"),
    IGNORED,
)

# Auto-replies: never answered, never a message on the ticket they cite.

_AUTO_HEADERS = {
    "auto-submitted-auto-replied": "Auto-Submitted: auto-replied",
    "auto-submitted-auto-generated": "Auto-Submitted: auto-generated",
    "precedence-bulk": "Precedence: bulk",
    "precedence-bulk-capitals": "Precedence: BULK",
    "precedence-junk": "Precedence: junk",
    "precedence-list": "Precedence: list",
    "precedence-auto-reply": "Precedence: auto_reply",
    "x-autoreply": "X-Autoreply: yes",
    "x-autorespond": "X-Autorespond: Ausente ate segunda",
    "x-auto-response-suppress-all": "X-Auto-Response-Suppress: All",
    "x-auto-response-suppress-oof": "X-Auto-Response-Suppress: OOF",
    "x-ms-exchange-inbox-rules-loop": "X-MS-Exchange-Inbox-Rules-Loop: cliente@acme.example.com",
}
for _slug, _header in _AUTO_HEADERS.items():
    case(
        f"auto-{_slug}",
        f"cliente's mailer answered our e-mail of HD-2026-000001 by itself ({_header}).",
        mail(CLIENTE, *ON_T1, _header),
        IGNORED,
    )
_AUTO_SUBJECTS = {
    "out-of-office": "Subject: Out of Office: Re: [HD-2026-000001] Relatorios",
    "ausencia-temporaria": "Subject: =?UTF-8?Q?Aus=C3=AAncia_tempor=C3=A1ria?= Re: "
    "[HD-2026-000001] Relatorios",
    "resposta-automatica": f"Subject: {word('Resposta automática:', 'iso-8859-1')} "
    "Re: [HD-2026-000001] Relatorios",
    "fuera-de-la-oficina": "Subject: Fuera de la oficina: Re: [HD-2026-000001] Relatorios",
    "respuesta-automatica": "Subject: Respuesta automática: Re: [HD-2026-000001] Relatorios",
    "automatic-reply": "Subject: Automatic reply: Re: [HD-2026-000001] Relatorios",
}
for _slug, _subject in _AUTO_SUBJECTS.items():
    case(
        f"auto-subject-{_slug}",
        f"No header says it, the Subject does ({_subject[9:40]}...).",
        mail(CLIENTE, _subject, *ON_T1[1:]),
        IGNORED,
    )
case(
    "auto-reply-with-garbage-from",
    "An auto-reply with an unusable From: automatic is decided before the sender's validity.",
    mail("From: <<<>>>", "Auto-Submitted: auto-replied", NEW_SUBJECT),
    IGNORED,
)

# Bounces.

_bounced = (
    b"From: Suporte <suporte@helpdesk.test>\r\nTo: cliente@acme.example.com\r\n"
    b"Subject: [HD-2026-000001] Relatorios nao carregam\r\n"
    b"Message-ID: <out-0001@helpdesk.test>\r\n\r\nRecebemos o seu chamado.\r\n"
)
_dsn_body = (
    b"--dsn\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
    b"This is the mail system at host mx.acme.example.com.\r\n"
    b"I'm sorry to have to inform you that your message could not be delivered.\r\n"
    b"--dsn\r\nContent-Type: message/delivery-status\r\n\r\n"
    b"Reporting-MTA: dns; mx.acme.example.com\r\n\r\n"
    b"Final-Recipient: rfc822; cliente@acme.example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
    b"--dsn\r\nContent-Type: message/rfc822\r\n\r\n" + _bounced + b"--dsn--\r\n"
)
case(
    "bounce-dsn-mailer-daemon",
    "A delivery status notification from MAILER-DAEMON, carrying our own e-mail.",
    mail(
        "From: Mail Delivery System <MAILER-DAEMON@mx.acme.example.com>",
        "Subject: Undelivered Mail Returned to Sender",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"',
        body=_dsn_body,
    ),
    IGNORED,
)
case(
    "bounce-report-from-ordinary-address",
    "The same report from an address that looks like a person at Acme's domain.",
    mail(
        "From: Acme Mail System <mailsystem@acme.example.com>",
        "Subject: Returned mail: see transcript",
        'Content-Type: multipart/report; report-type="delivery-status"; boundary="dsn"',
        body=_dsn_body,
    ),
    IGNORED,
)
case(
    "bounce-postmaster-plain",
    "A plain-text bounce from postmaster citing Beta's ticket.",
    mail(
        "From: postmaster@beta.example.org",
        "Subject: Undeliverable: [HD-2026-000002] Integracao parada",
        body="Delivery has failed to these recipients: cli@beta.example.org\n",
    ),
    IGNORED,
)
case(
    "bounce-mailer-daemon-without-domain",
    "From: MAILER-DAEMON with no domain: automatic before invalid.",
    mail("From: MAILER-DAEMON", "Subject: failure notice", *ON_T1[1:]),
    IGNORED,
)
case(
    "bounce-noreply",
    "A notification from noreply@ at a customer's domain.",
    mail("From: Sistema <noreply@acme.example.com>", "Subject: Fatura disponivel"),
    IGNORED,
)

# Forwarded messages (message/rfc822): one .eml of the carrying message.

_inner = forwarded_inner(
    "From: Fornecedor <contato@fornecedor.example>",
    "To: cliente@acme.example.com",
    "Subject: Fatura de novembro",
    "Message-ID: <fornecedor-1@fornecedor.example>",
    marker="TEXTO-INTERNO-DO-FORNECEDOR",
)
case(
    "forward-inline-rfc822-new",
    "cliente forwards a supplier's message (text and a PDF) inline as message/rfc822.",
    mail(
        CLIENTE,
        "Subject: Fwd: Fatura de novembro",
        'Content-Type: multipart/mixed; boundary="outer"',
        body=carrying("Vejam a fatura abaixo, o valor esta errado.", _inner),
    ),
    Opened("acme"),
    checks=(forwarded_once("TEXTO-INTERNO-DO-FORNECEDOR"), body_has("o valor esta errado")),
)
_inner = forwarded_inner(
    "From: Fornecedor <contato@fornecedor.example>",
    "Subject: Log do erro",
    marker="LOG-INTERNO-ANEXADO",
    attachment="log-fornecedor.pdf",
)
case(
    "forward-rfc822-attachment-reply",
    "cliente answers their ticket with the supplier's e-mail attached as a file.",
    mail(
        CLIENTE,
        *ON_T1,
        'Content-Type: multipart/mixed; boundary="outer"',
        body=carrying(
            "Segue o e-mail do fornecedor.",
            _inner,
            disposition='attachment; filename="fornecedor.eml"',
        ),
    ),
    Threaded("HD-2026-000001"),
    checks=(forwarded_once("LOG-INTERNO-ANEXADO", "log-fornecedor.pdf"),),
)
_inner = forwarded_inner(
    "From: Cliente Beta <cli@beta.example.org>",
    "Subject: Re: [HD-2026-000002] Integracao parada",
    "In-Reply-To: <out-0002@helpdesk.test>",
    "References: <out-0002@helpdesk.test>",
    marker="PALAVRAS-DA-BETA",
    attachment="beta.pdf",
)
case(
    "forward-inner-cites-other-org",
    "The forwarded message is Beta's, citing Beta's ticket: only the outer headers thread.",
    mail(
        CLIENTE,
        "Subject: Fwd: olhem isto",
        'Content-Type: multipart/mixed; boundary="outer"',
        body=carrying("Recebi isto por engano.", _inner),
    ),
    Opened("acme"),
    checks=(forwarded_once("PALAVRAS-DA-BETA", "beta.pdf"),),
)
_innermost = forwarded_inner("From: a@b.example", "Subject: mais fundo", marker="MAIS-FUNDO")
_inner = (
    b"From: Fornecedor <contato@fornecedor.example>\r\nSubject: Fwd: mais fundo\r\n"
    b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="mid"\r\n\r\n'
    b"--mid\r\nContent-Type: text/plain\r\n\r\nMEIO-DO-ENCAMINHAMENTO\r\n"
    b"--mid\r\nContent-Type: message/rfc822\r\n\r\n" + _innermost + b"\r\n--mid--\r\n"
)
case(
    "forward-rfc822-inside-rfc822",
    "A forward of a forward: still one .eml; neither level's text is the customer's.",
    mail(
        CLIENTE,
        "Subject: Fwd: Fwd: mais fundo",
        'Content-Type: multipart/mixed; boundary="outer"',
        body=carrying("Encaminhando de novo.", _inner),
    ),
    Opened("acme"),
    checks=(
        forwarded_once("MEIO-DO-ENCAMINHAMENTO"),
        forwarded_once("MAIS-FUNDO"),
    ),
)
case(
    "forward-whole-message-is-rfc822",
    "The top-level Content-Type is message/rfc822: no words of the customer's, one .eml.",
    mail(
        CLIENTE,
        "Subject: Fwd: so o anexo",
        "Content-Type: message/rfc822",
        body=forwarded_inner("From: x@y.example", "Subject: so", marker="SO-O-INTERNO"),
    ),
    Opened("acme"),
    checks=(forwarded_once("SO-O-INTERNO"),),
)


# -- the world --------------------------------------------------------------------------------


WORLD_SETTINGS = {
    "DEFAULT_FROM_EMAIL": "Suporte <suporte@helpdesk.test>",
    "EMAIL_TRUSTED_AUTHSERV_IDS": [OURS],
    "EMAIL_TRUSTED_RECEIVED_BY": [OURS],
    "EMAIL_ACCEPT_STAFF_REPLIES": False,
    "EMAIL_ARRIVAL_MAX_AGE_HOURS": 120,
    "FEATURE_REQUESTS_EMAIL": "",
}


def _build_world(levels) -> SimpleNamespace:
    acme = factories.make_organization(name="Acme Ltda", email_domains=ACME)
    beta = factories.make_organization(name="Beta SA", email_domains=BETA)
    cliente = factories.make_customer(
        organization=acme, username="cliente", email=f"cliente@{ACME}"
    )
    colega = factories.make_customer(organization=acme, username="colega", email=f"colega@{ACME}")
    admin = factories.make_customer(
        organization=acme, username="admin-acme", email=f"admin@{ACME}", is_admin=True
    )
    cli_beta = factories.make_customer(organization=beta, username="cli", email=f"cli@{BETA}")
    tickets = {}
    for number, (organization, requester, subject) in enumerate(
        [
            (acme, cliente, "Relatórios não carregam"),
            (beta, cli_beta, "Integração parada"),
            (acme, cliente, "Planilha compartilhada"),
        ],
        start=1,
    ):
        ticket = ticket_services.ticket_create(
            organization=organization,
            requester=requester,
            subject=subject,
            description="Nada abre.",
            priority=levels["alta"],
            reported_at=NOW - timedelta(days=1),
            now=NOW - timedelta(days=1),
        )
        assert ticket.reference == f"HD-2026-{number:06d}"
        updated = OutboundEmail.objects.filter(ticket=ticket, to=requester.email).update(
            message_id=f"<out-{number:04d}@helpdesk.test>"
        )
        assert updated == 1
        tickets[ticket.reference] = ticket
    ticket_services.ticket_share(
        ticket=tickets["HD-2026-000003"], members=[colega], actor=cliente, now=NOW
    )
    analyst = factories.make_analyst(username="ana", email="ana@helpdesk.test")
    return SimpleNamespace(
        orgs={"acme": acme, "beta": beta},
        people=SimpleNamespace(
            cliente=cliente, colega=colega, admin=admin, cli_beta=cli_beta, analyst=analyst
        ),
        tickets=tickets,
    )


@pytest.fixture(scope="module")
def _shared_world(django_db_setup, django_db_blocker):
    """The world is built once for this module (three tickets with their SLA clocks cost
    more than most messages), inside a transaction rolled back when the module ends. Each
    test runs in a savepoint of it (pytest-django's `db`), so no test sees another's mail.

    It is what the `default_policy` and `levels` fixtures of tests/conftest.py give, read
    directly: function-scoped fixtures cannot feed a module-scoped one.
    """
    from sla import selectors
    from sla.models import PriorityLevel

    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], **WORLD_SETTINGS
        ),
        translation.override("en"),
    ):
        assert selectors.default_policy() is not None
        world = _build_world({level.code: level for level in PriorityLevel.objects.all()})
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def world(_shared_world, db, settings):
    """Acme (cliente, colega, admin) and Beta (cli), an analyst, three tickets whose first
    e-mails have known Message-IDs: HD-2026-000001 (cliente), HD-2026-000002 (cli@beta),
    HD-2026-000003 (cliente, shared with colega)."""
    for name, value in WORLD_SETTINGS.items():
        setattr(settings, name, value)
    return _shared_world


@dataclass
class Before:
    """What existed before the message: to prove nothing else was touched."""

    fingerprints: dict[int, tuple]
    attachments: dict[int, int]
    tickets: int
    members: int
    outbound_ids: set[int]


def _fingerprint(ticket: Ticket) -> tuple:
    ticket.refresh_from_db()
    return (
        ticket.status,
        ticket.requester_id,
        ticket.messages.count(),
        ticket.attachments.count(),
        ticket.history.count(),
        ticket.outbound_emails.count(),
        ticket.shared_with.count(),
    )


def _before() -> Before:
    tickets = list(Ticket.objects.all())
    return Before(
        fingerprints={t.pk: _fingerprint(t) for t in tickets},
        attachments={t.pk: t.attachments.count() for t in tickets},
        tickets=len(tickets),
        members=OrganizationMember.objects.count(),
        outbound_ids=set(OutboundEmail.objects.values_list("pk", flat=True)),
    )


def _ingest(raw: bytes, read_at: datetime | None = None):
    return inbound.email_ingest(raw, now=NOW, read_at=read_at)


def _assert_lands(case: Case, world, record: InboundEmail, before: Before) -> None:
    expect = case.expect
    assert record.status == expect.status, f"{record.status}: {record.error}"
    if isinstance(expect, Held):
        assert record.hold_reason == expect.reason, record.error
        assert record.error  # the analyst reads why
    else:
        assert record.hold_reason == ""
    message = Message.objects.filter(inbound_email=record).first()
    if isinstance(expect, Threaded | Opened):
        assert message is not None and message.ticket_id == record.ticket_id
        assert message.direction == getattr(expect, "direction", "in")
        if message.direction == "in":  # the customer's word, and a member of the ticket's org
            assert message.author.membership.organization_id == record.ticket.organization_id
    else:
        assert record.ticket_id is None
        assert message is None
        assert Ticket.objects.count() == before.tickets
    if isinstance(expect, Threaded):
        assert record.ticket.reference == expect.reference
        assert Ticket.objects.count() == before.tickets
    if isinstance(expect, Opened):
        ticket = record.ticket
        assert Ticket.objects.count() == before.tickets + 1
        assert ticket.pk not in before.fingerprints
        assert ticket.organization == world.orgs[expect.organization]
        assert ticket.channel == Ticket.Channel.EMAIL
        assert ticket.reported_at == record.received_at  # the clocks start at the arrival
        assert ticket.sender_verified == record.sender_verified
    assert OrganizationMember.objects.count() == before.members + (
        1 if getattr(expect, "new_member", False) else 0
    )
    if isinstance(expect, Ignored):  # never answered
        assert not OutboundEmail.objects.exclude(pk__in=before.outbound_ids).exists()


def _assert_nothing_else_touched(record: InboundEmail, before: Before) -> None:
    for ticket in Ticket.objects.filter(pk__in=before.fingerprints):
        if ticket.pk != record.ticket_id:
            assert _fingerprint(ticket) == before.fingerprints[ticket.pk], ticket.reference


def _assert_arrival(case: Case, record: InboundEmail) -> None:
    if case.arrival is not None:
        assert record.received_at == case.arrival
    if case.source is not None:
        assert record.arrival_source == case.source
    if case.clamped_from is not UNCHECKED:
        assert record.arrival_clamped_from == case.clamped_from


# -- each message -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_hostile_message_lands_where_the_rules_say(world, case, settings):
    for name, value in case.settings:
        setattr(settings, name, value)
    for name, fields in case.organizations:
        # update() (not setattr) so that a field the model lacks is an error, not a no-op
        Organization.objects.filter(pk=world.orgs[name].pk).update(**fields)
    for raw, reference in case.before:
        earlier, created = _ingest(raw)
        assert created and earlier.ticket and earlier.ticket.reference == reference
    before = _before()

    record, created = _ingest(case.raw, case.read_at)

    assert created
    record.refresh_from_db()
    assert bytes(record.raw) == case.raw  # the original, byte for byte
    _assert_lands(case, world, record, before)
    _assert_nothing_else_touched(record, before)
    _assert_arrival(case, record)
    if case.verified is not None:
        assert record.sender_verified is case.verified
    for check in case.checks:
        check(world, record, before)
    if getattr(case.expect, "direction", "in") != "out":  # only an accepted analyst's reply
        from_email = Q(inbound_email__isnull=False) | Q(channel="email")
        assert not Message.objects.filter(from_email, direction="out").exists()


# -- the whole corpus -----------------------------------------------------------------------------

CORPUS: list[bytes] = [raw for c in CASES for raw in (*(b for b, _ in c.before), c.raw)]


def test_the_corpus_is_large_and_each_message_distinct():
    assert len(CASES) >= 70
    assert len({c.slug for c in CASES}) == len(CASES)
    assert len(set(CORPUS)) == len(CORPUS)  # else a redelivery would hide a case


def test_the_whole_corpus_delivered_twice_is_stored_once(world):
    first = {}
    for raw in CORPUS:
        record, created = _ingest(raw)
        assert created, record.message_id[:100]
        first[raw] = record.pk
    assert InboundEmail.objects.count() == len(CORPUS)

    for raw in CORPUS:  # the same bytes again: recognised, whatever their Message-ID
        record, created = _ingest(raw)
        assert (record.pk, created) == (first[raw], False)
    assert InboundEmail.objects.count() == len(CORPUS)


def test_the_corpus_as_a_maildir_is_ingested_by_the_command(world, tmp_path):
    maildir = tmp_path / "Maildir"
    mailbox.Maildir(maildir, create=True)
    for number, raw in enumerate(CORPUS):  # written as they are: no mailbox library rewriting
        (maildir / "new" / f"1764075480.{number:04d}.mx1.helpdesk.test").write_bytes(raw)
    out = io.StringIO()

    call_command("ingest_email", str(maildir), stdout=out)

    stored = sorted(bytes(r) for r in InboundEmail.objects.values_list("raw", flat=True))
    assert stored == sorted(CORPUS)


def test_after_the_whole_corpus_no_ticket_carries_a_word_from_outside_its_organization(world):
    for raw in CORPUS:
        _ingest(raw)
    b_tickets = Ticket.objects.filter(organization=world.orgs["beta"])
    beta_emails = {
        e.lower()
        for e in get_user_model()
        .objects.filter(membership__organization=world.orgs["beta"])
        .values_list("email", flat=True)
    }
    for message in Message.objects.filter(ticket__in=b_tickets).exclude(direction="note"):
        assert message.author.membership.organization == world.orgs["beta"]
        assert message.author_email.lower() in beta_emails
        if message.inbound_email_id:
            assert message.inbound_email.from_address.lower() in beta_emails
    for message in Message.objects.select_related("ticket", "author__membership"):
        from_email = message.inbound_email_id is not None or message.channel == "email"
        if from_email:
            assert message.direction != "out"  # no case here has staff replies by e-mail on
        if message.direction == "in":
            membership = message.author.membership
            assert membership.organization_id == message.ticket.organization_id


def test_a_message_nested_1000_deep_never_raises(world):
    """Deeper than the parser's recursion limit: kept, and either opened or quarantined as
    unreadable (the rules allow both), never an exception nor another ticket touched."""
    content_type, body = nested_multipart(1000, b"Bem no fundo.\r\n")
    raw = mail(CLIENTE, NEW_SUBJECT, f"Content-Type: {content_type}", body=body)
    before = _before()

    record, created = _ingest(raw)

    record.refresh_from_db()
    assert created and bytes(record.raw) == raw
    assert (record.status, record.hold_reason) in {("processed", ""), ("quarantined", "unreadable")}
    _assert_nothing_else_touched(record, before)
