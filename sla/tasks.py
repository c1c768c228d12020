"""Background work of the SLA domain."""

from django.tasks import task
from django.utils import timezone


@task
def mark_breaches() -> int:
    """Run the SLA sweep (warnings, breaches, notices); returns how many clocks breached."""
    from tickets import services  # the sweep tells analysts: it lives with the tickets

    return len(services.tickets_sla_sweep(now=timezone.now()).breached)
