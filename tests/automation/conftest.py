from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from accounts.roles import AGENTS, TEAM_LEADS
from tests import factories
from tickets import services as ticket_services

SP = ZoneInfo("America/Sao_Paulo")
# Alta reported Fri 2026-11-27 17:00: first response due Mon 11-30 10:00, resolution Mon 16:00
FRIDAY_17H = datetime(2026, 11, 27, 17, 0, tzinfo=SP)
MONDAY_9H = datetime(2026, 11, 30, 9, 0, tzinfo=SP)


def in_group(user, name: str):
    user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture
def agent(db):
    return in_group(
        factories.make_analyst(username="ana", first_name="Ana", email="ana@desk.test"), AGENTS
    )


@pytest.fixture
def colleague(db):
    return in_group(
        factories.make_analyst(username="bruno", first_name="Bruno", email="bruno@desk.test"),
        AGENTS,
    )


@pytest.fixture
def lead(db):
    return in_group(
        factories.make_analyst(username="lia", first_name="Lia", email="lia@desk.test"), TEAM_LEADS
    )


def logged(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def acme(db):
    return factories.make_organization(name="Acme Ltda", email_domains="acme.example.com")


def customer_of(organization, *, username: str, language: str = "pt-br", time_zone: str = ""):
    user = factories.make_customer(
        organization=organization,
        username=username,
        email=f"{username}@acme.example.com",
        first_name=username.capitalize(),
        last_name="Souza",
    )
    user.membership.language, user.membership.time_zone = language, time_zone
    user.membership.save()
    return user


@pytest.fixture
def customer(acme):
    return customer_of(acme, username="maria")


def open_ticket(requester, level, *, subject="Relatórios não carregam", at=FRIDAY_17H, **kw):
    return ticket_services.ticket_create(
        organization=requester.membership.organization,
        requester=requester,
        subject=subject,
        description=kw.pop("description", "Nada abre."),
        priority=level,
        reported_at=at,
        now=at,
        **kw,
    )
