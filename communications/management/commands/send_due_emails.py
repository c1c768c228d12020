"""Send the e-mails whose retry is due (run it every minute from cron)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from communications import outbound
from feature_requests import notifications


class Command(BaseCommand):
    help = (
        "Send failed e-mails whose next attempt is due, and pending ones whose task was lost "
        "(needed when the task backend cannot defer, e.g. the immediate backend)."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        count = outbound.emails_send_due(now=now)
        self.stdout.write(f"{count} e-mail(s) sent")
        notices = notifications.notices_send_due(now=now)  # feature-request notices too
        if notices:
            self.stdout.write(f"{notices} feature-request notice(s) sent")
