"""Article search: stemmed per language, accent-insensitive, ranked, with highlighted snippets.

The approach of the tickets' search (`search` app): PostgreSQL text search vectors behind a GIN
index, an FTS5 table on SQLite, the query unaccented in Python (`search.postgres.unaccent`)
and never read as query syntax. What differs: an article translation is in one known
language, so it is stemmed in that language only (PostgreSQL: a configuration per language
that unaccents then stems; SQLite: Snowball stems written to FTS5, the same algorithms
PostgreSQL uses), and results are ranked (title above summary above body).
"""

import html
import re
from functools import cache, lru_cache

import snowballstemmer
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections
from django.db.models import Case, Exists, F, FloatField, OuterRef, Q, QuerySet, Value, When
from django.utils.safestring import SafeString, mark_safe

from help_center.models import BASE_LANGUAGE, ArticleTranslation
from search.postgres import unaccent

# A translation's language -> Snowball's name for it (and PostgreSQL's stemming dictionary).
STEMMERS = {"pt-br": "portuguese", "en": "english", "es": "spanish"}
FTS_TABLE = "help_center_fts"
FTS_CREATE = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
    "language, title, summary, body, tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
)
FTS_DROP = f"DROP TABLE IF EXISTS {FTS_TABLE}"
QUERY_MAX_CHARS = 200
_WORD = re.compile(r"[^\W_]+")
_WORD_SPLIT = re.compile(r"([^\W_]+)")
SNIPPET_WORDS = 30
RANKING = ("-rank", "-article__view_count", "pk")


def pg_config(language: str) -> str:
    """The PostgreSQL text search configuration of a language (created by the migration)."""
    return f"help_center_{STEMMERS[language]}"


@cache
def _stemmer(language: str):
    return snowballstemmer.stemmer(STEMMERS.get(language, "portuguese"))


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    """A word as the index keeps it: lowercased, unaccented, then stemmed in `language`.

    Unaccented first, as PostgreSQL's configurations do (unaccent, then the stemmer): people
    type "integracao" for "integração", and both must reduce to the same stem.
    """
    return _stemmer(language).stemWord(unaccent(word.lower()))


def stems(text: str, language: str) -> list[str]:
    return [stem(word, language) for word in _WORD.findall(text)]


def _is_postgres(using: str) -> bool:
    return connections[using].vendor == "postgresql"


def translations_index(ids: list[int], *, using: str = "default") -> None:
    """Bring these translations' search entries up to date (after a save)."""
    if not ids:
        return
    table = ArticleTranslation._meta.db_table
    with connections[using].cursor() as cursor:
        if _is_postgres(using):
            for language in STEMMERS:
                config = pg_config(language)
                cursor.execute(
                    f"UPDATE {table} SET search_vector = "
                    f"setweight(to_tsvector('{config}', title), 'A') || "
                    f"setweight(to_tsvector('{config}', summary), 'B') || "
                    f"setweight(to_tsvector('{config}', body_text), 'C') "
                    "WHERE id = ANY(%s) AND language = %s",
                    [ids, language],
                )
            return
        rows = ArticleTranslation.objects.using(using).filter(pk__in=ids)
        rows = rows.values_list("pk", "language", "title", "summary", "body_text")
        rows = [(pk, _fts_language(lang), lang, *texts) for pk, lang, *texts in rows]
        cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(pk,) for pk in ids])
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, language, title, summary, body) "
            "VALUES (%s, %s, %s, %s, %s)",
            [
                (pk, token, " ".join(stems(title, language)), " ".join(stems(summary, language)),
                 " ".join(stems(body, language)))
                for pk, token, language, title, summary, body in rows
            ],
        )  # fmt: skip


def translations_unindex(ids: list[int], *, using: str = "default") -> None:
    if not _is_postgres(using):
        with connections[using].cursor() as cursor:
            cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(pk,) for pk in ids])


def _fts_expression(text: str, language: str, *, any_word: bool = False) -> str | None:
    """An FTS5 query of the text's stems, all required (or any, ranked by how many), the
    last one also as a prefix (the customer is still typing); no character of the input is
    FTS5 syntax."""
    words = stems(text, language)
    if not words:
        return None
    phrases = [f'"{word}"' for word in words]  # stems are letters and digits only
    phrases[-1] += "*"
    return (" OR " if any_word else " ").join(phrases)


def _pg_query(text: str, language: str, *, any_word: bool = False) -> SearchQuery | None:
    """A PostgreSQL tsquery of the text's words, all required (or any), the last one also as
    a prefix (the customer is still typing: "relat" finds "relatório").

    Written for to_tsquery as quoted lexemes, which the language's configuration then
    unaccents and stems like the index; no character of the input is tsquery syntax: a word
    is letters and digits only, so it can hold no quote, operator or weight.
    """
    words = _WORD.findall(unaccent(text))
    if not words:
        return None
    lexemes = [f"'{word}'" for word in words]
    lexemes[-1] += ":*"
    return SearchQuery(
        (" | " if any_word else " & ").join(lexemes), config=pg_config(language), search_type="raw"
    )


