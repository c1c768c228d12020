"""Feature requests by e-mail to the configured address, through the same ingestion."""

import pytest

from communications import inbound
from communications.models import InboundEmail
from feature_requests.models import FeatureRequest, Subscription
from tests import factories
from tests.communications.conftest import NOW

pytestmark = pytest.mark.django_db


def raw(*, sender: str, to: str, subject: str = "Exportar conversas", message_id: str = "a1"):
    return (
        f"From: Cliente <{sender}>\r\n"
        f"To: Ideias <{to}>\r\n"
        f"Subject: {subject}\r\n"
        f"Message-ID: <{message_id}@acme.example.com>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Queremos exportar as conversas em CSV.\r\n"
    ).encode()


@pytest.fixture
def configured(settings):
    settings.FEATURE_REQUESTS_EMAIL = "ideias@helpdesk.localhost"


def test_a_known_customer_writing_to_the_address_proposes_a_feature(configured):
    customer = factories.make_customer(email="cliente@acme.example.com")
    record, created = inbound.email_ingest(
        raw(sender="cliente@acme.example.com", to="IDEIAS@helpdesk.localhost"), now=NOW
    )
    assert created and record.status == InboundEmail.Status.PROCESSED
    assert record.ticket is None  # not a ticket
    fr = FeatureRequest.objects.get()
    assert (fr.title, fr.author, fr.channel) == ("Exportar conversas", customer, "email")
    assert "CSV" in fr.description
    assert fr.inbound_email == record
    assert Subscription.objects.filter(feature_request=fr, user=customer).exists()
    again, created = inbound.email_ingest(
        raw(sender="cliente@acme.example.com", to="IDEIAS@helpdesk.localhost"), now=NOW
    )
    assert not created and again == record  # the same bytes: a redelivery
    # The same message by another route (only a header differs): kept, not proposed twice.
    copy, created = inbound.email_ingest(
        raw(sender="cliente@acme.example.com", to="ideias@helpdesk.localhost"), now=NOW
    )
    assert created and copy.message_id_reused and copy.status == InboundEmail.Status.IGNORED
    assert FeatureRequest.objects.count() == 1
    inbound.email_process(record, now=NOW)  # re-processed from the admin: still one
    assert FeatureRequest.objects.count() == 1


def test_an_unknown_sender_is_held(configured):
    record, _ = inbound.email_ingest(
        raw(sender="quem@desconhecido.example", to="ideias@helpdesk.localhost"), now=NOW
    )
    assert record.status == InboundEmail.Status.HELD
    assert not FeatureRequest.objects.exists()


def test_other_addresses_still_open_tickets(configured, default_policy, levels):
    factories.make_customer(email="cliente@acme.example.com")
    record, _ = inbound.email_ingest(
        raw(sender="cliente@acme.example.com", to="suporte@helpdesk.localhost"), now=NOW
    )
    assert record.ticket is not None
    assert not FeatureRequest.objects.exists()


def test_without_the_setting_nothing_is_routed(settings, default_policy, levels):
    settings.FEATURE_REQUESTS_EMAIL = ""
    factories.make_customer(email="cliente@acme.example.com")
    record, _ = inbound.email_ingest(
        raw(sender="cliente@acme.example.com", to="ideias@helpdesk.localhost"), now=NOW
    )
    assert record.ticket is not None and not FeatureRequest.objects.exists()
