"""The help center: articles in categories and sections, one translation per language."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from helpdesk.db import TimeStampedModel

# The portal's languages, as settings.LANGUAGES names them; pt-BR is every article's base.
BASE_LANGUAGE = "pt-br"
LANGUAGE_CHOICES = settings.LANGUAGES
IMAGE_EXTENSIONS = ["png", "jpg", "jpeg", "gif", "webp"]


class Named(models.Model):
    """A name in each language; a missing one reads as the Portuguese."""

    name = models.CharField(_("name (Portuguese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=120, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    def name_in(self, language: str) -> str:
        return {"en": self.name_en, "es": self.name_es}.get(language) or self.name


class Category(Named):
    """A shelf of the help home (e.g. "Tickets and support")."""

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def get_absolute_url(self) -> str:
        return reverse("help_center:category", args=[self.slug])


class Section(Named):
    """A group of articles within a category."""

    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="sections", verbose_name=_("category")
    )

    class Meta:
        ordering = ["category", "position", "name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Article.Status.PUBLISHED)


class Article(TimeStampedModel):
    """What an article is, whatever its language: where it lives, who may read it, its state."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        ARCHIVED = "archived", _("archived")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("everyone, without logging in")
        CUSTOMERS = "customers", _("signed-in customers")
        ORGANIZATIONS = "organizations", _("chosen organizations")

    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, related_name="articles", verbose_name=_("section")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    visibility = models.CharField(
        _("who may read it"), max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    organizations = models.ManyToManyField(
        "tickets.Organization",
        blank=True,
        related_name="help_articles",
        verbose_name=_("organizations"),
        help_text=_("Only for “chosen organizations”: their members (and analysts) read it."),
    )
    related_articles = models.ManyToManyField(
        "self", blank=True, symmetrical=True, verbose_name=_("related articles")
    )
    feature_requests = models.ManyToManyField(
        "feature_requests.FeatureRequest",
        blank=True,
        related_name="help_articles",
        verbose_name=_("related feature requests"),
    )
    source_ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written from ticket"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    # The support hours and levels: never written by hand, so it never contradicts the policy.
    from_policy = models.BooleanField(
        _("written from the support policy"),
        default=False,
        editable=False,
        help_text=_(
            "Its text is rewritten from the default SLA policy whenever the policy changes: "
            "change the policy, not this text."
        ),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Counted by atomic UPDATEs (no history row); the monthly tallies say when and in what language.
    view_count = models.PositiveIntegerField(_("views"), default=0)

    objects = ArticleQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["view_count", "updated_at"], m2m_fields=[organizations]
    )

    class Meta:
        ordering = ["section", "-updated_at"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        permissions = [("publish_article", _("Can publish, archive and unpublish articles"))]
        indexes = [
            models.Index(fields=["status", "-view_count"], name="hc_article_most_viewed"),
            models.Index(fields=["status", "-updated_at"], name="hc_article_recent"),
        ]

    def __str__(self) -> str:
        base = next((t for t in self.translations.all() if t.language == BASE_LANGUAGE), None)
        return base.title if base else f"#{self.pk}"


class ArticleTranslation(models.Model):
    """The article in one language, with its own slug (its stable URL) and Markdown body."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="translations", verbose_name=_("article")
    )
    language = models.CharField(_("language"), max_length=10, choices=LANGUAGE_CHOICES)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, allow_unicode=False)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("body (Markdown)"))
    # The body as sanitised HTML and as plain text (for snippets), written by the services.
    body_html = models.TextField(_("body (HTML)"), editable=False, default="")
    body_text = models.TextField(_("body (text)"), editable=False, default="")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # PostgreSQL: the words stemmed in the translation's language, unaccented (GIN index),
    # kept in the row (STORAGE MAIN, migration 0004) so that ranking does not read TOAST;
    # SQLite keeps them in the FTS5 table help_center_fts instead.
    search_vector = SearchVectorField(null=True, editable=False)

    history = HistoricalRecords(excluded_fields=["search_vector", "body_html", "body_text"])

    class Meta:
        ordering = ["article", "language"]
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        constraints = [
            models.UniqueConstraint(fields=["article", "language"], name="hc_one_per_language"),
            models.UniqueConstraint(fields=["language", "slug"], name="hc_slug_per_language"),
        ]

    def __str__(self) -> str:
        return f"{self.title} [{self.language}]"

    def get_absolute_url(self) -> str:
        return reverse("help_center:article", args=[self.language, self.slug])


def _attachment_path(instance, filename: str) -> str:
    return f"help_center/{instance.article_id}/{filename}"


class ArticleAttachment(TimeStampedModel):
    """An image shown in an article: Markdown refers to it as ![text](attachment:name.png)."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("article")
    )
    file = models.FileField(
        _("image"),
        upload_to=_attachment_path,
        validators=[FileExtensionValidator(IMAGE_EXTENSIONS)],
    )

    class Meta:
        ordering = ["article", "pk"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]

    @property
    def filename(self) -> str:
        return str(self)


class ArticleFeedback(models.Model):
    """A reader's "was this helpful?" answer, with an optional comment for the authors."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("article")
    )
    language = models.CharField(_("language"), max_length=10, choices=LANGUAGE_CHOICES)
    helpful = models.BooleanField(_("helpful"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("article feedback")
        verbose_name_plural = _("article feedback")
        indexes = [models.Index(fields=["created_at"], name="hc_feedback_at")]

    def __str__(self) -> str:
        return f"{self.article_id}: {'+' if self.helpful else '-'}"


class ArticleViewTally(models.Model):
    """How many times an article was read in a month and language (one row, counted up)."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="+", verbose_name=_("article")
    )
    month = models.DateField(_("month"))
    language = models.CharField(_("language"), max_length=10, choices=LANGUAGE_CHOICES)
    views = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("article views in a month")
        verbose_name_plural = _("article views per month")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "month", "language"], name="hc_one_tally_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {self.month:%Y-%m} {self.language}: {self.views}"


