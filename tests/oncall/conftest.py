from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group

from oncall.models import OnCallShift
from tests import factories

SP = ZoneInfo("America/Sao_Paulo")


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SP)


@pytest.fixture
def desk(default_policy, levels, settings):
    """A covered organization (24x7 contract, vendor-built and self-service integrations), an
    analyst on call for the night of Mon 23 → Tue 24 November 2026, a colleague and a lead.
    Analysts' notices read in the site's language: English here."""
    settings.LANGUAGE_CODE = "en"
    on_call = factories.make_analyst(username="otto", email="otto@vendor.example")
    colleague = factories.make_analyst(username="bia", email="bia@vendor.example")
    lead = factories.make_analyst(username="lia", email="lia@vendor.example")
    lead.groups.add(Group.objects.get_or_create(name=settings.SLA_TEAM_LEADS_GROUP)[0])
    organization = factories.make_organization(name="Acme")
    factories.make_contract(
        organization=organization, integration_24x7=True, on_call_phone="+55 11 4000-2400"
    )
    customer = factories.make_customer(
        organization=organization, email="rita@acme.example", first_name="Rita"
    )
    OnCallShift.objects.create(analyst=on_call, starts_at=at(23, 18), ends_at=at(24, 9))
    return {
        "organization": organization,
        "customer": customer,
        "on_call": on_call,
        "colleague": colleague,
        "lead": lead,
        "vendor_integration": factories.make_integration(organization=organization),
        "own_integration": factories.make_integration(
            organization=organization, vendor_built=False
        ),
        "levels": levels,
    }
