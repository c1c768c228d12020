"""Applying macros and running triage rules, always through the ticket and record services.

Nothing here writes a ticket's fields: a macro or a rule changes priority, assignee and
status with `tickets.services` and writes with `communications.services`, so the clocks,
the history (with the macro or rule named as the reason), the notices and the written record
stay what they would be had an analyst done each step by hand.
"""

from __future__ import annotations

import contextvars
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from automation import selectors
from automation.models import Macro, TriageRule, TriageRun
from automation.placeholders import placeholders_render
from communications import services as record_services
from communications.models import Message
from communications.notifications import language_of
from helpdesk.formats import format_instant
from sla import services as sla_services
from sla.models import ClockMetric, SLAClock
from tickets import services as ticket_services
from tickets.models import Ticket
from tickets.timezones import customer_zone
from workspace import selectors as workspace_selectors

logger = logging.getLogger(__name__)

TRIAGE_USERNAME = "helpdesk-triage"


class MacroError(ValidationError):
    """A macro that may not or cannot be applied; the message says why, for a person."""


# -- macros ------------------------------------------------------------------------------


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _deadline(clocks: list[SLAClock], metric: str, zone) -> str:
    clock = next((clock for clock in clocks if clock.metric == metric), None)
    if clock is None:
        return "—"
    if clock.met_at is not None:
        return _("met")
    if clock.paused_since is not None:
        return _("paused")
    return format_instant(clock.due_at, zone) if clock.due_at else "—"


def macro_values(ticket: Ticket) -> dict:
    """The placeholders' values for a ticket, in the active language; deadlines in the
    requester's time zone (else the support calendar's), read only if a text names them."""
    requester = ticket.requester
    clocks: list[SLAClock] = []

    def deadline(metric: str):
        def compute() -> str:
            if not clocks:
                clocks.extend(SLAClock.objects.filter(ticket=ticket))
            zone = (
                customer_zone(requester) or sla_services.snapshot_engine(ticket.sla_snapshot).zone
            )
            return _deadline(clocks, metric, zone)

        return compute

    return {
        "customer_name": _name(requester),
        "customer_first_name": requester.first_name or _name(requester),
        "ticket_reference": ticket.reference,
        "ticket_subject": ticket.subject,
        "ticket_priority": ticket.priority.name,
        "ticket_status": ticket.get_status_display(),
        "organization_name": ticket.organization.name,
        "assignee_name": _name(ticket.assignee) if ticket.assignee else _("our support team"),
        "first_response_due": deadline(ClockMetric.FIRST_RESPONSE),
        "resolution_due": deadline(ClockMetric.RESOLUTION),
    }


def macro_reply_render(ticket: Ticket, macro: Macro) -> tuple[str, str]:
    """(language, text) of the macro's reply to this ticket's requester, in their language
    (Brazilian Portuguese when the macro has no text in it)."""
    language, text = macro.reply_in(language_of(ticket.requester))
    if not text.strip():
        return language, ""
    with translation.override(language):
        return language, placeholders_render(text, macro_values(ticket)).strip()


def macro_note_render(ticket: Ticket, macro: Macro) -> str:
    """The macro's internal note for this ticket, in the analysts' language."""
    if not macro.note.strip():
        return ""
    with translation.override(settings.LANGUAGE_CODE):
        return placeholders_render(macro.note, macro_values(ticket)).strip()


def macro_summary(macro: Macro) -> str:
    """What a macro does, in a line (the lists and a rule's dry run)."""
    parts = []
    if macro.reply_pt_br or macro.reply_en or macro.reply_es:
        parts.append(_("reply to the customer"))
    if macro.note:
        parts.append(_("internal note"))
    if macro.priority_id:
        parts.append(_("priority → %(level)s") % {"level": macro.priority.name})
    if macro.assign_to_applier:
        parts.append(_("assign to whoever applies it"))
    elif macro.assignee_id:
        parts.append(_("assign to %(name)s") % {"name": _name(macro.assignee)})
    if macro.status:
        parts.append(_("status → %(status)s") % {"status": Ticket.Status(macro.status).label})
    return "; ".join(parts) or "—"


@dataclass
class MacroResult:
    """What applying a macro did (or, for a preview, would do)."""

    ticket: Ticket
    language: str = ""
    reply: str = ""
    note: str = ""
    changes: list[str] = field(default_factory=list)


