"""Deflection: suggestions while typing a new ticket, "this solved it", and what the ticket saw."""

import pytest
from django.urls import reverse

from help_center.models import Article, Deflection, DeflectionSuggestion
from tests.help_center.conftest import client_for, make_article
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
SUGGEST = reverse("help_center:suggestions")


def test_three_best_articles_are_suggested_and_recorded_once_per_form(customer_a):
    for number in range(5):
        make_article(title=f"Exportar relatório {number}", body="relatórios " * (number + 1))
    make_article(title="Senhas")
    client = client_for(customer_a, "pt-br")
    first = client.get(SUGGEST, {"subject": "exportar relatorio"}).json()
    assert len(first["results"]) == 3
    again = client.get(SUGGEST, {"subject": "exportar relatorios", "token": first["token"]})
    assert again.json()["token"] == first["token"]
    deflection = Deflection.objects.get()
    assert deflection.suggestions.count() == 3  # the same three, counted once
    assert all("?deflection=" in row["url"] for row in first["results"])


def test_opening_a_suggestion_and_marking_it_solved_counts_a_deflection(customer_a):
    article = make_article(title="Como redefinir a senha", body="Use o link de redefinição.")
    client = client_for(customer_a)
    data = client.get(SUGGEST, {"subject": "redefinir senha"}).json()
    [result] = data["results"]
    assert client.get(result["url"]).status_code == 200
    assert DeflectionSuggestion.objects.get().opened_at is not None
    response = client.post(
        reverse("help_center:solved", args=[data["token"]]),
        {"article": article.pk},
        headers={"accept": "application/json"},
    )
    assert response.json() == {"redirect": reverse("help_center:home")}
    deflection = Deflection.objects.get()
    assert (deflection.outcome, deflection.solved_by, deflection.ticket) == (
        Deflection.Outcome.SOLVED,
        article,
        None,
    )
    assert Ticket.objects.count() == 0
    # twice is still one deflection
    client.post(reverse("help_center:solved", args=[data["token"]]), {"article": article.pk})
    assert Deflection.objects.filter(outcome=Deflection.Outcome.SOLVED).count() == 1


def test_private_articles_are_never_suggested_to_other_organizations(org_a, customer_b):
    make_article(
        title="Integração exclusiva",
        visibility=Article.Visibility.ORGANIZATIONS,
        organizations=[org_a],
    )
    assert client_for(customer_b).get(SUGGEST, {"subject": "integracao"}).json() == {
        "token": "",
        "results": [],
    }
    assert Deflection.objects.count() == 0


def test_someone_elses_form_cannot_be_marked_solved(customer_a, customer_b):
    article = make_article(title="Faturas", body="Segunda via.")
    data = client_for(customer_a).get(SUGGEST, {"subject": "faturas"}).json()
    response = client_for(customer_b).post(
        reverse("help_center:solved", args=[data["token"]]), {"article": article.pk}
    )
    assert response.status_code == 404
    assert Deflection.objects.get().outcome == Deflection.Outcome.PENDING


def test_suggestions_need_a_signed_in_user():
    assert client_for().get(SUGGEST, {"subject": "x"}).status_code == 302


def test_the_ticket_records_the_articles_it_was_shown(customer_a, default_policy, levels):
    article = make_article(title="Lentidão no painel", body="Limpe o cache.")
    client = client_for(customer_a)
    token = client.get(SUGGEST, {"subject": "lentidao painel"}).json()["token"]
    response = client.post(
        reverse("tickets:new"),
        {
            "subject": "Lentidão no painel",
            "description": "O painel demora.",
            "priority": levels["media"].pk,
            "category": Ticket.Category.choices[0][0],
            "scope": Ticket.Scope.choices[0][0],
            "help_center_deflection": token,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket = Ticket.objects.get()
    deflection = ticket.help_center_deflection
    assert deflection.outcome == Deflection.Outcome.TICKET
    assert [s.article for s in deflection.suggestions.all()] == [article]


def test_the_acknowledgement_email_offers_articles_the_requester_may_read(
    org_a, org_b, default_policy, levels
):
    from django.utils import timezone

    from communications.models import OutboundEmail
    from communications.services import ticket_open
    from tests.factories import make_customer

    customer_a = make_customer(organization=org_a, email="ana@acme.example")
    customer_b = make_customer(organization=org_b, email="bia@globex.example")

    make_article(title="Exportar relatórios", body="Passo a passo.")
    make_article(
        title="Exportar relatórios da Acme",
        visibility=Article.Visibility.ORGANIZATIONS,
        organizations=[org_a],
    )
    for customer in (customer_a, customer_b):
        now = timezone.now()
        ticket_open(
            organization=customer.membership.organization,
            requester=customer,
            subject="Como exportar relatórios?",
            description="?",
            priority=levels["baixa"],
            reported_at=now,
            now=now,
            channel=Ticket.Channel.PORTAL,
            category=Ticket.Category.QUESTION,
            scope=Ticket.Scope.ONE_CUSTOMER,
        )
    mine = OutboundEmail.objects.get(to=customer_a.email, subject__contains="Como exportar")
    theirs = OutboundEmail.objects.get(to=customer_b.email, subject__contains="Como exportar")
    assert "Exportar relatórios da Acme" in mine.body_text
    assert "/help/pt-br/exportar-relatorios/" in mine.body_text
    assert "Exportar relatórios da Acme" not in theirs.body_text
    assert "Exportar relatórios" in theirs.body_html
