"""Mark running clocks whose deadline has passed as breached (run it every minute from cron)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from sla import services


class Command(BaseCommand):
    help = "Mark SLA clocks whose deadline passed as breached, with an event each."

    def handle(self, *args, **options):
        count = services.clocks_mark_breaches(now=timezone.now())
        self.stdout.write(f"{count} clock(s) marked as breached")
