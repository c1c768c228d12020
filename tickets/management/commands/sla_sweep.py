"""The SLA sweep: warn clocks at risk and breach overdue ones, telling the analysts once.

Run it every minute (cron, a systemd timer, or `scripts/run.sh`, which does it by itself).
It also recounts the report's days marked stale since the last run, so the compliance report
finds its rollups current.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from reports import rollups
from tickets import services


class Command(BaseCommand):
    help = "Warn SLA clocks at risk and breach overdue ones (one event and one notice each)."

    def handle(self, *args, **options):
        sweep = services.tickets_sla_sweep(now=timezone.now())
        self.stdout.write(f"{len(sweep.warned)} clock(s) warned, {len(sweep.breached)} breached")
        days = rollups.rollups_refresh()  # the report's days the sweep (or anyone) changed
        self.stdout.write(f"{len(days)} day(s) of SLA figures recounted")
