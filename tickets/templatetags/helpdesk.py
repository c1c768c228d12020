"""Template filters for instants and budgets, shown the same way everywhere."""

from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

from helpdesk.formats import format_instant
from sla.selectors import format_duration

register = template.Library()

CLOCK_WORDS = {
    "business": lambda: _("business hours"),
    "around_the_clock": lambda: _("around the clock"),
    "integration_24x7": lambda: _("off hours count half"),
}


@register.filter
def instant(value, zone=None):
    """An instant in the given zone (or the current one), with its offset named."""
    return format_instant(value, zone) if value else "—"


@register.filter
def budget(target):
    """A (duration, clock code) pair as "4h 00m (business hours)"."""
    duration, clock = target
    return f"{format_duration(duration)} ({CLOCK_WORDS[clock]()})"


@register.filter
def seconds_on(seconds, clock):
    """A budget in seconds on a clock, as "4h 00m (business hours)"."""
    return budget((timedelta(seconds=seconds), clock))
