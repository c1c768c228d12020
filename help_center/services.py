"""Writes of the help center: publishing, rendering, counting, feedback and deflection."""

import uuid
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from help_center import search
from help_center.models import (
    BASE_LANGUAGE,
    Article,
    ArticleFeedback,
    ArticleTranslation,
    ArticleViewTally,
    Deflection,
    DeflectionSuggestion,
    Section,
    UnansweredSearch,
)
from help_center.policy import policy_in_force, policy_markdown
from help_center.rendering import html_to_text, markdown_to_html
from helpdesk.db import commit_callback_queued

SUGGESTIONS = 3


def image_url(article: Article, filename: str) -> str:
    return reverse("help_center:image", args=[article.pk, filename])


def translations_render(article: Article) -> None:
    """Render every translation's Markdown to sanitised HTML and plain text, and index it.

    Called after any edit of the article, its translations or its images (an image's URL
    is part of the HTML); the history keeps the Markdown, the rendering is derived.
    """
    attachments = {a.filename: image_url(article, a.filename) for a in article.attachments.all()}
    translations = list(article.translations.all())
    for translation in translations:
        rendered = markdown_to_html(translation.body, attachments=attachments)
        ArticleTranslation.objects.filter(pk=translation.pk).update(
            body_html=rendered, body_text=html_to_text(rendered)
        )
    search.translations_index([t.pk for t in translations])


@transaction.atomic
def article_create(
    *,
    section: Section,
    author,
    now: datetime,
    title: str,
    body: str,
    language: str = BASE_LANGUAGE,
    summary: str = "",
    status: str = Article.Status.DRAFT,
    visibility: str = Article.Visibility.PUBLIC,
    reason: str = "",
    source_ticket=None,
) -> Article:
    """A new article with its first translation (demo data, tests, "from this ticket")."""
    article = Article(
        section=section,
        author=author,
        status=status,
        visibility=visibility,
        source_ticket=source_ticket,
        published_at=now if status == Article.Status.PUBLISHED else None,
    )
    article._change_reason = (reason or _("Written"))[:100]
    article.save()
    translation_save(
        article=article, language=language, title=title, body=body, summary=summary, reason=reason
    )
    return article


@transaction.atomic
def translation_save(
    *, article: Article, language: str, title: str, body: str, summary: str = "", reason: str = ""
) -> ArticleTranslation:
    """Write (or rewrite) the article in one language; its slug is kept once given."""
    translation = ArticleTranslation.objects.filter(article=article, language=language).first()
    if translation is None:
        translation = ArticleTranslation(
            article=article, language=language, slug=slug_free(title, language)
        )
    translation.title, translation.body, translation.summary = title, body, summary
    translation._change_reason = (reason or _("Written"))[:100]
    translation.save()
    Article.objects.filter(pk=article.pk).update(updated_at=translation.updated_at)
    translations_render(article)
    return translation


@transaction.atomic
def policy_articles_refresh(*, now: datetime) -> int:
    """Rewrite the articles written from the support policy with the policy in force, in
    each language they have; return how many translations changed.

    A translation whose text is already the policy's is left alone, so calling this after
    any edit of the policy's rules, levels or hours adds history only where the published
    text changed (with the reason, and whoever made the edit when it is a request's).
    """
    translations = list(
        ArticleTranslation.objects.filter(article__from_policy=True).select_related("article")
    )
    if not translations:
        return 0
    overview = policy_in_force(today=now.date())
    changed = 0
    for translation in translations:
        body = policy_markdown(translation.language, today=now.date(), overview=overview)
        if body == translation.body:
            continue
        translation_save(
            article=translation.article,
            language=translation.language,
            title=translation.title,
            summary=translation.summary,
            body=body,
            reason=_("The support policy changed"),
        )
        changed += 1
    return changed


def policy_articles_refresh_later(*, using: str = "default") -> None:
    """After the transaction that edits the policy commits, rewrite the articles written
    from it: once, whatever the number of rows the edit saved (a policy and its targets in
    the admin), and reading the policy as the edit left it."""
    if not commit_callback_queued(_policy_articles_refresh_now, using=using):
        transaction.on_commit(_policy_articles_refresh_now, using=using)


def _policy_articles_refresh_now() -> None:
    policy_articles_refresh(now=timezone.now())


