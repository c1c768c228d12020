"""End to end: a customer votes on the board, an analyst approves, the customer gets the e-mail.

Elements are found by ids, names, actions and classes, never by translated text.
"""

import email
import email.policy

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from feature_requests import notifications
from feature_requests.models import FeatureRequest, Notice, Vote
from tests import factories
from tests.communications.conftest import smtp_server  # noqa: F401 - the loopback SMTP fixture
from tests.e2e.conftest import admin_login, orm, portal_login

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _voted(pk: int, user_id: int) -> bool:
    return Vote.objects.filter(feature_request_id=pk, user_id=user_id).exists()


def _status(pk: int) -> str:
    return FeatureRequest.objects.get(pk=pk).status


def _send_pending() -> int:
    """What the background worker does with the queued batches."""
    pending = list(Notice.objects.values_list("pk", flat=True))
    return notifications.notices_send(pending, now=timezone.now())


def test_customer_votes_analyst_approves_customer_is_emailed(
    new_context,
    live_server,
    smtp_server,  # noqa: F811
):
    base = live_server.url
    author = factories.make_customer(email="autora@acme.example.com")
    customer = factories.make_customer(email="cliente@outra.example.com")
    analyst = factories.make_analyst(is_superuser=True)
    fr = factories.make_feature_request(
        author=author, title="Exportar conversas em CSV", status="under_review"
    )

    # 1. The customer votes from the board, without a page reload.
    page = new_context().new_page()
    portal_login(page, base, customer.username)
    page.goto(f"{base}/feature-requests/")
    item = page.locator(f".fr-actions[data-fr='{fr.pk}']")
    expect(item.locator("[data-votes]")).to_have_attribute("data-votes", "1")
    page.evaluate("window.notReloaded = true")
    item.locator("form[data-kind=vote] button").click()
    expect(item.locator("[data-votes]")).to_have_attribute("data-votes", "2")
    expect(item.locator("form[data-kind=vote] button")).to_have_attribute("aria-pressed", "true")
    expect(item.locator("form[data-kind=subscribe] button")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert page.evaluate("window.notReloaded") is True
    assert orm(_voted, fr.pk, customer.pk)

    # 2. The analyst approves it in the back office, with a public reason.
    analyst_page = new_context().new_page()
    admin_login(analyst_page, base, analyst.username)
    change_url = f"{base}/admin/feature_requests/featurerequest/{fr.pk}/change/"
    analyst_page.goto(change_url)
    form = analyst_page.locator("form[action$='/status/']")
    form.locator("select[name=to_status]").select_option("approved")
    form.locator("textarea[name=reason]").fill("Entra no plano do próximo semestre.")
    form.locator("button[type=submit]").click()
    analyst_page.wait_for_url(change_url)
    expect(analyst_page.locator(".messagelist .success")).to_have_count(1)
    assert orm(_status, fr.pk) == "approved"

    # 3. The background task sends the notices through the SMTP server; the customer has one.
    assert orm(_send_pending) == 2
    assert orm(_send_pending) == 0  # a retried task sends nothing twice
    mine = [
        email.message_from_bytes(envelope.content, policy=email.policy.default)
        for envelope in smtp_server.envelopes
        if "cliente@outra.example.com" in envelope.rcpt_tos
    ]
    assert len(mine) == 1
    assert "Exportar conversas em CSV" in mine[0]["Subject"]
    assert mine[0]["List-Unsubscribe"]
    text = mine[0].get_body(preferencelist=("plain",)).get_content()
    assert "Entra no plano do próximo semestre." in text

    # 4. The portal lists the same notice.
    page.goto(f"{base}/feature-requests/notices/")
    expect(page.locator(f"ol.timeline a[href='/feature-requests/{fr.pk}/']")).to_have_count(1)
