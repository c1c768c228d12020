"""Approval, decline and shipping notices through a real SMTP server on loopback."""

import email
import email.policy
import re
from datetime import timedelta

import pytest
from django.test import Client

from feature_requests import notifications, services
from feature_requests.models import FeatureRequest, Notice, Subscription
from tests import factories
from tests.communications.conftest import NOW, smtp_server  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
Status = FeatureRequest.Status


def received(inbox, to: str | None = None):
    return [
        email.message_from_bytes(envelope.content, policy=email.policy.default)
        for envelope in inbox.envelopes
        if to is None or to in envelope.rcpt_tos
    ]


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def world(db):
    acme = factories.make_organization(name="Acme")
    author = factories.make_customer(organization=acme, email="autora@acme.example.com")
    voter = factories.make_customer(email="votante@outra.example.com")
    follower = factories.make_customer(email="seguidor@outra.example.com")
    quiet = factories.make_customer(email="quieto@outra.example.com")
    analyst = factories.make_analyst(email="ana@helpdesk.test")
    fr = factories.make_feature_request(author=author, title="Exportar conversas em CSV")
    services.feature_request_vote(feature_request=fr, user=voter, now=NOW)
    services.feature_request_subscribe(feature_request=fr, user=follower, now=NOW)
    services.feature_request_vote(feature_request=fr, user=quiet, now=NOW)
    services.notification_preference_set(user=quiet, email_opt_out=True, now=NOW)
    return {
        "fr": fr,
        "author": author,
        "voter": voter,
        "follower": follower,
        "quiet": quiet,
        "analyst": analyst,
    }


def approve(world, callbacks, *, reason="Entra no plano do próximo semestre."):
    with callbacks(execute=True):
        return services.feature_request_change_status(
            feature_request=world["fr"],
            to_status=Status.APPROVED,
            reason=reason,
            actor=world["analyst"],
            now=NOW,
        )


def send_all(now=NOW) -> int:
    ids = list(Notice.objects.order_by("pk").values_list("pk", flat=True))
    return notifications.notices_send(ids, now=now)


def test_approval_reaches_every_subscriber_once_through_smtp(
    smtp_server,  # noqa: F811
    world,
    django_capture_on_commit_callbacks,
):
    from django_tasks_db.models import DBTaskResult

    approve(world, django_capture_on_commit_callbacks)
    assert DBTaskResult.objects.filter(task_path__endswith="send_notices").count() == 1  # a batch
    assert send_all() == 3
    approve(world, django_capture_on_commit_callbacks)  # saved twice
    assert send_all() == 0  # the task retried: nothing goes twice
    recipients = sorted(rcpt for envelope in smtp_server.envelopes for rcpt in envelope.rcpt_tos)
    assert recipients == [
        "autora@acme.example.com",
        "seguidor@outra.example.com",
        "votante@outra.example.com",
    ]
    (notice,) = received(smtp_server, "votante@outra.example.com")
    assert "Exportar conversas em CSV" in notice["Subject"]
    text = body(notice)
    assert "Entra no plano do próximo semestre." in text
    assert notice["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert notice["List-Unsubscribe"].startswith("<http")
    assert notice["Auto-Submitted"] == "auto-generated"
    assert notice.get_body(preferencelist=("html",)) is not None
    quiet = Notice.objects.get(recipient=world["quiet"])
    assert quiet.email_status == Notice.EmailStatus.SKIPPED  # opted out: in the portal only


def test_notices_speak_the_recipients_language(
    smtp_server,  # noqa: F811
    world,
    django_capture_on_commit_callbacks,
):
    from django.utils import translation
    from django.utils.translation import gettext

    membership = world["voter"].membership
    membership.language = "es"
    membership.save()
    approve(world, django_capture_on_commit_callbacks)
    send_all()
    (notice,) = received(smtp_server, "votante@outra.example.com")
    with translation.override("es"):
        expected = gettext("Feature request approved: %(title)s") % {"title": world["fr"].title}
    assert notice["Subject"] == expected


def test_one_click_unsubscribe_from_the_header_stops_the_next_notice(
    smtp_server,  # noqa: F811
    world,
    django_capture_on_commit_callbacks,
):
    approve(world, django_capture_on_commit_callbacks)
    send_all()
    (notice,) = received(smtp_server, "votante@outra.example.com")
    url = notice["List-Unsubscribe"].strip("<>")
    path = re.sub(r"^https?://[^/]+", "", url)
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.get(path).status_code == 200  # a page that asks first
    assert Subscription.objects.filter(user=world["voter"]).exists()
    response = anonymous.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Subscription.objects.filter(user=world["voter"]).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.feature_request_change_status(
            feature_request=world["fr"],
            to_status=Status.SHIPPED,
            reason="Disponível.",
            actor=world["analyst"],
            now=NOW + timedelta(days=30),
        )
    send_all()
    assert len(received(smtp_server, "votante@outra.example.com")) == 1
    shipped = received(smtp_server, "seguidor@outra.example.com")
    assert len(shipped) == 2 and "Disponível." in body(shipped[1])


def test_the_global_unsubscribe_link_opts_out_of_everything(
    smtp_server,  # noqa: F811
    world,
    django_capture_on_commit_callbacks,
):
    approve(world, django_capture_on_commit_callbacks)
    send_all()
    (notice,) = received(smtp_server, "seguidor@outra.example.com")
    links = re.findall(r"https?://\S+/unsubscribe/\S+/", body(notice))
    assert len(links) == 2  # this request, then every request
    path = re.sub(r"^https?://[^/]+", "", links[-1])
    Client().post(path)
    assert world["follower"].feature_request_preference.email_opt_out
    assert Subscription.objects.filter(user=world["follower"]).exists()  # still in the portal


def test_a_tampered_unsubscribe_link_is_404(world):
    token = notifications.unsubscribe_token(user_id=world["voter"].pk, scope=world["fr"].pk)
    assert Client().post(f"/feature-requests/unsubscribe/{token[:-2]}xx/").status_code == 404
    assert Client().get("/feature-requests/unsubscribe/garbage/").status_code == 404


def test_a_failed_send_is_retried_with_backoff_and_never_doubled(
    smtp_server,  # noqa: F811
    settings,
    world,
    django_capture_on_commit_callbacks,
):
    from django_tasks_db.models import DBTaskResult

    approve(world, django_capture_on_commit_callbacks)
    working = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2},  # nobody listens
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert send_all() == 0
    failed = Notice.objects.filter(email_status=Notice.EmailStatus.FAILED)
    assert failed.count() == 3 and all(n.attempts == 1 and n.last_error for n in failed)
    retries = DBTaskResult.objects.filter(
        task_path__endswith="send_notices", run_after=NOW + timedelta(minutes=2)
    )
    assert retries.count() == 3  # each notice retried on its own
    settings.MAILERS = working
    assert send_all() == 3
    assert send_all() == 0
    assert len(smtp_server.envelopes) == 3


