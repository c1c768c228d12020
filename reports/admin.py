"""The admin's "Reports" section: SLA compliance and backlog, with charts, tables and CSV."""

from django.contrib import admin
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reports import presenters, selectors
from reports.forms import PeriodForm
from reports.models import Report
from tickets.models import Organization


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """No rows to edit: the changelist is the reports index, and each report has its URL."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("compliance/", wrap(self.compliance_view), name="reports_compliance"),
            path("backlog/", wrap(self.backlog_view), name="reports_backlog"),
            *super().get_urls(),
        ]

    def _context(self, request, title: str) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
        }

    def changelist_view(self, request, extra_context=None):
        today = timezone.localdate()
        context = self._context(request, _("SLA reports"))
        context["organizations"] = Organization.objects.order_by("name").only("name", "slug")
        context["month"] = f"{today:%Y-%m}"
        context["reports"] = [
            (reverse("admin:reports_compliance"), _("SLA compliance")),
            (reverse("admin:reports_backlog"), _("Backlog")),
        ]
        return TemplateResponse(request, "admin/reports/index.html", context)

    def _period(self, request):
        form = PeriodForm(request.GET, today=timezone.localdate())
        return form, (form.cleaned_data["period"] if form.is_valid() else None)

    def compliance_view(self, request):
        form, period = self._period(request)
        context = self._context(request, _("SLA compliance"))
        context["form"] = form
        if period is None:
            return render(request, "admin/reports/compliance.html", context, status=400)
        report = selectors.compliance_report(period=period, now=timezone.now())
        if request.GET.get("download") == "csv":
            return presenters.compliance_csv(report)
        columns = presenters.compliance_columns()
        context.update(
            report=report,
            chart=presenters.compliance_chart(report),
            headers=[header for _name, header in columns],
            tables=[
                (presenters.GROUPING_TITLES[grouping], presenters.table(rows, columns))
                for grouping, rows in report.groups.items()
            ],
            totals=presenters.table([{"label": _("Total"), **report.totals}], columns)[0],
            csv_query=_with_csv(request),
        )
        return render(request, "admin/reports/compliance.html", context)

    def backlog_view(self, request):
        form, period = self._period(request)
        context = self._context(request, _("Backlog"))
        context["form"] = form
        if period is None:
            return render(request, "admin/reports/backlog.html", context, status=400)
        report = selectors.backlog_report(period=period, now=timezone.now())
        if request.GET.get("download") == "csv":
            return presenters.backlog_csv(report)
        columns = presenters.backlog_columns()
        context.update(
            report=report,
            chart=presenters.backlog_chart(report),
            headers=[header for _name, header in columns],
            rows=presenters.table(report.levels, columns),
            csv_query=_with_csv(request),
        )
        return render(request, "admin/reports/backlog.html", context)


def _with_csv(request) -> str:
    query = request.GET.copy()
    query["download"] = "csv"
    return query.urlencode()
