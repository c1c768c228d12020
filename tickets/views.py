"""The customer portal: thin views over the tickets, SLA and communications services."""

from datetime import timedelta
from functools import wraps
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from communications import selectors as record_selectors
from communications import services as record_services
from communications.forms import MessageForm
from communications.models import Message
from help_center import services as help_center_services
from helpdesk.db import IdsFirstPaginator
from search import selectors as search_selectors
from sla import selectors as sla_selectors
from sla import services as sla_services
from tickets import portal_clocks, selectors, services
from tickets.forms import (
    PortalFilterForm,
    PortalPreferencesForm,
    PortalShareForm,
    PortalTicketForm,
)
from tickets.models import Ticket

HOME_PAGE_SIZE = 25


def _display_zone(request, engine):
    """The zone the customer chose (see tickets.middleware), else the ticket's calendar's."""
    return getattr(request, "customer_zone", None) or engine.zone


def _clock_lines(request, ticket, now):
    """How each clock stands, in the customer's words."""
    engine = sla_services.snapshot_engine(ticket.sla_snapshot)
    return portal_clocks.clock_lines(ticket, engine, _display_zone(request, engine), now)


def posts_from_the_ticket_page(view):
    """A POST-only action that sends a GET back to the ticket's page.

    After a session expires, the login form returns to the address the form posted to, with a
    GET; answering that with 405 lost the customer's way (and, before drafts, the text). The
    ticket page restores the draft the browser kept.
    """

    @wraps(view)
    def wrapper(request, reference: str):
        if request.method != "POST":
            return redirect("tickets:detail", reference=reference)
        return view(request, reference)

    return wrapper


