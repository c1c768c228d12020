from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    name = "workspace"
    verbose_name = _("Workspace")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from communications.models import Message
        from tickets.models import Ticket
        from workspace import services

        # Which tickets wait for our reply follows the messages, whichever channel wrote them.
        post_save.connect(
            services.message_written, sender=Message, dispatch_uid="workspace.awaiting_reply"
        )
        post_save.connect(
            services.ticket_saved, sender=Ticket, dispatch_uid="workspace.awaiting_reply_done"
        )
