from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from helpdesk.formats import format_instant
from helpdesk.history_admin import HistoryAdmin
from sla import selectors, services
from sla.forms import ExtraDayPeriodsFormSet, WeekdayPeriodsFormSet
from sla.models import (
    BusinessCalendar,
    CalendarClosure,
    ExtraWorkingDay,
    PriorityLevel,
    PriorityTarget,
    SLAPolicy,
    SupportContract,
    WorkingPeriod,
)
from tickets import selectors as ticket_selectors
from tickets import services as ticket_services
from tickets import tasks as ticket_tasks

# Above this many open tickets a re-apply runs as a background task, not in the request.
REAPPLY_INLINE_LIMIT = 2000

admin.site.site_header = _("Helpdesk back office")
admin.site.site_title = _("Helpdesk")
admin.site.index_title = _("Support agreement administration")


class WorkingPeriodInline(admin.TabularInline):
    model = WorkingPeriod
    formset = WeekdayPeriodsFormSet
    extra = 0


class CalendarClosureInline(admin.TabularInline):
    model = CalendarClosure
    extra = 0


class ExtraWorkingDayInline(admin.TabularInline):
    model = ExtraWorkingDay
    formset = ExtraDayPeriodsFormSet
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(HistoryAdmin):
    list_display = ["name", "timezone", "holiday_country", "holiday_subdivision"]
    search_fields = ["name"]
    inlines = [WorkingPeriodInline, CalendarClosureInline, ExtraWorkingDayInline]
    readonly_fields = ["upcoming_closed_days"]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and str(object_id or "").isdigit():
            _record_rules_before_edit(SLAPolicy.objects.filter(calendar_id=object_id))
        return super().changeform_view(request, object_id, form_url, extra_context)

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        return _offer_reapply(request, list(obj.policies.all()), response)

    @admin.display(description=_("Next holidays and closures"))
    def upcoming_closed_days(self, calendar):
        if calendar.pk is None:
            return "-"
        days = services.upcoming_closed_days(calendar, today=timezone.localdate(), count=8)
        return format_html_join(
            "", "<div>{} — {}</div>", ((f"{day:%d/%m/%Y}", name) for day, name in days)
        ) or _("none")


class PriorityTargetInline(admin.StackedInline):
    model = PriorityTarget
    extra = 0
    autocomplete_fields = ["level"]
    fields = [
        "level",
        ("first_response_amount", "first_response_unit", "first_response_clock"),
        ("resolution_amount", "resolution_unit", "resolution_clock"),
        (
            "integration_resolution_amount",
            "integration_resolution_unit",
            "integration_resolution_clock",
        ),
    ]


