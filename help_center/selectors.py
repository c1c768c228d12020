"""Reads of the help center, scoped to what a visitor may read: portal, search, suggestions, API."""

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from help_center.models import (
    BASE_LANGUAGE,
    Article,
    ArticleTranslation,
    Category,
    Section,
)

HOME_LIST_SIZE = 6


def articles_visible_to(user) -> QuerySet[Article]:
    """Published articles the visitor may read.

    Anonymous visitors read public articles; customers (members of an organization) also
    those for signed-in customers and those chosen for their organization; analysts read
    every published article. Drafts and archived articles are the back office's.
    """
    return Article.objects.filter(visible_to(user))


def visible_to(user, *, through: str = "") -> Q:
    """The condition of `articles_visible_to`, on the articles reached by `through` (e.g.
    "article__" from translations): a search ranks thousands of translations already joined
    to their articles, and testing the joined row costs less than an IN subquery of every
    visible article."""
    published = Q(**{f"{through}status": Article.Status.PUBLISHED})
    visibility = f"{through}visibility"
    if user is None or not user.is_authenticated or not user.is_active:
        return published & Q(**{visibility: Article.Visibility.PUBLIC})
    if user.is_staff:
        return published
    membership = getattr(user, "membership", None)
    if membership is None:
        return published & Q(**{visibility: Article.Visibility.PUBLIC})
    chosen = Article.organizations.through.objects.filter(
        organization_id=membership.organization_id
    ).values("article_id")
    return published & (
        Q(**{f"{visibility}__in": [Article.Visibility.PUBLIC, Article.Visibility.CUSTOMERS]})
        | Q(**{visibility: Article.Visibility.ORGANIZATIONS, f"{through}pk__in": chosen})
    )


def with_translations(articles: QuerySet[Article]) -> QuerySet[Article]:
    """Articles with their translations and section, in two queries however many."""
    return articles.select_related("section__category").prefetch_related(
        Prefetch("translations", queryset=ArticleTranslation.objects.defer("search_vector"))
    )


@dataclass(frozen=True)
class Shown:
    """An article as a visitor reads it: the translation in their language, or the
    Portuguese one (`fallback`) when there is none yet."""

    article: Article
    translation: ArticleTranslation
    fallback: bool

    @property
    def url(self) -> str:
        return self.translation.get_absolute_url()


def shown_in(article: Article, language: str) -> Shown | None:
    """The article in `language`, falling back to Portuguese (from prefetched translations)."""
    by_language = {t.language: t for t in article.translations.all()}
    if language in by_language:
        return Shown(article, by_language[language], fallback=False)
    if BASE_LANGUAGE in by_language:
        return Shown(article, by_language[BASE_LANGUAGE], fallback=True)
    return None


def shown_list(articles, language: str) -> list[Shown]:
    return [shown for article in articles if (shown := shown_in(article, language))]


def help_home(user, language: str) -> dict:
    """The help home: categories, most viewed and recently updated articles (5 queries)."""
    visible = with_translations(articles_visible_to(user))
    return {
        "categories": list(
            Category.objects.filter(sections__articles__in=articles_visible_to(user)).distinct()
        ),
        "most_viewed": shown_list(
            visible.order_by("-view_count", "-pk")[:HOME_LIST_SIZE], language
        ),
        "recently_updated": shown_list(
            visible.order_by("-updated_at", "-pk")[:HOME_LIST_SIZE], language
        ),
    }


def category_page(user, category: Category, language: str) -> list[tuple[Section, list[Shown]]]:
    """The category's sections with the articles the visitor may read (3 queries)."""
    sections = list(category.sections.all())
    articles = with_translations(
        articles_visible_to(user).filter(section__category=category)
    ).order_by("section", "-updated_at", "-pk")
    by_section: dict[int, list[Shown]] = {section.pk: [] for section in sections}
    for shown in shown_list(articles, language):
        by_section[shown.article.section_id].append(shown)
    return [(section, by_section[section.pk]) for section in sections if by_section[section.pk]]


def translation_visible_to(user, language: str, slug: str) -> ArticleTranslation | None:
    """The translation at this stable URL, if the visitor may read its article."""
    return (
        ArticleTranslation.objects.defer("search_vector")
        .select_related("article__section__category")
        .filter(language=language, slug=slug, article__in=articles_visible_to(user))
        .first()
    )


def article_extras(article: Article, user, language: str) -> dict:
    """What an article page shows beside its body: the other languages, related articles
    the visitor may read, and the related feature requests they may see (4 queries)."""
    from feature_requests import selectors as feature_selectors

    translations = list(article.translations.defer("search_vector", "body", "body_html"))
    related = with_translations(
        articles_visible_to(user).filter(pk__in=article.related_articles.values("pk"))
    )
    features = (
        feature_selectors.feature_requests_visible_to(user).filter(
            pk__in=article.feature_requests.values("pk")
        )
        if user.is_authenticated
        else []
    )
    return {
        "translations": translations,
        "related": shown_list(related, language),
        "feature_requests": list(features),
    }


@dataclass(frozen=True)
class Hit:
    """A search result: the translation the visitor reads, its rank and a snippet."""

    shown: Shown
    rank: float
    snippet: str


def articles_search(
    user, text: str, language: str, *, limit: int = 20, any_word: bool = False
) -> list[Hit]:
    """The best matches the visitor may read, best first (2 queries: the matches, and the
    languages each is written in).

    Ranked in the database (titles weigh most) and only then sliced, so a visitor never
    gets fewer results because of articles they may not read: visibility is in the query.
    """
    from help_center import search

    translations = ArticleTranslation.objects.defer("search_vector", "body_html").filter(
        visible_to(user, through="article__")
    )
    found = list(
        search.translations_best(
            translations.select_related("article__section__category").prefetch_related(
                Prefetch(
                    "article__translations",
                    queryset=ArticleTranslation.objects.only(
                        "pk", "article_id", "language", "slug", "title"
                    ),
                )
            ),
            text,
            language,
            limit=limit,
            any_word=any_word,
        )
    )
    return [
        Hit(
            shown=Shown(t.article, t, fallback=t.language != language),
            rank=t.rank,
            snippet=search.snippet(t, text),
        )
        for t in found
    ]


def article_suggestions(user, text: str, language: str, *, limit: int = 3) -> list[Hit]:
    """The articles offered for a new ticket's subject: any of its words, best first."""
    return articles_search(user, text, language, limit=limit, any_word=True)
