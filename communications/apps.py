from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunicationsConfig(AppConfig):
    name = "communications"
    verbose_name = _("Communications")

    def ready(self) -> None:
        from communications import notifications

        notifications.connect()  # the notices react to what the ticket services report
