"""Who is told what, by e-mail: each notice recorded once and sent after the commit."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext as _

from communications.outbound import Draft, email_queue, emails_queue
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


def _deadlines(ticket, clocks=None) -> list[tuple[str, str]]:
    """(clock, due instant in the calendar's zone with its offset), in the active language;
    from `clocks` when the caller has them (a ticket opened a moment ago), else read."""
    from sla.models import SLAClock

    zone = _zone(ticket)
    if clocks is None:
        clocks = SLAClock.objects.filter(ticket=ticket)
    return [
        (clock.get_metric_display(), format_instant(clock.due_at, zone))
        for clock in sorted(clocks, key=lambda clock: clock.metric)
        if clock.due_at is not None
    ]


def _customer_draft(ticket, event: str, key: str, template: str, subject: str, **context):
    requester = ticket.requester
    language = language_of(requester)
    with translation.override(language):
        subject = _subject(ticket, subject)
    return Draft(
        key=key,
        to=requester.email,
        subject=subject,
        template=template,
        context={"ticket": ticket, "event": event, **context},
        language=language,
    )


def _to_customer(ticket, event: str, key: str, template: str, subject: str, **context) -> None:
    emails_queue([_customer_draft(ticket, event, key, template, subject, **context)], ticket=ticket)


def ticket_opened(ticket, *, now, clocks=None) -> None:
    """The customer gets the reference and deadlines; analysts hear of a new ticket, and for a
    ticket 24x7 support covers, the analysts on call are told at once, whatever the hour.

    All in one batch (a fixed number of queries and one task, however many analysts), under
    no thread yet: the e-mail that opened the ticket is linked to it afterwards
    (`outbound.emails_thread_under`)."""
    with translation.override(language_of(ticket.requester)):
        subject = _("We received your request: %(subject)s") % {"subject": ticket.subject}
        customer_deadlines = _deadlines(ticket, clocks)
    drafts = [
        _customer_draft(
            ticket,
            "opened",
            f"ticket-opened:{ticket.pk}",
            "ticket_opened",
            subject,
            deadlines=customer_deadlines,
        )
    ]
    analysts = get_user_model().objects.filter(is_staff=True, is_active=True).exclude(email="")
    on_call = on_call_now(now=now) if ticket.integration_24x7 else []
    on_call_ids = {analyst.pk for analyst in on_call}
    with translation.override(settings.LANGUAGE_CODE):
        deadlines = _deadlines(ticket, clocks)  # again: analysts read the site's language
        new_text = _("New ticket: %(subject)s") % {"subject": ticket.subject}
        covered_text = _("24x7 — new covered ticket: %(subject)s") % {"subject": ticket.subject}
    contexts = {
        event: {"ticket": ticket, "event": event, "deadlines": deadlines}
        for event in ("new", "on_call")
    }
    for analyst, at in _deliveries([*analysts, *on_call], now=now, on_call_ids=on_call_ids):
        covered = analyst.pk in on_call_ids
        drafts.append(
            Draft(
                key=f"ticket-new:{ticket.pk}:{analyst.pk}",
                to=analyst.email,
                subject=_subject(ticket, covered_text if covered else new_text),
                template="analyst_ticket",
                context=contexts["on_call" if covered else "new"],
                not_before=_later(at, now),
            )
        )
    emails_queue(drafts, ticket=ticket, thread="")


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
    deliveries = _deliveries(recipients, now=now, on_call_ids=on_call_ids, instants=instants)
    contexts = {
        on_call: {
            "ticket": ticket,
            "kind": kind,
            "metric": metric,
            "due": due,
            "on_call": on_call,
        }
        for on_call in (False, True)
    }
    drafts = [
        Draft(
            key=f"sla-{kind}:{clock.pk}:{instant.isoformat()}:{user.pk}",
            to=user.email,
            subject=subject,
            template="sla_alert",
            context=contexts[user.pk in on_call_ids],
            not_before=_later(at, now),
        )
        for user, at in deliveries
    ]
    return len(emails_queue(drafts, ticket=ticket))


def analyst_instants(analysts, *, now) -> dict:
    """When each analyst wants a notice raised at `now` (None: not by e-mail), computed once
    for a whole sweep."""
    from oncall import selectors as oncall_selectors

    return oncall_selectors.delivery_instants(analysts, now=now)


def clocks_late(*, warned, breached, now) -> None:
    """Tell the right analysts of clocks at risk and breached, once per clock and instant.

    At risk: the assignee (nobody assigned: every analyst of the queue). Breached: the
    assignee and the team leads (unassigned: the queue and the team leads), and for a ticket
    24x7 support covers, the analysts on call, told at once whatever the hour.
    """
    from tickets import selectors as ticket_selectors

    if not (warned or breached):
        return
    queue = list(ticket_selectors.queue_analysts())
    leads = list(ticket_selectors.team_leads())
    covered = any(clock.ticket.integration_24x7 for clock in [*warned, *breached])
    on_call = on_call_now(now=now) if covered else []
    alerts = []
    for kind, swept in (("warned", warned), ("breached", breached)):
        for clock in swept:
            assignee = clock.ticket.assignee
            people = ([assignee] if assignee else queue) + (leads if kind == "breached" else [])
            woken = []
            if clock.ticket.integration_24x7:
                # on call: told at once of a breach, and of a warning on a ticket they hold
                woken = on_call if kind == "breached" else [p for p in people if p in on_call]
            alerts.append((clock, kind, people + woken, {person.pk for person in woken}))
    # one read of the analysts' preferences for all the notices, not one per clock
    everyone = {person.pk: person for alert in alerts for person in alert[2]}
    instants = analyst_instants(everyone.values(), now=now)
    for clock, kind, people, woken_ids in alerts:
        sla_alert(
            clock, kind=kind, recipients=people, now=now, instants=instants, on_call_ids=woken_ids
        )


def connect() -> None:
    """React to what the ticket services report (tickets.events); called once at start-up."""
    from tickets import events

    receivers = [
        ("opened", events.ticket_opened, _on_opened),
        ("assigned", events.ticket_assigned, _on_assigned),
        ("waiting", events.ticket_waiting, _on_waiting),
        ("resolved", events.ticket_resolved, _on_resolved),
        ("clocks_late", events.clocks_late, _on_clocks_late),
    ]
    for name, signal, receiver in receivers:
        signal.connect(receiver, dispatch_uid=f"communications.notices.{name}")


def _on_opened(ticket, clocks, now, **_kwargs) -> None:
    ticket_opened(ticket, now=now, clocks=clocks)


def _on_assigned(ticket, now, **_kwargs) -> None:
    ticket_assigned(ticket, event_id=now.isoformat(), now=now)


def _on_waiting(ticket, now, **_kwargs) -> None:
    ticket_waiting(ticket, event_id=now.isoformat())


def _on_resolved(ticket, now, **_kwargs) -> None:
    ticket_resolved(ticket, event_id=now.isoformat())


def _on_clocks_late(warned, breached, now, **_kwargs) -> None:
    clocks_late(warned=warned, breached=breached, now=now)
