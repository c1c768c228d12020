"""OpenAPI examples of help articles."""

from drf_spectacular.utils import OpenApiExample

ARTICLE = {
    "id": 12,
    "language": "pt-br",
    "fallback": False,
    "title": "Como abrir um chamado na central de suporte",
    "slug": "como-abrir-um-chamado-na-central-de-suporte",
    "summary": "O formulário guiado, os níveis de prioridade e o que acontece depois.",
    "url": "https://suporte.example.com/help/pt-br/como-abrir-um-chamado-na-central-de-suporte/",
    "category": "Chamados e suporte",
    "section": "Primeiros passos",
    "languages": ["pt-br", "en", "es"],
    "updated_at": "2026-12-01T10:00:00-03:00",
}
ARTICLE_DETAIL = {
    **ARTICLE,
    "body_html": "<h2>Antes de abrir</h2><p>Procure na central de ajuda…</p>",
}
HIT = {
    **ARTICLE,
    "rank": 0.42,
    "snippet": "… abra um <mark>chamado</mark> pelo portal ou por e-mail …",
}

ARTICLE_RESPONSE = OpenApiExample("An article", value=ARTICLE, response_only=True)
ARTICLE_DETAIL_RESPONSE = OpenApiExample(
    "An article with its body", value=ARTICLE_DETAIL, response_only=True
)
FALLBACK_RESPONSE = OpenApiExample(
    "Asked in English, not yet translated: the Portuguese text",
    value={**ARTICLE_DETAIL, "fallback": True},
    response_only=True,
)
SEARCH_RESPONSE = OpenApiExample("Search results, best first", value=[HIT], response_only=True)