def translations_matching(
    translations: QuerySet[ArticleTranslation], text: str, language: str, *, any_word=False
) -> QuerySet[ArticleTranslation]:
    """The translations a reader of `language` would read (theirs, or the Portuguese where
    an article has none) that match `text`, annotated with `rank` (higher is better).

    A search needs every word; `any_word` (a ticket's subject, a sentence with words no
    article has) finds articles with any of them, the most matching first.
    """
    text = (text or "").replace("\x00", " ").strip()[:QUERY_MAX_CHARS]
    if not _WORD.search(text):
        return _nothing(translations)
    languages = [language] if language == BASE_LANGUAGE else [language, BASE_LANGUAGE]
    missing_here = ~Exists(
        ArticleTranslation.objects.filter(article=OuterRef("article"), language=language)
    )
    conditions, ranks, matches = [], [], []
    for row_language in languages:
        scope = Q(language=row_language)
        if row_language != language:
            scope &= Q(missing_here)
        if _is_postgres(translations.db):
            query = _pg_query(text, row_language, any_word=any_word)
            if query is None:
                continue
            conditions.append(scope & Q(search_vector=query))
            # ts_rank, not ts_rank_cd: the weights (title A, summary B, body C) order the
            # results alike, and cover density costs ten times more on a query of several
            # words any of which may match (the suggestions of a ticket's subject).
            rank = SearchRank(F("search_vector"), query, normalization=1)
        else:
            expression = _fts_expression(text, row_language, any_word=any_word)
            if expression is not None:
                # the language column keeps each translation to its own language's stems
                matches.append(
                    f"(language : {_fts_language(row_language)} "
                    f"AND {{title summary body}} : ({expression}))"
                )
            continue
        ranks.append(When(language=row_language, then=rank))
    if not _is_postgres(translations.db):
        return _fts_matching(translations, matches, language, missing_here)
    if not conditions:
        return _nothing(translations)
    condition = conditions[0]
    for other in conditions[1:]:
        condition |= other
    return translations.filter(condition).annotate(
        rank=Case(*ranks, default=0.0, output_field=FloatField())
    )


def translations_best(
    translations: QuerySet[ArticleTranslation],
    text: str,
    language: str,
    *,
    limit: int,
    any_word: bool = False,
) -> QuerySet[ArticleTranslation]:
    """The `limit` best matches (`translations_matching`), best first: by rank, then the
    most read, then the oldest.

    On PostgreSQL the ranking runs on ids alone and the rows of the page are read after
    (one query still: the page is a subquery, its twenty rows matched and ranked again):
    carrying every match's bodies through the joins and the sort cost a third of the
    search. SQLite ranks in the FTS5 scan, where the bodies are not read until kept.
    """
    best = translations_matching(translations, text, language, any_word=any_word)
    best = best.order_by(*RANKING)
    if not _is_postgres(translations.db):
        return best[:limit]
    page = best.select_related(None).prefetch_related(None).values("pk")[:limit]
    again = translations_matching(
        translations.filter(pk__in=page), text, language, any_word=any_word
    )
    return again.order_by(*RANKING)


def _fts_language(language: str) -> str:
    """The language as one FTS5 token ("pt-br" would be two)."""
    return language.replace("-", "")


def _fts_matching(translations, matches: list[str], language: str, missing_here) -> QuerySet:
    """SQLite: one FTS5 MATCH joined to the translations, ranked by bm25 (computed once per
    match, in the same scan; titles weigh most, then summaries, the language column none)."""
    if not matches:
        return _nothing(translations)
    table = ArticleTranslation._meta.db_table
    if language != BASE_LANGUAGE:
        translations = translations.filter(
            Q(language=language) | Q(Q(missing_here), language=BASE_LANGUAGE)
        )
    return translations.extra(
        select={"rank": f"-bm25({FTS_TABLE}, 0.0, 10.0, 4.0, 1.0)"},
        tables=[FTS_TABLE],
        where=[f"{FTS_TABLE}.rowid = {table}.id", f"{FTS_TABLE} MATCH %s"],
        params=[" OR ".join(matches)],
    )


def _nothing(translations: QuerySet) -> QuerySet:
    """No match, in the shape of a match (ordered by rank like any other)."""
    return translations.none().annotate(rank=Value(0.0, output_field=FloatField()))


def snippet(
    translation: ArticleTranslation, text: str, *, words: int = SNIPPET_WORDS
) -> SafeString:
    """A window of the body around the most query words, those words (and the words the
    last one begins, as the search matched them) in <mark>, escaped.

    Written for a page of twenty results on every keystroke: each distinct word of the body
    is stemmed once (a body repeats its words), and the best window is found by sliding it
    one token at a time, adding the token entering and removing the one leaving.
    """
    language = translation.language
    query = stems(text, language)
    wanted, last = set(query), (query[-1] if query else None)
    tokens = re.findall(r"\S+", translation.body_text or translation.summary)
    if not tokens:
        return mark_safe("")
    found: dict[str, bool] = {}

    def is_wanted(word: str) -> bool:
        if word not in found:
            stemmed = stem(word, language)
            # the last word was searched as a prefix too ("relat" found "relatórios")
            found[word] = stemmed in wanted or (last is not None and stemmed.startswith(last))
        return found[word]

    token_hits: dict[str, bool] = {}
    for token in tokens:
        if token not in token_hits:
            token_hits[token] = any(is_wanted(word) for word in _WORD.findall(token))
    hits = [token_hits[token] for token in tokens]
    # long articles: the first screens are where answers are (windows from the first 400)
    count = best_hits = sum(hits[:words])
    best = 0
    for start in range(1, min(len(tokens) - words + 1, 402)):
        count += hits[start + words - 1] - hits[start - 1]
        if count > best_hits:
            best, best_hits = start, count
    window = range(best, min(len(tokens), best + words))
    pieces = _WORD_SPLIT.split(" ".join(tokens[i] for i in window))
    # split() alternates text between words and the words themselves (odd positions)
    parts = [
        f"<mark>{html.escape(piece)}</mark>"
        if position % 2 and is_wanted(piece)
        else html.escape(piece)
        for position, piece in enumerate(pieces)
    ]
    prefix = "… " if best else ""
    suffix = " …" if window.stop < len(tokens) else ""
    return mark_safe(prefix + "".join(parts) + suffix)
