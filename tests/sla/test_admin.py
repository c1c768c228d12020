"""The back office pages of the SLA domain."""

import pytest
from django.test import Client

from sla.models import PriorityLevel

pytestmark = pytest.mark.django_db


def test_policy_page_shows_a_preview_per_level(admin_client_logged: Client, default_policy):
    response = admin_client_logged.get(f"/admin/sla/slapolicy/{default_policy.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="sla-preview"' in html
    table = html.split('class="sla-preview"')[1].split("</table>")[0]
    assert table.count("<tr>") == 1 + 4 * 3  # header, then now / Friday / Saturday per level
    for level in PriorityLevel.objects.all():
        assert str(level) in table


def test_policy_list_and_calendar_pages_render(admin_client_logged: Client, default_policy):
    assert admin_client_logged.get("/admin/sla/slapolicy/").status_code == 200
    calendar_page = admin_client_logged.get(
        f"/admin/sla/businesscalendar/{default_policy.calendar_id}/change/"
    )
    assert calendar_page.status_code == 200
    assert "Natal" in calendar_page.content.decode()  # upcoming holidays are listed


def test_history_page_of_a_policy(admin_client_logged: Client, default_policy):
    default_policy.name = "Outra"
    default_policy.save()
    response = admin_client_logged.get(f"/admin/sla/slapolicy/{default_policy.pk}/history/")
    assert response.status_code == 200


def test_duplicate_level_number_is_a_form_error_not_a_crash(admin_client_logged: Client):
    response = admin_client_logged.post(
        "/admin/sla/prioritylevel/add/",
        {"number": 2, "code": "outra", "name": "Outra", "description": "x", "impact": ""},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["number"]
    assert PriorityLevel.objects.filter(code="outra").count() == 0