@admin.register(SLAPolicy)
class SLAPolicyAdmin(TranslationAdmin, HistoryAdmin):
    """The name and description in pt-BR, en and es one under the other (modeltranslation)."""

    list_display = ["name", "slug", "calendar", "is_active", "is_default"]
    list_filter = ["is_active", "is_default"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PriorityTargetInline]
    readonly_fields = ["deadline_preview"]

    def get_queryset(self, request):
        return selectors.policies_with_rules()

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and str(object_id or "").isdigit():
            _record_rules_before_edit(SLAPolicy.objects.filter(pk=object_id))
        return super().changeform_view(request, object_id, form_url, extra_context)

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        _record_rules_after_edit([obj])
        return response

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        return _offer_reapply(request, [obj], response)

    def get_urls(self):
        reapply = path(
            "reapply/", self.admin_site.admin_view(self.reapply_view), name="sla_slapolicy_reapply"
        )
        return [reapply, *super().get_urls()]

    def _reapply(self, request, policies) -> None:
        """Re-apply now, or in the background when the desk is large."""
        now = timezone.now()
        for policy in policies:
            open_count = ticket_selectors.open_tickets_of_policy(policy).count()
            if open_count > REAPPLY_INLINE_LIMIT:
                ticket_tasks.reapply_policy.enqueue(policy.pk, request.user.pk)
                self.message_user(
                    request,
                    ngettext(
                        "%(policy)s: re-applying to %(count)d open ticket in the background.",
                        "%(policy)s: re-applying to %(count)d open tickets in the background.",
                        open_count,
                    )
                    % {"policy": policy, "count": open_count},
                    messages.SUCCESS,
                )
                continue
            moved = ticket_services.tickets_reapply_policy(
                policy=policy, actor=request.user, now=now
            )
            self.message_user(
                request,
                ngettext(
                    "%(policy)s: %(count)d open ticket now follows the new rules.",
                    "%(policy)s: %(count)d open tickets now follow the new rules.",
                    moved,
                )
                % {"policy": policy, "count": moved},
                messages.SUCCESS,
            )

    def reapply_view(self, request):
        """After a rules change: move open tickets onto the new rules, or leave them be."""
        if not request.user.has_perm("sla.reapply_slapolicy"):
            raise PermissionDenied  # team leads and SLA admins (accounts.roles)
        ids = [int(pk) for pk in request.GET.get("policies", "").split(",") if pk.isdigit()]
        policies = list(selectors.policies_with_rules().filter(pk__in=ids))
        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = reverse("admin:sla_slapolicy_changelist")
        if request.method == "POST":
            if request.POST.get("choice") == "reapply":
                self._reapply(request, policies)
            else:
                self.message_user(request, _("Only new tickets will use the new rules."))
            return HttpResponseRedirect(next_url)
        previews = []
        now = timezone.now()
        for policy in policies:
            snapshot = services.snapshot_take(policy)
            stale = ticket_selectors.open_clocks_on_stale_rules(policy, snapshot)
            preview = services.reapply_preview(
                clocks_with_tickets=stale, snapshot=snapshot, now=now
            )
            shifts = {
                "largest": selectors.format_shift(preview.largest_shift, signed=False),
                "mean": selectors.format_shift(preview.mean_shift),
            }
            previews.append((policy, preview, shifts))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Apply the new rules to open tickets?"),
            "previews": previews,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/sla/reapply.html", context)

    @admin.display(description=_("Deadline preview"))
    def deadline_preview(self, policy):
        if policy.pk is None:
            return _("Save the policy to see its deadlines.")
        try:
            rows = services.policy_preview_table(policy, now=timezone.now())
        except services.SLAError as error:
            return str(error)
        header = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            _("Level"),
            _("Reported"),
            _("First response due"),
            _("Resolution due"),
        )
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    str(row.level),
                    f"{label}: {format_instant(reported)}",
                    format_instant(first),
                    format_instant(resolution),
                )
                for row in rows
                for label, reported, first, resolution in row.cases
            ),
        )
        return format_html('<table class="sla-preview">{}{}</table>', header, body)


@admin.register(PriorityLevel)
class PriorityLevelAdmin(TranslationAdmin, HistoryAdmin):
    """Name, impact and description in pt-BR, en and es, side by side (modeltranslation)."""

    list_display = [
        "number",
        "code",
        "name",
        "impact",
        "integration_24x7_eligible",
        "warning_percent",
    ]
    search_fields = ["code", "name"]
    ordering = ["number"]


@admin.register(SupportContract)
class SupportContractAdmin(HistoryAdmin):
    list_display = [
        "organization",
        "policy",
        "integration_24x7",
        "on_call_phone",
        "valid_from",
        "valid_until",
    ]
    list_filter = ["integration_24x7", "policy"]
    search_fields = ["organization__name"]
    list_select_related = ["organization", "policy"]
    autocomplete_fields = ["organization", "policy"]


def _record_rules_before_edit(policies) -> None:
    """Put the rules an edit is about to replace on record (tickets reported before the edit
    but entered after it still count on them)."""
    now = timezone.now()
    for policy in selectors.policies_with_rules().filter(pk__in=policies.values("pk")):
        services.policy_version_record(policy, now=now)


def _record_rules_after_edit(policies) -> list[SLAPolicy]:
    """Note the edited rules as in force from now; return the policies read afresh."""
    now = timezone.now()
    # Read the rules afresh: the admin's copy holds its targets from before the inlines saved.
    fresh = list(selectors.policies_with_rules().filter(pk__in=[policy.pk for policy in policies]))
    for policy in fresh:
        services.policy_version_record(policy, now=now)
    return fresh


def _offer_reapply(request, policies, response):
    """Send the analyst to the re-apply choice when open tickets count on older rules."""
    policies = _record_rules_after_edit(policies)
    stale = [
        policy
        for policy in policies
        if ticket_selectors.open_tickets_of_policy(policy)
        .exclude(sla_snapshot__content_hash=services.snapshot_take(policy).content_hash)
        .exists()
    ]
    if not stale or not isinstance(response, HttpResponseRedirect):
        return response
    query = urlencode({"policies": ",".join(str(p.pk) for p in stale), "next": response.url})
    return HttpResponseRedirect(f"{reverse('admin:sla_slapolicy_reapply')}?{query}")
