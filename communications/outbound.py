"""Outbound e-mail: recorded once, sent by a background task after the commit, retried."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

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


def emails_thread_under(*, ticket, message_id: str) -> int:
    """Thread a new ticket's unsent notices under the customer's e-mail that opened it.

    The notices are recorded while the ticket is created, before that e-mail is linked to
    it, so `thread_root` could not find it yet; this runs once it is linked.
    """
    if not message_id or message_id.endswith("@missing-message-id>"):
        return 0  # a digest we made up: nobody's mail client knows it
    return OutboundEmail.objects.filter(ticket=ticket, status=OutboundEmail.Status.PENDING).update(
        in_reply_to=message_id, references=message_id
    )


@dataclass(frozen=True)
class Draft:
    """One e-mail to record: `key` makes it once-only; `not_before` holds it until then (an
    analyst's notice outside their working hours)."""

    key: str
    to: str
    subject: str
    template: str
    context: dict
    language: str | None = None
    auto_submitted: bool = False
    not_before: datetime | None = None


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
    not_before: datetime | None = None,
) -> OutboundEmail | None:
    """Record an e-mail once (by `key`) and send it after the commit, in the background."""
    draft = Draft(key, to, subject, template, context, language, auto_submitted, not_before)
    recorded = emails_queue([draft], ticket=ticket)
    return recorded[0] if recorded else None


def emails_queue(drafts, *, ticket=None, thread: str | None = None) -> list[OutboundEmail]:
    """Record e-mails once each (by key) and send them after the commit, in the background:
    the notices of one event in a fixed number of queries and one task, however many
    analysts they go to. Returns the e-mails this call recorded (a key already on record is
    skipped: the event was announced before).

    `thread` is the Message-ID the e-mails answer when the caller knows it (a ticket opened
    a moment ago has none yet); else it is looked up once for the ticket. The worker is
    asked to send a held e-mail at its hour, and `send_due_emails` sends it if it cannot.
    """
    drafts = [draft for draft in drafts if draft.to]
    if not drafts:
        return []
    root = thread if thread is not None else (thread_root(ticket) if ticket is not None else "")
    rendered: dict = {}
    rows = [_row(draft, ticket=ticket, root=root, rendered=rendered) for draft in drafts]
    OutboundEmail.objects.bulk_create(rows, ignore_conflicts=True)
    # ours are the rows with our Message-IDs: a key recorded before (or by a concurrent
    # sender) kept its own
    mine = {row.message_id for row in rows}
    recorded = list(
        OutboundEmail.objects.filter(key__in=[row.key for row in rows], message_id__in=mine)
    )
    batches: dict[datetime | None, list[int]] = {}
    for email in recorded:
        batches.setdefault(email.next_attempt_at, []).append(email.pk)
    for at, ids in batches.items():
        _schedule_batch(ids, at)
    return recorded


def _row(draft: Draft, *, ticket, root: str, rendered: dict) -> OutboundEmail:
    """The unsaved e-mail; drafts sharing a template, language and context render once."""
    language = draft.language or settings.LANGUAGE_CODE
    cache_key = (draft.template, language, id(draft.context))
    if cache_key not in rendered:
        with translation.override(language):
            rendered[cache_key] = (
                render_to_string(f"communications/email/{draft.template}.txt", draft.context),
                render_to_string(f"communications/email/{draft.template}.html", draft.context),
            )
    text, html = rendered[cache_key]
    return OutboundEmail(
        key=draft.key[:200],
        ticket=ticket,
        to=draft.to,
        subject=str(draft.subject)[:998],
        body_text=text,
        body_html=html,
        message_id=make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN),
        in_reply_to=root,
        references=root,
        auto_submitted=draft.auto_submitted,
        next_attempt_at=draft.not_before,
    )


def _schedule_batch(outbound_ids: list[int], at: datetime | None) -> None:
    """One task sends the e-mails of one event due at the same instant (the worker's queue
    grows by one row, not one per analyst); held ones only where the backend can defer (see
    `_schedule_send`)."""
    from communications.tasks import send_outbound_emails

    if at is None:
        transaction.on_commit(lambda: send_outbound_emails.enqueue(outbound_ids))
    elif send_outbound_emails.get_backend().supports_defer:
        task = send_outbound_emails.using(run_after=at)
        transaction.on_commit(lambda: task.enqueue(outbound_ids))


