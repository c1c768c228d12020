"""The default policy of PRODUCT.md, as installed by the data migration and the loader."""

from io import StringIO

import pytest
from django.core.management import call_command

from sla import business_time, selectors
from sla.models import PriorityLevel, PriorityTarget, SLAPolicy

pytestmark = pytest.mark.django_db


def test_migration_installs_the_four_levels_in_order():
    levels = list(PriorityLevel.objects.values_list("number", "code", "integration_24x7_eligible"))
    assert levels == [
        (1, "critica", True),
        (2, "alta", True),
        (3, "media", False),
        (4, "baixa", False),
    ]
    assert all(level.description for level in PriorityLevel.objects.all())


def test_default_policy_targets_match_the_agreement(default_policy):
    targets = {t.level.code: t for t in default_policy.targets.all()}
    critica, alta, media = targets["critica"], targets["alta"], targets["media"]
    assert (critica.first_response_amount, critica.first_response_clock) == (1, "around_the_clock")
    assert (critica.resolution_amount, critica.resolution_clock) == (6, "around_the_clock")
    assert (alta.first_response_amount, alta.resolution_amount) == (2, 8)
    assert (alta.integration_resolution_amount, alta.integration_resolution_clock) == (
        8,
        "integration_24x7",
    )
    assert (media.resolution_amount, media.resolution_unit) == (5, "business_days")
    assert targets["baixa"].integration_resolution_amount is None


def test_default_calendar_is_the_engine_default(default_policy):
    assert selectors.calendar_spec(default_policy.calendar) == business_time.DEFAULT_SPEC


def test_loader_is_idempotent_and_keeps_edits(default_policy):
    target = default_policy.targets.get(level__code="media")
    target.first_response_amount = 3
    target.save()
    counts = (SLAPolicy.objects.count(), PriorityTarget.objects.count())

    out = StringIO()
    call_command("load_default_policy", stdout=out)
    call_command("load_default_policy", stdout=out)

    assert (SLAPolicy.objects.count(), PriorityTarget.objects.count()) == counts
    target.refresh_from_db()
    assert target.first_response_amount == 3
    assert "default" in out.getvalue()


def test_loader_recreates_a_deleted_policy():
    SLAPolicy.objects.all().delete()
    call_command("load_default_policy", stdout=StringIO())
    policy = SLAPolicy.objects.get(slug="default")
    assert policy.is_default and policy.targets.count() == 4
    assert policy.history.count() == 1  # the loader uses real models: history is kept


def test_policy_edits_are_kept_in_history(default_policy):
    default_policy.name = "Revised policy"  # the active language's text (English here)
    default_policy._change_reason = "renamed"
    default_policy.save()
    latest = default_policy.history.first()
    assert latest.name_en == "Revised policy"  # every language is kept in each version
    assert latest.name_pt_br == latest.name == "Política de suporte padrão"
    assert latest.history_change_reason == "renamed"