def test_notices_are_sent_in_batches(world, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    for _ in range(notifications.BATCH_SIZE):  # 4 subscribers already: two batches in all
        services.feature_request_subscribe(
            feature_request=world["fr"], user=factories.make_customer(), now=NOW
        )
    approve(world, django_capture_on_commit_callbacks)
    batches = DBTaskResult.objects.filter(task_path__endswith="send_notices")
    sizes = sorted(len(batch.args_kwargs["args"][0]) for batch in batches)
    assert sizes == [4, notifications.BATCH_SIZE]


def test_the_unsubscribe_link_of_a_request_merged_later_unsubscribes_from_the_survivor(world):
    voter, fr = world["voter"], world["fr"]
    services.feature_request_vote(feature_request=fr, user=voter, now=NOW)
    path = notifications.unsubscribe_url(user_id=voter.pk, scope=fr.pk)
    path = re.sub(r"^https?://[^/]+", "", path)
    survivor = factories.make_feature_request(title="Exportar tudo", status=Status.APPROVED)
    services.feature_request_merge(duplicate=fr, survivor=survivor, actor=world["analyst"], now=NOW)
    assert Subscription.objects.filter(user=voter, feature_request=survivor).exists()
    response = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Subscription.objects.filter(user=voter).exists()


def test_under_the_immediate_backend_a_failed_notice_waits_for_send_due_emails(
    smtp_server,  # noqa: F811
    settings,
    world,
    django_capture_on_commit_callbacks,
):
    """The immediate backend cannot defer: the retry is kept on the notice and sent when due."""
    import io

    from django.core.management import call_command
    from django.utils import timezone

    from tests.communications.test_email_roundtrip import DEAD_SMTP

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_MAX_ATTEMPTS = 2
    working, settings.MAILERS = settings.MAILERS, DEAD_SMTP
    started = timezone.now()
    approve(world, django_capture_on_commit_callbacks)  # sent at once, and refused
    failed = Notice.objects.filter(email_status=Notice.EmailStatus.FAILED)
    assert failed.count() == 3
    for notice in failed:
        assert (notice.attempts, bool(notice.last_error)) == (1, True)
        assert notice.next_attempt_at >= started + timedelta(minutes=2)
    last = failed.get(recipient=world["voter"])
    assert notifications.notices_send([last.pk], now=NOW) == 0  # its last attempt
    last.refresh_from_db()
    assert (last.email_status, last.attempts, last.next_attempt_at) == ("failed", 2, None)

    settings.MAILERS = working
    out = io.StringIO()
    call_command("send_due_emails", stdout=out)
    assert "notice" not in out.getvalue() and smtp_server.envelopes == []  # not due yet
    Notice.objects.filter(next_attempt_at__isnull=False).update(next_attempt_at=started)
    call_command("send_due_emails", stdout=out)  # two minutes later, say
    assert "2 feature-request notice(s) sent" in out.getvalue()
    assert sorted(rcpt for e in smtp_server.envelopes for rcpt in e.rcpt_tos) == [
        "autora@acme.example.com",
        "seguidor@outra.example.com",
    ]
    sent = Notice.objects.filter(email_status=Notice.EmailStatus.SENT)
    assert sent.count() == 2 and not sent.filter(next_attempt_at__isnull=False).exists()
    last.refresh_from_db()
    assert last.email_status == Notice.EmailStatus.FAILED  # given up: visible in the admin
    call_command("send_due_emails", stdout=io.StringIO())
    assert len(smtp_server.envelopes) == 2
