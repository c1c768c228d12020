"""The back office's permission matrix: agents write and preview, team leads also publish."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts.roles import AGENTS, TEAM_LEADS
from help_center.models import Article
from tests.factories import make_analyst, make_customer
from tests.help_center.conftest import make_article, make_section

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:help_center_article_changelist")
ADD = reverse("admin:help_center_article_add")


def logged(role: str | None, *, customer=False) -> Client:
    user = make_customer() if customer else make_analyst()
    if role:
        user.groups.add(Group.objects.get(name=role))
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def _add_form(section, status="draft", reason="First version"):
    return {
        "section": section.pk,
        "status": status,
        "visibility": "public",
        "change_reason": reason,
        "translations-TOTAL_FORMS": "1",
        "translations-INITIAL_FORMS": "0",
        "translations-MIN_NUM_FORMS": "1",
        "translations-MAX_NUM_FORMS": "1000",
        "translations-0-language": "pt-br",
        "translations-0-title": "Como exportar relatórios",
        "translations-0-slug": "como-exportar-relatorios",
        "translations-0-summary": "",
        "translations-0-body": "Abra **Relatórios**.\n\n<script>alert(1)</script>",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000",
    }


@pytest.mark.parametrize(
    ("role", "customer", "list_status", "may_publish"),
    [
        (AGENTS, False, 200, False),
        (TEAM_LEADS, False, 200, True),
        (None, False, 403, False),  # an analyst without the role
        (None, True, 302, False),  # a customer: to the admin's login
    ],
)
def test_permission_matrix(role, customer, list_status, may_publish):
    section = make_section()
    draft = make_article(status=Article.Status.DRAFT, section=section)
    client = logged(role, customer=customer)
    assert client.get(CHANGELIST).status_code == list_status
    preview = reverse("help_center:preview", args=[draft.pk, "pt-br"])
    expected_preview = {200: 200, 403: 404, 302: 302}[list_status]
    assert client.get(preview).status_code == expected_preview
    response = client.post(
        CHANGELIST, {"action": "publish", "_selected_action": [draft.pk]}, follow=False
    )
    draft.refresh_from_db()
    assert (draft.status == Article.Status.PUBLISHED) is may_publish
    if list_status == 200:
        response = client.post(ADD, _add_form(section, status="published"))
        assert response.status_code == 302, response.content.decode()[:3000]
        article = Article.objects.exclude(pk=draft.pk).get()
        # agents' status field is read-only: what they write stays a draft
        expected = Article.Status.PUBLISHED if may_publish else Article.Status.DRAFT
        assert article.status == expected
        translation = article.translations.get()
        assert "<strong>Relatórios</strong>" in translation.body_html
        assert "<script" not in translation.body_html
        history = article.history.first()
        assert history.history_change_reason == "First version"
        assert history.history_user is not None
        assert translation.history.first().history_change_reason == "First version"


def test_edit_is_kept_in_history_with_who_and_why():
    client = logged(AGENTS)
    article = make_article()
    translation = article.translations.get()
    url = reverse("admin:help_center_article_change", args=[article.pk])
    data = _add_form(article.section, reason="Corrige o passo 2")
    data.update(
        {
            "translations-INITIAL_FORMS": "1",
            "translations-0-id": translation.pk,
            "translations-0-article": article.pk,
            "translations-0-slug": translation.slug,
            "translations-0-body": "Novo texto",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    last = translation.history.first()
    assert (last.body, last.history_change_reason) == ("Novo texto", "Corrige o passo 2")
    assert last.history_user.is_staff
    assert (
        client.get(reverse("admin:help_center_article_history", args=[article.pk])).status_code
        == 200
    )
