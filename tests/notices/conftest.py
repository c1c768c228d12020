from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from tests import factories
from tickets import services as ticket_services

SP = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SP)  # a Wednesday, inside working hours
OURS = "mx1.helpdesk.test"


@pytest.fixture(autouse=True)
def _mail_server(settings):
    settings.DEFAULT_FROM_EMAIL = "Suporte <suporte@helpdesk.test>"
    settings.EMAIL_TRUSTED_AUTHSERV_IDS = [OURS]
    settings.EMAIL_TRUSTED_RECEIVED_BY = [OURS]


@pytest.fixture
def acme(db):
    return factories.make_organization(name="Acme Ltda", email_domains="acme.example.com")


@pytest.fixture
def customer(acme):
    return factories.make_customer(
        organization=acme, username="maria", email="maria@acme.example.com", first_name="Maria"
    )


@pytest.fixture
def ana(db):
    return factories.make_analyst(username="ana", email="ana@helpdesk.test", first_name="Ana")


@pytest.fixture
def bruno(db):
    return factories.make_analyst(username="bruno", email="bruno@helpdesk.test")


@pytest.fixture
def ticket(default_policy, levels, customer, ana):
    """Ana's ticket: Alta, reported at NOW."""
    opened = ticket_services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="Relatórios fora do ar",
        description="Nada abre.",
        priority=levels["alta"],
        reported_at=NOW,
        now=NOW,
    )
    return ticket_services.ticket_assign(ticket=opened, analyst=ana, actor=ana, now=NOW)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def mail(*, subject: str, body: str, sender: str = "maria@acme.example.com", name: str = ""):
    """A message our mail server received and verified."""
    domain = sender.rpartition("@")[2]
    lines = [
        f"Authentication-Results: {OURS}; dkim=pass header.d={domain}; "
        f"spf=pass smtp.mailfrom={sender}; dmarc=pass header.from={domain}",
        f"From: {name} <{sender}>" if name else f"From: {sender}",
        "To: suporte@helpdesk.test",
        f"Subject: {subject}",
        f"Message-ID: <{abs(hash((subject, body, sender)))}@{domain}>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "",
        body,
        "",
    ]
    return "\r\n".join(lines).encode()
