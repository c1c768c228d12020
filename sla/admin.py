from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from helpdesk.formats import format_instant
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
class BusinessCalendarAdmin(SimpleHistoryAdmin):
    list_display = ["name", "timezone", "holiday_country", "holiday_subdivision"]
    search_fields = ["name"]
    inlines = [WorkingPeriodInline, CalendarClosureInline, ExtraWorkingDayInline]
    readonly_fields = ["upcoming_closed_days"]

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
class SLAPolicyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "calendar", "is_active", "is_default"]
    list_filter = ["is_active", "is_default"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PriorityTargetInline]
    readonly_fields = ["deadline_preview"]

    def get_queryset(self, request):
        return selectors.policies_with_rules()

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
class PriorityLevelAdmin(SimpleHistoryAdmin):
    list_display = ["number", "code", "name", "impact", "integration_24x7_eligible"]
    search_fields = ["code", "name"]
    ordering = ["number"]


@admin.register(SupportContract)
class SupportContractAdmin(SimpleHistoryAdmin):
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
