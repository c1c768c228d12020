"""Background work of the tickets domain (Django's tasks framework)."""

from datetime import datetime

from django.core.mail import send_mail
from django.tasks import task
from django.utils import translation
from django.utils.translation import gettext as _

from tickets.models import Ticket


@task
def remind_waiting_customer(ticket_id: int, waiting_since: str) -> bool:
    """Remind the requester that a ticket still waits on them; skip if it moved on since."""
    ticket = (
        Ticket.objects.select_related("requester")
        .filter(pk=ticket_id, status=Ticket.Status.WAITING_ON_CUSTOMER)
        .first()
    )
    if ticket is None or not ticket.requester.email:
        return False
    pause = ticket.clocks.filter(paused_since=datetime.fromisoformat(waiting_since)).exists()
    if not pause:
        return False  # it resumed and paused again: that pause has its own reminder
    from communications.notifications import language_of, ticket_link

    with translation.override(language_of(ticket.requester)):
        send_mail(
            subject=_("[%(ref)s] We are waiting for your answer") % {"ref": ticket.reference},
            message=_(
                "Hello,\n\nticket %(ref)s (“%(subject)s”) is waiting for you: %(reason)s\n\n"
                "Its resolution deadline is paused until you answer.\n"
            )
            % {
                "ref": ticket.reference,
                "subject": ticket.subject,
                "reason": ticket.waiting_reason,
            }
            + f"\n{_('See the ticket')}: {ticket_link(ticket)}\n",
            from_email=None,
            recipient_list=[ticket.requester.email],
        )
    return True


@task
def reapply_policy(policy_id: int, actor_id: int | None) -> int:
    """Re-apply a policy to its open tickets in the background (large desks)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from sla.models import SLAPolicy
    from tickets import services

    policy = SLAPolicy.objects.filter(pk=policy_id).first()
    if policy is None:
        return 0
    actor = get_user_model().objects.filter(pk=actor_id).first()
    return services.tickets_reapply_policy(policy=policy, actor=actor, now=timezone.now())


@task
def sla_sweep() -> dict:
    """The SLA sweep as a task, for a scheduler that enqueues work instead of running commands."""
    from django.utils import timezone

    from reports import rollups
    from tickets import services

    sweep = services.tickets_sla_sweep(now=timezone.now())
    rollups.rollups_refresh()  # the report's days the sweep (or anyone) changed
    return {"warned": len(sweep.warned), "breached": len(sweep.breached)}
