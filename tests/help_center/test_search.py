"""Search: stemmed in each language, accent-insensitive, ranked, highlighted; visibility kept.

Runs on the test database in use: SQLite (FTS5 of Snowball stems) by default, PostgreSQL
(text search configurations per language) with DATABASE_URL.
"""

import pytest
from django.urls import reverse

from help_center import selectors
from help_center.models import Article, UnansweredSearch
from tests.help_center.conftest import client_for, make_article

pytestmark = pytest.mark.django_db


def titles(user, text, language):
    return [hit.shown.translation.title for hit in selectors.articles_search(user, text, language)]


def test_portuguese_stems_and_accents_and_ranks_titles_first():
    make_article(title="Limites da API", body="Os relatórios mensais mostram o uso da API.")
    make_article(title="Relatório de atendimento", body="Como exportar.")
    make_article(title="Senhas", body="Troque a senha no perfil.")
    # plural, no accent: matches "relatório" and "relatórios"; the title match ranks first
    assert titles(None, "relatorios", "pt-br") == ["Relatório de atendimento", "Limites da API"]
    assert titles(None, "SENHA", "pt-br") == ["Senhas"]


def test_english_and_spanish_are_stemmed_in_their_own_language():
    make_article(
        title="Artigo",
        body="x",
        translations={
            "en": ("Exporting reports", "You can export every report."),
            "es": ("Exportar informes", "Los informes se exportan cada mes."),
        },
    )
    make_article(
        title="Outro",
        body="y",
        translations={"en": ("Passwords", "A report of logins."), "es": ("Contraseñas", "z")},
    )
    assert titles(None, "report", "en") == ["Exporting reports", "Passwords"]
    assert titles(None, "informe", "es") == ["Exportar informes"]
    assert titles(None, "contrasena", "es") == ["Contraseñas"]  # accent-insensitive


def test_a_reader_without_a_translation_finds_the_portuguese_one():
    make_article(title="Horário de atendimento", body="Segunda a sexta.")
    make_article(title="Artigo", body="x", translations={"en": ("Opening hours", "Monday.")})
    hits = selectors.articles_search(None, "atendimento", "en")
    assert [(h.shown.translation.title, h.shown.fallback) for h in hits] == [
        ("Horário de atendimento", True)
    ]
    assert titles(None, "hours", "en") == ["Opening hours"]


def test_a_half_typed_last_word_finds_the_words_it_begins():
    """What the suggestions need while a customer types a subject: "relat" is not a word yet,
    but finds "relatório" (SQLite: FTS5 prefix; PostgreSQL: to_tsquery's :*)."""
    make_article(
        title="Relatório de atendimento",
        body="Como exportar o relatório mensal.",
        translations={"en": ("Opening a ticket", "Open tickets from the portal.")},
    )
    make_article(title="Senhas", body="Troque a senha no perfil.")
    assert titles(None, "relat", "pt-br") == ["Relatório de atendimento"]
    assert titles(None, "exportar relat", "pt-br") == ["Relatório de atendimento"]
    assert titles(None, "relat senh", "pt-br") == []  # every word still needed, the last begun
    assert titles(None, "tick", "en") == ["Opening a ticket"]
    assert titles(None, "relato", "pt-br") == ["Relatório de atendimento"]  # stemmed too
    [hit] = selectors.article_suggestions(None, "Como tiro o relat", "pt-br")
    assert hit.shown.translation.title == "Relatório de atendimento"
    assert "<mark>relatório</mark>" in hit.snippet
    # only the last word is a prefix: a finished word is matched as a word
    assert titles(None, "relat atendimento", "pt-br") == []


def test_snippets_highlight_the_words_found():
    make_article(title="Filas", body="Texto inicial. " * 30 + "Os chamados críticos vêm primeiro.")
    [hit] = selectors.articles_search(None, "chamado critico", "pt-br")
    assert "<mark>chamados</mark> <mark>críticos</mark>" in hit.snippet
    assert hit.snippet.startswith("…")


def test_private_articles_are_not_found_by_others(org_a, customer_a, customer_b):
    make_article(
        title="Integração exclusiva",
        visibility=Article.Visibility.ORGANIZATIONS,
        organizations=[org_a],
    )
    make_article(title="Integração para clientes", visibility=Article.Visibility.CUSTOMERS)
    make_article(title="Integração rascunho", status=Article.Status.DRAFT)
    assert titles(None, "integracao", "pt-br") == []
    assert titles(customer_b, "integracao", "pt-br") == ["Integração para clientes"]
    assert sorted(titles(customer_a, "integracao", "pt-br")) == [
        "Integração exclusiva",
        "Integração para clientes",
    ]
    page = client_for(customer_b).get(reverse("help_center:search"), {"q": "integração"})
    assert b"exclusiva" not in page.content and b"para clientes" in page.content


def test_search_page_highlights_and_records_searches_without_results():
    make_article(title="Chamados", body="Como abrir um chamado.")
    client = client_for(language="pt-br")
    page = client.get(reverse("help_center:search"), {"q": "chamado"})
    assert b"<mark>chamado</mark>" in page.content
    client.get(reverse("help_center:search"), {"q": "  fatura   boleto "})
    client.get(reverse("help_center:search"), {"q": '"); DROP --'})
    assert list(UnansweredSearch.objects.values_list("query", "language")) == [
        ('"); DROP --', "pt-br"),
        ("fatura boleto", "pt-br"),
    ]


@pytest.mark.parametrize(
    "text",
    ["", "   ", "!!!", '"', "a*", "NEAR(", "-x", "a OR b", "it's", "relat:*", "a & !(b|c)", "x\\"],
)
def test_odd_input_is_never_an_error(text):
    make_article(title="Qualquer")
    assert client_for().get(reverse("help_center:search"), {"q": text}).status_code == 200
