"""Macros and triage rules in the back office: thin views over `automation.services`."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from automation import selectors, services
from automation.forms import MacroChoiceForm, MacroForm, TriageRuleForm
from automation.models import Macro, TriageRule, TriageRun
from helpdesk.history_admin import HistoryAdmin
from tickets.models import Ticket

MANAGE_SHARED = "automation.manage_shared_macros"
BULK_PREVIEWS = 10  # tickets previewed on the bulk confirmation page


def _may_edit(user, macro: Macro) -> bool:
    """Personal macros are their owner's; shared ones the team leads'."""
    if macro.is_shared:
        return user.has_perm(MANAGE_SHARED)
    return macro.owner_id == user.pk


@admin.register(Macro)
class MacroAdmin(HistoryAdmin):
    form = MacroForm
    list_display = ["name", "visibility", "owner", "is_active", "does"]
    list_filter = ["visibility", "is_active"]
    search_fields = ["name"]
    readonly_fields = ["owner"]
    fieldsets = [
        (None, {"fields": ["name", ("visibility", "is_active"), "owner"]}),
        (_("Reply to the customer"), {"fields": ["reply_pt_br", "reply_en", "reply_es"]}),
        (
            _("What else it does"),
            {
                "fields": [
                    "note",
                    "priority",
                    ("assignee", "assign_to_applier"),
                    ("status", "status_reason"),
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return selectors.macros_visible_to(request.user)

    @admin.display(description=_("what it does"))
    def does(self, macro):
        return services.macro_summary(macro)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or _may_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or _may_edit(request.user, obj))

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "visibility" and not request.user.has_perm(MANAGE_SHARED):
            kwargs["choices"] = [(Macro.Visibility.PERSONAL, Macro.Visibility.PERSONAL.label)]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.owner = request.user
        if not _may_edit(request.user, obj):
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    # -- applying, from the ticket page ---------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path(
                "ticket/<int:ticket_id>/preview/",
                view(self.ticket_preview_view),
                name="automation_macro_ticket_preview",
            ),
            path(
                "ticket/<int:ticket_id>/apply/",
                view(self.ticket_apply_view),
                name="automation_macro_ticket_apply",
            ),
        ]
        return own + super().get_urls()

    def _ticket_and_form(self, request, ticket_id):
        if not request.user.has_perm("tickets.change_ticket"):
            raise PermissionDenied
        ticket = get_object_or_404(Ticket, pk=ticket_id)
        data = request.POST if request.method == "POST" else request.GET
        return ticket, MacroChoiceForm(data, user=request.user)

    def _back(self, ticket):
        return HttpResponseRedirect(reverse("admin:tickets_ticket_change", args=[ticket.pk]))

    def ticket_preview_view(self, request, ticket_id):
        """What the chosen macro would send and change on this ticket, with "apply".

        Posted only: the preview applies the macro and rolls it back (rows are locked a moment).
        """
        ticket, form = self._ticket_and_form(request, ticket_id)
        if request.method != "POST":
            return self._back(ticket)
        if not form.is_valid():
            self.message_user(request, gettext("Choose a macro."), messages.ERROR)
            return self._back(ticket)
        macro = form.cleaned_data["macro"]
        preview, refusal = None, ""
        try:
            preview = services.macro_preview(ticket, macro, by=request.user, now=timezone.now())
        except ValidationError as error:
            refusal = " ".join(error.messages)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Apply “%(macro)s” to %(reference)s")
            % {"macro": macro.name, "reference": ticket.reference},
            "opts": Ticket._meta,
            "ticket": ticket,
            "macro": macro,
            "preview": preview,
            "refusal": refusal,
        }
        return TemplateResponse(request, "admin/automation/macro_preview.html", context)

    def ticket_apply_view(self, request, ticket_id):
        ticket, form = self._ticket_and_form(request, ticket_id)
        if request.method != "POST":
            return self._back(ticket)
        if not form.is_valid():
            self.message_user(request, gettext("Choose a macro."), messages.ERROR)
            return self._back(ticket)
        macro = form.cleaned_data["macro"]
        try:
            services.macro_apply(ticket, macro, by=request.user, now=timezone.now())
        except ValidationError as error:
            self.message_user(
                request,
                gettext("The macro “%(macro)s” was not applied: %(error)s")
                % {"macro": macro.name, "error": " ".join(error.messages)},
                messages.ERROR,
            )
        else:
            self.message_user(
                request,
                gettext("Macro “%(macro)s” applied.") % {"macro": macro.name},
                messages.SUCCESS,
            )
        return self._back(ticket)


def macro_bulk_action(model_admin, request, queryset):
    """The ticket list's "apply a macro" action: choose, see what it would do, confirm."""
    if not request.user.has_perm("tickets.change_ticket"):
        raise PermissionDenied
    tickets = list(queryset.select_related(None).order_by("pk"))
    chosen = "macro" in request.POST
    form = MacroChoiceForm(request.POST if chosen else None, user=request.user)
    if chosen and form.is_valid() and "apply" in request.POST:
        macro = form.cleaned_data["macro"]
        outcome = services.macro_apply_many(tickets, macro, by=request.user, now=timezone.now())
        if outcome.applied:
            model_admin.message_user(
                request,
                gettext("Macro “%(macro)s” applied to %(count)d ticket(s).")
                % {"macro": macro.name, "count": len(outcome.applied)},
                messages.SUCCESS,
            )
        for ticket, error in outcome.failed:
            model_admin.message_user(request, f"{ticket.reference}: {error}", messages.ERROR)
        return None
    previews = []
    if chosen and form.is_valid():
        macro, now = form.cleaned_data["macro"], timezone.now()
        for ticket in tickets[:BULK_PREVIEWS]:
            try:
                previews.append(
                    (ticket, services.macro_preview(ticket, macro, by=request.user, now=now), "")
                )
            except ValidationError as error:
                previews.append((ticket, None, " ".join(error.messages)))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("Apply a macro"),
        "opts": Ticket._meta,
        "form": form,
        "tickets": tickets,
        "previews": previews,
        "more": max(0, len(tickets) - BULK_PREVIEWS) if previews else 0,
        "confirming": bool(previews),
        "action_name": request.POST.get("action", "apply_macro"),
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/automation/macro_bulk.html", context)


