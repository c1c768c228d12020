"""Who is told what, by e-mail: each notice recorded once and sent after the commit."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communications.outbound import Draft, email_queue, emails_queue
from helpdesk.formats import format_instant
from notices import services as notice_services
from notices.models import Notice


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


def ticket_link(ticket) -> str:
    """The ticket's page in the portal, absolute: every customer e-mail leads back to it."""
    return settings.PORTAL_URL.rstrip("/") + ticket.get_absolute_url()


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
        context={"ticket": ticket, "event": event, "link": ticket_link(ticket), **context},
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
    from oncall import selectors as oncall_selectors

    analysts = oncall_selectors.with_preferences(
        get_user_model().objects.filter(is_staff=True, is_active=True).exclude(email="")
    )
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


def ticket_resolved(ticket, *, event_id: str, now) -> None:
    """The customer is told, with signed one-click links: "yes, solved", "no, reopen", and a
    1-5 rating (the satisfaction survey of this resolution, asked once)."""
    from satisfaction import services as satisfaction_services

    survey = satisfaction_services.survey_open(ticket=ticket, now=now)
    answers = satisfaction_services.link_urls(survey, now=now)
    with translation.override(language_of(ticket.requester)):
        subject = _("Your ticket was resolved")
    _to_customer(
        ticket,
        "resolved",
        f"ticket-resolved:{ticket.pk}:{event_id}",
        "ticket_update",
        subject,
        answers=answers,
        scores=[(score, f"{answers['rate']}?score={score}") for score in range(1, 6)],
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


def analyst_wishes(analysts, *, now):
    """When to e-mail each analyst, and how they want each kind of notice about their own
    tickets (oncall.selectors.NoticeWishes): one read for a whole event or sweep."""
    from oncall import selectors as oncall_selectors

    return oncall_selectors.notice_wishes(analysts, now=now)


def clocks_late(*, warned, breached, now) -> None:
    """Tell the right analysts of clocks at risk and breached, once per clock and instant.

    At risk: the assignee, by e-mail and in the bell as they prefer (nobody assigned: every
    analyst of the queue, by e-mail). Breached: the assignee and the team leads (unassigned:
    the queue and the team leads), and for a ticket 24x7 support covers, the analysts on
    call, told at once whatever the hour.
    """
    from tickets import selectors as ticket_selectors

    if not (warned or breached):
        return
    queue = list(ticket_selectors.queue_analysts())
    leads = list(ticket_selectors.team_leads())
    covered = any(clock.ticket.integration_24x7 for clock in [*warned, *breached])
    on_call = on_call_now(now=now) if covered else []
    plans = []
    for kind, swept in (("warned", warned), ("breached", breached)):
        for clock in swept:
            assignee = clock.ticket.assignee
            people = ([assignee] if assignee else queue) + (leads if kind == "breached" else [])
            woken = []
            if clock.ticket.integration_24x7:
                # on call: told at once of a breach, and of a warning on a ticket they hold
                woken = on_call if kind == "breached" else [p for p in people if p in on_call]
            plans.append((clock, kind, assignee, people, woken))
    # one read of the analysts' preferences for all the notices, not one per clock
    everyone = {person.pk: person for plan in plans for person in [*plan[3], *plan[4]]}
    wishes = analyst_wishes(everyone.values(), now=now)
    bell = []
    for clock, kind, assignee, people, woken in plans:
        if kind == "warned" and assignee is not None:
            # a ticket of theirs at risk: as the assignee chose (on call, told all the same)
            if wishes.in_bell(assignee.pk, Notice.Kind.AT_RISK):
                bell.append(_at_risk_notice(clock, assignee))
            if not wishes.by_email(assignee.pk, Notice.Kind.AT_RISK):
                people = [person for person in people if person.pk != assignee.pk]
        sla_alert(
            clock,
            kind=kind,
            recipients=people + woken,
            now=now,
            instants=wishes.instants,
            on_call_ids={person.pk for person in woken},
        )
    notice_services.notices_record(bell, now=now)


def _at_risk_notice(clock, assignee) -> notice_services.NoticeDraft:
    """The bell's line for a clock at risk, keyed like its e-mail (clock, instant, analyst)."""
    with translation.override(language_of(assignee)):
        text = _("%(metric)s due %(due)s") % {
            "metric": clock.get_metric_display(),
            "due": format_instant(clock.due_at, _zone(clock.ticket)),
        }
    return notice_services.NoticeDraft(
        key=f"at-risk:{clock.pk}:{clock.warn_at.isoformat()}:{assignee.pk}",
        recipient_id=assignee.pk,
        kind=Notice.Kind.AT_RISK,
        ticket_id=clock.ticket_id,
        text=text,
    )


# "@ana", "@ana.souza" in a note; not the middle of an e-mail address (ana@acme.example)
_MENTION = re.compile(r"(?<![\w@.+-])@([\w][\w.@+-]*)")
MAX_MENTIONS = 20


def mentioned_usernames(text: str) -> list[str]:
    """The @usernames a note names, in order, each once (trailing punctuation left out)."""
    names: dict[str, str] = {}
    for match in _MENTION.finditer(text or ""):
        name = match.group(1).rstrip(".-@+")
        if name:
            names.setdefault(name.lower(), name)
    return list(names.values())[:MAX_MENTIONS]


def note_written(message, *, now) -> None:
    """Analysts a colleague names with @username in an internal note are told (by e-mail and
    in the bell, as each prefers); unknown names and customers are ignored, and nobody is
    told of their own note."""
    names = mentioned_usernames(message.body)
    if not names or message.author is None:
        return  # most notes name nobody: no query at all
    named = Q()
    for name in names:
        named |= Q(username__iexact=name)
    analysts = list(
        get_user_model()
        .objects.filter(named, is_staff=True, is_active=True)
        .exclude(pk=message.author_id)
        .order_by("pk")
    )
    _tell_analysts(
        message.ticket,
        analysts,
        kind=Notice.Kind.MENTIONED,
        key=f"mention:{message.pk}",
        excerpt=_excerpt(message),
        actor=message.author,
        now=now,
    )


def customer_answered(ticket, *, message, now) -> None:
    """The assignee is told the customer wrote (by e-mail, portal, API or a held e-mail filed
    on the ticket), also when it resumes a ticket that waited on the customer."""
    from tickets.models import Ticket

    if ticket.assignee_id is None:
        return  # nobody's yet: the queue sees it (and a ticket an e-mail opens costs nothing)
    # the sender's copy was read before the answer resumed it: the status as it is now
    was_waiting = ticket.status == Ticket.Status.WAITING_ON_CUSTOMER
    ticket = Ticket.objects.select_related("assignee", "organization").get(pk=ticket.pk)
    assignee = ticket.assignee
    if assignee is None or not (assignee.is_active and assignee.is_staff):
        return
    _tell_analysts(
        ticket,
        [assignee],
        kind=Notice.Kind.CUSTOMER_ANSWERED,
        key=f"customer-answered:{message.pk}",
        excerpt=_excerpt(message),
        now=now,
        resumed=was_waiting and ticket.status != Ticket.Status.WAITING_ON_CUSTOMER,
    )


def rating_low(rating, *, now) -> None:
    """The team leads are told of a rating of 1 or 2, with the customer's words (by e-mail
    and in the bell, as each prefers)."""
    from tickets import selectors as ticket_selectors
    from tickets.models import Ticket

    leads = list(ticket_selectors.team_leads())
    if not leads:
        return
    ticket = Ticket.objects.select_related("organization").get(pk=rating.ticket_id)
    # the customer's words, in no language of ours (the kind is the headline)
    excerpt = f"{rating.score}/5 — {' '.join(rating.comment.split())}".rstrip(" —")
    _tell_analysts(
        ticket,
        leads,
        kind=Notice.Kind.LOW_RATING,
        key=f"low-rating:{rating.pk}",
        excerpt=excerpt,
        now=now,
    )


def _excerpt(message) -> str:
    return (message.visible_body or message.body or "").strip()


# The subject of each kind's e-mail to analysts, in their language.
_NOTICE_SUBJECTS = {
    Notice.Kind.CUSTOMER_ANSWERED: gettext_lazy("The customer answered: %(subject)s"),
    Notice.Kind.MENTIONED: gettext_lazy("%(author)s mentioned you: %(subject)s"),
    Notice.Kind.LOW_RATING: gettext_lazy("Low satisfaction rating: %(subject)s"),
}


def _tell_analysts(
    ticket,
    analysts,
    *,
    kind: str,
    key: str,
    excerpt: str,
    now,
    actor=None,
    resumed: bool = False,
) -> None:
    """One event's notices to analysts, keyed `key:analyst`: the bell's rows in one INSERT,
    the e-mails in one batch (held outside working hours as each chose; at once for those on
    call for a ticket 24x7 support covers)."""
    if not analysts:
        return
    wishes = analyst_wishes(analysts, now=now)
    event = str(kind)
    notice_services.notices_record(
        [
            notice_services.NoticeDraft(
                key=f"{key}:{analyst.pk}",
                recipient_id=analyst.pk,
                kind=kind,
                ticket_id=ticket.pk,
                text=" ".join(excerpt.split())[:300],
                actor_id=actor.pk if actor else None,
            )
            for analyst in analysts
            if wishes.in_bell(analyst.pk, kind)
        ],
        now=now,
    )
    by_email = [analyst for analyst in analysts if wishes.by_email(analyst.pk, kind)]
    if not by_email:
        return
    on_call_ids = _on_call_ids(ticket, now=now)
    author = actor.get_full_name() or actor.get_username() if actor else ""
    link = settings.PORTAL_URL.rstrip("/") + reverse(
        "admin:tickets_ticket_change", args=[ticket.pk]
    )
    drafts = []
    variants: dict[str, tuple[str, dict]] = {}  # per language: subject and context, built once
    for analyst, at in _deliveries(
        by_email, now=now, on_call_ids=on_call_ids, instants=wishes.instants
    ):
        language = language_of(analyst)
        if language not in variants:
            with translation.override(language):
                text = str(_NOTICE_SUBJECTS[kind])
                subject = _subject(ticket, text % {"subject": ticket.subject, "author": author})
                context = {
                    "ticket": ticket,
                    "event": event,
                    "author": author,
                    "excerpt": excerpt[:2000],
                    "status": ticket.get_status_display(),
                    "resumed": resumed,
                    "link": link,
                }
            variants[language] = (subject, context)
        subject, context = variants[language]
        drafts.append(
            Draft(
                key=f"{key}:{analyst.pk}",
                to=analyst.email,
                subject=subject,
                template="analyst_notice",
                context=context,
                language=language,
                not_before=_later(at, now),
            )
        )
    emails_queue(drafts, ticket=ticket)


def connect() -> None:
    """React to what the ticket services report (tickets.events); called once at start-up."""
    from tickets import events

    receivers = [
        ("opened", events.ticket_opened, _on_opened),
        ("assigned", events.ticket_assigned, _on_assigned),
        ("waiting", events.ticket_waiting, _on_waiting),
        ("resolved", events.ticket_resolved, _on_resolved),
        ("clocks_late", events.clocks_late, _on_clocks_late),
        ("customer_replied", events.customer_replied, _on_customer_replied),
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
    ticket_resolved(ticket, event_id=now.isoformat(), now=now)


def _on_clocks_late(warned, breached, now, **_kwargs) -> None:
    clocks_late(warned=warned, breached=breached, now=now)


def _on_customer_replied(ticket, message, now, **_kwargs) -> None:
    customer_answered(ticket, message=message, now=now)
