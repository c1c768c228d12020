"""The analysts' back office for feature requests: moderation, status, merges, answers."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feature_requests import selectors, services
from feature_requests.forms import CommentForm, LinkTicketForm, MergeForm, StatusForm
from feature_requests.models import (
    Comment,
    FeatureRequest,
    Notice,
    NotificationPreference,
    Subscription,
    TicketLink,
    Vote,
)
from helpdesk.history_admin import HistoryAdmin


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _form_errors(form) -> str:
    return " ".join(f"{error}" for errors in form.errors.values() for error in errors)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class VoteInline(ReadOnlyInline):
    model = Vote
    fields = ["user", "created_at"]
    readonly_fields = fields
    verbose_name_plural = _("votes")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class SubscriptionInline(ReadOnlyInline):
    model = Subscription
    fields = ["user", "source", "created_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class CommentInline(ReadOnlyInline):
    model = Comment
    fields = ["created_at", "author", "is_official", "body"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class TicketLinkInline(ReadOnlyInline):
    model = TicketLink
    fields = ["ticket", "linked_by", "linked_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("ticket", "linked_by")


class QueueFilter(admin.SimpleListFilter):
    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("moderation", _("awaiting moderation")),
            ("open", _("open for votes")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "moderation":
            return queryset.awaiting_moderation()
        if self.value() == "open":
            return queryset.open_for_votes()
        return queryset


@admin.register(FeatureRequest)
class FeatureRequestAdmin(HistoryAdmin):
    list_display = [
        "title",
        "status",
        "product_area",
        "vote_count",
        "subscriber_count",
        "notices_sent",
        "organization",
        "is_private",
        "created_at",
    ]
    list_filter = [QueueFilter, "status", "product_area", "is_private", "channel"]
    search_fields = ["title", "description", "author__username", "organization__name"]
    list_select_related = ["organization"]
    ordering = ["-created_at"]
    date_hierarchy = "created_at"
    fields = [
        "title",
        "description",
        "product_area",
        "is_private",
        "status",
        "status_reason",
        "status_changed_at",
        "merged_into",
        "vote_count",
        "author",
        "organization",
        "channel",
        "notices_summary",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [
        "status",
        "status_reason",
        "status_changed_at",
        "merged_into",
        "vote_count",
        "author",
        "organization",
        "channel",
        "notices_summary",
        "created_at",
        "updated_at",
    ]
    inlines = [CommentInline, VoteInline, SubscriptionInline, TicketLinkInline]
    actions = ["change_status", "merge_into"]

    def has_add_permission(self, request):
        return False  # requests are proposed in the portal, the API or by e-mail

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                subscriber_total=Count("subscriptions", distinct=True),
                notices_sent_total=Count(
                    "notices",
                    filter=Q(notices__email_status=Notice.EmailStatus.SENT),
                    distinct=True,
                ),
            )
        )

    @admin.display(description=_("subscribers"), ordering="subscriber_total")
    def subscriber_count(self, feature_request):
        return feature_request.subscriber_total

    @admin.display(description=_("notices sent"), ordering="notices_sent_total")
    def notices_sent(self, feature_request):
        return feature_request.notices_sent_total

    @admin.display(description=_("notices"))
    def notices_summary(self, feature_request):
        counts = dict(
            feature_request.notices.values_list("email_status")
            .annotate(total=Count("pk"))
            .values_list("email_status", "total")
        )
        labels = [f"{label}: {counts.get(value, 0)}" for value, label in Notice.EmailStatus.choices]
        return format_html("{}", " · ".join(labels))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        feature_request = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if feature_request is not None:
            status_form = StatusForm()
            allowed = set(services.available_transitions(feature_request))
            status_form.fields["to_status"].choices = [
                choice for choice in status_form.fields["to_status"].choices if choice[0] in allowed
            ]
            merge_form = MergeForm()
            merge_form.fields["survivor"].queryset = merge_form.fields["survivor"].queryset.exclude(
                pk=feature_request.pk
            )
            extra_context |= {
                "status_form": status_form if allowed else None,
                "merge_form": merge_form
                if feature_request.status != FeatureRequest.Status.MERGED
                else None,
                "comment_form": CommentForm(),
                "link_form": LinkTicketForm(),
                "status_history": selectors.status_history(feature_request),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    # -- one-object forms posted from the change page -------------------------------------

    def get_urls(self):
        own = [
            path(
                f"<path:object_id>/{kind}/",
                self.admin_site.admin_view(self.object_action_view),
                {"kind": kind},
                name=f"feature_requests_featurerequest_{kind}",
            )
            for kind in OBJECT_ACTIONS
        ]
        return own + super().get_urls()

    def object_action_view(self, request, object_id, kind: str):
        if not self.has_change_permission(request):
            raise PermissionDenied
        # Not <int:>: the admin's own <path:object_id>/ catch-all would take "abc/status/".
        if not (object_id.isascii() and object_id.isdigit()):
            raise Http404
        feature_request = get_object_or_404(self.get_queryset(request), pk=object_id)
        back = HttpResponseRedirect(
            reverse("admin:feature_requests_featurerequest_change", args=[feature_request.pk])
        )
        if request.method != "POST":
            return back
        form_class, run, done = OBJECT_ACTIONS[kind]
        form = form_class(request.POST)
        if not form.is_valid():
            self.message_user(request, _form_errors(form), messages.ERROR)
            return back
        try:
            run(feature_request, form.cleaned_data, request.user, timezone.now())
        except ValidationError as error:
            self.message_user(request, _error_text(error), messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return back

    # -- bulk actions ---------------------------------------------------------------------

    def _intermediate(self, request, queryset, form, title):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "feature_requests": queryset,
            "action_name": request.POST["action"],
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        }
        return TemplateResponse(
            request, "admin/feature_requests/featurerequest/action_form.html", context
        )

    def _apply_to_each(self, request, queryset, run, form) -> None:
        done, now = 0, timezone.now()
        for feature_request in queryset:
            try:
                run(feature_request, form.cleaned_data, request.user, now)
                done += 1
            except ValidationError as error:
                self.message_user(
                    request, f"#{feature_request.pk}: {_error_text(error)}", messages.ERROR
                )
        if done:
            self.message_user(
                request,
                gettext("%(count)d request(s) updated.") % {"count": done},
                messages.SUCCESS,
            )

    @admin.action(description=_("Change status…"))
    def change_status(self, request, queryset):
        form = StatusForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._intermediate(request, queryset, form, gettext("Change status"))
        self._apply_to_each(request, queryset, _change_status, form)
        return None

    @admin.action(description=_("Merge into another request…"))
    def merge_into(self, request, queryset):
        form = MergeForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._intermediate(request, queryset, form, gettext("Merge requests"))
        self._apply_to_each(request, queryset, _merge, form)
        return None


def _change_status(feature_request, data, actor, now):
    services.feature_request_change_status(
        feature_request=feature_request,
        to_status=data["to_status"],
        reason=data["reason"],
        actor=actor,
        now=now,
    )


def _merge(feature_request, data, actor, now):
    services.feature_request_merge(
        duplicate=feature_request,
        survivor=data["survivor"],
        actor=actor,
        now=now,
        reason=data.get("reason", ""),
    )


def _comment(feature_request, data, actor, now):
    services.comment_post(feature_request=feature_request, author=actor, body=data["body"], now=now)


def _link(feature_request, data, actor, now):
    services.feature_request_link_ticket(
        feature_request=feature_request, ticket=data["ticket"], actor=actor, now=now
    )


# kind -> (form, runner, success message): the change page's forms.
OBJECT_ACTIONS = {
    "status": (StatusForm, _change_status, _("Status changed.")),
    "merge": (MergeForm, _merge, _("Request merged.")),
    "comment": (CommentForm, _comment, _("Official answer posted.")),
    "link": (LinkTicketForm, _link, _("Ticket linked.")),
}


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["feature_request", "recipient", "event", "email_status", "emailed_at"]
    list_filter = ["event", "email_status"]
    search_fields = ["recipient__username", "recipient__email", "feature_request__title"]
    list_select_related = ["feature_request", "recipient"]
    readonly_fields = [
        "feature_request",
        "recipient",
        "event",
        "reason",
        "created_at",
        "read_at",
        "email_status",
        "message_id",
        "attempts",
        "last_error",
        "emailed_at",
        "next_attempt_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email_opt_out", "changed_at"]
    list_filter = ["email_opt_out"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
    readonly_fields = ["user", "changed_at"]

    def has_add_permission(self, request):
        return False
