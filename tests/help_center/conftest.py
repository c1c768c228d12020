import itertools

import pytest
from django.test import Client
from django.utils import timezone

from help_center import services
from help_center.models import Article, Category, Section
from tests.factories import make_analyst, make_customer, make_organization

_numbers = itertools.count(1)


def make_section(*, category: Category | None = None, name: str | None = None) -> Section:
    number = next(_numbers)
    category = category or Category.objects.create(
        name=f"Categoria {number}", name_en=f"Category {number}", slug=f"category-{number}"
    )
    return Section.objects.create(
        category=category, name=name or f"Seção {number}", slug=f"section-{number}"
    )


def make_article(
    *,
    title: str | None = None,
    body: str = "Texto do artigo.",
    section: Section | None = None,
    status: str = Article.Status.PUBLISHED,
    visibility: str = Article.Visibility.PUBLIC,
    organizations=(),
    translations: dict | None = None,
    summary: str = "",
    author=None,
) -> Article:
    """A published public article in Portuguese; `translations` adds {language: (title, body)}."""
    article = services.article_create(
        section=section or make_section(),
        author=author or make_analyst(),
        now=timezone.now(),
        title=title or f"Artigo {next(_numbers)}",
        body=body,
        summary=summary,
        status=status,
        visibility=visibility,
    )
    article.organizations.set(organizations)
    for language, (other_title, other_body) in (translations or {}).items():
        services.translation_save(
            article=article, language=language, title=other_title, body=other_body
        )
    return article


@pytest.fixture
def org_a(db):
    return make_organization(name="Acme")


@pytest.fixture
def org_b(db):
    return make_organization(name="Globex")


@pytest.fixture
def customer_a(org_a):
    return make_customer(organization=org_a)


@pytest.fixture
def customer_b(org_b):
    return make_customer(organization=org_b)


def client_for(user=None, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    if user is not None:
        client.force_login(user)
    return client
