from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from helpdesk.record import protect_record
        from tickets.triggers import triggers_after_migrate

        protect_record()
        # after every app's migrations: the triggers sit on tickets' and sla's tables
        post_migrate.connect(triggers_after_migrate, sender=self, dispatch_uid="tickets_breach")
