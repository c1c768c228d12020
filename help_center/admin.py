"""Writing the help center in the back office: thin admin over `help_center.services`."""

from datetime import datetime, time, timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from communications.notifications import language_of
from help_center import reports, selectors, services
from help_center.models import (
    Article,
    ArticleAttachment,
    ArticleFeedback,
    ArticleTranslation,
    Category,
    Section,
    UnansweredSearch,
)
from helpdesk.history_admin import HistoryAdmin
from tickets.models import Ticket

PUBLISH = "help_center.publish_article"


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "name_es", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "slug", "position"]
    list_filter = ["category"]
    prepopulated_fields = {"slug": ["name"]}


class TranslationInline(admin.StackedInline):
    model = ArticleTranslation
    extra = 0
    min_num = 1
    fields = [("language", "title"), "slug", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    can_delete = False


class AttachmentInline(admin.TabularInline):
    model = ArticleAttachment
    extra = 0
    fields = ["file", "markdown"]
    readonly_fields = ["markdown"]

    @admin.display(description=_("in Markdown"))
    def markdown(self, attachment):
        return f"![…](attachment:{attachment.filename})" if attachment.pk else ""


class ArticleForm(forms.ModelForm):
    change_reason = forms.CharField(
        label=_("Reason for this change"),
        max_length=100,
        required=False,
        help_text=_("Kept in the article's history with your name."),
    )

    class Meta:
        model = Article
        fields = [
            "section",
            "status",
            "visibility",
            "organizations",
            "related_articles",
            "feature_requests",
        ]


@admin.register(Article)
class ArticleAdmin(HistoryAdmin):
    form = ArticleForm
    inlines = [TranslationInline, AttachmentInline]
    list_display = [
        "title",
        "section",
        "status",
        "visibility",
        "languages",
        "view_count",
        "updated_at",
    ]
    list_filter = ["status", "visibility", "section__category"]
    search_fields = ["translations__title"]
    autocomplete_fields = ["related_articles", "feature_requests", "organizations"]
    readonly_fields = [
        "author",
        "published_at",
        "view_count",
        "source_ticket",
        "from_policy",
        "previews",
    ]
    actions = ["publish", "archive"]
    fieldsets = [
        (None, {"fields": ["section", ("status", "visibility"), "organizations"]}),
        (_("Related"), {"fields": ["related_articles", "feature_requests"]}),
        (
            _("About"),
            {
                "fields": [
                    "previews",
                    ("author", "published_at", "view_count"),
                    ("source_ticket", "from_policy"),
                ]
            },
        ),
        (None, {"fields": ["change_reason"]}),
    ]

    change_list_template = "admin/help_center/article/change_list.html"

    def get_queryset(self, request):
        return (
            super().get_queryset(request).prefetch_related("translations").select_related("section")
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("report/", wrap(self.report_view), name="help_center_report"),
            path(
                "lookup/<int:ticket_id>/",
                wrap(self.lookup_view),
                name="help_center_article_lookup",
            ),
            path(
                "from-ticket/<int:ticket_id>/",
                wrap(self.from_ticket_view),
                name="help_center_article_from_ticket",
            ),
            *super().get_urls(),
        ]

    def report_view(self, request):
        """Views, helpfulness, searches without results and deflections of the last months."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            months = min(max(int(request.GET.get("months", 12)), 1), 36)
        except ValueError:
            months = 12
        now = timezone.localtime()
        first = now.date().replace(day=1)
        for _step in range(months - 1):
            first = (first - timedelta(days=1)).replace(day=1)
        start = datetime.combine(first, time.min, tzinfo=now.tzinfo)
        report = reports.help_center_report(start=start, end=now + timedelta(seconds=1))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Help center report"),
            "report": report,
            "charts": reports.report_charts(report),
            "months": months,
        }
        return TemplateResponse(request, "admin/help_center/report.html", context)

    def lookup_view(self, request, ticket_id: int):
        """Articles the ticket's requester may read, for a link in the reply (JSON)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        ticket = get_object_or_404(Ticket.objects.select_related("requester"), pk=ticket_id)
        language = language_of(ticket.requester)
        hits = selectors.articles_search(
            ticket.requester, request.GET.get("q", "")[:200], language, limit=8, any_word=True
        )
        root = settings.PORTAL_URL.rstrip("/")
        return JsonResponse(
            {
                "results": [
                    {"title": hit.shown.translation.title, "url": root + hit.shown.url}
                    for hit in hits
                ]
            }
        )

    def from_ticket_view(self, request, ticket_id: int):
        """ "Create article from this ticket": a draft from its question and answer."""
        if request.method != "POST" or not self.has_add_permission(request):
            raise PermissionDenied
        ticket = get_object_or_404(Ticket, pk=ticket_id)
        section = Section.objects.order_by("category__position", "position", "pk").first()
        if section is None:
            self.message_user(request, gettext("Create a section first."), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:help_center_section_add"))
        try:
            article = services.article_draft_from_ticket(
                ticket=ticket, author=request.user, now=timezone.now(), section=section
            )
        except ValidationError as error:
            self.message_user(request, error.messages[0], messages.ERROR)
            return HttpResponseRedirect(reverse("admin:tickets_ticket_change", args=[ticket.pk]))
        self.message_user(request, gettext("Draft created: edit it before publishing."))
        return HttpResponseRedirect(reverse("admin:help_center_article_change", args=[article.pk]))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm(PUBLISH):
            fields.append("status")  # agents write drafts; team leads publish
        return fields

    @admin.display(description=_("title"))
    def title(self, article):
        return str(article)

    @admin.display(description=_("languages"))
    def languages(self, article):
        return ", ".join(t.language for t in article.translations.all())

    @admin.display(description=_("preview"))
    def previews(self, article):
        if not article.pk:
            return "-"
        return format_html_join(
            " · ",
            '<a href="{}" target="_blank">{}</a>',
            (
                (reverse("help_center:preview", args=[article.pk, t.language]), t.language)
                for t in article.translations.all()
            ),
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        if obj.status == Article.Status.PUBLISHED and obj.published_at is None:
            obj.published_at = timezone.now()
        obj._change_reason = form.cleaned_data.get("change_reason") or (
            gettext("Changed") if change else gettext("Written")
        )
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        reason = form.cleaned_data.get("change_reason") or gettext("Changed")
        for inline_form in formset.forms:
            inline_form.instance._change_reason = reason[:100]
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.translations_render(form.instance)

    def _set_status(self, request, queryset, status):
        if not request.user.has_perm(PUBLISH):
            raise PermissionDenied
        done = 0
        for article in queryset:
            try:
                services.article_set_status(
                    article=article,
                    status=status,
                    actor=request.user,
                    now=timezone.now(),
                    reason=Article.Status(status).label,
                )
                done += 1
            except ValidationError as error:
                self.message_user(request, f"{article}: {error.messages[0]}", messages.ERROR)
        if done:
            self.message_user(request, gettext("Articles updated: %(count)d") % {"count": done})

    @admin.action(description=_("Publish the selected articles"), permissions=["publish"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, Article.Status.PUBLISHED)

    @admin.action(description=_("Archive the selected articles"), permissions=["publish"])
    def archive(self, request, queryset):
        self._set_status(request, queryset, Article.Status.ARCHIVED)

    def has_publish_permission(self, request):
        return request.user.has_perm(PUBLISH)

    def has_delete_permission(self, request, obj=None):
        return False  # archive instead: the history and the reports keep pointing at it


@admin.register(ArticleFeedback)
class ArticleFeedbackAdmin(admin.ModelAdmin):
    list_display = ["article", "helpful", "language", "comment", "created_at"]
    list_filter = ["helpful", "language"]
    list_select_related = ["article"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(UnansweredSearch)
class UnansweredSearchAdmin(admin.ModelAdmin):
    list_display = ["query", "language", "searched_at"]
    list_filter = ["language"]
    search_fields = ["query"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
