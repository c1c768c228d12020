from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpCenterConfig(AppConfig):
    name = "help_center"
    verbose_name = _("Help center")

    def ready(self) -> None:
        from help_center import signals

        signals.connect()