def slug_free(title: str, language: str, *, exclude_pk: int | None = None) -> str:
    """A slug for the title not yet taken in that language (URLs are per language)."""
    base = slugify(title)[:180] or "article"
    taken = set(
        ArticleTranslation.objects.filter(language=language, slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def article_set_status(*, article: Article, status: str, actor, now: datetime, reason: str) -> None:
    """Publish, archive or return to draft, with the reason in the history."""
    if (
        status == Article.Status.PUBLISHED
        and not article.translations.filter(language=BASE_LANGUAGE).exists()
    ):
        raise ValidationError(_("An article is published with its Portuguese text at least."))
    article.status = status
    if status == Article.Status.PUBLISHED and article.published_at is None:
        article.published_at = now
    article._change_reason = (reason or Article.Status(status).label)[:100]
    article._history_user = actor
    article.save()


def article_view_record(*, article: Article, language: str, now: datetime) -> None:
    """Count a reading: the article's total (most viewed) and its month's tally by language."""
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)
    month = now.date().replace(day=1)
    updated = ArticleViewTally.objects.filter(
        article=article, month=month, language=language
    ).update(views=F("views") + 1)
    if not updated:
        try:
            with transaction.atomic():
                ArticleViewTally.objects.create(
                    article=article, month=month, language=language, views=1
                )
        except IntegrityError:  # another reader created it meanwhile
            ArticleViewTally.objects.filter(article=article, month=month, language=language).update(
                views=F("views") + 1
            )


def feedback_record(
    *, article: Article, language: str, helpful: bool, comment: str, user, now: datetime
) -> ArticleFeedback:
    return ArticleFeedback.objects.create(
        article=article,
        language=language,
        helpful=helpful,
        comment=comment.strip()[:2000],
        user=user if user is not None and user.is_authenticated else None,
        created_at=now,
    )


def unanswered_search_record(*, query: str, language: str, now: datetime) -> None:
    """Keep a search that found nothing, for the content team's report."""
    query = " ".join(query.split())[:200]
    if query:
        UnansweredSearch.objects.create(query=query, language=language, searched_at=now)


def deflection_for(*, token: str | None, user, language: str, now: datetime) -> Deflection:
    """The new-ticket form's deflection record, started on its first suggestions."""
    try:
        parsed = uuid.UUID(str(token)) if token else None
    except ValueError:
        parsed = None
    if parsed is not None:
        existing = Deflection.objects.filter(token=parsed, user=user).first()
        if existing is not None:
            return existing
    return Deflection.objects.create(
        token=uuid.uuid4(), user=user, language=language, started_at=now
    )


def deflection_suggest(*, deflection: Deflection, articles: list[Article], now: datetime) -> None:
    """Record that these articles were offered on the form (each once)."""
    DeflectionSuggestion.objects.bulk_create(
        [
            DeflectionSuggestion(deflection=deflection, article=article, suggested_at=now)
            for article in articles
        ],
        ignore_conflicts=True,
    )


def deflection_opened(*, token: str, user, article: Article, now: datetime) -> None:
    """The customer opened a suggested article from the form."""
    DeflectionSuggestion.objects.filter(
        deflection__token=token, deflection__user=user, article=article, opened_at__isnull=True
    ).update(opened_at=now)


@transaction.atomic
def deflection_solve(*, deflection: Deflection, article: Article, now: datetime) -> None:
    """ "This solved it": the form is abandoned, no ticket; counted once."""
    if deflection.outcome != Deflection.Outcome.PENDING:
        return
    if not deflection.suggestions.filter(article=article).exists():
        raise ValidationError(_("That article was not suggested on this form."))
    deflection.outcome, deflection.solved_by, deflection.finished_at = (
        Deflection.Outcome.SOLVED,
        article,
        now,
    )
    deflection.save(update_fields=["outcome", "solved_by", "finished_at"])


def deflection_ticket_opened(*, token: str | None, user, ticket, now: datetime) -> None:
    """The ticket was sent anyway: it records which articles had been shown."""
    if not token:
        return
    try:
        parsed = uuid.UUID(str(token))
    except ValueError:
        return
    Deflection.objects.filter(token=parsed, user=user, outcome=Deflection.Outcome.PENDING).update(
        outcome=Deflection.Outcome.TICKET, ticket=ticket, finished_at=now
    )


@transaction.atomic
def article_draft_from_ticket(*, ticket, author, now: datetime, section: Section) -> Article:
    """A draft answering a resolved ticket's question with the analyst's answer.

    The customer's words are the question; the last public reply of an analyst is the
    answer. Nothing of the customer (names, organization) is copied: the author edits the
    draft before anyone reads it, and it starts private to analysts (a draft).
    """
    from communications.models import Message

    if ticket.status not in (ticket.Status.RESOLVED, ticket.Status.CLOSED):
        raise ValidationError(_("Only a resolved ticket's answer becomes an article."))
    answer = (
        Message.objects.filter(ticket=ticket, direction=Message.Direction.TO_CUSTOMER)
        .order_by("-created_at", "-pk")
        .values_list("body", flat=True)
        .first()
    ) or ""
    body = _("## Question\n\n%(question)s\n\n## Answer\n\n%(answer)s") % {
        "question": ticket.description.strip(),
        "answer": answer.strip(),
    }
    return article_create(
        section=section,
        author=author,
        now=now,
        title=ticket.subject[:200],
        body=body,
        reason=_("Draft from ticket %(reference)s") % {"reference": ticket.reference},
        source_ticket=ticket,
    )