@login_required
def home(request):
    """Open tickets first, with their live deadlines; resolved ones below."""
    form = PortalFilterForm(request.GET or None)
    tickets = selectors.tickets_visible_to(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("status"):
            tickets = tickets.filter(status=data["status"])
        if data.get("priority"):
            tickets = tickets.filter(priority=data["priority"])
        if data.get("q"):
            tickets = search_selectors.tickets_matching(
                tickets,
                data["q"],
                staff=False,
                organization_id=selectors.visible_organization(request.user),
            )
    tickets = tickets.annotate(
        closed_last=Case(When(status__in=Ticket.CLOSED_STATUSES, then=1), default=0)
    ).order_by("closed_last", "-reported_at", "-pk")
    # get_page() turns a missing, malformed or out-of-range page into a real one (never a 500).
    page = IdsFirstPaginator(tickets, HOME_PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [(ticket, _clock_lines(request, ticket, now)) for ticket in page]
    context = {
        "form": form,
        "page": page,
        "open_rows": [row for row in rows if row[0].is_open],
        "closed_rows": [row for row in rows if not row[0].is_open],
    }
    return render(request, "tickets/home.html", context)


@login_required
def ticket_new(request):
    """The guided form: the levels explained in the policy's own words, with their deadlines."""
    membership = getattr(request.user, "membership", None)
    if membership is None:
        messages.info(request, _("Analysts open tickets in the back office."))
        return redirect("admin:tickets_ticket_add")
    form = PortalTicketForm(
        request.POST or None, request.FILES or None, organization=membership.organization
    )
    if request.method == "POST" and form.is_valid():
        data, now = form.cleaned_data, timezone.now()
        try:
            ticket = record_services.ticket_open(
                organization=membership.organization,
                requester=request.user,
                subject=data["subject"],
                description=data["description"],
                priority=data["priority"],
                reported_at=now,
                now=now,
                channel=Ticket.Channel.PORTAL,
                category=data["category"],
                integration=data.get("integration"),
                affected_service=data.get("affected_service", ""),
                scope=data["scope"],
                files=incoming_files(data.get("files")),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            help_center_services.deflection_ticket_opened(
                token=request.POST.get("help_center_deflection"),
                user=request.user,
                ticket=ticket,
                now=now,
            )
            return redirect(f"{ticket.get_absolute_url()}?opened=1")
    if request.method == "POST":
        note_files_not_kept(form)
    levels = form.level_guide()
    context = {
        "form": form,
        "levels": levels,
        "integration_24x7_levels": [item["level"] for item in levels if item["integration_24x7"]],
    }
    return render(request, "tickets/new.html", context)


@login_required
def ticket_detail(request, reference: str):
    """The conversation without internal notes, the clocks, and what the customer can do."""
    ticket = get_object_or_404(selectors.tickets_visible_to(request.user), reference=reference)
    return _detail_page(request, ticket, MessageForm())


def _detail_page(
    request, ticket, reply_form, *, reopen_error: str = "", reopen_reason: str = "", status=200
):
    """The ticket page; a refused reply comes back in `reply_form` with what was typed."""
    now = timezone.now()
    engine = sla_services.snapshot_engine(ticket.sla_snapshot)
    context = {
        "ticket": ticket,
        "clocks": _clock_lines(request, ticket, now),
        "timeline": record_selectors.ticket_timeline(ticket, include_internal=False),
        "ticket_files": record_selectors.attachments_visible_to(request.user).filter(
            ticket=ticket, message__isnull=True
        ),
        "reply_form": reply_form,
        "reopen_error": reopen_error,
        "reopen_reason": reopen_reason,
        "just_opened": request.GET.get("opened") == "1",
        "draft_sent": request.GET.get("sent") == "1",
        "clock_starts_at": _clock_start(engine, ticket.reported_at),
        "zone": _display_zone(request, engine),
        "shared_with": ticket.shared_with.all(),
        "share_form": _share_form(request, ticket),
        "can_confirm": ticket.status == Ticket.Status.RESOLVED,
        "can_reopen": ticket.status == Ticket.Status.RESOLVED,
    }
    return render(request, "tickets/detail.html", context, status=status)


def _share_form(request, ticket):
    """The sharing form, for the requester and the organization's admins only."""
    membership = getattr(request.user, "membership", None)
    if ticket.requester_id != request.user.pk and not (
        membership and membership.is_admin and membership.organization_id == ticket.organization_id
    ):
        return None
    return PortalShareForm(ticket=ticket, initial={"members": ticket.shared_with.all()})


@login_required
@posts_from_the_ticket_page
def ticket_share(request, reference: str):
    """Share the ticket with colleagues of the organization, or stop sharing it."""
    ticket = get_object_or_404(selectors.tickets_visible_to(request.user), reference=reference)
    form = PortalShareForm(request.POST, ticket=ticket)
    if not form.is_valid():
        messages.error(request, _("Choose colleagues of your organization."))
        return redirect(ticket)
    try:
        services.ticket_share(
            ticket=ticket,
            members=form.cleaned_data["members"],
            actor=request.user,
            now=timezone.now(),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Who can follow this ticket was saved."))
    return redirect(ticket)


def _clock_start(engine, reported_at):
    """When business-hours clocks start for a ticket reported out of hours (None in hours)."""
    if engine.is_open(reported_at):
        return None
    intervals = engine.working_intervals(reported_at, reported_at + timedelta(days=30))
    return intervals[0][0] if intervals else None


@login_required
@posts_from_the_ticket_page
def ticket_reply(request, reference: str):
    """Add the customer's message; a refused one comes back with the text as it was typed."""
    ticket = get_object_or_404(selectors.tickets_visible_to(request.user), reference=reference)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            record_services.message_post(
                ticket=ticket,
                author=request.user,
                body=form.cleaned_data["body"],
                channel=Message.Channel.PORTAL,
                now=timezone.now(),
                files=incoming_files(form.cleaned_data.get("files")),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your message was added to the ticket."))
            # ?sent=1 tells the page's script to forget the draft (see drafts.js).
            return redirect(f"{ticket.get_absolute_url()}?sent=1")
    note_files_not_kept(form)
    return _detail_page(request, ticket, form, status=400)


def incoming_files(files) -> list:
    return [
        record_services.IncomingFile(f.name, f.content_type or "", f.read()) for f in files or []
    ]


def note_files_not_kept(form) -> None:
    """Browsers cannot refill a file input: say so next to the files of a refused form."""
    if form.files:
        form.add_error("files", _("Files are not kept when a form is refused: choose them again."))


def _customer_transition(request, reference: str, to_status: str, success: str):
    """Confirm or reopen; a refusal comes back on the ticket's page, the reason as typed."""
    ticket = get_object_or_404(selectors.tickets_visible_to(request.user), reference=reference)
    reason = request.POST.get("reason", "")[:300]
    try:
        services.ticket_transition(
            ticket=ticket,
            to_status=to_status,
            actor=request.user,
            now=timezone.now(),
            reason=reason,
        )
    except ValidationError as error:
        return _detail_page(
            request,
            ticket,
            MessageForm(),
            reopen_error=" ".join(error.messages),
            reopen_reason=reason,
            status=400,
        )
    messages.success(request, success)
    return redirect(ticket)


@login_required
@posts_from_the_ticket_page
def ticket_confirm_resolved(request, reference: str):
    return _customer_transition(
        request, reference, Ticket.Status.CLOSED, _("Thank you: the ticket is closed.")
    )


@login_required
@posts_from_the_ticket_page
def ticket_reopen(request, reference: str):
    return _customer_transition(
        request, reference, Ticket.Status.IN_PROGRESS, _("The ticket is open again.")
    )


@login_required
def preferences(request):
    """The customer's own settings: the zone dates and times are shown in, the e-mails' language."""
    membership = getattr(request.user, "membership", None)
    if membership is None:
        messages.info(request, _("Analysts keep their settings in the back office."))
        return redirect("admin:index")
    contract = sla_selectors.contract_in_force(membership.organization, timezone.localdate())
    policy = contract.policy if contract else sla_selectors.default_policy()
    calendar_zone = policy.calendar.timezone if policy else settings.TIME_ZONE
    form = PortalPreferencesForm(
        request.POST or None, instance=membership, calendar_zone=calendar_zone
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your preferences were saved."))
        return redirect("tickets:preferences")
    zone = getattr(request, "customer_zone", None) or ZoneInfo(calendar_zone)
    context = {"form": form, "now": timezone.now(), "zone": zone}
    return render(request, "tickets/preferences.html", context)
