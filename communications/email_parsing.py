"""Reading raw e-mail defensively: nothing here raises on a malformed message except
`UnusableEmail`, for a message without a sender we could ever answer or match.

Pure Python (standard `email` package, nh3, mail-parser-reply); no ORM.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import hashlib
import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

import nh3
from mailparser_reply import EmailReplyParser
from mailparser_reply.constants import MAIL_LANGUAGES, QUOTED_MATCH_INCLUDE

REFERENCE_RE = re.compile(r"\bHD-\d{4}-\d{6}\b")
ADDRESS_RE = re.compile(r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\"]+")
MESSAGE_ID_RE = re.compile(r"<[^<>\s]+>")
AUTOMATIC_SENDERS = re.compile(r"^(mailer-daemon|postmaster|no-?reply|bounces?)[@+]", re.I)
# Tags and attributes kept when HTML is shown; everything else (scripts, handlers, styles
# that hide things, remote loads other than links) is dropped by nh3 (ammonia).
SAFE_TAGS = {
    "a", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "hr", "i",
    "li", "ol", "p", "pre", "span", "strong", "table", "tbody", "td", "th", "thead", "tr",
    "u", "ul",
}  # fmt: skip

# mail-parser-reply knows no Portuguese, and its Spanish "escribió" header wants two spaces;
# both are data in its language table, so we add ours there once.
MAIL_LANGUAGES.setdefault(
    "pt",
    {
        "wrote_header": r"^(" + QUOTED_MATCH_INCLUDE + r"Em\s.+?escreveu:)$",
        "from_header": r"((?:(?:^|\n|\n"
        + QUOTED_MATCH_INCLUDE
        + r")[* ]*(?:De|Enviado|Enviada|Para|Assunto|Data|Cc):[ *]*(?:\s{,2}).*){2,}(?:\n.*){,1})",
        "disclaimers": ["Aviso:", "Confidencial:", "Esta mensagem"],
        "signatures": ["Atenciosamente", "Att,", "Abraços", "Cordialmente"],
        "sent_from": r"Enviado do meu.*|Enviado de meu.*|Enviado do Outlook.*",
    },
)
MAIL_LANGUAGES.setdefault(
    "es-helpdesk",
    {**MAIL_LANGUAGES["es"], "wrote_header": r"^(" + QUOTED_MATCH_INCLUDE + r"El\s.+?escribió:)$"},
)
REPLY_LANGUAGES = ["pt", "es-helpdesk", "en"]
# Clients wrap a long "On ..., X <x@y> wrote:" line in two; rejoin it so it is recognised.
WRAPPED_ATTRIBUTION = re.compile(
    r"^((?:Em|On|El)\s[^\n]+)\n([^\n]*(?:escreveu|wrote|escribió):)[ \t]*$", re.M
)


class UnusableEmail(ValueError):
    """The message has no sender we could match or answer."""


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    data: bytes
    content_id: str = ""


@dataclass
class ParsedEmail:
    message_id: str
    from_address: str
    from_name: str
    subject: str
    text: str
    html: str
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    received_at: datetime | None = None
    automatic: bool = False
    attachments: list[ParsedAttachment] = field(default_factory=list)

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this one answers, nearest first."""
        return self.in_reply_to + list(reversed(self.references))

    @property
    def ticket_reference(self) -> str | None:
        found = REFERENCE_RE.search(self.subject)
        return found.group(0) if found else None


def message_id_of(raw: bytes) -> str:
    """The Message-ID header, or a digest of the bytes when it is missing or unusable."""
    try:
        value = _header(email.message_from_bytes(raw, policy=email.policy.compat32), "Message-ID")
    except Exception:
        value = ""
    found = MESSAGE_ID_RE.search(value or "")
    if found and len(found.group(0)) <= 998:
        return found.group(0)
    return f"<sha256-{hashlib.sha256(raw).hexdigest()}@missing-message-id>"


