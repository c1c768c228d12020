"""The analysts' queues home, each view's list of tickets, saved views and teams (admin)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from helpdesk.db import IdsFirstPaginator
from helpdesk.formats import format_instant
from sla import selectors as sla_selectors
from sla import services as sla_services
from tickets import services as ticket_services
from tickets.models import Ticket
from workspace import selectors
from workspace.forms import SavedViewForm
from workspace.models import Queue, SavedView, Team

PER_PAGE = 50


def may_work_queues(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm("tickets.view_ticket")


def may_edit_view(user, view: SavedView) -> bool:
    """Its owner edits a view; a shared one also whoever manages shared views (team leads)."""
    if not user.has_perm("workspace.change_savedview"):
        return False
    return view.owner_id == user.pk or (
        view.shared and user.has_perm("workspace.manage_shared_savedview")
    )


class TakeForm(forms.Form):
    """The tickets an analyst takes from a list ("assign to me")."""

    tickets = forms.ModelMultipleChoiceField(queryset=Ticket.objects.all())
    next = forms.CharField(required=False)


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    """No rows: the changelist is the queues home, and each view has its list page."""

    def has_module_permission(self, request):
        return may_work_queues(request.user)

    def has_view_permission(self, request, obj=None):
        return may_work_queues(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("view/<slug:key>/", wrap(self.queue_view), name="workspace_queue_view"),
            path("take/", wrap(self.take_view), name="workspace_queue_take"),
            *super().get_urls(),
        ]

    def _context(self, request, title: str) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
        }

    def changelist_view(self, request, extra_context=None):
        """The queues home: every built-in queue and saved view with its live counts, read in
        one query whatever the number of tickets, analysts or views."""
        if not may_work_queues(request.user):
            raise PermissionDenied
        user, now = request.user, timezone.now()
        saved = list(selectors.saved_views_visible_to(user))
        views = [*selectors.QUEUES, *(selectors.saved_view_queue(v) for v in saved)]
        querysets = {}
        for view in views:
            tickets = view.tickets(user=user, now=now)
            querysets[view.key] = tickets
            querysets[f"{view.key}:overdue"] = selectors.in_tab(tickets, selectors.OVERDUE, now=now)
        counted = selectors.counts(querysets)
        rows = [
            {
                "view": view,
                "url": reverse("admin:workspace_queue_view", args=[view.key]),
                "count": counted[view.key],
                "overdue": counted[f"{view.key}:overdue"],
                "edit_url": (
                    reverse("admin:workspace_savedview_change", args=[view.saved_view.pk])
                    if view.saved_view and may_edit_view(user, view.saved_view)
                    else ""
                ),
            }
            for view in views
        ]
        context = self._context(request, gettext("Queues"))
        context.update(
            queues=rows[: len(selectors.QUEUES)],
            saved_views=rows[len(selectors.QUEUES) :],
            count_cap=selectors.COUNT_CAP,
            teams=selectors.teams_of(user),
            can_add_view=user.has_perm("workspace.add_savedview"),
            now=now,
        )
        return TemplateResponse(request, "admin/workspace/queues.html", context)

    def _view_for(self, request, key: str) -> selectors.QueueView:
        if key in selectors.QUEUE_KEYS:
            return selectors.QUEUE_KEYS[key]
        prefix, _sep, pk = key.partition("saved-")
        if prefix or not pk.isdigit():
            raise Http404
        view = selectors.saved_views_visible_to(request.user).filter(pk=int(pk)).first()
        if view is None:
            raise Http404
        return selectors.saved_view_queue(view)

    def queue_view(self, request, key: str):
        """One view's tickets, a tab at a time (deadline ahead, overdue, no running deadline),
        paged on ids first: five queries whatever the number of tickets."""
        if not may_work_queues(request.user):
            raise PermissionDenied
        view = self._view_for(request, key)
        now = timezone.now()
        tickets = view.tickets(user=request.user, now=now)
        tab_counts = selectors.counts(
            {tab: selectors.in_tab(tickets, tab, now=now) for tab in selectors.TAB_KEYS}
        )
        tab = request.GET.get("tab")
        if tab not in selectors.TAB_KEYS:  # the first tab with tickets, by default
            tab = next((t for t in selectors.TAB_KEYS if tab_counts[t]), selectors.AHEAD)
        listed = selectors.with_list_columns(
            selectors.ordered(selectors.in_tab(tickets, tab, now=now), tab, view.order)
        )
        paginator = IdsFirstPaginator(listed, PER_PAGE)
        paginator.count = tab_counts[tab]  # counted above with the other tabs
        page = paginator.get_page(request.GET.get("p"))
        context = self._context(request, str(view.title))
        context.update(
            view=view,
            tab=tab,
            tabs=[
                {
                    "key": t.key,
                    "title": t.title,
                    "count": tab_counts[t.key],
                    "url": f"?tab={t.key}",
                }
                for t in selectors.TABS
            ],
            page=page,
            rows=[_row(ticket, now) for ticket in page.object_list],
            count_cap=selectors.COUNT_CAP,
            can_take=request.user.has_perm("tickets.change_ticket"),
            edit_url=(
                reverse("admin:workspace_savedview_change", args=[view.saved_view.pk])
                if view.saved_view and may_edit_view(request.user, view.saved_view)
                else ""
            ),
        )
        return TemplateResponse(request, "admin/workspace/queue.html", context)

    def take_view(self, request):
        """Assign the chosen tickets to whoever asks, then go back to the list."""
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:workspace_queue_changelist"))
        if not request.user.has_perm("tickets.change_ticket"):
            raise PermissionDenied
        form = TakeForm(request.POST)
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
            back = ""
        back = back or reverse("admin:workspace_queue_changelist")
        if not form.is_valid():
            self.message_user(request, gettext("Choose the tickets to take."), messages.ERROR)
            return HttpResponseRedirect(back)
        now, taken = timezone.now(), []
        for ticket in form.cleaned_data["tickets"]:
            try:
                ticket_services.ticket_assign(
                    ticket=ticket, analyst=request.user, actor=request.user, now=now
                )
                taken.append(ticket.reference)
            except ValidationError as error:
                self.message_user(
                    request, f"{ticket.reference}: {' '.join(error.messages)}", messages.ERROR
                )
        if taken:
            self.message_user(
                request,
                gettext("Assigned to you: %(tickets)s.") % {"tickets": ", ".join(taken)},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(back)


def _clock_badge(ticket: Ticket, metric: str, engine, now):
    clock = next((c for c in ticket.clocks.all() if c.metric == metric), None)
    if clock is None:
        return "—"
    status = sla_selectors.clock_status(clock, engine, now, finished=not ticket.is_open)
    return format_html(
        '<span class="sla sla-{}" title="{}"><strong>{}</strong> · {}</span>',
        status.state,
        format_instant(clock.due_at, engine.zone) if clock.due_at else "",
        status.label,
        status.text,
    )


def _row(ticket: Ticket, now) -> dict:
    engine = sla_services.snapshot_engine(ticket.sla_snapshot)
    return {
        "ticket": ticket,
        "url": reverse("admin:tickets_ticket_change", args=[ticket.pk]),
        "first_response": _clock_badge(ticket, "first_response", engine, now),
        "resolution": _clock_badge(ticket, "resolution", engine, now),
        "next_due": format_instant(ticket.next_due_at) if ticket.next_due_at else "—",
        "assignee": (
            (ticket.assignee.get_full_name() or ticket.assignee.get_username())
            if ticket.assignee
            else ""
        ),
    }


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    """Each analyst's views and the shared ones; others' personal views stay out of sight."""

    form = SavedViewForm
    list_display = ["name", "owner", "shared", "order", "position", "open_link"]
    list_filter = ["shared"]
    search_fields = ["name"]
    list_select_related = ["owner"]
    fieldsets = [
        (None, {"fields": ["name", "shared", "order", "position"]}),
        (
            _("Filters"),
            {
                "description": _(
                    "Values of one filter are alternatives (any of them); filters combine "
                    "(all of them)."
                ),
                "fields": [
                    "statuses",
                    "levels",
                    "organizations",
                    ("assigned", "analysts"),
                    "channels",
                    "sla_states",
                    ("reported_from", "reported_to"),
                    ("due_from", "due_to"),
                ],
            },
        ),
    ]

    def get_queryset(self, request):
        views = super().get_queryset(request)
        if request.user.is_superuser:
            return views
        return views.filter(pk__in=selectors.saved_views_visible_to(request.user).values("pk"))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"owner": obj.owner if obj else request.user})

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return may_edit_view(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or may_edit_view(request.user, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.owner = request.user
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        if "_continue" in request.POST or "_addanother" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        return HttpResponseRedirect(reverse("admin:workspace_queue_view", args=[f"saved-{obj.pk}"]))

    @admin.display(description=_("tickets"))
    def open_link(self, view):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:workspace_queue_view", args=[f"saved-{view.pk}"]),
            gettext("See its tickets"),
        )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "member_names"]
    search_fields = ["name"]
    filter_horizontal = ["members"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("members")

    @admin.display(description=_("members"))
    def member_names(self, team):
        return ", ".join(
            member.get_full_name() or member.get_username() for member in team.members.all()
        )
