"""The ticket page's help panel: links to articles the customer may read; a draft from a
resolved ticket's question and answer."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import AGENTS
from communications import services as record_services
from communications.models import Message
from help_center.models import Article
from tests.factories import make_analyst
from tests.help_center.conftest import make_article
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _ticket(customer, levels, *, resolved: bool, analyst=None):
    now = timezone.now()
    ticket = record_services.ticket_open(
        organization=customer.membership.organization,
        requester=customer,
        subject="Como exportar relatórios?",
        description="Não acho o botão de exportar.",
        priority=levels["baixa"],
        reported_at=now,
        now=now,
        channel=Ticket.Channel.PORTAL,
        category=Ticket.Category.QUESTION,
        scope=Ticket.Scope.ONE_CUSTOMER,
    )
    if analyst is not None:
        record_services.message_post(
            ticket=ticket,
            author=analyst,
            body="Use o menu Relatórios > Exportar.",
            channel=Message.Channel.PORTAL,
            now=now,
        )
    if resolved:
        Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.RESOLVED)
    return ticket


def _agent():
    agent = make_analyst()
    agent.groups.add(Group.objects.get(name=AGENTS))
    client = Client(headers={"accept-language": "en"})
    client.force_login(agent)
    return agent, client


def test_lookup_offers_only_articles_the_requester_may_read(
    customer_a, org_b, default_policy, levels
):
    make_article(title="Exportar relatórios", body="Menu Relatórios.")
    make_article(
        title="Exportar relatórios da Globex",
        visibility=Article.Visibility.ORGANIZATIONS,
        organizations=[org_b],
    )
    ticket = _ticket(customer_a, levels, resolved=False)
    _agent_user, client = _agent()
    page = client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk]))
    assert b'id="help-center-panel"' in page.content
    assert b"help-center-from-ticket" not in page.content  # an open ticket: no draft yet
    found = client.get(
        reverse("admin:help_center_article_lookup", args=[ticket.pk]), {"q": "exportar"}
    ).json()["results"]
    assert [row["title"] for row in found] == ["Exportar relatórios"]
    assert found[0]["url"].endswith("/help/pt-br/exportar-relatorios/")


def test_create_article_from_a_resolved_ticket(customer_a, default_policy, levels):
    make_article()  # a section to put it in
    agent, client = _agent()
    ticket = _ticket(customer_a, levels, resolved=True, analyst=agent)
    page = client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk]))
    assert b"help-center-from-ticket" in page.content
    response = client.post(reverse("admin:help_center_article_from_ticket", args=[ticket.pk]))
    article = Article.objects.get(source_ticket=ticket)
    assert response.url == reverse("admin:help_center_article_change", args=[article.pk])
    assert article.status == Article.Status.DRAFT and article.author == agent
    translation = article.translations.get()
    assert translation.title == "Como exportar relatórios?"
    assert "Não acho o botão de exportar." in translation.body
    assert "Use o menu Relatórios &gt; Exportar." in translation.body_html


def test_no_draft_from_an_open_ticket(customer_a, default_policy, levels):
    make_article()
    _agent_user, client = _agent()
    ticket = _ticket(customer_a, levels, resolved=False)
    client.post(reverse("admin:help_center_article_from_ticket", args=[ticket.pk]))
    assert not Article.objects.filter(source_ticket=ticket).exists()
