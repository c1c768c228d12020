"""Kept for cron lines written before `sla_sweep`: it runs the same sweep."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Same as sla_sweep (warn clocks at risk, breach overdue ones, tell the analysts)."

    def handle(self, *args, **options):
        call_command("sla_sweep", stdout=self.stdout)
