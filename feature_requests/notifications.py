"""Notices of approval, decline and shipping: one per subscriber, e-mailed once, after commit.

A status change writes one `Notice` per subscriber in the same transaction (the unique
constraint makes a second approval or a retried task add nothing); after the commit,
background tasks send the e-mails in batches over one SMTP connection, each notice under a
row lock so it goes at most once, and a failure is retried later with backoff.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core import mail, signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from feature_requests.models import FeatureRequest, Notice, NotificationPreference, Subscription

BATCH_SIZE = 50
NOTIFYING_STATUSES = {
    FeatureRequest.Status.APPROVED: Notice.Event.APPROVED,
    FeatureRequest.Status.DECLINED: Notice.Event.DECLINED,
    FeatureRequest.Status.SHIPPED: Notice.Event.SHIPPED,
}
UNSUBSCRIBE_SALT = "feature_requests.unsubscribe"
ALL = "all"


# -- one-click unsubscribe ----------------------------------------------------------------------


def unsubscribe_token(*, user_id: int, scope: int | str) -> str:
    """A signed token naming a user and a request (or ALL): no login needed to use it."""
    return signing.dumps({"u": user_id, "s": scope}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[int, int | str] | None:
    """(user id, request id or ALL) of a valid token, else None."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    scope = data.get("s")
    if scope != ALL and not isinstance(scope, int):
        return None
    return data["u"], scope


def _absolute(path: str) -> str:
    return settings.PORTAL_URL.rstrip("/") + path


def unsubscribe_url(*, user_id: int, scope: int | str) -> str:
    token = unsubscribe_token(user_id=user_id, scope=scope)
    return _absolute(reverse("feature_requests:unsubscribe", args=[token]))


# -- creating the notices -----------------------------------------------------------------------


