"""Print the deadlines of a ticket reported at a given instant, as one JSON object."""

import json

from django.core.management.base import BaseCommand, CommandError

from sla import services


class Command(BaseCommand):
    help = "Print the first-response and resolution deadlines for a priority and instant."

    def add_arguments(self, parser):
        parser.add_argument("--priority", required=True, help="priority level code, e.g. alta")
        parser.add_argument(
            "--reported-at",
            required=True,
            help="ISO 8601 instant with its offset, e.g. 2026-11-27T17:00:00-03:00",
        )
        parser.add_argument(
            "--integration-24x7",
            action="store_true",
            help="the incident is covered by 24x7 integration support",
        )
        parser.add_argument("--policy", help="policy slug (default: the default policy)")

    def handle(self, *args, **options):
        try:
            deadlines = services.deadline_preview(
                priority=options["priority"],
                reported_at=services.parse_reported_at(options["reported_at"]),
                integration_24x7=options["integration_24x7"],
                policy_slug=options["policy"],
            )
        except services.SLAError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(json.dumps(deadlines.as_json(), ensure_ascii=False))
