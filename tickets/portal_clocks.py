"""The portal's deadlines in the customer's words: one sentence per clock, one badge per state.

`sla.selectors.clock_status` gives the one verdict used everywhere (list, API, sweep); this
module only words it for customers. Each state gets a single wording, and the badge carries
the verdict so the sentence never repeats it ("late — met 13h late, breached" said one thing
three times). A closed or cancelled ticket shows its final verdict, never a countdown or "waiting
on you". Budgets of business-hours clocks read as business days when they span days.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from helpdesk.formats import format_instant
from sla import business_time
from sla import selectors as sla_selectors
from sla.selectors import format_duration
from tickets.models import Ticket

CLOCK_WORDS = {
    "business": lambda: _("business hours"),
    "around_the_clock": lambda: _("around the clock"),
    "integration_24x7": lambda: _("off hours count half"),
}


@dataclass(frozen=True)
class ClockLine:
    metric: str  # the clock's name, e.g. "first response"
    state: str  # on_track, at_risk, breached, paused, met, not_applicable (the CSS class)
    label: str  # the badge: the verdict, said once
    text: str  # the sentence: when, and how much time
    note: str = ""  # why this clock counts as it does (24x7 support), when that surprises


def duration_words(duration: timedelta, clock_code: str, business_day: timedelta | None) -> str:
    """Time on a clock: "5 business days", "2 business days 4h 00m", else "4h 00m".

    A business-hours budget of 45h is five working days: people plan in days, not in hours
    of a nine-hour day.
    """
    if clock_code != "business" or not business_day or duration < business_day:
        return format_duration(duration)
    days, rest = divmod(duration, business_day)
    words = ngettext("%(count)d business day", "%(count)d business days", days) % {"count": days}
    if rest >= timedelta(minutes=1):
        words = f"{words} {format_duration(rest)}"
    return words


def budget_words(duration: timedelta, clock_code: str, business_day: timedelta | None) -> str:
    """A level's target, e.g. "5 business days", "4h 00m (business hours)"."""
    words = duration_words(duration, clock_code, business_day)
    if clock_code == "business" and business_day and duration >= business_day:
        return words  # "business days" already says how it counts
    return f"{words} ({CLOCK_WORDS[clock_code]()})"


def clock_lines(ticket: Ticket, engine, zone, now: datetime) -> list[ClockLine]:
    """Each clock of the ticket, worded for the customer (prefetch `clocks` for lists)."""
    finished = not ticket.is_open
    business_day = engine.spec.longest_day
    return [
        _line(ticket, clock, engine, zone, now, finished=finished, business_day=business_day)
        for clock in ticket.clocks.all()
    ]


def _line(ticket, clock, engine, zone, now, *, finished: bool, business_day) -> ClockLine:
    status = sla_selectors.clock_status(clock, engine, now, finished=finished)
    kind = business_time.CLOCKS[clock.clock]

    def span(duration):
        return duration_words(duration, clock.clock, business_day)

    def when(instant):
        return format_instant(instant, zone)

    state, label = status.state, status.label
    if state == "met":
        text = _("done on %(when)s") % {"when": when(clock.met_at)}
    elif state == "breached" and clock.met_at is not None:
        late = engine.elapsed(clock.breached_at or clock.due_at, clock.met_at, kind)
        text = _("done on %(when)s, %(late)s after the deadline") % {
            "when": when(clock.met_at),
            "late": span(late),
        }
    elif state == "breached" and (finished or clock.due_at is None):
        text = _("the deadline was %(when)s") % {"when": when(clock.breached_at or clock.due_at)}
    elif state == "breached":
        overdue = engine.elapsed(clock.breached_at or clock.due_at, now, kind)
        text = _("the deadline was %(when)s; %(late)s overdue") % {
            "when": when(clock.due_at),
            "late": span(overdue),
        }
    elif state == "not_applicable":
        label = ""
        text = (
            _("not counted: the ticket was cancelled")
            if ticket.status == Ticket.Status.CANCELLED
            else _("stopped before its deadline")
        )
    elif state == "paused":
        label = _("waiting on you")
        text = _("since %(since)s; %(left)s left once you answer") % {
            "since": when(clock.paused_since),
            "left": span(clock.remaining_at_pause or timedelta(0)),
        }
    else:
        text = _("by %(due)s (%(left)s left)") % {
            "due": when(clock.due_at),
            "left": span(engine.elapsed(now, clock.due_at, kind)),
        }
    return ClockLine(
        metric=clock.get_metric_display(),
        state=state,
        label=label,
        text=text,
        note=_coverage_note(clock) if not finished else "",
    )


def _coverage_note(clock) -> str:
    if clock.clock != "integration_24x7":
        return ""
    return _(
        "Counted under your 24x7 support for integrations built by us: this deadline also runs "
        "outside support hours (at half speed), so it can fall before the first response's, "
        "which counts support hours only."
    )