@admin.register(TriageRule)
class TriageRuleAdmin(HistoryAdmin):
    form = TriageRuleForm
    change_form_template = "admin/automation/triagerule/change_form.html"
    list_display = ["position", "name", "is_active", "when", "does"]
    list_display_links = ["name"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active", "when"]
    search_fields = ["name"]
    autocomplete_fields = ["organizations"]
    fieldsets = [
        (None, {"fields": ["name", ("position", "is_active")]}),
        (
            _("When"),
            {
                "fields": [
                    "when",
                    "channels",
                    "words",
                    "sender_domains",
                    "organizations",
                    "integration",
                    "levels",
                ]
            },
        ),
        (
            _("Then"),
            {
                "fields": [
                    "set_level",
                    "set_assignee",
                    "set_team",
                    "note",
                    "macro",
                    "stop_processing",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("set_level", "set_assignee", "set_team", "macro")
        )

    @admin.display(description=_("what it does"))
    def does(self, rule):
        parts = []
        if rule.set_level_id:
            parts.append(gettext("level → %(level)s") % {"level": rule.set_level.name})
        if rule.set_assignee_id:
            parts.append(gettext("assign to %(name)s") % {"name": rule.set_assignee})
        if rule.set_team_id:
            parts.append(gettext("assign within %(team)s") % {"team": rule.set_team.name})
        if rule.note.strip():
            parts.append(gettext("internal note"))
        if rule.macro_id:
            parts.append(gettext("macro “%(name)s”") % {"name": rule.macro.name})
        return "; ".join(parts) or "—"

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path("add/preview/", view(self.preview_view), name="automation_triagerule_preview"),
            path(
                "<path:object_id>/change/preview/",
                view(self.preview_view),
                name="automation_triagerule_change_preview",
            ),
        ]
        return own + super().get_urls()

    def preview_view(self, request, object_id=None):
        """The rule as typed, judged on the last 100 tickets: which would match and what
        would change. Nothing is saved; the page can save the rule as it was typed."""
        obj = None
        if object_id is not None:
            obj = self.get_object(request, object_id)
            if obj is None:
                raise Http404
            if not self.has_change_permission(request, obj):
                raise PermissionDenied
        elif not self.has_add_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseRedirect("../")
        form = self.get_form(request, obj, change=obj is not None)(
            request.POST, request.FILES, instance=obj
        )
        examined, rows = 0, []
        if form.is_valid():
            examined, rows = services.triage_dry_run(services.TriageSpec.of(form.cleaned_data))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Preview of the triage rule"),
            "opts": self.model._meta,
            "original": obj,
            "form": form,
            "examined": examined,
            "rows": rows,
            "save_url": reverse("admin:automation_triagerule_change", args=[obj.pk])
            if obj is not None
            else reverse("admin:automation_triagerule_add"),
        }
        return TemplateResponse(request, "admin/automation/triagerule_preview.html", context)


@admin.register(TriageRun)
class TriageRunAdmin(admin.ModelAdmin):
    list_display = ["at", "rule_name", "ticket", "trigger", "outcome", "changes", "error"]
    list_filter = ["outcome", "trigger"]
    list_select_related = ["ticket"]
    search_fields = ["rule_name", "ticket__reference"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
