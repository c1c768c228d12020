"""Template filters for instants and budgets, shown the same way everywhere."""

from datetime import timedelta

from django import template
from django.contrib.admin.templatetags import admin_list

from helpdesk.admin_list import result_rows
from helpdesk.formats import format_instant
from tickets.portal_clocks import budget_words

register = template.Library()


@register.filter
def instant(value, zone=None):
    """An instant in the given zone (or the current one), with its offset named."""
    return format_instant(value, zone) if value else "—"


@register.filter
def budget(target, business_day=None):
    """A (duration, clock code) pair as "4h 00m (business hours)"; given the length of a
    business day, business-hours budgets of a day or more read "5 business days"."""
    duration, clock = target
    return budget_words(duration, clock, business_day)


@register.filter
def seconds_on(seconds, clock):
    """A budget in seconds on a clock, as "4h 00m (business hours)"."""
    return budget((timedelta(seconds=seconds), clock))


@register.inclusion_tag("admin/change_list_results.html")
def result_list_by_columns(cl):
    """Django's `{% result_list cl %}` with the rows rendered by `helpdesk.admin_list`."""
    headers = list(admin_list.result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(admin_list.result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": result_rows(cl),
        "rows_by_columns": True,  # tells the tests this tag drew the rows
    }
