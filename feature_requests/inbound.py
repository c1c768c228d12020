"""Feature requests sent by e-mail to the configured address (FEATURE_REQUESTS_EMAIL).

`communications.inbound` stores every message first and asks here whether it is addressed
to the feature-request mailbox; if so, the known sender's message becomes a proposal.
"""

from __future__ import annotations

import email
import email.policy
from datetime import datetime
from email.utils import getaddresses

from django.conf import settings
from django.utils.translation import gettext as _

from feature_requests import services
from feature_requests.models import FeatureRequest

RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")


def is_addressed_to_feature_requests(raw: bytes) -> bool:
    """Whether the message names the feature-request address among its recipients."""
    address = (settings.FEATURE_REQUESTS_EMAIL or "").strip().lower()
    if not address:
        return False
    try:
        headers = email.message_from_bytes(raw, policy=email.policy.compat32)
        values = [str(value) for name in RECIPIENT_HEADERS for value in headers.get_all(name, [])]
    except Exception:  # an unreadable header is simply not ours; the ticket path decides
        return False
    return any(found.lower() == address for _name, found in getaddresses(values))


def email_propose(record, parsed, *, user, now: datetime) -> FeatureRequest | None:
    """Turn a known sender's e-mail into a request; an unknown sender's waits for an analyst.

    Sets the inbound record's status as `communications.inbound` expects.
    """
    from communications.models import InboundEmail

    if user is None or not (user.is_staff or getattr(user, "membership", None)):
        record.status = InboundEmail.Status.HELD
        record.hold_reason = InboundEmail.HoldReason.UNKNOWN_SENDER
        record.error = _("Feature request from an unknown sender: held for an analyst.")
        return None
    existing = FeatureRequest.objects.filter(inbound_email=record).first()
    if existing is not None:  # re-processed from the quarantine: nothing twice
        record.status = InboundEmail.Status.PROCESSED
        return existing
    feature_request = services.feature_request_create(
        author=user,
        title=(parsed.subject or _("(no subject)"))[:200],
        description=parsed.text or _("(empty message)"),
        now=now,
        channel=FeatureRequest.Channel.EMAIL,
        inbound_email=record,
    )
    record.status = InboundEmail.Status.PROCESSED
    return feature_request
