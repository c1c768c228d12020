"""Who is told what, by e-mail: each notice recorded once and sent after the commit."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext as _

from communications.outbound import email_queue
from helpdesk.formats import format_instant


def language_of(user) -> str:
    """The language a person reads their e-mail in (their membership's, else the site's)."""
    membership = getattr(user, "membership", None) if user is not None else None
    return getattr(membership, "language", "") or settings.LANGUAGE_CODE


def _subject(ticket, text: str) -> str:
    return f"[{ticket.reference}] {text}"


def _zone(ticket):
    """The time zone of the ticket's calendar: instants in notices are shown there."""
    from sla import services as sla_services

    return sla_services.snapshot_engine(ticket.sla_snapshot).zone


def _deadlines(ticket) -> list[tuple[str, str]]:
    """(clock, due instant in the calendar's zone with its offset), in the active language."""
    from sla.models import SLAClock

    zone = _zone(ticket)
    return [
        (clock.get_metric_display(), format_instant(clock.due_at, zone))
        for clock in SLAClock.objects.filter(ticket=ticket).order_by("metric")
        if clock.due_at is not None
    ]


def _to_customer(ticket, event: str, key: str, template: str, subject: str, **context) -> None:
    requester = ticket.requester
    language = language_of(requester)
    with translation.override(language):
        email_queue(
            key=key,
            to=requester.email,
            subject=_subject(ticket, subject),
            template=template,
            context={"ticket": ticket, "event": event, **context},
            ticket=ticket,
            language=language,
        )


def ticket_opened(ticket, *, now) -> None:
    """The customer gets the reference and deadlines; analysts hear of a new ticket, and for a
    ticket 24x7 support covers, the analysts on call are told at once, whatever the hour."""
    with translation.override(language_of(ticket.requester)):
        subject = _("We received your request: %(subject)s") % {"subject": ticket.subject}
        deadlines = _deadlines(ticket)
    _to_customer(
        ticket,
        "opened",
        f"ticket-opened:{ticket.pk}",
        "ticket_opened",
        subject,
        deadlines=deadlines,
    )
    analysts = get_user_model().objects.filter(is_staff=True, is_active=True).exclude(email="")
    on_call = on_call_now(now=now) if ticket.integration_24x7 else []
    on_call_ids = {analyst.pk for analyst in on_call}
    deadlines = _deadlines(ticket)  # again: analysts read them in the site's language
    for analyst, at in _deliveries([*analysts, *on_call], now=now, on_call_ids=on_call_ids):
        covered = analyst.pk in on_call_ids
        if covered:
            text = _("24x7 — new covered ticket: %(subject)s")
        else:
            text = _("New ticket: %(subject)s")
        email_queue(
            key=f"ticket-new:{ticket.pk}:{analyst.pk}",
            to=analyst.email,
            subject=_subject(ticket, text % {"subject": ticket.subject}),
            template="analyst_ticket",
            context={
                "ticket": ticket,
                "event": "on_call" if covered else "new",
                "deadlines": deadlines,
            },
            ticket=ticket,
            not_before=_later(at, now),
        )


def on_call_now(*, now) -> list:
    """Who is woken for a covered ticket: the analysts on call, or the team leads if nobody is."""
    from oncall import selectors as oncall_selectors
    from tickets import selectors as ticket_selectors

    on_call = list(oncall_selectors.on_call_at(now).exclude(email=""))
    return on_call or list(ticket_selectors.team_leads().exclude(email=""))


def _deliveries(analysts, *, now, on_call_ids=frozenset(), instants=None):
    """(analyst, when to e-mail them): at once for those on call, else by their preferences
    outside working hours (`instants`, read here unless a sweep read them for all its
    notices); analysts who want no e-mail are left out. Each analyst once."""
    unique = list({analyst.pk: analyst for analyst in analysts if analyst.email}.values())
    if instants is None:
        instants = analyst_instants(unique, now=now)
    pairs = [
        (analyst, now if analyst.pk in on_call_ids else instants.get(analyst.pk, now))
        for analyst in unique
    ]
    return [(analyst, at) for analyst, at in pairs if at is not None]


def _later(at, now):
    """`not_before` for email_queue: only an instant after `now` holds the e-mail."""
    return at if at > now else None


