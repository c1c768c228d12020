import asyncio
import socket
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from tests import factories

SP = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SP)


class Inbox:
    """What a real SMTP server on loopback received."""

    def __init__(self) -> None:
        self.envelopes = []
        self.lock = threading.Lock()
        self.delay = 0.0  # seconds the server takes to accept a message

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """An aiosmtpd server on 127.0.0.1, with Django's mailer pointed at it."""
    inbox = Inbox()
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 10},
        }
    }
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def acme(db):
    return factories.make_organization(name="Acme Ltda", email_domains="acme.example.com")


@pytest.fixture
def customer(acme):
    return factories.make_customer(
        organization=acme, username="cliente", email="cliente@acme.example.com"
    )


@pytest.fixture
def analyst(db):
    return factories.make_analyst(username="ana", email="ana@helpdesk.test")
