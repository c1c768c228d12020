"""Builders of the workspace tests: tickets made through the ticket services, on real clocks."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from accounts import roles
from communications import services as record_services
from communications.models import Message
from tests import factories
from tickets import services
from tickets.models import Ticket


def member_of(role: str, **fields):
    user = factories.make_analyst(**fields)
    user.groups.add(Group.objects.get(name=role))
    return user


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class Desk:
    """Opens and works tickets of one customer through the services, at real instants."""

    def __init__(self, levels):
        self.levels = levels
        self.customer = factories.make_customer()
        self.organization = self.customer.membership.organization

    def open(self, level: str = "baixa", *, ago: timedelta = timedelta(0), **fields) -> Ticket:
        now = timezone.now()
        return services.ticket_create(
            organization=fields.pop("organization", self.organization),
            requester=fields.pop("requester", self.customer),
            subject=fields.pop("subject", f"Incidente {level}"),
            description="Detalhes",
            priority=self.levels[level],
            reported_at=now - ago,
            now=now,
            **fields,
        )

    def assign(self, ticket: Ticket, analyst) -> Ticket:
        return services.ticket_assign(
            ticket=ticket, analyst=analyst, actor=analyst, now=timezone.now()
        )

    def move(self, ticket: Ticket, status: str, actor, reason: str = "") -> Ticket:
        return services.ticket_transition(
            ticket=ticket, to_status=status, actor=actor, now=timezone.now(), reason=reason
        )

    def wait_on_customer(self, ticket: Ticket, analyst) -> Ticket:
        return self.move(ticket, Ticket.Status.WAITING_ON_CUSTOMER, analyst, "Envie os logs")

    def customer_writes(self, ticket: Ticket, body: str = "Seguem os logs") -> Message:
        return record_services.message_post(
            ticket=ticket,
            author=self.customer,
            body=body,
            channel=Message.Channel.PORTAL,
            now=timezone.now(),
        )

    def analyst_writes(self, ticket: Ticket, analyst, *, internal: bool = False) -> Message:
        return record_services.message_post(
            ticket=ticket,
            author=analyst,
            body="Obrigado, estamos vendo.",
            channel=Message.Channel.BACK_OFFICE,
            now=timezone.now(),
            internal=internal,
        )


@pytest.fixture
def desk(default_policy, levels) -> Desk:
    return Desk(levels)


@pytest.fixture
def agent(db):
    return member_of(roles.AGENTS, username="ana", first_name="Ana")


@pytest.fixture
def lead(db):
    return member_of(roles.TEAM_LEADS, username="lia", first_name="Lia")