def _fresh(ticket: Ticket) -> Ticket:
    """The ticket as it stands, with what the placeholders read."""
    return Ticket.objects.select_related(
        "requester__membership", "organization", "priority", "assignee", "sla_snapshot"
    ).get(pk=ticket.pk)


@transaction.atomic
def macro_apply(ticket: Ticket, macro: Macro, *, by, now: datetime) -> MacroResult:
    """Apply a macro as `by`: priority, then assignee, then the reply and note (whose
    deadlines are those after the change), then the status; all or nothing."""
    if not selectors.macro_usable_by(macro, by):
        raise MacroError(_("You may not apply the macro “%(name)s”.") % {"name": macro.name})
    reason = _("Macro “%(name)s”") % {"name": macro.name}
    ticket = _fresh(ticket)
    result = MacroResult(ticket=ticket)
    if macro.priority_id and macro.priority_id != ticket.priority_id:
        before = ticket.priority.name
        ticket_services.ticket_change_priority(
            ticket=ticket, level=macro.priority, actor=by, now=now, reason=reason
        )
        result.changes.append(
            _("priority: %(before)s → %(after)s") % {"before": before, "after": macro.priority.name}
        )
        ticket = _fresh(ticket)
    analyst = by if macro.assign_to_applier else macro.assignee
    if analyst is not None and analyst.pk != ticket.assignee_id:
        before = _name(ticket.assignee) if ticket.assignee else "—"
        ticket_services.ticket_assign(
            ticket=ticket, analyst=analyst, actor=by, now=now, reason=reason
        )
        result.changes.append(
            _("assignee: %(before)s → %(after)s") % {"before": before, "after": _name(analyst)}
        )
        ticket = _fresh(ticket)
    result.language, result.reply = macro_reply_render(ticket, macro)
    if result.reply:
        record_services.message_post(
            ticket=ticket,
            author=by,
            body=result.reply,
            channel=Message.Channel.BACK_OFFICE,
            now=now,
        )
        result.changes.append(_("reply to the customer"))
    result.note = macro_note_render(ticket, macro)
    if result.note:
        record_services.message_post(
            ticket=ticket,
            author=by,
            body=result.note,
            channel=Message.Channel.BACK_OFFICE,
            now=now,
            internal=True,
        )
        result.changes.append(_("internal note"))
    if macro.status and macro.status != ticket.status:
        before = ticket.get_status_display()
        ticket_services.ticket_transition(
            ticket=ticket,
            to_status=macro.status,
            actor=by,
            now=now,
            reason=macro.status_reason.strip() or reason,
        )
        result.changes.append(
            _("status: %(before)s → %(after)s")
            % {"before": before, "after": Ticket.Status(macro.status).label}
        )
    result.ticket = _fresh(ticket)
    return result


class _PreviewDone(Exception):
    def __init__(self, result: MacroResult) -> None:
        self.result = result


def macro_preview(ticket: Ticket, macro: Macro, *, by, now: datetime) -> MacroResult:
    """What applying the macro would send and change, exactly: it is applied and rolled back,
    so the reply's deadlines are those after its priority change and a refusal shows now.
    Nothing is kept and nothing is sent (e-mails leave only after a commit)."""
    try:
        with transaction.atomic():
            raise _PreviewDone(macro_apply(ticket, macro, by=by, now=now))
    except _PreviewDone as done:
        return done.result


@dataclass
class BulkOutcome:
    applied: list[Ticket] = field(default_factory=list)
    failed: list[tuple[Ticket, str]] = field(default_factory=list)


def macro_apply_many(tickets: Iterable[Ticket], macro: Macro, *, by, now: datetime) -> BulkOutcome:
    """Apply a macro to each ticket on its own: one refusal does not undo the others."""
    outcome = BulkOutcome()
    for ticket in tickets:
        try:
            macro_apply(ticket, macro, by=by, now=now)
        except ValidationError as error:
            outcome.failed.append((ticket, " ".join(error.messages)))
        else:
            outcome.applied.append(ticket)
    return outcome


# -- triage rules ------------------------------------------------------------------------

# Set while rules run: what their own actions cause never starts another run.
_running: contextvars.ContextVar[bool] = contextvars.ContextVar("triage_running", default=False)


def triage_running() -> bool:
    return _running.get()


