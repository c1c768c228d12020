"""The analysts' back office for tickets: thin views over `tickets.services`."""

from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import linebreaksbr
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from communications import selectors as record_selectors
from communications import services as record_services
from communications.forms import AgreementForm, CallForm, MessageForm
from communications.models import Message
from helpdesk.db import CappedCountPaginator, SearchCountPaginator
from helpdesk.formats import format_instant
from helpdesk.history_admin import HistoryAdmin
from search import selectors as search_selectors
from sla import selectors as sla_selectors
from sla import services as sla_services
from sla.models import SupportContract
from tickets import admin_page as ticket_page
from tickets import selectors, services
from tickets.forms import (
    AssignForm,
    MergeForm,
    PriorityForm,
    TicketAddForm,
    TicketEditForm,
    TransitionForm,
    analysts,
)
from tickets.models import Integration, Organization, OrganizationMember, Ticket, TicketEvidence

# Django's own message (its admin catalogue translates it): not marked for our catalogues.
ROW_CHECKBOX_LABEL = "Select this object for an action - {}"


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


class OrganizationMemberInline(admin.TabularInline):
    model = OrganizationMember
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "is_admin", "language", "time_zone"]


class IntegrationInline(admin.TabularInline):
    model = Integration
    extra = 0


class SupportContractInline(admin.TabularInline):
    model = SupportContract
    extra = 0
    fields = ["policy", "integration_24x7", "on_call_phone", "valid_from", "valid_until"]


@admin.register(Organization)
class OrganizationAdmin(HistoryAdmin):
    list_display = ["name", "slug", "email_domains", "integration_24x7", "on_call_phone"]
    search_fields = ["name", "slug", "email_domains"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrganizationMemberInline, IntegrationInline, SupportContractInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("support_contracts")

    def _contract(self, organization):
        today = timezone.localdate()
        return next((c for c in organization.support_contracts.all() if c.is_valid_on(today)), None)

    @admin.display(description=_("24x7 integration support"), boolean=True)
    def integration_24x7(self, organization):
        contract = self._contract(organization)
        return bool(contract and contract.integration_24x7)

    @admin.display(description=_("on-call phone"))
    def on_call_phone(self, organization):
        contract = self._contract(organization)
        return contract.on_call_phone if contract and contract.integration_24x7 else "—"


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "system", "built_by"]
    list_filter = ["built_by"]
    search_fields = ["name", "system", "organization__name"]
    list_select_related = ["organization"]


