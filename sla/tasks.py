"""Background work of the SLA domain."""

from django.tasks import task
from django.utils import timezone

from sla import services


@task
def mark_breaches() -> int:
    """Mark overdue clocks as breached; enqueue it from a scheduler, or use the command."""
    return services.clocks_mark_breaches(now=timezone.now())
