"""The policy's texts in pt-BR, en and es (django-modeltranslation), falling back to pt-BR."""

import html

import pytest
from django.test import Client
from django.utils import timezone, translation

from sla import services
from sla.defaults import TRANSLATIONS
from sla.models import PriorityLevel
from tests import factories
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db


def client_of(user, language: str) -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def page(client, url: str) -> str:
    return html.unescape(client.get(url).content.decode())


def test_the_default_levels_speak_three_languages(levels):
    alta = levels["alta"]
    for language, name in (("pt-br", "Alta"), ("en", "High"), ("es", "Alta")):
        with translation.override(language):
            assert alta.name == name
    with translation.override("es"):
        assert levels["critica"].impact == "Afecta a todos los clientes"
    with translation.override("en"):
        assert levels["baixa"].description.startswith("Questions and enquiries")


def test_a_text_missing_in_a_language_falls_back_to_pt_br(db):
    with translation.override("pt-br"):
        level = PriorityLevel.objects.create(
            number=9, code="nova", name="Nova", description="Só em português"
        )
    with translation.override("en"):
        level = PriorityLevel.objects.get(pk=level.pk)
        assert (level.name, level.description) == ("Nova", "Só em português")


def test_the_new_ticket_form_shows_the_levels_in_the_readers_language(default_policy):
    customer = factories.make_customer()
    for language in ("en", "es"):
        text = page(client_of(customer, language), "/tickets/new/")
        for code in ("critica", "alta", "media", "baixa"):
            texts = TRANSLATIONS["levels"][code][language]
            assert texts["name"] in text and texts["impact"] in text
            assert texts["description"] in text
        assert "Afeta todos os clientes" not in text  # no Portuguese left
    portuguese = page(client_of(customer, "pt-br"), "/tickets/new/")
    assert "Afeta todos os clientes" in portuguese


def test_a_tickets_level_shows_in_the_viewers_language(default_policy, levels):
    customer = factories.make_customer()
    now = timezone.now()
    ticket = ticket_services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="Relatórios",
        description="x",
        priority=levels["critica"],
        reported_at=now,
        now=now,
    )
    assert "Critical" in page(client_of(customer, "en"), ticket.get_absolute_url())
    assert "Crítica" in page(client_of(customer, "pt-br"), ticket.get_absolute_url())


def test_the_agreement_page_reads_the_policy_in_the_readers_language(default_policy):
    customer = factories.make_customer()
    spanish = page(client_of(customer, "es"), "/agreement/")
    assert TRANSLATIONS["policy"]["es"]["name"] in spanish
    assert TRANSLATIONS["policy"]["es"]["description"] in spanish
    assert TRANSLATIONS["levels"]["media"]["es"]["description"] in spanish
    assert "Política de suporte padrão" not in spanish
    english = page(client_of(customer, "en"), "/agreement/")
    assert "Default support policy" in english and "Medium" in english


def test_a_snapshot_is_the_same_in_every_language(default_policy):
    """Tickets carry the snapshot: a reader's language must never make a new one."""
    taken = set()
    for language in ("pt-br", "en", "es"):
        with translation.override(language):
            snapshot = services.snapshot_take(default_policy)
        taken.add((snapshot.pk, snapshot.content["policy"]["name"]))
    assert taken == {(snapshot.pk, "Política de suporte padrão")}


def test_the_original_column_keeps_pt_br_whatever_the_editors_language(levels):
    """Lookups through other models (`ticket__priority__name`) read it."""
    level = levels["media"]
    with translation.override("en"):
        level.name = "Medium (edited)"
        level.save()
    stored = PriorityLevel.objects.filter(pk=level.pk).values_list("name_en", "name_pt_br")
    assert list(stored) == [("Medium (edited)", "Média")]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sla_prioritylevel WHERE id = %s", [level.pk])
        assert cursor.fetchone() == ("Média",)
    with translation.override("pt-br"):
        assert PriorityLevel.objects.get(pk=level.pk).name == "Média"


def test_the_admin_edits_every_language_side_by_side(levels, admin_client_logged):
    response = admin_client_logged.get(f"/admin/sla/prioritylevel/{levels['alta'].pk}/change/")
    assert response.status_code == 200
    content = response.content.decode()
    for field in ("name", "impact", "description"):
        for suffix in ("pt_br", "en", "es"):
            assert f'name="{field}_{suffix}"' in content
    form = {
        "number": 2,
        "code": "alta",
        "name_pt_br": "Alta",
        "name_en": "High (edited)",
        "name_es": "Alta",
        "description_pt_br": "d",
        "description_en": "d",
        "description_es": "d",
        "impact_pt_br": "",
        "impact_en": "",
        "impact_es": "",
        "warning_percent": 75,
    }
    saved = admin_client_logged.post(f"/admin/sla/prioritylevel/{levels['alta'].pk}/change/", form)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    level = PriorityLevel.objects.get(pk=levels["alta"].pk)
    assert (level.name_en, level.name_pt_br) == ("High (edited)", "Alta")
    assert level.history.first().name_en == "High (edited)"  # history keeps every language


def test_the_policy_admin_edits_name_and_description_in_every_language(
    default_policy, admin_client_logged
):
    response = admin_client_logged.get(f"/admin/sla/slapolicy/{default_policy.pk}/change/")
    assert response.status_code == 200
    content = response.content.decode()
    for field in ("name", "description"):
        for suffix in ("pt_br", "en", "es"):
            assert f'name="{field}_{suffix}"' in content


def test_the_loader_fills_english_and_spanish(db):
    from io import StringIO

    from django.core.management import call_command

    from sla.models import SLAPolicy

    SLAPolicy.objects.all().delete()
    PriorityLevel.objects.filter(code="baixa").delete()
    with translation.override("en"):  # whatever language the command runs in
        call_command("load_default_policy", stdout=StringIO())
    level = PriorityLevel.objects.get(code="baixa")
    assert (level.name_pt_br, level.name_en, level.name_es) == ("Baixa", "Low", "Baja")
    policy = SLAPolicy.objects.get(slug="default")
    assert policy.name_es == "Política de soporte predeterminada"
