"""Background work of feature requests."""

from django.tasks import task
from django.utils import timezone

from feature_requests import notifications


@task
def send_notices(notice_ids: list[int]) -> int:
    """E-mail a batch of notices (those already sent are skipped); returns how many went."""
    return notifications.notices_send(notice_ids, now=timezone.now())
