"""Outbound e-mail: recorded once, sent by a background task after the commit, retried."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from communications.models import InboundEmail, OutboundEmail


def thread_root(ticket) -> str:
    """The Message-ID a ticket's e-mails answer: the customer's first e-mail, or our first."""
    first_inbound = (
        InboundEmail.objects.filter(ticket=ticket, status=InboundEmail.Status.PROCESSED)
        .order_by("received_at")
        .values_list("message_id", flat=True)
        .first()
    )
    if first_inbound:
        return first_inbound
    return (
        OutboundEmail.objects.filter(ticket=ticket)
        .order_by("created_at", "id")
        .values_list("message_id", flat=True)
        .first()
        or ""
    )


def email_queue(
    *,
    key: str,
    to: str,
    subject: str,
    template: str,
    context: dict,
    ticket=None,
    language: str | None = None,
    auto_submitted: bool = False,
) -> OutboundEmail | None:
    """Record an e-mail once (by `key`) and send it after the commit, in the background."""
    if not to:
        return None
    with translation.override(language or settings.LANGUAGE_CODE):
        text = render_to_string(f"communications/email/{template}.txt", context)
        html = render_to_string(f"communications/email/{template}.html", context)
        subject = str(subject)
    root = thread_root(ticket) if ticket is not None else ""
    outbound, created = OutboundEmail.objects.get_or_create(
        key=key[:200],
        defaults={
            "ticket": ticket,
            "to": to,
            "subject": subject[:998],
            "body_text": text,
            "body_html": html,
            "message_id": make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN),
            "in_reply_to": root,
            "references": root,
            "auto_submitted": auto_submitted,
        },
    )
    if created:
        transaction.on_commit(lambda: _enqueue(outbound.pk))
    return outbound


def _enqueue(outbound_id: int, run_after: datetime | None = None) -> None:
    from communications.tasks import send_outbound_email

    task = send_outbound_email.using(run_after=run_after) if run_after else send_outbound_email
    task.enqueue(outbound_id)


def email_send(outbound_id: int, *, now: datetime) -> bool:
    """Send a recorded e-mail unless it already went; on failure, retry later with backoff.

    The row stays locked while the SMTP server answers, so a duplicate task waits and then
    finds it sent: the customer never gets the same e-mail twice.
    """
    with transaction.atomic():
        outbound = OutboundEmail.objects.select_for_update().filter(pk=outbound_id).first()
        if outbound is None or outbound.status == OutboundEmail.Status.SENT:
            return False
        headers = {"Message-ID": outbound.message_id}
        if outbound.in_reply_to:
            headers |= {"In-Reply-To": outbound.in_reply_to, "References": outbound.references}
        headers["Auto-Submitted"] = "auto-replied" if outbound.auto_submitted else "auto-generated"
        message = EmailMultiAlternatives(
            subject=outbound.subject,
            body=outbound.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[outbound.to],
            headers=headers,
        )
        if outbound.body_html:
            message.attach_alternative(outbound.body_html, "text/html")
        outbound.attempts += 1
        try:
            message.send()
        except Exception as error:
            outbound.status = OutboundEmail.Status.FAILED
            outbound.last_error = f"{type(error).__name__}: {error}"[:2000]
            outbound.save(update_fields=["status", "attempts", "last_error"])
            if outbound.attempts < settings.EMAIL_MAX_ATTEMPTS:
                delay = timedelta(minutes=2**outbound.attempts)
                transaction.on_commit(lambda: _enqueue(outbound.pk, run_after=now + delay))
            return False
        outbound.status = OutboundEmail.Status.SENT
        outbound.sent_at = now
        outbound.last_error = ""
        outbound.save(update_fields=["status", "attempts", "last_error", "sent_at"])
        return True
