"""The ticket list's rows, rendered column by column, are Django's own cells."""

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.urls import resolve
from django.utils import timezone, translation

from helpdesk.admin_list import result_rows
from tests import factories
from tests.tickets.test_admin import open_tickets
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def changelist(user, query: str = ""):
    request = RequestFactory().get(f"/admin/tickets/ticket/{query}")
    request.resolver_match = resolve("/admin/tickets/ticket/")  # the list's filters are kept
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    response = admin.site._registry[Ticket].changelist_view(request)
    return response.context_data["cl"]


@pytest.mark.parametrize("language", ["pt-br", "en", "es"])
@pytest.mark.parametrize("query", ["", "?status__exact=new&o=3", "?_popup=1"])
def test_rows_are_djangos_cells(default_policy, levels, language, query):
    analyst = factories.make_user(is_staff=True, is_superuser=True, username="ana")
    tickets = open_tickets(3, levels["alta"]) + open_tickets(2, levels["baixa"])
    services.ticket_assign(ticket=tickets[0], analyst=analyst, actor=analyst, now=timezone.now())
    tickets[1].subject = "<b>&amp; marcação</b>"  # escaped, as Django escapes it
    tickets[1].save()
    with translation.override(language):
        cl = changelist(analyst, query)
        expected = [list(admin_list.items_for_result(cl, row, None)) for row in cl.result_list]
        rows = [list(row) for row in result_rows(cl)]
    assert len(rows) == (4 if "status" in query else 5)  # the assigned one is not new
    assert rows == expected
    assert any("&lt;b&gt;&amp;amp; marcação" in cell for row in rows for cell in row)
    if "status" in query:
        assert "_changelist_filters=status__exact" in rows[0][1]


def test_the_list_page_uses_the_column_rows(back_office_admin, default_policy, levels):
    open_tickets(2, levels["media"])
    response = back_office_admin.get("/admin/tickets/ticket/?status__exact=new")
    html = response.content.decode()
    assert response.context["rows_by_columns"]
    assert 'class="action-select"' in html and "_changelist_filters=status__exact" in html


@pytest.fixture
def back_office_admin(client):
    client.force_login(factories.make_user(is_staff=True, is_superuser=True, username="bia"))
    return client


def test_a_long_list_counts_up_to_its_cap_and_says_so(
    back_office_admin, default_policy, levels, monkeypatch
):
    from helpdesk.db import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "count_cap", 3)
    open_tickets(3, levels["media"])
    english = {"accept-language": "en"}
    page = back_office_admin.get("/admin/tickets/ticket/", headers=english).content.decode()
    assert "3 tickets" in page and "More than" not in page
    open_tickets(2, levels["media"])
    response = back_office_admin.get("/admin/tickets/ticket/?status__exact=new", headers=english)
    page = response.content.decode()
    assert response.context["cl"].paginator.count == 4  # stopped counting past the cap
    assert "More than 3 tickets" in page and "More than 3 results" in page


def test_a_searched_list_counts_up_to_the_search_cap(
    back_office_admin, default_policy, levels, monkeypatch, django_capture_on_commit_callbacks
):
    from helpdesk.db import SearchCountPaginator

    monkeypatch.setattr(SearchCountPaginator, "count_cap", 2)
    with django_capture_on_commit_callbacks(execute=True):  # the search index
        open_tickets(3, levels["media"])
    english = {"accept-language": "en"}
    response = back_office_admin.get("/admin/tickets/ticket/?q=incidente", headers=english)
    assert response.context["cl"].paginator.count == 3
    assert "More than 2 results" in response.content.decode()
    response = back_office_admin.get("/admin/tickets/ticket/", headers=english)
    assert "3 tickets" in response.content.decode()  # the plain list: its own, larger cap
