"""The portal's help center: who reads what, languages, feedback, and constant query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from help_center.models import Article, ArticleFeedback, ArticleViewTally
from tests.factories import make_analyst
from tests.help_center.conftest import client_for, make_article, make_section

pytestmark = pytest.mark.django_db
ORGS = Article.Visibility.ORGANIZATIONS


def url_of(article, language="pt-br"):
    return article.translations.get(language=language).get_absolute_url()


def test_public_article_is_read_without_login_and_counted():
    article = make_article(title="Como abrir um chamado", body="Use o **portal**.")
    response = client_for().get(url_of(article))
    assert response.status_code == 200
    assert b"<strong>portal</strong>" in response.content
    assert b"Last updated" in response.content
    article.refresh_from_db()
    assert article.view_count == 1
    assert ArticleViewTally.objects.get(article=article).views == 1


@pytest.mark.parametrize("who", ["anonymous", "other_org", "no_membership"])
def test_article_for_chosen_organizations_is_404_to_others(who, org_a, customer_b):
    article = make_article(visibility=ORGS, organizations=[org_a])
    from tests.factories import make_user

    user = {"anonymous": None, "other_org": customer_b, "no_membership": make_user()}[who]
    client = client_for(user)
    assert client.get(url_of(article)).status_code == 404
    feedback = reverse("help_center:feedback", args=["pt-br", article.translations.get().slug])
    assert client.post(feedback, {"helpful": "yes"}).status_code == 404
    assert client.get(article.section.category.get_absolute_url()).status_code == 404


def test_article_for_chosen_organizations_is_read_by_members_and_analysts(org_a, customer_a):
    article = make_article(visibility=ORGS, organizations=[org_a])
    assert client_for(customer_a).get(url_of(article)).status_code == 200
    assert client_for(make_analyst()).get(url_of(article)).status_code == 200


def test_customers_only_article_needs_a_signed_in_customer(customer_b):
    article = make_article(visibility=Article.Visibility.CUSTOMERS)
    assert client_for().get(url_of(article)).status_code == 404
    assert client_for(customer_b).get(url_of(article)).status_code == 200


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.ARCHIVED])
def test_drafts_and_archived_articles_are_not_in_the_portal(status, customer_a):
    article = make_article(status=status)
    assert client_for(customer_a).get(url_of(article)).status_code == 404
    assert client_for(make_analyst()).get(url_of(article)).status_code == 404


def test_missing_translation_falls_back_to_portuguese_and_says_so():
    article = make_article(title="Horário de atendimento", translations={"es": ("Horario", "x")})
    home = client_for(language="en").get(reverse("help_center:home"))
    assert url_of(article).encode() in home.content  # the English reader gets the Portuguese
    page = client_for(language="en").get(url_of(article))
    assert b"not yet available in your language" in page.content
    spanish = client_for(language="es").get(reverse("help_center:home"))
    assert url_of(article, "es").encode() in spanish.content
    assert b"not yet available" not in client_for(language="es").get(url_of(article, "es")).content


def test_translations_link_each_other_with_hreflang():
    article = make_article(translations={"en": ("Opening hours", "x"), "es": ("Horario", "y")})
    page = client_for().get(url_of(article, "en")).content.decode()
    for language in ("pt-br", "en", "es"):
        assert f'hreflang="{language}" href="http://testserver{url_of(article, language)}"' in page


def test_vote_with_a_comment_is_recorded():
    article = make_article()
    slug = article.translations.get().slug
    response = client_for().post(
        reverse("help_center:feedback", args=["pt-br", slug]),
        {"helpful": "no", "comment": "Faltou o passo 3"},
    )
    assert response.status_code == 302
    feedback = ArticleFeedback.objects.get()
    assert (feedback.helpful, feedback.comment, feedback.language) == (
        False,
        "Faltou o passo 3",
        "en",
    )


def test_unknown_language_or_slug_is_404():
    article = make_article()
    slug = article.translations.get().slug
    assert client_for().get(f"/help/xx/{slug}/").status_code == 404
    assert client_for().get("/help/pt-br/no-such-article/").status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _more_articles(section, count, org):
    for number in range(count):
        make_article(
            section=section,
            visibility=ORGS if number % 2 else Article.Visibility.PUBLIC,
            organizations=[org],
            translations={"en": (f"Article {number}", "text")},
        )


@pytest.mark.parametrize("who", ["anonymous", "customer"])
def test_query_counts_do_not_grow_with_articles(who, customer_a, org_a):
    user = customer_a if who == "customer" else None
    client = client_for(user)
    section = make_section()
    first = make_article(section=section, body="Como abrir um chamado no portal")
    category = section.category.get_absolute_url()
    pages = [reverse("help_center:home"), category, url_of(first), "/help/search/?q=chamado"]
    [_queries(client, url) for url in pages]  # the month's view tally is created once
    before = [_queries(client, url) for url in pages]
    _more_articles(section, 8, org_a)
    make_article(body="chamado outro")
    after = [_queries(client, url) for url in pages]
    assert before == after
    session = 2 if user else 0  # the session, the user (with their membership)
    features = 1 if user else 0  # related feature requests: only for signed-in readers
    # home: categories, most viewed (+ translations), recently updated (+ translations)
    # category: category, sections, articles (+ translations)
    # article: translation, view count, monthly tally, translations, related articles
    # search: the matches, ranked, with their text for the snippets; their languages
    assert after == [5 + session, 4 + session, 5 + session + features, 2 + session]


def test_sitemap_lists_public_translations_only(org_a):
    public = make_article(translations={"en": ("Hours", "x")})
    private = make_article(visibility=ORGS, organizations=[org_a])
    draft = make_article(status=Article.Status.DRAFT)
    content = client_for().get("/help/sitemap.xml").content.decode()
    assert f"http://testserver{url_of(public)}" in content
    assert f"http://testserver{url_of(public, 'en')}" in content
    assert url_of(private) not in content and url_of(draft) not in content


def test_images_follow_their_article_visibility(org_a, customer_a, customer_b):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from help_center import services
    from help_center.models import ArticleAttachment

    article = make_article(visibility=ORGS, organizations=[org_a])
    ArticleAttachment.objects.create(
        article=article, file=SimpleUploadedFile("tela.png", b"\x89PNG fake", "image/png")
    )
    services.translation_save(
        article=article, language="pt-br", title="Com imagem", body="![Tela](attachment:tela.png)"
    )
    url = reverse("help_center:image", args=[article.pk, "tela.png"])
    assert f'src="{url}"'.encode() in client_for(customer_a).get(url_of(article)).content
    response = client_for(customer_a).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert client_for(customer_b).get(url).status_code == 404
    assert client_for().get(url).status_code == 404
    missing = reverse("help_center:image", args=[article.pk, "other.png"])
    assert client_for(customer_a).get(missing).status_code == 404
