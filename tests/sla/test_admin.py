"""The back office pages of the SLA domain."""

from datetime import time, timedelta

import pytest
from django.test import Client

from sla.models import PriorityLevel
from tests.admin_forms import add_inline_row, change_form_data

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


def calendar_page(calendar) -> str:
    return f"/admin/sla/businesscalendar/{calendar.pk}/change/"


def test_calendar_saves_a_lunch_break_unchanged_otherwise(
    admin_client_logged: Client, default_policy
):
    calendar = default_policy.calendar
    url = calendar_page(calendar)
    data = change_form_data(admin_client_logged.get(url))
    data = add_inline_row(
        data, "working_periods", {"weekday": 5, "start": time(9), "end": time(12)}
    )
    response = admin_client_logged.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert calendar.working_periods.filter(weekday=5).count() == 1
    assert calendar.history.exists()


def test_overlapping_periods_are_a_form_error(admin_client_logged: Client, default_policy):
    calendar = default_policy.calendar
    url = calendar_page(calendar)
    data = change_form_data(admin_client_logged.get(url))
    data = add_inline_row(
        data, "working_periods", {"weekday": 0, "start": time(17), "end": time(20)}
    )
    response = admin_client_logged.post(url, data)
    assert response.status_code == 200
    periods_formset = response.context["inline_admin_formsets"][0].formset
    assert periods_formset.non_form_errors()
    assert calendar.working_periods.filter(weekday=0).count() == 1


def test_a_zero_target_is_a_form_error_in_the_policy_page(
    admin_client_logged: Client, default_policy
):
    url = f"/admin/sla/slapolicy/{default_policy.pk}/change/"
    data = change_form_data(admin_client_logged.get(url))
    data["targets-0-first_response_amount"] = "0"
    response = admin_client_logged.post(url, data)
    assert response.status_code == 200
    assert default_policy.targets.filter(first_response_amount=0).count() == 0


def test_the_policy_page_saves_unchanged(admin_client_logged: Client, default_policy):
    url = f"/admin/sla/slapolicy/{default_policy.pk}/change/"
    response = admin_client_logged.post(url, change_form_data(admin_client_logged.get(url)))
    assert response.status_code == 302


def _open_baixa_ticket(levels):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tests import factories
    from tickets import services as ticket_services

    reported = datetime(2026, 11, 24, 9, tzinfo=ZoneInfo("America/Sao_Paulo"))
    customer = factories.make_customer()
    return ticket_services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="s",
        description="d",
        priority=levels["baixa"],
        reported_at=reported,
        now=reported,
    )


def _first_response_due(ticket):
    return ticket.clocks.get(metric="first_response").due_at


@pytest.mark.parametrize("choice", ["reapply", "new_only"])
def test_saving_a_policy_offers_to_reapply_with_a_preview(
    admin_client_logged: Client, default_policy, levels, choice
):
    ticket = _open_baixa_ticket(levels)
    before = _first_response_due(ticket)
    url = f"/admin/sla/slapolicy/{default_policy.pk}/change/"
    data = change_form_data(admin_client_logged.get(url))
    baixa_row = next(
        key.removesuffix("-level")
        for key, value in data.items()
        if key.endswith("-level") and str(value) == str(levels["baixa"].pk)
    )
    data[f"{baixa_row}-first_response_amount"] = "2"
    saved = admin_client_logged.post(url, data)
    assert saved.status_code == 302
    assert "/admin/sla/slapolicy/reapply/" in saved["Location"]

    preview = admin_client_logged.get(saved["Location"])
    assert preview.status_code == 200
    ((_policy, figures, shifts),) = preview.context["previews"]
    assert (figures.tickets, figures.tickets_moving, figures.earlier) == (1, 1, 1)
    assert shifts["largest"] == "2h 00m"
    assert shifts["mean"].startswith("2h 00m ") and shifts["mean"] in preview.content.decode()

    # The rules replaced are on record (since ever), the new ones from the moment of the save.
    versions = list(default_policy.versions.order_by("in_force_from"))
    assert len(versions) == 2
    assert versions[0].snapshot == ticket.sla_snapshot
    assert versions[1].in_force_from > versions[0].in_force_from

    done = admin_client_logged.post(saved["Location"], {"choice": choice})
    assert done.status_code == 302
    after = _first_response_due(ticket)
    if choice == "reapply":
        assert before - after == timedelta(hours=2)
    else:
        assert after == before


def test_reapply_page_ignores_foreign_redirects(admin_client_logged: Client, default_policy):
    response = admin_client_logged.post(
        f"/admin/sla/slapolicy/reapply/?policies={default_policy.pk}&next=https://evil.example/",
        {"choice": "new_only"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/sla/slapolicy/"


def test_a_large_reapply_runs_in_the_background(
    admin_client_logged: Client, default_policy, levels, monkeypatch
):
    from django_tasks_db.models import DBTaskResult

    from sla import admin as sla_admin
    from tickets.tasks import reapply_policy

    monkeypatch.setattr(sla_admin, "REAPPLY_INLINE_LIMIT", 0)
    ticket = _open_baixa_ticket(levels)
    before = _first_response_due(ticket)
    target = default_policy.targets.get(level=levels["baixa"])
    target.first_response_amount = 2
    target.save()
    response = admin_client_logged.post(
        f"/admin/sla/slapolicy/reapply/?policies={default_policy.pk}", {"choice": "reapply"}
    )
    assert response.status_code == 302
    queued = DBTaskResult.objects.get(task_path__endswith="reapply_policy")
    assert _first_response_due(ticket) == before  # not yet: the worker does it
    assert reapply_policy.call(*queued.args_kwargs["args"]) == 1
    assert before - _first_response_due(ticket) == timedelta(hours=2)