class AssigneeFilter(admin.SimpleListFilter):
    title = _("assignee")
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        choices = [("mine", _("mine")), ("unassigned", _("unassigned"))]
        return choices + [
            (str(user.pk), user.get_full_name() or user.get_username()) for user in analysts()
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "mine":
            return queryset.filter(assignee=request.user)
        if value == "unassigned":
            return queryset.filter(assignee__isnull=True)
        if value and value.isdigit():
            return queryset.filter(assignee_id=int(value))
        return queryset


class SLAStateFilter(admin.SimpleListFilter):
    title = _("SLA state")
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return [
            ("breached", _("breached")),
            ("at_risk", _("at risk")),
            ("running", _("running")),
            ("paused", _("paused")),
            ("met", _("all met")),
        ]

    def queryset(self, request, queryset):
        if self.value() in selectors.SLA_STATES:
            return selectors.tickets_in_sla_state(queryset, self.value(), now=timezone.now())
        return queryset


class TicketEvidenceInline(admin.TabularInline):
    model = TicketEvidence
    extra = 0
    can_delete = False
    fields = ["note", "file", "original_name", "recorded_by", "recorded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False  # evidence is recorded when resolving or closing


@admin.register(Ticket)
class TicketAdmin(HistoryAdmin):
    list_display = [
        "reference",
        "colleagues_here",
        "subject",
        "organization",
        "priority",
        "status",
        "assignee",
        "first_response_sla",
        "resolution_sla",
        "next_due",
    ]
    list_filter = [
        "priority",
        "status",
        AssigneeFilter,
        "organization",
        SLAStateFilter,
        "channel",
        "integration_24x7",
        "sender_verified",
    ]
    search_fields = ["reference"]  # shows the search box; get_search_results searches
    search_help_text = _(
        "Words of the reference, subject, description, messages and notes, organization or "
        "requester."
    )
    ordering = [F("next_due_at").asc(nulls_last=True), "-reported_at"]
    list_per_page = 50
    paginator = CappedCountPaginator
    # Counts per filter choice would scan the table once per choice; the total is one more
    # full count per page: neither is cheap at a million tickets.
    show_facets = admin.ShowFacets.NEVER
    show_full_result_count = False
    actions = [
        "assign_to_me",
        "assign_to_analyst",
        "change_status",
        "change_priority",
        "merge_into",
        "apply_macro",
    ]
    inlines = [TicketEvidenceInline]
    form = TicketEditForm
    add_form = TicketAddForm
    change_form_template = "admin/tickets/ticket/change_form.html"
    readonly_fields = [
        "reference",
        "organization",
        "requester",
        "priority",
        "status",
        "assignee",
        "integration",
        "channel",
        "reported_at",
        "sender",
        "origin",
        "waiting_reason",
        "resolved_at",
        "closed_at",
        "coverage",
        "sla_clocks",
        "clock_events",
        "conversation",
    ]

    def get_queryset(self, request):
        return selectors.tickets_with_clocks()

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        """A searched list counts up to 1,000 matches (SearchCountPaginator), others 10,000."""
        searched = bool(request.GET.get(SEARCH_VAR, "").strip())
        paginator = SearchCountPaginator if searched else self.paginator
        return paginator(queryset, per_page, orphans, allow_empty_first_page)

    def get_search_results(self, request, queryset, search_term):
        """Full-text search (search.selectors), internal notes included: analysts see them."""
        return search_selectors.tickets_matching(queryset, search_term, staff=True), False

    def has_delete_permission(self, request, obj=None):
        return False  # the record is never deleted: close, cancel or merge (helpdesk.record)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": [*TicketAddForm.Meta.fields, "assignee"]})]
        return [
            (
                None,
                {
                    "fields": [
                        ("reference", "status"),
                        ("organization", "requester"),
                        ("priority", "assignee"),
                        ("channel", "reported_at"),
                        "sender",
                        "subject",
                        "description",
                        ("category", "affected_service", "scope"),
                        "integration",
                        "coverage",
                    ]
                },
            ),
            (_("Service level"), {"fields": ["sla_clocks", "clock_events"]}),
            (
                _("Outcome"),
                {"fields": ["waiting_reason", "origin", ("resolved_at", "closed_at")]},
            ),
        ]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            obj._history_user = request.user
            obj._change_reason = gettext("Details edited")
            obj.save()
            return
        data = form.cleaned_data
        now = timezone.now()
        ticket = services.ticket_create(
            organization=data["organization"],
            requester=data["requester"],
            subject=data["subject"],
            description=data["description"],
            priority=data["priority"],
            reported_at=data.get("reported_at") or now,
            now=now,
            channel=data["channel"],
            category=data["category"],
            integration=data.get("integration"),
            affected_service=data.get("affected_service", ""),
            scope=data["scope"],
        )
        if data.get("assignee"):
            services.ticket_assign(
                ticket=ticket, analyst=data["assignee"], actor=request.user, now=now
            )
        obj.pk = ticket.pk
        obj.reference = ticket.reference

    # -- columns ------------------------------------------------------------------------

    def action_checkbox(self, obj):
        """Django's row checkbox, written directly: the same markup without rendering a form
        widget's templates per row (a sixth of the list's time)."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(gettext(ROW_CHECKBOX_LABEL), str(obj)),
        )

    def _status_html(self, ticket, metric):
        clock = next((c for c in ticket.clocks.all() if c.metric == metric), None)
        if clock is None:
            return "—"
        engine = sla_services.snapshot_engine(ticket.sla_snapshot)
        status = sla_selectors.clock_status(clock, engine, self._now, finished=not ticket.is_open)
        return format_html(
            '<span class="sla sla-{}" title="{}"><strong>{}</strong> · {}</span>',
            status.state,
            format_instant(clock.due_at, engine.zone) if clock.due_at else "",
            status.label,
            status.text,
        )

    def changelist_view(self, request, extra_context=None):
        self._now = timezone.now()
        self._viewer, self._colleagues = request.user, None  # presence_cell reads them
        return super().changelist_view(request, extra_context)

    def get_object(self, request, object_id, from_field=None):
        """The ticket with its clocks, read once per request (the page asks twice: for its
        forms, and Django's change view for the edit form)."""
        cache = request.__dict__.setdefault("_tickets_read", {})
        key = (str(object_id), from_field)
        if key not in cache:
            cache[key] = super().get_object(request, object_id, from_field)
        return cache[key]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The ticket page for working: the conversation first, the reply box at the top of
        the work area, the clocks and the customer's context beside them, and editing the
        details folded away (`extra_context` overrides a form the page would draw blank)."""
        self._now = timezone.now()
        ticket = self.get_object(request, object_id)
        context = {}
        if ticket is not None:
            context = {
                "transitions": [
                    (status, Ticket.Status(status).label)
                    for status in services.available_transitions(ticket)
                ],
                "transition_form": TransitionForm(),
                "assign_form": AssignForm(),
                "priority_form": PriorityForm(),
                "reply_form": MessageForm(prefix=None),
                "call_form": CallForm(),
                "agreement_form": AgreementForm(ticket=ticket),
                "can_assign": ticket.status in services.ASSIGNABLE_STATUSES,
                **ticket_page.context(self, request, ticket, now=self._now),
            }
        return super().change_view(request, object_id, form_url, context | (extra_context or {}))

    @admin.display(description=_("open by"))
    def colleagues_here(self, ticket):
        return ticket_page.presence_cell(self, ticket)

    @admin.display(description=_("first response"))
    def first_response_sla(self, ticket):
        return self._status_html(ticket, "first_response")

    @admin.display(description=_("resolution"))
    def resolution_sla(self, ticket):
        return self._status_html(ticket, "resolution")

    @admin.display(description=_("next due"), ordering="next_due_at")
    def next_due(self, ticket):
        return format_instant(ticket.next_due_at) if ticket.next_due_at else "—"

    @admin.display(description=_("sender"))
    def sender(self, ticket):
        if ticket.sender_verified:
            return gettext("verified")
        return format_html(
            '<strong class="errornote">{}</strong> {}',
            gettext("Sender not verified."),
            gettext(
                "Our mail server could not authenticate the e-mail that opened this ticket: "
                "its From address may be forged. Confirm with the customer before acting on it."
            ),
        )

    @admin.display(description=_("24x7 integration support"))
    def coverage(self, ticket):
        return format_html(
            "<strong>{}</strong> {}",
            gettext("Yes") if ticket.integration_24x7 else gettext("No"),
            ticket.integration_24x7_detail,
        )

    @admin.display(description=_("SLA clocks"))
    def sla_clocks(self, ticket):
        engine = sla_services.snapshot_engine(ticket.sla_snapshot)
        rows = []
        for clock in ticket.clocks.all():
            status = sla_selectors.clock_status(
                clock, engine, self._now, finished=not ticket.is_open
            )
            rows.append(
                (
                    clock.get_metric_display(),
                    f"{sla_selectors.format_duration(clock.budget)} ({clock.get_clock_display()})",
                    format_instant(clock.due_at, engine.zone) if clock.due_at else "—",
                    format_instant(clock.met_at, engine.zone) if clock.met_at else "—",
                    sla_selectors.format_duration(clock.paused_total),
                    status.state,
                    f"{status.label} · {status.text}",
                )
            )
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
            '<td><span class="sla sla-{}">{}</span></td></tr>',
            rows,
        )
        return format_html(
            '<table class="sla-clocks"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>'
            "<th>{}</th><th>{}</th></tr>{}</table>",
            _("clock"),
            _("target"),
            _("due"),
            _("met"),
            _("paused"),
            _("state"),
            body,
        )

    @admin.display(description=_("timeline"))
    def conversation(self, ticket):
        entries = record_selectors.ticket_timeline(ticket, include_internal=True)
        return format_html(
            '<ol class="timeline">{}</ol>',
            format_html_join(
                "",
                '<li class="timeline-{}"><div class="timeline-head">{} · {}</div>'
                '<div class="timeline-text">{}</div>{}</li>',
                (
                    (
                        entry.kind,
                        format_instant(entry.at),
                        entry.title,
                        linebreaksbr(entry.text),
                        format_html_join(
                            " ",
                            '<a href="{}">{} ({} KB)</a>',
                            (
                                (
                                    reverse("communications:attachment", args=[a.pk]),
                                    a.label,
                                    max(1, a.size // 1024),
                                )
                                for a in entry.attachments
                            ),
                        ),
                    )
                    for entry in entries
                ),
            ),
        )

    @admin.display(description=_("clock events"))
    def clock_events(self, ticket):
        zone = sla_services.snapshot_engine(ticket.sla_snapshot).zone
        rows = [
            (
                format_instant(event.recorded_at, zone),
                event.sla_clock.get_metric_display(),
                event.get_kind_display(),
                format_instant(event.due_at, zone) if event.due_at else "—",
                event.reason,
                str(event.actor or ""),
            )
            for event in selectors.clock_events_of(ticket)
        ]
        return format_html(
            '<table class="sla-events">{}</table>',
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                rows,
            ),
        )

    # -- lifecycle views ----------------------------------------------------------------

    def get_urls(self):
        own = [
            path(
                f"<path:object_id>/{kind}/",
                self.admin_site.admin_view(self.lifecycle_view),
                {"kind": kind},
                name=f"tickets_ticket_{kind}",
            )
            for kind in LIFECYCLE
        ]
        return own + ticket_page.urls(self) + super().get_urls()

    def _ticket_or_404(self, request, object_id):
        if not self.has_change_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=object_id)

    def _back(self, ticket):
        return HttpResponseRedirect(reverse("admin:tickets_ticket_change", args=[ticket.pk]))

    def lifecycle_view(self, request, object_id, kind: str):
        """One lifecycle form posted from the ticket page: run it, say how it went, go back.

        When the form or the service refuses it, the ticket page is shown again with the form
        as it was typed (nothing to retype) and each error named by its field's label.
        """
        from copy import copy

        ticket = self._ticket_or_404(request, object_id)
        if request.method != "POST":
            return self._back(ticket)
        make_form, run = LIFECYCLE[kind]
        form = make_form(request.POST, request.FILES, ticket)
        if form.is_valid():
            try:
                run(ticket, form.cleaned_data, request.user, timezone.now())
            except ValidationError as error:
                # The service's errors, on the form's field of the same name when it has one.
                for field, errors in getattr(error, "message_dict", {None: error.messages}).items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.message_user(request, gettext("Ticket updated."), messages.SUCCESS)
                return self._back(ticket)
        self.message_user(request, _form_errors(form), messages.ERROR)
        page_request = copy(request)
        page_request.method = "GET"  # the ticket page, not a save of the ticket's own form
        response = self.change_view(page_request, object_id)
        # A reply or a note posted here comes back in the page's reply box.
        response.context_data["response_form" if kind in ("reply", "note") else f"{kind}_form"] = (
            form
        )
        return response

    # -- bulk actions -------------------------------------------------------------------

    def _apply_to_each(self, request, queryset, action) -> None:
        done, failed = 0, []
        now = timezone.now()
        for ticket in queryset:
            try:
                action(ticket, now)
                done += 1
            except ValidationError as error:
                failed.append(f"{ticket.reference}: {_error_text(error)}")
        if done:
            self.message_user(
                request,
                gettext("%(count)d ticket(s) updated.") % {"count": done},
                messages.SUCCESS,
            )
        for failure in failed:
            self.message_user(request, failure, messages.ERROR)

    def _intermediate(self, request, queryset, form, title, action_name):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "tickets": queryset,
            "action_name": action_name,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/tickets/ticket/action_form.html", context)

    @admin.action(description=_("Assign to me"))
    def assign_to_me(self, request, queryset):
        data = {"analyst": request.user, "reason": ""}
        self._apply_to_each(
            request, queryset, lambda ticket, now: _assign(ticket, data, request.user, now)
        )

    def _bulk(self, request, queryset, kind: str, title: str):
        """An action that first asks for its form, then runs on each selected ticket."""
        make_form, run = LIFECYCLE[kind]
        form = make_form(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._intermediate(request, queryset, form, title, request.POST["action"])
        self._apply_to_each(
            request, queryset, lambda ticket, now: run(ticket, form.cleaned_data, request.user, now)
        )
        return None

    @admin.action(description=_("Assign to an analyst…"))
    def assign_to_analyst(self, request, queryset):
        return self._bulk(request, queryset, "assign", gettext("Assign tickets"))

    @admin.action(description=_("Change status…"))
    def change_status(self, request, queryset):
        return self._bulk(request, queryset, "transition", gettext("Change status"))

    @admin.action(description=_("Change priority…"))
    def change_priority(self, request, queryset):
        return self._bulk(request, queryset, "priority", gettext("Change priority"))

    @admin.action(description=_("Merge into another ticket…"), permissions=["change"])
    def merge_into(self, request, queryset):
        return self._bulk(request, queryset, "merge", gettext("Merge duplicates"))

    @admin.action(description=_("Apply a macro…"), permissions=["change"])
    def apply_macro(self, request, queryset):
        from automation.admin import macro_bulk_action  # automation builds on tickets

        return macro_bulk_action(self, request, queryset)


def _transition(ticket, data, actor, now):
    return services.ticket_transition(
        ticket=ticket,
        to_status=data["to_status"],
        actor=actor,
        now=now,
        reason=data["reason"],
        origin=data["origin"] or None,
        evidence_note=data["evidence_note"],
        evidence_file=data.get("evidence_file"),
    )


def _assign(ticket, data, actor, now):
    return services.ticket_assign(
        ticket=ticket, analyst=data["analyst"], actor=actor, now=now, reason=data["reason"]
    )


def _change_priority(ticket, data, actor, now):
    return services.ticket_change_priority(
        ticket=ticket, level=data["level"], actor=actor, now=now, reason=data["reason"]
    )


def _merge(ticket, data, actor, now):
    return record_services.tickets_merge(duplicate=ticket, into=data["into"], actor=actor, now=now)


def _files(data) -> list:
    return [
        record_services.IncomingFile(f.name, f.content_type or "", f.read())
        for f in data.get("files") or []
    ]


def _reply(ticket, data, actor, now, *, internal=False):
    return record_services.message_post(
        ticket=ticket,
        author=actor,
        body=data["body"],
        channel=Message.Channel.BACK_OFFICE,
        now=now,
        internal=internal,
        files=_files(data),
    )


def _note(ticket, data, actor, now):
    return _reply(ticket, data, actor, now, internal=True)


def _call(ticket, data, actor, now):
    return record_services.call_record(
        ticket=ticket,
        kind=data["kind"],
        started_at=data["started_at"],
        duration=timedelta(minutes=data["duration_minutes"]),
        participants=data["participants"],
        summary=data["summary"],
        actor=actor,
    )


def _agreement(ticket, data, actor, now):
    return record_services.agreement_record(
        ticket=ticket,
        kind=data["kind"],
        text=data["text"],
        customer_party=data["customer_party"],
        agreed_date=data.get("agreed_date"),
        supersedes=data.get("supersedes"),
        actor=actor,
    )


def _plain(form_class):
    return lambda data=None, files=None, ticket=None: form_class(data, files)


# kind -> (form factory, runner): the ticket page and the bulk actions share both.
LIFECYCLE = {
    "transition": (_plain(TransitionForm), _transition),
    "assign": (_plain(AssignForm), _assign),
    "priority": (_plain(PriorityForm), _change_priority),
    "merge": (_plain(MergeForm), _merge),
    "reply": (_plain(MessageForm), _reply),
    "note": (_plain(MessageForm), _note),
    "call": (_plain(CallForm), _call),
    "agreement": (
        lambda data=None, files=None, ticket=None: AgreementForm(data, files, ticket=ticket),
        _agreement,
    ),
}


def _form_errors(form) -> str:
    """Every error of a form, each after its field's label ("Written summary: required.")."""
    from django.utils.text import capfirst

    parts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = capfirst(field.label or name) if field is not None else ""
        parts += [f"{label}: {message}" if label else str(message) for message in errors]
    return " ".join(parts)