def status_changed(feature_request: FeatureRequest, *, now: datetime) -> int:
    """Write a notice for each subscriber of a notifying status; e-mail them after commit."""
    event = NOTIFYING_STATUSES.get(feature_request.status)
    if event is None:
        return 0
    subscriber_ids = Subscription.objects.filter(feature_request=feature_request).values_list(
        "user_id", flat=True
    )
    Notice.objects.bulk_create(
        [
            Notice(
                feature_request=feature_request,
                recipient_id=user_id,
                event=event,
                reason=feature_request.status_reason,
                created_at=now,
            )
            for user_id in subscriber_ids
        ],
        batch_size=500,
        ignore_conflicts=True,  # told once already: the unique constraint keeps the first
    )
    pending = list(
        Notice.objects.filter(
            feature_request=feature_request, event=event, email_status=Notice.EmailStatus.PENDING
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    batches = [pending[i : i + BATCH_SIZE] for i in range(0, len(pending), BATCH_SIZE)]
    for batch in batches:
        transaction.on_commit(lambda batch=batch: _enqueue(batch))
    return len(pending)


def _enqueue(notice_ids: list[int], run_after: datetime | None = None) -> None:
    from feature_requests.tasks import send_notices

    task = send_notices.using(run_after=run_after) if run_after else send_notices
    task.enqueue(notice_ids)


# -- sending ------------------------------------------------------------------------------------


def _language(user) -> str:
    membership = getattr(user, "membership", None)
    return getattr(membership, "language", "") or settings.LANGUAGE_CODE


def _subject(notice: Notice) -> str:
    title = notice.feature_request.title
    if notice.event == Notice.Event.APPROVED:
        return _("Feature request approved: %(title)s") % {"title": title}
    if notice.event == Notice.Event.SHIPPED:
        return _("Feature request shipped: %(title)s") % {"title": title}
    return _("Feature request declined: %(title)s") % {"title": title}


def notice_email(notice: Notice) -> EmailMultiAlternatives:
    """The e-mail of a notice, in the recipient's language, with one-click unsubscribe."""
    recipient = notice.recipient
    request_url = _absolute(notice.feature_request.get_absolute_url())
    this_request = unsubscribe_url(user_id=recipient.pk, scope=notice.feature_request_id)
    everything = unsubscribe_url(user_id=recipient.pk, scope=ALL)
    context = {
        "notice": notice,
        "feature_request": notice.feature_request,
        "recipient": recipient,
        "request_url": request_url,
        "unsubscribe_request_url": this_request,
        "unsubscribe_all_url": everything,
    }
    with translation.override(_language(recipient)):
        subject = _subject(notice)
        text = render_to_string("feature_requests/email/notice.txt", context)
        html = render_to_string("feature_requests/email/notice.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={
            "Message-ID": notice.message_id,
            "Auto-Submitted": "auto-generated",
            "List-Unsubscribe": f"<{this_request}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"<feature-requests.{settings.EMAIL_MESSAGE_ID_DOMAIN}>",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _opted_out(notice: Notice) -> bool:
    if not notice.recipient.email or not notice.recipient.is_active:
        return True
    if NotificationPreference.objects.filter(user=notice.recipient, email_opt_out=True).exists():
        return True
    # Unfollowed after the notice was written (e.g. from the link of an earlier e-mail).
    return not Subscription.objects.filter(
        feature_request_id=notice.feature_request_id, user=notice.recipient
    ).exists()


def notices_send(notice_ids: list[int], *, now: datetime) -> int:
    """Send the e-mail of each notice unless it went already; returns how many went now.

    Each notice is locked while the SMTP server answers, so a duplicate task waits and then
    finds it sent. Failures are retried later, each notice on its own, with backoff.
    """
    sent = 0
    retry: list[int] = []
    mailer = mail.mailers.default
    with contextlib.suppress(Exception):  # each send below retries and records the error
        mailer.open()  # one connection for the batch
    try:
        for notice_id in notice_ids:
            outcome = _send_one(notice_id, mailer=mailer, now=now)
            sent += outcome == Notice.EmailStatus.SENT
            if outcome == "retry":
                retry.append(notice_id)
    finally:
        mailer.close()
    for notice_id in retry:
        retry_at = Notice.objects.filter(pk=notice_id).values_list("next_attempt_at", flat=True)
        _schedule_retry(notice_id, retry_at.first() or now)
    return sent


def _schedule_retry(notice_id: int, at: datetime) -> None:
    """Queue a retry for `at` when the task backend can defer; else send_due_emails will.

    The immediate backend refuses `run_after`: the notice's `next_attempt_at` is then the
    only schedule, kept by the periodic job (also the safety net for a lost task).
    """
    from feature_requests.tasks import send_notices

    if send_notices.get_backend().supports_defer:
        _enqueue([notice_id], run_after=at)


# A pending notice this old lost its task (a worker restarted); the periodic job sends it.
LOST_TASK_AFTER = timedelta(minutes=10)


def notices_send_due(*, now: datetime, limit: int = 200) -> int:
    """E-mail the failed notices whose retry is due, and pending ones whose task was lost."""
    due = (
        Notice.objects.filter(
            Q(email_status=Notice.EmailStatus.FAILED, next_attempt_at__lte=now)
            | Q(email_status=Notice.EmailStatus.PENDING, created_at__lte=now - LOST_TASK_AFTER)
        )
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return notices_send(list(due), now=now)


def _send_one(notice_id: int, *, mailer, now: datetime) -> str:
    with transaction.atomic():
        notice = (
            Notice.objects.select_for_update(of=("self",))
            .select_related("recipient__membership", "feature_request")
            .filter(pk=notice_id)
            .first()
        )
        if notice is None or notice.email_status in (
            Notice.EmailStatus.SENT,
            Notice.EmailStatus.SKIPPED,
        ):
            return "done"
        if _opted_out(notice):
            notice.email_status = Notice.EmailStatus.SKIPPED
            notice.save(update_fields=["email_status"])
            return Notice.EmailStatus.SKIPPED
        if not notice.message_id:
            notice.message_id = make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN)
        notice.attempts += 1
        try:
            mailer.send_messages([notice_email(notice)])
        except Exception as error:
            mailer.close()  # the next notice starts on a fresh connection
            notice.email_status = Notice.EmailStatus.FAILED
            notice.last_error = f"{type(error).__name__}: {error}"[:2000]
            retrying = notice.attempts < settings.EMAIL_MAX_ATTEMPTS
            # Backoff: 2, 4, 8, 16 minutes; None once given up (visible in the admin).
            notice.next_attempt_at = (
                now + timedelta(minutes=2**notice.attempts) if retrying else None
            )
            notice.save(
                update_fields=[
                    "email_status",
                    "attempts",
                    "last_error",
                    "message_id",
                    "next_attempt_at",
                ]
            )
            return "retry" if retrying else "failed"
        notice.email_status = Notice.EmailStatus.SENT
        notice.emailed_at = now
        notice.last_error = ""
        notice.next_attempt_at = None
        notice.save(
            update_fields=[
                "email_status",
                "attempts",
                "last_error",
                "message_id",
                "emailed_at",
                "next_attempt_at",
            ]
        )
        return Notice.EmailStatus.SENT