def _plain(text: str) -> str:
    """Lower case, accents off, spaces collapsed: "Está FORA do ar" → "esta fora do ar"."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())


def _split(text: str) -> tuple[str, ...]:
    return tuple(part for part in (_plain(p) for p in re.split(r"[,\n]", text or "")) if part)


@dataclass(frozen=True)
class TriageFacts:
    """What a rule is judged on besides the ticket: the event, its channel, its words."""

    trigger: str
    channel: str
    text: str
    sender_domain: str


@dataclass(frozen=True)
class TriageSpec:
    """A rule's conditions and actions, from a saved rule or from its form (dry run)."""

    name: str
    when: str
    channels: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    sender_domains: tuple[str, ...] = ()
    organization_ids: frozenset = frozenset()
    level_ids: frozenset = frozenset()
    integration: str = ""
    set_level: object = None
    set_assignee: object = None
    set_team: object = None
    note: str = ""
    macro: Macro | None = None
    stop_processing: bool = False

    @classmethod
    def of(cls, data: Mapping) -> TriageSpec:
        """From a rule's fields (a form's cleaned data, or `triage_spec(rule)`)."""
        return cls(
            name=data.get("name") or "",
            when=data.get("when") or TriageRule.When.CREATED,
            channels=tuple(data.get("channels") or ()),
            words=_split(data.get("words") or ""),
            sender_domains=tuple(
                domain.lstrip("@") for domain in _split(data.get("sender_domains") or "")
            ),
            organization_ids=frozenset(o.pk for o in data.get("organizations") or ()),
            level_ids=frozenset(level.pk for level in data.get("levels") or ()),
            integration=data.get("integration") or "",
            set_level=data.get("set_level"),
            set_assignee=data.get("set_assignee"),
            set_team=data.get("set_team"),
            note=(data.get("note") or "").strip(),
            macro=data.get("macro"),
            stop_processing=bool(data.get("stop_processing")),
        )

    def runs_on(self, trigger: str) -> bool:
        return self.when in (trigger, TriageRule.When.BOTH)

    def matches(self, ticket: Ticket, facts: TriageFacts) -> bool:
        """Every condition given holds (an empty one holds for any ticket)."""
        if not self.runs_on(facts.trigger):
            return False
        if self.channels and facts.channel not in self.channels:
            return False
        if self.organization_ids and ticket.organization_id not in self.organization_ids:
            return False
        if self.level_ids and ticket.priority_id not in self.level_ids:
            return False
        if self.sender_domains and not _domain_matches(facts.sender_domain, self.sender_domains):
            return False
        if self.integration and not _integration_matches(ticket, self.integration):
            return False
        if self.words:
            text = _plain(facts.text)
            return any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) for word in self.words)
        return True


def _domain_matches(domain: str, domains: tuple[str, ...]) -> bool:
    domain = domain.lower()
    return any(domain == wanted or domain.endswith(f".{wanted}") for wanted in domains)


def _integration_matches(ticket: Ticket, condition: str) -> bool:
    Condition = TriageRule.IntegrationCondition
    integration = ticket.integration
    if condition == Condition.WITHOUT:
        return integration is None
    if integration is None:
        return False
    if condition == Condition.VENDOR:
        return integration.is_vendor_built
    if condition == Condition.SELF_SERVICE:
        return not integration.is_vendor_built
    return True


def triage_spec(rule: TriageRule) -> TriageSpec:
    """A saved rule's spec (its organizations and levels prefetched by the selector)."""
    return TriageSpec.of(
        {
            "name": rule.name,
            "when": rule.when,
            "channels": rule.channels,
            "words": rule.words,
            "sender_domains": rule.sender_domains,
            "organizations": rule.organizations.all(),
            "levels": rule.levels.all(),
            "integration": rule.integration,
            "set_level": rule.set_level,
            "set_assignee": rule.set_assignee,
            "set_team": rule.set_team,
            "note": rule.note,
            "macro": rule.macro,
            "stop_processing": rule.stop_processing,
        }
    )


def _sender_domain(address: str) -> str:
    return address.rpartition("@")[2].strip().lower() if "@" in (address or "") else ""


def facts_of_opening(ticket: Ticket) -> TriageFacts:
    return TriageFacts(
        trigger=TriageRule.When.CREATED,
        channel=ticket.channel,
        text=f"{ticket.subject}\n{ticket.description}",
        sender_domain=_sender_domain(ticket.requester.email),
    )


