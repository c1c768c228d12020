"""The ticket page for working (the back office's `TicketAdmin.change_view`): what the page
adds to Django's change form, and the views it posts to or polls.

- the conversation first, in the order each analyst chose (kept in their session), quoted
  text of received e-mails folded behind a toggle, the whole text kept;
- one reply box for "reply", "internal note", "reply and set waiting on customer" and
  "reply and resolve", all or nothing (`workspace.services.ticket_respond`); a reply that
  would cross a message newer than the page is held back once, to be read first;
- the clocks as badges beside the customer's context (organization, contract and its 24x7
  coverage, recent tickets);
- presence: who else has the page open, who is typing, polled by the page's script.

Thin: the reads are `workspace.selectors`, the writes `workspace.services`.
"""

from copy import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from communications import selectors as record_selectors
from communications.models import Message
from helpdesk.formats import format_instant
from sla import selectors as sla_selectors
from sla import services as sla_services
from sla.models import SLAClock
from tickets import services
from tickets.models import Ticket
from workspace import selectors as workspace_selectors
from workspace import services as workspace_services
from workspace.forms import ResponseForm
from workspace.models import PRESENCE_POLL_SECONDS
from workspace.services import Response

# The analyst's choice of order, for every ticket, kept in their session.
NEWEST_FIRST_KEY = "ticket_page_newest_first"
Status = Ticket.Status


def urls(model_admin) -> list:
    def view(function):
        return model_admin.admin_site.admin_view(
            lambda request, object_id: function(model_admin, request, object_id)
        )

    return [
        path("<path:object_id>/respond/", view(respond_view), name="tickets_ticket_respond"),
        path("<path:object_id>/presence/", view(presence_view), name="tickets_ticket_presence"),
        path(
            "<path:object_id>/conversation-order/",
            view(conversation_order_view),
            name="tickets_ticket_conversation_order",
        ),
    ]


def _responses(ticket: Ticket) -> list[tuple[str, str]]:
    """The reply box's buttons: the combined ones only where the ticket may move that way (a
    new ticket is taken first by "assign to me")."""
    status = Status.ASSIGNED if ticket.status == Status.NEW else ticket.status
    allowed = services.TRANSITIONS[status]
    return [
        (value, label)
        for value, label in Response.choices
        if workspace_services.RESPONSE_STATUS.get(value) in {None, *allowed}
    ]