def _enqueue(outbound_id: int, run_after: datetime | None = None) -> None:
    from communications.tasks import send_outbound_email

    task = send_outbound_email.using(run_after=run_after) if run_after else send_outbound_email
    task.enqueue(outbound_id)


def _schedule_send(outbound_id: int, at: datetime) -> None:
    """Queue a send (a retry, or a held notice) for `at` when the task backend can defer;
    else send_due_emails will.

    The immediate backend refuses `run_after`; the row's `next_attempt_at` is then the only
    schedule, and the periodic job sends what is due (it is also the safety net for a
    worker that lost the task).
    """
    from communications.tasks import send_outbound_email

    if send_outbound_email.get_backend().supports_defer:
        transaction.on_commit(lambda: _enqueue(outbound_id, run_after=at))


# A pending e-mail this old lost its task (a worker restarted); the periodic job sends it.
LOST_TASK_AFTER = timedelta(minutes=10)


def emails_send_due(*, now: datetime, limit: int = 200) -> int:
    """Send the failed e-mails whose retry is due, pending ones whose task was lost, and held
    ones whose time came."""
    pending = Q(status=OutboundEmail.Status.PENDING)
    due = (
        OutboundEmail.objects.filter(
            Q(status=OutboundEmail.Status.FAILED, next_attempt_at__lte=now)
            | pending & Q(next_attempt_at__isnull=True, created_at__lte=now - LOST_TASK_AFTER)
            | pending & Q(next_attempt_at__lte=now)
        )
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(email_send(pk, now=now) for pk in list(due))


def email_claim(outbound_id: int, *, due_by: datetime | None = None) -> bool:
    """Take a pending or failed e-mail for sending; only one caller ever wins a claim.

    A conditional UPDATE, not a row lock: select_for_update is a no-op on SQLite, and a
    lock held while the SMTP server answers would only delay a second sender, not stop it.
    With `due_by`, only an e-mail whose next attempt is due by then (a held notice waits for
    its hour, a failed one for its backoff, whoever asks).
    """
    claimable = OutboundEmail.objects.filter(pk=outbound_id, status__in=OutboundEmail.CLAIMABLE)
    if due_by is not None:
        claimable = claimable.filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=due_by)
        )
    claimed = claimable.update(status=OutboundEmail.Status.SENDING, attempts=F("attempts") + 1)
    return claimed == 1


def email_send(outbound_id: int, *, now: datetime, force: bool = False) -> bool:
    """Send a recorded e-mail unless it already went (or is going); retry later on failure.

    The row is claimed ("sending") before the SMTP server is contacted, so a send-now and a
    retry running at once cannot both send: the customer never gets the same e-mail twice.
    Only an analyst's "send now" (`force`) sends before the e-mail's next attempt is due.
    """
    if not email_claim(outbound_id, due_by=None if force else now):
        return False
    outbound = OutboundEmail.objects.get(pk=outbound_id)
    try:
        _message(outbound).send()
    except Exception as error:
        retry_at = None
        if outbound.attempts < settings.EMAIL_MAX_ATTEMPTS:
            retry_at = now + timedelta(minutes=2**outbound.attempts)  # 2, 4, 8, 16 minutes
        OutboundEmail.objects.filter(pk=outbound.pk, status=OutboundEmail.Status.SENDING).update(
            status=OutboundEmail.Status.FAILED,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            next_attempt_at=retry_at,
        )
        if retry_at is not None:
            _schedule_send(outbound.pk, retry_at)
        return False
    OutboundEmail.objects.filter(pk=outbound.pk, status=OutboundEmail.Status.SENDING).update(
        status=OutboundEmail.Status.SENT, sent_at=now, last_error="", next_attempt_at=None
    )
    return True


def emails_release(outbound_ids) -> int:
    """Let e-mails stuck in "sending" (the sender died mid-send) be sent again.

    Never automatic: the SMTP server may have taken the message before the sender died, so
    an analyst checks first; a released e-mail is sent by the next retry or "send now".
    """
    return OutboundEmail.objects.filter(
        pk__in=outbound_ids, status=OutboundEmail.Status.SENDING
    ).update(
        status=OutboundEmail.Status.FAILED,
        last_error=gettext("Released by an analyst after an interrupted send."),
    )


def _message(outbound: OutboundEmail) -> EmailMultiAlternatives:
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
    return message
