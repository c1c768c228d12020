"""The help center API: same visibility as the portal, languages, search, constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from help_center.models import Article
from tests.factories import make_user
from tests.help_center.conftest import make_article

pytestmark = pytest.mark.django_db
LIST = "/api/help-center/articles/"
SEARCH = "/api/help-center/articles/search/"


def api(user=None) -> APIClient:
    client = APIClient(headers={"accept-language": "en"})
    if user is not None:
        client.force_authenticate(user)
    return client


def test_public_articles_are_listed_and_read_without_authentication():
    article = make_article(
        title="Horário", body="Segunda a **sexta**.", translations={"en": ("Hours", "Monday")}
    )
    listed = api().get(LIST).json()
    assert [row["title"] for row in listed["results"]] == ["Hours"]
    detail = api().get(f"{LIST}{article.pk}/", {"language": "es"}).json()
    assert (detail["title"], detail["fallback"], detail["language"]) == ("Horário", True, "pt-br")
    assert detail["body_html"] == "<p>Segunda a <strong>sexta</strong>.</p>\n"
    assert detail["languages"] == ["en", "pt-br"]
    assert detail["url"].startswith("http://testserver/help/pt-br/")


@pytest.mark.parametrize("who", ["anonymous", "other_org", "no_membership"])
def test_private_article_is_404_and_unfound_to_others(who, org_a, customer_b):
    article = make_article(
        title="Integração Acme",
        visibility=Article.Visibility.ORGANIZATIONS,
        organizations=[org_a],
    )
    user = {"anonymous": None, "other_org": customer_b, "no_membership": make_user()}[who]
    client = api(user)
    assert client.get(f"{LIST}{article.pk}/").status_code == 404
    assert client.get(LIST).json()["results"] == []
    assert client.get(SEARCH, {"q": "integracao"}).json() == []


def test_members_of_the_chosen_organization_read_and_find_it(org_a, customer_a):
    article = make_article(
        title="Integração Acme",
        body="Como configurar a integração.",
        visibility=Article.Visibility.ORGANIZATIONS,
        organizations=[org_a],
    )
    client = api(customer_a)
    assert client.get(f"{LIST}{article.pk}/").status_code == 200
    [hit] = client.get(SEARCH, {"q": "integracao", "language": "pt-br"}).json()
    assert hit["id"] == article.pk and "<mark>integração</mark>." in hit["snippet"]


def test_search_needs_words_and_a_known_language():
    assert api().get(SEARCH).status_code == 400
    assert api().get(SEARCH, {"q": "x", "language": "fr"}).status_code == 400


def test_list_and_search_queries_do_not_grow():
    make_article(title="Chamados", body="abrir chamado")

    def count(url, params):
        with CaptureQueriesContext(connection) as queries:
            assert api().get(url, params).status_code == 200
        return len(queries)

    before = (count(LIST, {}), count(SEARCH, {"q": "chamado"}))
    for number in range(6):
        make_article(title=f"Chamado {number}", translations={"en": (f"Ticket {number}", "x")})
    # list: count, the page's ids, its rows, their translations; search: matches, languages
    assert (count(LIST, {}), count(SEARCH, {"q": "chamado"})) == before == (4, 2)