def _entry(entry) -> dict:
    return {
        "kind": entry.kind,
        "at": format_instant(entry.at),
        "title": entry.title,
        "text": entry.text,
        "original": entry.original,
        "message_id": entry.message_id,
        "attachments": [
            (
                reverse("communications:attachment", args=[a.pk]),
                a.label,
                max(1, a.size // 1024),
            )
            for a in entry.attachments
        ],
    }


def _clocks(ticket: Ticket, now) -> list[dict]:
    engine = sla_services.snapshot_engine(ticket.sla_snapshot)
    clocks = []
    for clock in ticket.clocks.all():
        status = sla_selectors.clock_status(clock, engine, now, finished=not ticket.is_open)
        clocks.append(
            {
                "code": clock.metric,
                "metric": clock.get_metric_display(),
                "state": status.state,
                "label": status.label,
                "text": status.text,
                "due": format_instant(clock.due_at, engine.zone) if clock.due_at else "",
            }
        )
    return clocks


def context(model_admin, request, ticket: Ticket, *, now) -> dict:
    """What the ticket page draws besides Django's form. The same number of queries whatever
    the conversation: the timeline (`ticket_timeline`), the analyst's presence noted and the
    colleagues' read, the contract in force, the customer's recent tickets."""
    entries = record_selectors.ticket_timeline(ticket, include_internal=True)
    seen = max((entry.message_id or 0 for entry in entries), default=0)
    newest_first = bool(request.session.get(NEWEST_FIRST_KEY, False))
    conversation = [_entry(entry) for entry in entries]
    if newest_first:
        conversation.reverse()
    workspace_services.presence_note(ticket_id=ticket.pk, user=request.user, typing=False, now=now)
    assignable = ticket.status in services.ASSIGNABLE_STATUSES
    return {
        "conversation": conversation,
        "newest_first": newest_first,
        "response_form": ResponseForm(initial={"seen_message": seen}),
        "responses": _responses(ticket),
        "offer_assign_to_me": assignable and ticket.assignee_id is None,
        "assign_to_me_analyst": request.user.pk if assignable else None,
        "clocks": _clocks(ticket, now),
        "contract": sla_selectors.contract_in_force(ticket.organization, timezone.localdate()),
        "recent": workspace_selectors.customer_recent_tickets(ticket),
        "colleagues": workspace_selectors.colleagues_on(ticket.pk, user=request.user, now=now),
        "presence_url": reverse("admin:tickets_ticket_presence", args=[ticket.pk]),
        "poll_seconds": PRESENCE_POLL_SECONDS,
        "last_message_id": seen,
    }


def _page(model_admin, request, object_id, **extra_context):
    """The ticket page again, drawn for this POST (nothing to retype), not a save of it."""
    page_request = copy(request)
    page_request.method = "GET"
    return model_admin.change_view(page_request, object_id, extra_context=extra_context)


def _sent(response: str) -> str:
    return {
        Response.REPLY: gettext("Reply sent."),
        Response.NOTE: gettext("Internal note saved."),
        Response.REPLY_AND_WAIT: gettext("Reply sent; the ticket waits on the customer."),
        Response.REPLY_AND_RESOLVE: gettext("Reply sent; the ticket is resolved."),
    }[response]


def respond_view(model_admin, request, object_id):
    """The reply box posted: send (and take, and move) the ticket, or say why not.

    A public reply typed while a newer message arrived (newer than `seen_message`, the last
    one the page showed) is not sent: the page comes back with the new messages first and the
    text as typed; sending again sends it, since the page has now seen them.
    """
    from tickets.admin import _files, _form_errors

    ticket = model_admin._ticket_or_404(request, object_id)
    if request.method != "POST":
        return model_admin._back(ticket)
    form = ResponseForm(request.POST, request.FILES)
    crossed = []
    if form.is_valid():
        data = form.cleaned_data
        if data["response"] != Response.NOTE and data["seen_message"] is not None:
            crossed = workspace_selectors.messages_after(
                ticket, message_id=data["seen_message"], user=request.user
            )
        if crossed:
            posted = request.POST.copy()
            posted["seen_message"] = str(crossed[-1].pk)
            form = ResponseForm(posted)
            model_admin.message_user(
                request,
                gettext(
                    "A new message arrived while you were writing: read it first. Your text "
                    "was not sent and is kept below; send it again to send it anyway."
                ),
                messages.WARNING,
            )
        else:
            try:
                workspace_services.ticket_respond(
                    ticket=ticket,
                    actor=request.user,
                    response=data["response"],
                    body=data["body"],
                    now=timezone.now(),
                    files=_files(data),
                    assign_to_me=data["assign_to_me"],
                    reason=data["reason"],
                )
            except ValidationError as error:
                for field, errors in getattr(error, "message_dict", {None: error.messages}).items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                model_admin.message_user(request, _sent(data["response"]), messages.SUCCESS)
                return model_admin._back(ticket)
    if form.errors:
        model_admin.message_user(request, _form_errors(form), messages.ERROR)
    return _page(
        model_admin,
        request,
        object_id,
        response_form=form,
        crossed=[_crossed(message) for message in crossed],
    )


def _crossed(message) -> dict:
    who = message.author or message.author_email or gettext("unknown sender")
    return {
        "title": f"{message.get_direction_display()} · {who}",
        "at": format_instant(message.created_at),
        "text": message.display_text,
        "kind": "note" if message.is_internal else "message",
    }


def conversation_order_view(model_admin, request, object_id):
    """The analyst chose the conversation's order: kept for every ticket, in their session."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    request.session[NEWEST_FIRST_KEY] = request.POST.get("newest_first") == "1"
    if not str(object_id).isdigit():
        raise Http404
    return HttpResponseRedirect(reverse("admin:tickets_ticket_change", args=[object_id]))


def presence_view(model_admin, request, object_id):
    """Who else has the ticket open, the newest message's id (the page says when the
    conversation moved) and the clocks as they stand now (the badges count down). A POST
    also says the analyst is here (`typing=1` when typing), or left (`leave=1`). Four
    queries of its own: the ticket (with its snapshot and newest message), its clocks, the
    note, the colleagues."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    if not str(object_id).isdigit():
        raise Http404
    now = timezone.now()
    if request.method == "POST" and request.POST.get("leave") == "1":
        workspace_services.presence_leave(ticket_id=int(object_id), user=request.user)
        workspace_services.presence_forget_expired(now=now)
        return JsonResponse({"left": True})
    newest = Message.objects.filter(ticket=OuterRef("pk")).order_by("-pk").values("pk")[:1]
    ticket = (
        Ticket.objects.filter(pk=object_id)
        .select_related("sla_snapshot")
        .annotate(latest=Subquery(newest))
        .prefetch_related(Prefetch("clocks", queryset=SLAClock.objects.order_by("metric")))
        .first()
    )
    if ticket is None:
        raise Http404
    if request.method == "POST":
        workspace_services.presence_note(
            ticket_id=ticket.pk,
            user=request.user,
            typing=request.POST.get("typing") == "1",
            now=now,
        )
    colleagues = workspace_selectors.colleagues_on(ticket.pk, user=request.user, now=now)
    return JsonResponse(
        {
            "colleagues": [{"name": c.name, "typing": c.typing} for c in colleagues],
            "latest_message": ticket.latest or 0,
            "clocks": [
                {key: clock[key] for key in ("code", "state", "label", "text")}
                for clock in _clocks(ticket, now)
            ],
        }
    )


# -- the ticket list: who else has each ticket open -------------------------------------------


def presence_cell(model_admin, ticket: Ticket):
    """The list's mark on a ticket another analyst has open (read once per page)."""
    if getattr(model_admin, "_colleagues", None) is None:
        model_admin._colleagues = workspace_selectors.colleagues_on_tickets(
            user=model_admin._viewer, now=model_admin._now
        )
    colleagues = model_admin._colleagues.get(ticket.pk)
    if not colleagues:
        return ""
    return format_html(
        '<span class="presence-mark" title="{}">{}</span>',
        gettext("Open by another analyst"),
        format_html_join(
            ", ",
            "{}{}",
            ((c.name, f" ({gettext('typing…')})" if c.typing else "") for c in colleagues),
        ),
    )
