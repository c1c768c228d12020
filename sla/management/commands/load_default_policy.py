"""Install the default SLA policy of the agreement if it is missing (idempotent)."""

from django.core.management.base import BaseCommand

from sla import services


class Command(BaseCommand):
    help = "Install the default calendar, priority levels and SLA policy where missing."

    def handle(self, *args, **options):
        policy = services.default_policy_install()
        self.stdout.write(f"Default SLA policy: {policy.name} ({policy.slug})")
