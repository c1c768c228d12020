"""The policy's edits, heard where they happen (connected in apps.py), so the articles written
from it follow: the sla app announces nothing and does not know the help center exists.

Every row the article reads is listened to (the default policy and its targets, the
levels' names and texts in three languages, the calendar's hours and time zone), whoever
writes it: the admin, the sla services, a management command. The rules' versions
(`PolicyVersion`) are not: they are recorded from these same edits, and for edits made
outside the admin only when the next ticket opens, late for a page customers read.
"""

from django.db.models.signals import post_delete, post_save

from help_center import services
from sla.models import BusinessCalendar, PriorityLevel, PriorityTarget, SLAPolicy, WorkingPeriod

POLICY_MODELS = (SLAPolicy, PriorityTarget, PriorityLevel, BusinessCalendar, WorkingPeriod)


def connect() -> None:
    for model in POLICY_MODELS:
        uid = f"help_center.policy_articles.{model._meta.label_lower}"
        post_save.connect(policy_edited, sender=model, dispatch_uid=f"{uid}.saved")
        post_delete.connect(policy_edited, sender=model, dispatch_uid=f"{uid}.deleted")


def policy_edited(sender, using, **kwargs) -> None:
    services.policy_articles_refresh_later(using=using)