class UnansweredSearch(models.Model):
    """A search that found nothing: what the content team should write next."""

    query = models.CharField(_("search"), max_length=200)
    language = models.CharField(_("language"), max_length=10, choices=LANGUAGE_CHOICES)
    searched_at = models.DateTimeField(_("searched at"))

    class Meta:
        ordering = ["-searched_at"]
        verbose_name = _("search without results")
        verbose_name_plural = _("searches without results")
        indexes = [models.Index(fields=["searched_at"], name="hc_unanswered_at")]

    def __str__(self) -> str:
        return self.query


class Deflection(models.Model):
    """One new-ticket form's suggestions: which articles were offered while the customer
    typed, whether one was opened, and whether it solved the problem (no ticket) or the
    ticket was sent anyway (then `ticket` records what had been shown)."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("still typing or left")
        SOLVED = "solved", _("solved without a ticket")
        TICKET = "ticket", _("ticket opened")

    token = models.UUIDField(_("token"), unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    language = models.CharField(_("language"), max_length=10, choices=LANGUAGE_CHOICES)
    started_at = models.DateTimeField(_("started at"))
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    solved_by = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("solved by"),
    )
    ticket = models.OneToOneField(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="help_center_deflection",
        verbose_name=_("ticket"),
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("deflection")
        verbose_name_plural = _("deflections")
        indexes = [models.Index(fields=["started_at"], name="hc_deflection_at")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="solved") | Q(solved_by__isnull=False, ticket__isnull=True),
                name="hc_solved_has_article",
            )
        ]

    def __str__(self) -> str:
        return str(self.token)


class DeflectionSuggestion(models.Model):
    """An article offered on a new-ticket form (once per form), and whether it was opened."""

    deflection = models.ForeignKey(
        Deflection,
        on_delete=models.CASCADE,
        related_name="suggestions",
        verbose_name=_("deflection"),
    )
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="+", verbose_name=_("article")
    )
    suggested_at = models.DateTimeField(_("suggested at"))
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)

    class Meta:
        ordering = ["deflection", "suggested_at"]
        verbose_name = _("suggested article")
        verbose_name_plural = _("suggested articles")
        constraints = [
            models.UniqueConstraint(
                fields=["deflection", "article"], name="hc_suggested_once_per_form"
            )
        ]

    def __str__(self) -> str:
        return f"{self.deflection_id}: {self.article_id}"
