"""Background work of the SLA domain."""

from django.tasks import task
from django.utils import timezone


@task
def mark_breaches() -> int:
    """Run the SLA sweep (warnings, breaches, notices); returns how many clocks breached."""
    from reports import rollups
    from tickets import services  # the sweep tells analysts: it lives with the tickets

    breached = services.tickets_sla_sweep(now=timezone.now()).breached
    rollups.rollups_refresh()  # the report's days the sweep (or anyone) changed
    return len(breached)
