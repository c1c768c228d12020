"""The placeholders of a macro's texts: a closed list of names, substituted in one pass.

Not the template engine: a macro is written by analysts and read by customers, so it may
only name values from this list ({{ customer_name }}), never call code, loop or include.
An unknown name is refused when the macro is saved, so applying one never fails on it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# {{ name }}, spaces inside the braces optional
TOKEN = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")

# name -> what it is, for the macro form's help text
PLACEHOLDERS: dict[str, object] = {
    "customer_name": _("the requester's name"),
    "customer_first_name": _("the requester's first name"),
    "ticket_reference": _("the ticket's reference (HD-…)"),
    "ticket_subject": _("the ticket's subject"),
    "ticket_priority": _("the ticket's priority level"),
    "ticket_status": _("the ticket's status"),
    "organization_name": _("the customer's organization"),
    "assignee_name": _("the analyst assigned to the ticket"),
    "first_response_due": _("first-response deadline, in the requester's time zone"),
    "resolution_due": _("resolution deadline, in the requester's time zone"),
}


def placeholders_help() -> str:
    """The list of names, as the macro form shows it."""
    return ", ".join(f"{{{{ {name} }}}}" for name in PLACEHOLDERS)


def placeholders_check(text: str) -> None:
    """Refuse a text naming an unknown placeholder or with braces left open."""
    unknown = sorted({name for name in TOKEN.findall(text) if name not in PLACEHOLDERS})
    if unknown:
        raise ValidationError(
            _("Unknown placeholder(s): %(unknown)s. Available: %(available)s."),
            code="unknown_placeholder",
            params={
                "unknown": ", ".join(f"{{{{ {name} }}}}" for name in unknown),
                "available": placeholders_help(),
            },
        )
    rest = TOKEN.sub("", text)
    if "{{" in rest or "}}" in rest:
        raise ValidationError(
            _("A placeholder is not closed: write it as {{ name }}."), code="open_placeholder"
        )


def placeholders_render(text: str, values: Mapping[str, str | Callable[[], str]]) -> str:
    """Put each placeholder's value in the text, in one pass (a value holding "{{ … }}" stays
    as written). A value may be a callable, computed only if the text names it."""

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)  # refused at save; never a crash when applied
        found = values[name]
        return str(found() if callable(found) else found)

    return TOKEN.sub(value, text)
