"""Recount the compliance report's daily rollups from the clocks: after a bulk import, after
migrating a large desk, or to check them (--check compares with the clock scan)."""

from dataclasses import asdict
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports import rollups, selectors


class Command(BaseCommand):
    help = "Recount the daily rollups of the SLA compliance report from the clocks."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", type=date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="last", type=date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument(
            "--check",
            action="store_true",
            help="then compare the report from rollups with the clock scan, month by month",
        )

    def handle(self, *args, first=None, last=None, check=False, **options):
        reported = rollups.reported_days()
        if reported is None:
            self.stdout.write("No tickets: nothing to count.")
            return
        first, last = first or reported[0], last or reported[1]
        if first > last:
            raise CommandError("--from is after --to.")
        rows = rollups.rollups_rebuild(first, last)
        self.stdout.write(f"{rows} rollup rows for {first} to {last}.")
        if check:
            self._check(first, last)

    def _check(self, first: date, last: date) -> None:
        now = timezone.now()
        differing = []
        for month_start, _label in selectors.months_of(selectors.Period(first, last)):
            month = selectors.Period.month(month_start.year, month_start.month)
            period = selectors.Period(max(first, month.date_from), min(last, month.date_to))
            from_rollups = selectors.compliance_report(period=period, now=now)
            from_clocks = selectors.compliance_from_clocks(period=period, now=now)
            if asdict(from_rollups) != asdict(from_clocks):
                differing.append(f"{period.date_from:%Y-%m}")
        if differing:
            raise CommandError(f"Rollups differ from the clocks in {', '.join(differing)}.")
        self.stdout.write("The rollups give the clock scan's figures.")
