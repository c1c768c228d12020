"""The on-call rota, analysts' notice preferences, and the form for a call on the 24x7 phone."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from helpdesk.history_admin import HistoryAdmin
from oncall import selectors, services
from oncall.forms import CallForm
from oncall.models import NotificationPreference, OnCallShift
from tickets import services as ticket_services


class WhenFilter(admin.SimpleListFilter):
    title = gettext_lazy("when")
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [
            ("now", gettext_lazy("on call now")),
            ("upcoming", gettext_lazy("now and upcoming")),
            ("past", gettext_lazy("past")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "now":
            return queryset.covering(now)
        if self.value() == "upcoming":
            return queryset.filter(ends_at__gt=now)
        if self.value() == "past":
            return queryset.filter(ends_at__lte=now)
        return queryset


@admin.register(OnCallShift)
class OnCallShiftAdmin(HistoryAdmin):
    list_display = ["analyst", "starts_at", "ends_at", "on_call_now", "note"]
    list_filter = [WhenFilter, "analyst"]
    list_select_related = ["analyst"]
    date_hierarchy = "starts_at"
    search_fields = ["analyst__username", "analyst__first_name", "analyst__last_name", "note"]
    actions = ["repeat_next_week"]
    change_list_template = "admin/oncall/oncallshift/change_list.html"

    @admin.display(description=gettext_lazy("on call now"), boolean=True)
    def on_call_now(self, shift):
        now = timezone.now()
        return shift.starts_at <= now < shift.ends_at

    @admin.action(description=gettext_lazy("Repeat the selected shifts a week later"))
    def repeat_next_week(self, request, queryset):
        created = services.shifts_repeat(queryset, days=7)
        self.message_user(
            request,
            ngettext("%(count)d shift added.", "%(count)d shifts added.", len(created))
            % {"count": len(created)},
        )

    def changelist_view(self, request, extra_context=None):
        now = timezone.now()
        extra_context = {
            **(extra_context or {}),
            "on_call_now": selectors.shifts_now(now),
            "take_call_url": reverse("admin:oncall_take_call"),
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("take-call/", wrap(self.take_call_view), name="oncall_take_call"),
            *super().get_urls(),
        ]

    def take_call_view(self, request):
        """One form for a call on the on-call phone: a new ticket or an open one.

        "Check coverage" says, before anything is written, whether 24x7 support covers the
        incident and why not; "Record the call" writes the call (and the ticket) down.
        """
        if not request.user.is_staff or not request.user.has_perms(
            ["communications.add_call", "tickets.add_ticket"]
        ):
            raise PermissionDenied
        now = timezone.now()
        form = CallForm(request.POST or None, initial=_initial(request))
        coverage = None
        if request.method == "POST" and form.is_valid():
            coverage = _coverage(form)
            if "_record" in request.POST:
                try:
                    taken = _take(form, analyst=request.user, now=now)
                except ValidationError as error:
                    _add_errors(form, error)
                else:
                    _report(request, taken)
                    return redirect("admin:tickets_ticket_change", taken.ticket.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Record a call on the on-call phone"),
            "form": form,
            "coverage": coverage,
            "on_call_now": selectors.shifts_now(now),
            "phones": selectors.dedicated_phones(timezone.localdate(now)),
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/oncall/take_call.html", context)


def _initial(request) -> dict:
    initial = {"called_at": timezone.localtime().replace(microsecond=0)}
    reference = request.GET.get("ticket", "")[:20]
    if reference:
        initial["ticket_reference"] = reference
    return initial


def _coverage(form: CallForm) -> dict:
    """What the form says about 24x7 coverage: covered or not, and why."""
    data = form.cleaned_data
    ticket = data.get("ticket_reference")
    if ticket is not None:
        return {"covered": ticket.integration_24x7, "detail": ticket.integration_24x7_detail}
    result = ticket_services.ticket_coverage(
        organization=data["organization"],
        integration=data.get("integration"),
        priority=data["level"],
        reported_at=data["called_at"],
    )
    return {"covered": result.covered, "detail": result.detail}


def _take(form: CallForm, *, analyst, now) -> services.CallTaken:
    data = form.cleaned_data
    return services.call_take(
        analyst=analyst,
        called_at=data["called_at"],
        duration=form.duration(),
        organization=data["organization"],
        caller=form.call_caller(),
        summary=data["summary"],
        ticket=data.get("ticket_reference"),
        subject=data.get("subject", ""),
        integration=data.get("integration"),
        level=data.get("level"),
        assign_to_me=data.get("assign_to_me", False),
        now=now,
    )


def _add_errors(form: CallForm, error: ValidationError) -> None:
    """Put the service's errors on the form's fields (the ones it does not have: on top)."""
    renamed = {"ticket": "ticket_reference", "requester": "caller", "priority": "level"}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        name = renamed.get(field, field)
        form.add_error(name if name in form.fields else None, errors)


def _report(request, taken: services.CallTaken) -> None:
    ticket = taken.ticket
    if taken.opened and ticket.integration_24x7:
        text = _(
            "Ticket %(reference)s opened from the call. %(coverage)s Its clocks started at "
            "the call's time; its resolution clock also runs outside business hours."
        )
    elif taken.opened:
        text = _(
            "Ticket %(reference)s opened from the call. %(coverage)s It is recorded all the "
            "same: its clocks started at the call's time and follow business hours."
        )
    else:
        text = _("Call recorded on %(reference)s. %(coverage)s")
    messages.success(
        request, text % {"reference": ticket.reference, "coverage": ticket.integration_24x7_detail}
    )


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(HistoryAdmin):
    """Each analyst keeps their own preferences; those with the model's permissions, anyone's."""

    list_display = [
        "user",
        "working_calendar",
        "outside_hours",
        "on_customer_answer",
        "on_mention",
        "on_at_risk",
        "on_low_rating",
    ]
    list_select_related = ["user", "working_calendar"]
    list_filter = ["outside_hours"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.has_perm("oncall.change_notificationpreference"):
            return queryset
        return queryset.filter(user=request.user)

    def _own(self, request, obj) -> bool:
        return request.user.is_staff and (obj is None or obj.user_id == request.user.pk)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or self._own(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or self._own(request, obj)

    def has_add_permission(self, request):
        # no query here: the admin asks on every page (its menu); a second row of one's own
        # is refused by the form (one preference per analyst)
        return super().has_add_permission(request) or request.user.is_staff

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not request.user.has_perm("oncall.change_notificationpreference"):
            form.base_fields["user"].queryset = form.base_fields["user"].queryset.filter(
                Q(pk=request.user.pk)
            )
            form.base_fields["user"].initial = request.user.pk
        return form
