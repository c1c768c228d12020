from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from reports.triggers import triggers_after_migrate

        # after every app's migrations: the triggers sit on tickets' and sla's tables
        post_migrate.connect(triggers_after_migrate, dispatch_uid="reports_triggers")
