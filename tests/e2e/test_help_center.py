"""End to end on a 390 px phone: a visitor searches the help home, reads an article and votes;
a customer types a new ticket's subject, sees a suggestion, marks it solved, and no ticket
is opened. Elements are found by ids, names and classes, never by translated text."""

import pytest
from playwright.sync_api import expect

from help_center.models import ArticleFeedback, Deflection
from tests import factories
from tests.e2e.conftest import orm, portal_login
from tests.help_center.conftest import make_article
from tickets.models import Ticket

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True}


def _state():
    deflection = Deflection.objects.first()
    return {
        "feedback": list(ArticleFeedback.objects.values_list("helpful", "comment")),
        "outcome": deflection.outcome if deflection else None,
        "solved_by": deflection.solved_by_id if deflection else None,
        "tickets": Ticket.objects.count(),
    }


def test_search_read_vote_then_a_suggestion_solves_it(
    new_context, live_server, screenshots, default_policy
):
    base = live_server.url
    article = make_article(
        title="Como redefinir a senha do painel",
        summary="O link de redefinição chega por e-mail.",
        body="## Passos\n\n1. Clique em **Esqueci a senha**.\n2. Abra o e-mail e siga o link.",
    )
    make_article(title="Exportar relatórios", body="Use o botão Exportar.")
    customer = factories.make_customer()

    # 1. An anonymous visitor on a phone searches from the help home, reads, and votes.
    page = new_context(**PHONE).new_page()
    page.goto(f"{base}/help/")
    page.fill("#help-q", "senha")
    page.press("#help-q", "Enter")
    page.wait_for_url("**/help/search/?q=senha")
    result = page.locator(".help-results li").first
    expect(result.locator("mark").first).to_be_visible()
    screenshots(page, "search results")
    # nothing wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    result.locator("h2 a").click()
    expect(page.locator(".help-article h1")).to_be_visible()
    expect(page.locator(".breadcrumbs li")).to_have_count(3)
    screenshots(page, "article")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.fill("#id_comment", "Claro e rápido")
    page.click("#feedback button[value=yes]")
    page.wait_for_url("**#feedback")
    screenshots(page, "voted")
    assert orm(_state)["feedback"] == [(True, "Claro e rápido")]

    # 2. A customer starts a ticket; the subject brings the article; "this solved it".
    page = new_context(**PHONE).new_page()
    portal_login(page, base, customer.username)
    page.goto(f"{base}/tickets/new/")
    page.locator("#id_subject").press_sequentially("Não consigo redefinir a senha", delay=20)
    suggestions = page.locator("#help-suggestions")
    expect(suggestions).to_be_visible()
    assert "/help/pt-br/como-redefinir-a-senha-do-painel/?deflection=" in (
        suggestions.locator("li a").first.get_attribute("href")
    )
    screenshots(page, "suggestion while typing")
    suggestions.locator("button.help-solved").first.click()
    page.wait_for_url(f"{base}/help/")
    expect(page.locator(".messages li")).to_be_visible()
    screenshots(page, "solved")
    state = orm(_state)
    assert (state["outcome"], state["solved_by"], state["tickets"]) == (
        Deflection.Outcome.SOLVED,
        article.pk,
        0,
    )
