"""The public articles for search engines: one URL per translation, with its alternates."""

from django.contrib.sitemaps import Sitemap

from help_center import selectors
from help_center.models import ArticleTranslation


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        # Anonymous visibility: only what anyone may read is announced.
        return (
            ArticleTranslation.objects.filter(article__in=selectors.articles_visible_to(None))
            .only("pk", "language", "slug", "updated_at")
            .order_by("pk")
        )

    def lastmod(self, translation):
        return translation.updated_at


SITEMAPS = {"articles": ArticleSitemap}
