from contextlib import nullcontext
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from communications.models import OutboundEmail
from tests import factories
from tickets import services as ticket_services
from tickets.models import Ticket


@pytest.fixture
def acme(db):
    return factories.make_organization(name="Acme Ltda")


@pytest.fixture
def customer(acme):
    return factories.make_customer(
        organization=acme, username="cliente", email="cliente@acme.example.com"
    )


@pytest.fixture
def foreigner(db):
    """A customer of another organization."""
    return factories.make_customer(username="outro", email="outro@globex.example.com")


@pytest.fixture
def analyst(db):
    return factories.make_analyst(username="ana", email="ana@helpdesk.test")


@pytest.fixture
def lead(db):
    lead = factories.make_analyst(username="lider", email="lider@helpdesk.test")
    lead.groups.add(Group.objects.get_or_create(name="Team leads")[0])
    return lead


def resolve_ticket(customer, analyst, levels, *, callbacks=None, at=None) -> Ticket:
    """A ticket opened by `customer` and resolved by `analyst` at `at` (an hour ago); the
    on-commit work runs (`callbacks`: pytest-django's capture; none in a transactional test)."""
    at = at or timezone.now() - timedelta(hours=1)
    with callbacks(execute=True) if callbacks else nullcontext():
        ticket = ticket_services.ticket_create(
            organization=customer.membership.organization,
            requester=customer,
            subject="Relatórios não carregam",
            description="Nenhum relatório abre desde as 9h.",
            priority=levels["alta"],
            reported_at=at - timedelta(hours=2),
            now=at - timedelta(hours=2),
        )
        ticket_services.ticket_assign(ticket=ticket, analyst=analyst, actor=analyst, now=at)
        return ticket_services.ticket_transition(
            ticket=ticket, to_status=Ticket.Status.RESOLVED, actor=analyst, now=at
        )


def resolved_email(ticket) -> OutboundEmail:
    return OutboundEmail.objects.get(key__startswith=f"ticket-resolved:{ticket.pk}:")


@pytest.fixture
def resolved(default_policy, levels, customer, analyst, django_capture_on_commit_callbacks):
    return resolve_ticket(customer, analyst, levels, callbacks=django_capture_on_commit_callbacks)
