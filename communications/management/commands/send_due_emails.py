"""Send the e-mails whose retry is due (run it every minute from cron)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from communications import outbound


class Command(BaseCommand):
    help = (
        "Send failed e-mails whose next attempt is due, and pending ones whose task was lost "
        "(needed when the task backend cannot defer, e.g. the immediate backend)."
    )

    def handle(self, *args, **options):
        count = outbound.emails_send_due(now=timezone.now())
        self.stdout.write(f"{count} e-mail(s) sent")