def parse(raw: bytes) -> ParsedEmail:
    """Everything we use of a message; raises `UnusableEmail` only without a sender."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    from_name, from_address = _sender(message)
    if not from_address:
        raise UnusableEmail("no usable From address")
    text, html_body, attachments = _bodies(message)
    return ParsedEmail(
        message_id=message_id_of(raw),
        from_address=from_address,
        from_name=from_name,
        subject=_header(message, "Subject")[:998],
        text=text,
        html=html_body,
        in_reply_to=MESSAGE_ID_RE.findall(_header(message, "In-Reply-To")),
        references=MESSAGE_ID_RE.findall(_header(message, "References")),
        received_at=_received_at(message),
        automatic=_is_automatic(message, from_address),
        attachments=attachments,
    )


def visible_text(text: str) -> str:
    """The new part of a reply: quoted history and signatures removed (pt, es, en)."""
    if not text.strip():
        return ""
    text = WRAPPED_ATTRIBUTION.sub(r"\1 \2", text.replace("\r\n", "\n"))
    try:
        replies = EmailReplyParser(languages=REPLY_LANGUAGES).read(text).replies
    except Exception:
        return text.strip()
    latest = replies[0].body.strip() if replies else ""
    return latest or text.strip()


def sanitise_html(value: str) -> str:
    """HTML safe to render: no scripts, handlers or foreign elements (nh3 / ammonia)."""
    return nh3.clean(value, tags=SAFE_TAGS, attributes={"a": {"href"}, "td": {"colspan"}})


def html_to_text(value: str) -> str:
    """A readable plain text of an HTML-only message."""
    spaced = re.sub(r"(?i)<\s*(br|/p|/div|/tr|/li|/h\d)\s*/?>", "\n", value)
    return html.unescape(nh3.clean(spaced, tags=set())).strip()


# -- helpers ----------------------------------------------------------------------------------


def _header(message: Message, name: str) -> str:
    """A header decoded to text (encoded words, odd charsets); empty when absent or broken."""
    # The raw value: compat32's own accessors turn 8-bit bytes into "unknown-8bit" garbage.
    raw = next((v for k, v in message.raw_items() if k.lower() == name.lower()), None)
    if raw is None:
        return ""
    raw = _unescape_8bit(str(raw))
    try:
        value = _decode_words(raw)
    except Exception:  # undecodable words: keep what the bytes say
        value = raw
    return re.sub(r"\s+", " ", value.replace("\x00", "")).strip()


def _decode_words(raw: str) -> str:
    """Decode RFC 2047 words, joining runs of one charset first: long subjects split a
    multi-byte character across two words, and decoding each alone would break it."""
    runs: list[tuple[bytes, str | None]] = []
    for data, charset in decode_header(raw):
        chunk = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
        if runs and runs[-1][1] == charset:
            runs[-1] = (runs[-1][0] + chunk, charset)
        else:
            runs.append((chunk, charset))
    return "".join(_decode(chunk, charset) for chunk, charset in runs)


def _unescape_8bit(text: str) -> str:
    """Raw 8-bit header bytes (against the RFC, common in practice) decoded as text."""
    if not any("\udc80" <= char <= "\udcff" for char in text):
        return text
    return _decode(text.encode("utf-8", "surrogateescape"), None)


def _sender(message: Message) -> tuple[str, str]:
    for name in ("From", "Sender", "Return-Path"):
        value = _header(message, name)
        if not value:
            continue
        try:
            addresses = getaddresses([value])
        except Exception:
            continue
        for display, address in addresses:
            address = address.strip().lower()
            if re.fullmatch(
                r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\"]+", address
            ):
                return display.strip(), address
    return "", ""


def _is_automatic(message: Message, from_address: str) -> bool:
    """Auto-replies, bulk mail and bounces: never open tickets nor get answers (no loops)."""
    auto_submitted = _header(message, "Auto-Submitted").lower()
    precedence = _header(message, "Precedence").lower()
    content_type = _header(message, "Content-Type").lower()
    return bool(
        (auto_submitted and auto_submitted != "no")
        or precedence in {"bulk", "junk", "list", "auto_reply"}
        or message.get("X-Autoreply")
        or message.get("X-Autorespond")
        or message.get("List-Id")
        or "report-type=delivery-status" in content_type.replace(" ", "").replace('"', "")
        or AUTOMATIC_SENDERS.match(from_address)
        or _looks_like_out_of_office(message)
    )


def _looks_like_out_of_office(message: Message) -> bool:
    subject = _header(message, "Subject").lower()
    return subject.startswith(
        (
            "resposta automática",
            "respuesta automática",
            "automatic reply",
            "auto-reply",
            "autoreply",
            "out of office",
            "fora do escritório",
            "ausente:",
        )
    )


def _received_at(message: Message) -> datetime | None:
    """When our server got it: the date of the topmost Received header (ours)."""
    received = message.get_all("Received") or []
    if not received:
        return None
    stamp = str(received[0]).rsplit(";", 1)[-1].strip()
    try:
        moment = parsedate_to_datetime(stamp)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _decode(payload: bytes, charset: str | None) -> str:
    """Bytes to text: the declared charset if it fits, then UTF-8, then Windows-1252."""
    for candidate in (charset, "utf-8", "cp1252"):
        if not candidate:
            continue
        try:
            return payload.decode(candidate).replace("\x00", "")
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("latin-1").replace("\x00", "")


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name:
        with contextlib.suppress(Exception):  # undecodable words: keep the name as it is
            name = _decode_words(_unescape_8bit(name))
    return (name or "").replace("\x00", "").strip()[:255]


def _bodies(message: Message) -> tuple[str, str, list[ParsedAttachment]]:
    texts: list[str] = []
    htmls: list[str] = []
    attachments: list[ParsedAttachment] = []
    for part in message.walk():
        if part.is_multipart() and part.get_content_type() != "message/rfc822":
            continue
        content_type = part.get_content_type()
        filename = _filename(part)
        disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
        if content_type == "message/rfc822":
            payload = part.get_payload()
            data = (
                payload[0].as_bytes()
                if isinstance(payload, list) and payload
                else str(payload).encode()
            )
            attachments.append(
                ParsedAttachment(filename or "forwarded-message.eml", content_type, data)
            )
            continue
        try:
            data = part.get_payload(decode=True) or b""
        except Exception:
            data = str(part.get_payload()).encode("utf-8", "replace")
        if content_type.startswith("multipart/"):  # declared multipart, but no boundary
            content_type = "text/plain"
        is_body = content_type in {"text/plain", "text/html"} and not filename
        if is_body and disposition != "attachment":
            decoded = _decode(data, part.get_content_charset())
            (texts if content_type == "text/plain" else htmls).append(decoded)
            continue
        if not data and not filename:
            continue
        content_id = (part.get("Content-ID") or "").strip().strip("<>")[:255]
        extension = content_type.split("/")[-1][:10]
        attachments.append(
            ParsedAttachment(
                filename or f"attachment-{len(attachments) + 1}.{extension}",
                content_type,
                data,
                content_id,
            )
        )
    html_body = "\n".join(htmls)
    text = "\n\n".join(t.strip() for t in texts if t.strip())
    if not text and html_body:
        text = html_to_text(html_body)
    return text, html_body, attachments
