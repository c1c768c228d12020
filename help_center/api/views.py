"""The help center API: articles (list, search, read) with the portal's visibility rules.

Public articles answer without authentication (the chatbot product, customers' own sites);
a customer's token also reads their organization's articles.
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from help_center import selectors
from help_center.api import examples
from help_center.api.serializers import (
    ArticleDetailSerializer,
    ArticleSerializer,
    HitSerializer,
    LanguageQuerySerializer,
    SearchQuerySerializer,
)
from help_center.views import visitor_language

LANGUAGE = OpenApiParameter(
    "language",
    str,
    enum=["pt-br", "en", "es"],
    description="The reader's language; missing translations fall back to Portuguese.",
)
SEARCH_LIMIT = 20


class ArticleViewSet(viewsets.GenericViewSet):
    """Published articles the caller may read, in their language."""

    permission_classes = [AllowAny]
    serializer_class = ArticleSerializer
    filter_backends = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.with_translations(
            selectors.articles_visible_to(self.request.user)
        ).order_by("-updated_at", "-pk")

    def _language(self) -> str:
        query = LanguageQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data.get("language") or visitor_language()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "language": self._language()}

    @extend_schema(parameters=[LANGUAGE], examples=[examples.ARTICLE_RESPONSE])
    def list(self, request):
        """Articles, most recently updated first."""
        page = self.paginate_queryset(self.get_queryset())
        shown = selectors.shown_list(page, self._language())
        return self.get_paginated_response(self.get_serializer(shown, many=True).data)

    @extend_schema(
        parameters=[LANGUAGE],
        responses=ArticleDetailSerializer,
        examples=[examples.ARTICLE_DETAIL_RESPONSE, examples.FALLBACK_RESPONSE],
    )
    def retrieve(self, request, pk=None):
        """One article with its sanitised HTML body."""
        article = self.get_queryset().filter(pk=pk).first()
        shown = selectors.shown_in(article, self._language()) if article else None
        if shown is None:
            raise Http404
        return Response(ArticleDetailSerializer(shown, context=self.get_serializer_context()).data)

    @extend_schema(
        parameters=[SearchQuerySerializer],
        responses=HitSerializer(many=True),
        examples=[examples.SEARCH_RESPONSE],
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def search(self, request):
        """The best matches, best first, with highlighted snippets (<mark>)."""
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        language = query.validated_data.get("language") or visitor_language()
        hits = selectors.articles_search(
            request.user, query.validated_data["q"], language, limit=SEARCH_LIMIT
        )
        context = {**self.get_serializer_context(), "language": language}
        return Response(HitSerializer(hits, many=True, context=context).data)
