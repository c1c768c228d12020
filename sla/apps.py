from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from sla.rules_revision import triggers_after_migrate

        # after every app's migrations: SQLite drops a rebuilt table's triggers
        post_migrate.connect(triggers_after_migrate, sender=self, dispatch_uid="sla_rules")
