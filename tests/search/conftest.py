from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests import factories

SP = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SP)


@pytest.fixture
def indexed(django_capture_on_commit_callbacks):
    """Run what waits for the commit (the indexing) when the block ends, as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def world(default_policy, levels):
    acme = factories.make_organization(name="Indústria Açucareira Acme")
    globex = factories.make_organization(name="Globex Corporação")
    return {
        "levels": levels,
        "acme": acme,
        "globex": globex,
        "analyst": factories.make_analyst(username="ana"),
        "maria": factories.make_customer(
            organization=acme,
            first_name="Maria",
            last_name="Conceição",
            email="maria@acme.example.com",
        ),
        "joao": factories.make_customer(organization=acme, first_name="João"),
        "acme_admin": factories.make_customer(organization=acme, is_admin=True),
        "hank": factories.make_customer(
            organization=globex, first_name="Hank", email="hank@globex.example"
        ),
    }
