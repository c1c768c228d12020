"""API shapes of help articles, as a reader sees them in one language (explicit fields)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from help_center.search import STEMMERS


class ArticleSerializer(serializers.Serializer):
    """An article as read in the asked language (`fallback`: shown in Portuguese)."""

    id = serializers.IntegerField(source="article.pk")
    language = serializers.CharField(source="translation.language")
    fallback = serializers.BooleanField()
    title = serializers.CharField(source="translation.title")
    slug = serializers.CharField(source="translation.slug")
    summary = serializers.CharField(source="translation.summary")
    url = serializers.SerializerMethodField()
    category = serializers.SerializerMethodField()
    section = serializers.SerializerMethodField()
    languages = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(source="article.updated_at")

    def get_url(self, shown) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(shown.url) if request else shown.url

    def get_category(self, shown) -> str:
        return shown.article.section.category.name_in(self.context.get("language", ""))

    def get_section(self, shown) -> str:
        return shown.article.section.name_in(self.context.get("language", ""))

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_languages(self, shown) -> list[str]:
        return sorted(t.language for t in shown.article.translations.all())


class ArticleDetailSerializer(ArticleSerializer):
    body_html = serializers.CharField(source="translation.body_html")


class HitSerializer(ArticleSerializer):
    rank = serializers.FloatField()
    snippet = serializers.CharField()

    def to_representation(self, hit):
        data = ArticleSerializer(hit.shown, context=self.context).data
        return {**data, "rank": round(hit.rank, 4), "snippet": str(hit.snippet)}


class LanguageQuerySerializer(serializers.Serializer):
    language = serializers.ChoiceField(
        choices=list(STEMMERS),
        required=False,
        help_text="The reader's language (default: the request's, else pt-br). An article "
        "without a translation in it is returned in Portuguese, with fallback true.",
    )


class SearchQuerySerializer(LanguageQuerySerializer):
    q = serializers.CharField(max_length=200, help_text="Words to find, in any form or accent.")
