"""The back office's timeline says what each change of the ticket moved, and who, and why."""

from datetime import timedelta

import pytest

from communications import selectors
from tests import factories
from tests.communications.conftest import NOW
from tickets import services as ticket_services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_changes_name_what_moved(default_policy, levels):
    customer = factories.make_customer()
    analyst = factories.make_analyst(username="ana")
    ticket = ticket_services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="Relatórios",
        description="x",
        priority=levels["baixa"],
        reported_at=NOW,
        now=NOW,
    )
    ticket_services.ticket_assign(ticket=ticket, analyst=analyst, actor=analyst, now=NOW)
    ticket_services.ticket_change_priority(
        ticket=ticket,
        level=levels["media"],
        actor=analyst,
        now=NOW + timedelta(minutes=5),
        reason="Afeta a operação",
    )
    ticket_services.ticket_transition(
        ticket=ticket,
        to_status=Ticket.Status.IN_PROGRESS,
        actor=analyst,
        now=NOW + timedelta(minutes=10),
    )
    changes = [
        entry
        for entry in selectors.ticket_timeline(ticket, include_internal=True)
        if entry.kind == "change"
    ]
    titles = [entry.title for entry in changes]
    assert titles[0].startswith("new")  # the opening: its status
    assert "status: new → assigned" in titles[1] and "assignee: — → ana" in titles[1]
    assert titles[2] == f"priority: {levels['baixa']} → {levels['media']} · ana"
    assert changes[2].text == "Afeta a operação"
    assert titles[3].startswith("status: assigned → in progress")
    # customers never see the audit trail
    public = selectors.ticket_timeline(ticket, include_internal=False)
    assert not [entry for entry in public if entry.kind == "change"]
