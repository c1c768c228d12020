"""board.js in a browser: its fallback error message comes translated from the page."""

import pytest

from tests import factories
from tests.e2e.conftest import new_context, portal_login  # noqa: F401 - the browser fixture

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_refused_vote_without_a_message_alerts_the_pages_translated_text(
    new_context,  # noqa: F811
    live_server,
):
    base = live_server.url
    customer = factories.make_customer()
    fr = factories.make_feature_request(status="under_review")
    page = new_context().new_page()
    portal_login(page, base, customer.username)
    page.goto(f"{base}/feature-requests/")
    # A refusal that carries no message of its own (a proxy's, say).
    page.route(
        f"**/feature-requests/{fr.pk}/vote/",
        lambda route: route.fulfill(status=502, content_type="application/json", body="{}"),
    )
    alerts = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    button = page.locator(f".fr-actions[data-fr='{fr.pk}'] form[data-kind=vote] button")
    button.click()
    page.wait_for_function("() => document.querySelector('form[data-kind=vote] button:enabled')")
    assert alerts == ["Não deu certo. Recarregue a página e tente novamente."]


def test_the_board_carries_the_translated_fallback_error(client, db):
    customer = factories.make_customer()
    factories.make_feature_request(author=customer, status="under_review")
    client.force_login(customer)
    page = client.get("/feature-requests/").content.decode()
    assert 'data-error="Não deu certo. Recarregue a página e tente novamente."' in page
