"""The help center in the portal: thin views over `help_center.selectors` and `services`."""

import contextlib
import mimetypes

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from help_center import selectors, services
from help_center.forms import FeedbackForm, SearchForm
from help_center.models import (
    BASE_LANGUAGE,
    Article,
    ArticleAttachment,
    Category,
    Deflection,
)
from help_center.search import STEMMERS

SEARCH_RESULTS = 20


def visitor_language() -> str:
    """The visitor's language (LocaleMiddleware: their choice, else their browser's)."""
    language = (get_language() or BASE_LANGUAGE).lower()
    return language if language in STEMMERS else BASE_LANGUAGE


@require_GET
def home(request):
    """Search box, categories, most viewed and recently updated."""
    context = selectors.help_home(request.user, visitor_language())
    return render(request, "help_center/home.html", {**context, "form": SearchForm()})


@require_GET
def category(request, slug: str):
    category = get_object_or_404(Category, slug=slug)
    sections = selectors.category_page(request.user, category, visitor_language())
    if not sections:
        raise Http404  # nothing in it this visitor may read: as if it did not exist
    return render(
        request,
        "help_center/category.html",
        {"category": category, "sections": sections, "form": SearchForm()},
    )


@require_GET
def article(request, language: str, slug: str):
    """The article at its stable URL; counted once per page view."""
    translation = selectors.translation_visible_to(request.user, language, slug)
    if translation is None:
        raise Http404
    now = timezone.now()
    services.article_view_record(article=translation.article, language=language, now=now)
    token = request.GET.get("deflection")
    if token and request.user.is_authenticated:
        # A malformed token (an old or edited link) is ignored: the reading still counts.
        with contextlib.suppress(ValidationError):
            services.deflection_opened(
                token=token, user=request.user, article=translation.article, now=now
            )
    return _article_page(request, translation, deflection=token)


def _article_page(request, translation, *, deflection=None, preview=False):
    article = translation.article
    here = visitor_language()
    extras = selectors.article_extras(article, request.user, here)
    fallback = translation.language != here and not any(
        t.language == here for t in extras["translations"]
    )
    return render(
        request,
        "help_center/article.html",
        {
            "article": article,
            "translation": translation,
            "category": article.section.category,
            "fallback": fallback,
            "feedback_form": FeedbackForm(),
            "deflection": deflection,
            "preview": preview,
            **extras,
        },
    )


@staff_member_required
@require_GET
def preview(request, pk: int, language: str):
    """An analyst reads a draft as customers will see it (never counted)."""
    if not request.user.has_perm("help_center.view_article"):
        raise Http404
    article = get_object_or_404(Article.objects.select_related("section__category"), pk=pk)
    translation = get_object_or_404(article.translations, language=language)
    return _article_page(request, translation, preview=True)


@require_POST
def feedback(request, language: str, slug: str):
    translation = selectors.translation_visible_to(request.user, language, slug)
    if translation is None:
        raise Http404
    form = FeedbackForm(request.POST)
    if form.is_valid():
        services.feedback_record(
            article=translation.article,
            language=visitor_language(),
            helpful=form.cleaned_data["helpful"],
            comment=form.cleaned_data["comment"],
            user=request.user,
            now=timezone.now(),
        )
        messages.success(request, _("Thank you for your feedback."))
    return redirect(translation.get_absolute_url() + "#feedback")


@require_GET
def search(request):
    form = SearchForm(request.GET)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    language = visitor_language()
    hits = selectors.articles_search(request.user, text, language, limit=SEARCH_RESULTS)
    if text.strip() and not hits:
        services.unanswered_search_record(query=text, language=language, now=timezone.now())
    return render(request, "help_center/search.html", {"form": form, "hits": hits, "q": text})


@login_required
@require_GET
def suggestions(request):
    """Articles for the subject being typed on the new-ticket form (JSON, for its script).

    The first call starts the form's deflection record; its token comes back and is sent
    with each later call, the "this solved it" button and the ticket form itself.
    """
    text = request.GET.get("subject", "")[:200]
    language = visitor_language()
    hits = selectors.article_suggestions(request.user, text, language)
    if not hits:
        return JsonResponse({"token": request.GET.get("token", ""), "results": []})
    now = timezone.now()
    deflection = services.deflection_for(
        token=request.GET.get("token"), user=request.user, language=language, now=now
    )
    services.deflection_suggest(
        deflection=deflection, articles=[hit.shown.article for hit in hits], now=now
    )
    return JsonResponse(
        {
            "token": str(deflection.token),
            "results": [
                {
                    "id": hit.shown.article.pk,
                    "title": hit.shown.translation.title,
                    "summary": hit.shown.translation.summary,
                    "url": f"{hit.shown.url}?deflection={deflection.token}",
                }
                for hit in hits
            ],
        }
    )


@login_required
@require_POST
def deflection_solved(request, token):
    """ "This solved it": the draft is abandoned and the deflection counted."""
    deflection = get_object_or_404(Deflection, token=token, user=request.user)
    article = selectors.articles_visible_to(request.user).filter(pk=request.POST.get("article"))
    article = article.first() if str(request.POST.get("article", "")).isdigit() else None
    if article is None:
        raise Http404
    try:
        services.deflection_solve(deflection=deflection, article=article, now=timezone.now())
    except ValidationError as error:
        return JsonResponse({"detail": error.messages[0]}, status=400)
    messages.success(request, _("Glad it helped. No ticket was opened."))
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"redirect": reverse("help_center:home")})
    return redirect("help_center:home")


@require_GET
def image(request, article: int, filename: str):
    """An article's image, to whoever may read the article (analysts: any article)."""
    if request.user.is_authenticated and request.user.is_staff:
        articles = Article.objects.all()
    else:
        articles = selectors.articles_visible_to(request.user)
    attachment = (
        ArticleAttachment.objects.filter(article__in=articles, article_id=article)
        .filter(file__endswith=f"/{filename}")
        .first()
    )
    if attachment is None:
        raise Http404
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = FileResponse(attachment.file.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