def ticket_assigned(ticket, *, event_id: str, now) -> None:
    """The analyst who now has the ticket is told (held outside their hours, if they wish,
    unless the ticket is covered by 24x7 support and they are on call)."""
    if ticket.assignee is None:
        return
    on_call_ids = _on_call_ids(ticket, now=now)
    for analyst, at in _deliveries([ticket.assignee], now=now, on_call_ids=on_call_ids):
        email_queue(
            key=f"ticket-assigned:{ticket.pk}:{event_id}",
            to=analyst.email,
            subject=_subject(
                ticket, _("Assigned to you: %(subject)s") % {"subject": ticket.subject}
            ),
            template="analyst_ticket",
            context={"ticket": ticket, "event": "assigned", "deadlines": _deadlines(ticket)},
            ticket=ticket,
            not_before=_later(at, now),
        )


def _on_call_ids(ticket, *, now) -> set[int]:
    from oncall import selectors as oncall_selectors

    if not ticket.integration_24x7:
        return set()
    return set(oncall_selectors.on_call_at(now).values_list("pk", flat=True))


def ticket_waiting(ticket, *, event_id: str) -> None:
    with translation.override(language_of(ticket.requester)):
        subject = _("We need your answer")
    _to_customer(
        ticket,
        "waiting",
        f"ticket-waiting:{ticket.pk}:{event_id}",
        "ticket_update",
        subject,
        detail=ticket.waiting_reason,
    )


def ticket_resolved(ticket, *, event_id: str) -> None:
    with translation.override(language_of(ticket.requester)):
        subject = _("Your ticket was resolved")
    _to_customer(
        ticket, "resolved", f"ticket-resolved:{ticket.pk}:{event_id}", "ticket_update", subject
    )


def public_reply(message) -> None:
    ticket = message.ticket
    with translation.override(language_of(ticket.requester)):
        subject = _("New reply: %(subject)s") % {"subject": ticket.subject}
    _to_customer(
        ticket,
        "reply",
        f"message:{message.pk}",
        "ticket_update",
        subject,
        detail=message.body,
        author=message.author,
    )


def agreement_recorded(agreement) -> None:
    """The written confirmation of what was agreed: the customer's copy of the record."""
    ticket = agreement.ticket
    with translation.override(language_of(ticket.requester)):
        subject = _("Agreement recorded (version %(version)d)") % {"version": agreement.version}
        agreed_date = (
            format_instant(agreement.agreed_date, _zone(ticket)) if agreement.agreed_date else ""
        )
    _to_customer(
        ticket,
        "agreement",
        f"agreement:{agreement.pk}",
        "agreement",
        subject,
        agreement=agreement,
        agreed_date=agreed_date,
    )


def unknown_sender(record, address: str, subject: str) -> None:
    email_queue(
        key=f"autoreply:{record.pk}",
        to=address,
        subject=_("Re: %(subject)s") % {"subject": subject} if subject else _("Your message"),
        template="unknown_sender",
        context={"subject": subject},
        auto_submitted=True,
    )


def sla_alert(clock, *, kind: str, recipients, now, instants, on_call_ids=frozenset()) -> int:
    """Tell analysts a clock is at risk ("warned") or past its deadline ("breached").

    Keyed by clock, kind, instant and recipient: a sweep that runs twice, or two sweeps that
    overlap, record each notice once. Analysts read the site's language. `instants` says
    when each analyst wants it (`analyst_instants`); those in `on_call_ids` get it at once.
    """
    ticket = clock.ticket
    instant = clock.warn_at if kind == "warned" else clock.due_at
    with translation.override(settings.LANGUAGE_CODE):
        metric = clock.get_metric_display()
        if kind == "warned":
            text = _("At risk: %(metric)s due %(due)s")
        else:
            text = _("Breached: %(metric)s was due %(due)s")
        due = format_instant(clock.due_at, _zone(ticket))
        subject = _subject(ticket, text % {"metric": metric, "due": due})
    sent = 0
    deliveries = _deliveries(recipients, now=now, on_call_ids=on_call_ids, instants=instants)
    for user, at in deliveries:
        queued = email_queue(
            key=f"sla-{kind}:{clock.pk}:{instant.isoformat()}:{user.pk}",
            to=user.email,
            subject=subject,
            template="sla_alert",
            context={
                "ticket": ticket,
                "kind": kind,
                "metric": metric,
                "due": due,
                "on_call": user.pk in on_call_ids,
            },
            ticket=ticket,
            not_before=_later(at, now),
        )
        sent += queued is not None
    return sent


def analyst_instants(analysts, *, now) -> dict:
    """When each analyst wants a notice raised at `now` (None: not by e-mail), computed once
    for a whole sweep."""
    from oncall import selectors as oncall_selectors

    return oncall_selectors.delivery_instants(analysts, now=now)