def facts_of_message(ticket: Ticket, message: Message) -> TriageFacts:
    address = message.author_email or getattr(message.author, "email", "") or ""
    return TriageFacts(
        trigger=TriageRule.When.UPDATED,
        channel=message.channel,
        text=f"{ticket.subject}\n{message.body}",
        sender_domain=_sender_domain(address),
    )


def triage_actor():
    """The account the rules act as: an analyst nobody logs in as (inactive, no password), so
    a reply a rule's macro sends is the desk's, never mistaken for the customer's."""
    user, created = get_user_model().objects.get_or_create(
        username=TRIAGE_USERNAME,
        defaults={"first_name": "Helpdesk", "is_staff": True, "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def triage_plan(spec: TriageSpec, ticket: Ticket) -> list[str]:
    """What the rule would change on the ticket as it stands (the dry run's column)."""
    plan = []
    if spec.set_level is not None and spec.set_level.pk != ticket.priority_id:
        plan.append(
            _("priority: %(before)s → %(after)s")
            % {"before": ticket.priority.name, "after": spec.set_level.name}
        )
    if spec.set_assignee is not None and spec.set_assignee.pk != ticket.assignee_id:
        plan.append(
            _("assignee: %(before)s → %(after)s")
            % {
                "before": _name(ticket.assignee) if ticket.assignee else "—",
                "after": _name(spec.set_assignee),
            }
        )
    team_pick = _team_pick(spec, ticket)
    if team_pick is not None:
        plan.append(_team_change(ticket, team_pick, spec.set_team))
    if spec.note:
        plan.append(_("internal note"))
    if spec.macro is not None:
        plan.append(
            _("macro “%(name)s”: %(changes)s")
            % {"name": spec.macro.name, "changes": macro_summary(spec.macro)}
        )
    return plan


def _team_pick(spec: TriageSpec, ticket: Ticket):
    """The analyst a rule's "assign within team" gives the ticket to: none when the ticket
    is already with one of the team (or the team has nobody active)."""
    if spec.set_team is None:
        return None
    return workspace_selectors.team_member_to_assign(spec.set_team, ticket.assignee_id)


def _team_change(ticket: Ticket, analyst, team) -> str:
    return _("assignee: %(before)s → %(after)s (team %(team)s, fewest open tickets)") % {
        "before": _name(ticket.assignee) if ticket.assignee else "—",
        "after": _name(analyst),
        "team": team.name,
    }


def _rule_apply(spec: TriageSpec, ticket: Ticket, *, actor, now: datetime) -> list[str]:
    reason = _("Triage rule “%(name)s”") % {"name": spec.name}
    done = []
    if spec.set_level is not None and spec.set_level.pk != ticket.priority_id:
        before = ticket.priority.name
        ticket_services.ticket_change_priority(
            ticket=ticket, level=spec.set_level, actor=actor, now=now, reason=reason
        )
        done.append(
            _("priority: %(before)s → %(after)s") % {"before": before, "after": spec.set_level.name}
        )
    if spec.set_assignee is not None and spec.set_assignee.pk != ticket.assignee_id:
        before = _name(ticket.assignee) if ticket.assignee else "—"
        ticket_services.ticket_assign(
            ticket=ticket, analyst=spec.set_assignee, actor=actor, now=now, reason=reason
        )
        done.append(
            _("assignee: %(before)s → %(after)s")
            % {"before": before, "after": _name(spec.set_assignee)}
        )
    team_pick = _team_pick(spec, ticket)
    if team_pick is not None:
        change = _team_change(ticket, team_pick, spec.set_team)
        ticket_services.ticket_assign(
            ticket=ticket, analyst=team_pick, actor=actor, now=now, reason=reason
        )
        done.append(change)
    if spec.macro is not None:
        result = macro_apply(ticket, spec.macro, by=actor, now=now)
        done.append(
            _("macro “%(name)s”: %(changes)s")
            % {"name": spec.macro.name, "changes": "; ".join(result.changes) or "—"}
        )
    return done


def _ticket_for_rules(ticket_id: int) -> Ticket:
    return Ticket.objects.select_related(
        "organization", "requester", "priority", "assignee", "integration"
    ).get(pk=ticket_id)


def triage_run(*, ticket_id: int, facts: TriageFacts, now: datetime) -> list[TriageRun]:
    """Run the active rules of the trigger in order on a ticket, each in its own savepoint.

    A rule that fails is logged and recorded (on the ticket's timeline and as a run), and
    the others still run: the ticket, or the e-mail that opened it, is never lost to a rule.
    Each rule is judged on the ticket as the rules before it left it.
    """
    if triage_running():
        return []  # a rule's own action: rules never trigger rules
    token = _running.set(True)
    runs: list[TriageRun] = []
    try:
        with translation.override(settings.LANGUAGE_CODE):  # analysts read the site's language
            rules = selectors.triage_rules_for(facts.trigger)
            actor = triage_actor() if rules else None
            for rule in rules:
                spec = triage_spec(rule)
                ticket = _ticket_for_rules(ticket_id)
                if not spec.matches(ticket, facts):
                    continue
                runs.append(_rule_run(rule, spec, ticket, facts=facts, actor=actor, now=now))
                if spec.stop_processing:
                    break
    finally:
        _running.reset(token)
    return runs


def _trigger_text(facts: TriageFacts) -> str:
    channel = Ticket.Channel(facts.channel).label if facts.channel in Ticket.Channel.values else ""
    if facts.trigger == TriageRule.When.CREATED:
        return _("ticket opened by %(channel)s") % {"channel": channel}
    return _("the customer wrote by %(channel)s") % {
        "channel": Message.Channel(facts.channel).label
        if facts.channel in Message.Channel.values
        else channel
    }


def _rule_run(rule, spec: TriageSpec, ticket: Ticket, *, facts, actor, now) -> TriageRun:
    run = TriageRun(rule=rule, rule_name=rule.name, ticket=ticket, trigger=facts.trigger, at=now)
    try:
        with transaction.atomic():
            done = _rule_apply(spec, ticket, actor=actor, now=now)
            run.outcome, run.changes = TriageRun.Outcome.APPLIED, "; ".join(done)
            body = _("Triage rule “%(name)s” (%(trigger)s): %(changes)s") % {
                "name": rule.name,
                "trigger": _trigger_text(facts),
                "changes": run.changes or _("no change"),
            }
            if spec.note:
                body = f"{body}\n\n{spec.note}"
            record_services.system_note_post(ticket=ticket, body=body, now=now)
            run.save()
    except Exception as error:  # whatever it was, the ticket stays and the failure is told
        logger.exception("triage rule %s failed on ticket %s", rule.pk, ticket.pk)
        detail = " ".join(error.messages) if isinstance(error, ValidationError) else repr(error)
        run.pk = None
        run.outcome, run.changes, run.error = TriageRun.Outcome.FAILED, "", detail[:4000]
        with transaction.atomic():
            record_services.system_note_post(
                ticket=ticket,
                body=_(
                    "Triage rule “%(name)s” (%(trigger)s) failed, nothing of it was applied: "
                    "%(error)s"
                )
                % {"name": rule.name, "trigger": _trigger_text(facts), "error": detail},
                now=now,
            )
            run.save()
    return run


@dataclass(frozen=True)
class DryRunRow:
    ticket: Ticket
    trigger: str
    changes: list[str]


def triage_dry_run(spec: TriageSpec, *, limit: int = 100) -> tuple[int, list[DryRunRow]]:
    """(tickets examined, those the rule would match and what it would change): the last
    `limit` tickets opened, judged on their opening and on the customer's latest message."""
    tickets = selectors.tickets_recent(limit)
    latest: dict[int, Message] = {}
    if spec.runs_on(TriageRule.When.UPDATED):
        for message in Message.objects.filter(
            ticket__in=[t.pk for t in tickets], direction=Message.Direction.FROM_CUSTOMER
        ).order_by("ticket_id", "created_at", "pk"):
            latest[message.ticket_id] = message  # the last one wins
    rows = []
    for ticket in tickets:
        candidates = [facts_of_opening(ticket)]
        if ticket.pk in latest:
            candidates.append(facts_of_message(ticket, latest[ticket.pk]))
        matched = next((f for f in candidates if spec.matches(ticket, f)), None)
        if matched is not None:
            rows.append(DryRunRow(ticket, matched.trigger, triage_plan(spec, ticket)))
    return len(tickets), rows
