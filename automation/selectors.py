"""Reads of the automation domain: which macros an analyst may use or edit, which rules run."""

from django.db.models import Q, QuerySet

from automation.models import Macro, TriageRule
from tickets.models import Ticket


def macros_usable_by(user) -> QuerySet[Macro]:
    """Active macros an analyst may apply: the shared ones and their own."""
    if not (user.is_authenticated and user.is_staff):
        return Macro.objects.none()
    return Macro.objects.filter(is_active=True).filter(
        Q(visibility=Macro.Visibility.SHARED) | Q(owner=user)
    )


def macro_usable_by(macro: Macro, user) -> bool:
    """The rule of `macros_usable_by` for one macro in hand."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_staff
        and macro.is_active
        and (macro.is_shared or macro.owner_id == user.pk)
    )


def macros_visible_to(user) -> QuerySet[Macro]:
    """What the macro list shows: shared macros and one's own personal ones (a superuser
    sees every personal macro too, to tidy up after people who left)."""
    macros = Macro.objects.select_related("owner", "priority", "assignee")
    if user.is_superuser:
        return macros
    return macros.filter(Q(visibility=Macro.Visibility.SHARED) | Q(owner=user))


def triage_rules_for(trigger: str) -> list[TriageRule]:
    """The active rules that run on `trigger` (created/updated), in order, with all they
    need to be judged and applied read once."""
    return list(
        TriageRule.objects.filter(is_active=True, when__in=[trigger, TriageRule.When.BOTH])
        .select_related("set_level", "set_assignee", "macro__priority", "macro__assignee")
        .prefetch_related("organizations", "levels")
    )


def tickets_recent(limit: int = 100) -> list[Ticket]:
    """The last tickets opened, with what triage conditions read (a rule's dry run)."""
    return list(
        Ticket.objects.select_related(
            "organization", "requester", "priority", "assignee", "integration"
        ).order_by("-created_at", "-pk")[:limit]
    )
