"""Nothing of the written record is deleted, by anyone; the back office's roles."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.test import Client

from accounts import roles
from communications import inbound
from communications import services as record_services
from communications.models import InboundEmail, Message
from helpdesk.record import RecordDeletionRefused, record_models
from sla.models import SLAClock, SLAClockEvent
from tests import factories
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 10, tzinfo=ZoneInfo("America/Sao_Paulo"))


@pytest.fixture
def ticket(default_policy, levels):
    customer = factories.make_customer(email="c@acme.example")
    ticket = services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="Relatórios",
        description="x",
        priority=levels["alta"],
        reported_at=NOW,
        now=NOW,
    )
    record_services.message_post(
        ticket=ticket, author=customer, body="Olá", channel=Message.Channel.PORTAL, now=NOW
    )
    return ticket


def member_of(role: str, **fields):
    user = factories.make_analyst(**fields)
    user.groups.add(Group.objects.get(name=role))
    return user


def test_no_row_of_the_record_can_be_deleted_however_it_is_asked(ticket):
    raw = b"From: x@y.example\r\nSubject: oi\r\nMessage-ID: <p-1@y.example>\r\n\r\noi\r\n"
    inbound.email_ingest(raw, now=NOW)
    attempts = [
        lambda: ticket.delete(),
        lambda: Ticket.objects.filter(pk=ticket.pk).delete(),
        lambda: SLAClock.objects.filter(ticket=ticket).delete(),
        lambda: SLAClockEvent.objects.all().delete(),
        lambda: Message.objects.all().delete(),
        lambda: InboundEmail.objects.all().delete(),
        lambda: Ticket.history.all().delete(),
    ]
    for attempt in attempts:
        with pytest.raises(RecordDeletionRefused), transaction.atomic():
            attempt()
    assert Ticket.objects.filter(pk=ticket.pk).exists()
    assert SLAClockEvent.objects.filter(sla_clock__ticket=ticket).count() >= 2
    assert {model._meta.label for model in record_models()} >= {
        "tickets.Ticket",
        "tickets.HistoricalTicket",
        "communications.Agreement",
        "communications.HistoricalAgreement",
        "communications.Call",
    }


def test_the_admin_offers_no_delete_even_to_a_superuser(ticket, admin_client_logged):
    for url in (
        "/admin/tickets/ticket/",
        "/admin/communications/call/",
        "/admin/communications/agreement/",
        "/admin/communications/inboundemail/",
    ):
        page = admin_client_logged.get(url)
        assert page.status_code == 200 and "delete_selected" not in page.content.decode(), url
    deleting = admin_client_logged.get(f"/admin/tickets/ticket/{ticket.pk}/delete/")
    assert deleting.status_code == 403
    assert admin_client_logged.post(f"/admin/tickets/ticket/{ticket.pk}/delete/").status_code == 403
    # no revert from the history page either: posting an old version saves nothing
    opened = ticket.history.earliest("history_date")
    services.ticket_transition(
        ticket=ticket, to_status=Ticket.Status.CANCELLED, actor=None, now=NOW, reason="Engano"
    )
    version = f"/admin/tickets/ticket/{ticket.pk}/history/{opened.history_id}/"
    assert admin_client_logged.get(version).status_code == 200
    reverting = admin_client_logged.post(version, {"subject": "x", "description": "y"})
    assert reverting.status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CANCELLED


def test_the_api_has_no_delete(ticket, admin_user):
    client = Client()
    client.force_login(admin_user)
    response = client.delete(f"/api/tickets/{ticket.reference}/")
    assert response.status_code == 405
    assert Ticket.objects.filter(pk=ticket.pk).exists()


def test_the_roles_exist_with_explicit_permissions_and_no_delete_of_the_record(db):
    record_apps = {"tickets", "sla", "communications"}
    for name in (roles.AGENTS, roles.TEAM_LEADS, roles.SLA_ADMINS):
        group = Group.objects.get(name=name)
        codenames = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert codenames == set(roles.ROLES[name])
        assert not [c for c in codenames if ".delete_" in c and c.split(".")[0] in record_apps]
    agents = set(roles.ROLES[roles.AGENTS])
    leads = set(roles.ROLES[roles.TEAM_LEADS])
    admins = set(roles.ROLES[roles.SLA_ADMINS])
    assert {"tickets.change_ticket", "communications.add_call"} <= agents
    assert "sla.change_slapolicy" not in agents | leads  # only SLA admins edit policies
    assert {"sla.reapply_slapolicy", "oncall.change_oncallshift"} <= leads - agents
    assert {"sla.change_slapolicy", "sla.change_businesscalendar"} <= admins
    assert Permission.objects.filter(codename="reapply_slapolicy").exists()


def reach(client: Client, url: str) -> str:
    """What a page lets its visitor do: edit (a form that saves), view, or none (403)."""
    page = client.get(url)
    if page.status_code == 403:
        return "none"
    assert page.status_code == 200, (url, page.status_code)
    body = page.content.decode()
    return "edit" if 'name="_save"' in body or "reapply" in url else "view"


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (roles.AGENTS, {"policy": "view", "reapply": "none", "ticket": "edit", "rota": "none"}),
        (roles.TEAM_LEADS, {"policy": "view", "reapply": "edit", "ticket": "edit", "rota": "edit"}),
        (roles.SLA_ADMINS, {"policy": "edit", "reapply": "edit", "ticket": "view", "rota": "none"}),
    ],
)
def test_each_role_reaches_what_it_works_on(ticket, default_policy, role, expected):
    client = Client()
    client.force_login(member_of(role))
    pages = {
        "policy": f"/admin/sla/slapolicy/{default_policy.pk}/change/",
        "reapply": f"/admin/sla/slapolicy/reapply/?policies={default_policy.pk}",
        "ticket": f"/admin/tickets/ticket/{ticket.pk}/change/",
        "rota": "/admin/oncall/oncallshift/add/",
    }
    assert {name: reach(client, url) for name, url in pages.items()} == expected


@pytest.mark.parametrize("role", [roles.AGENTS, roles.TEAM_LEADS, roles.SLA_ADMINS, "superuser"])
def test_every_admin_page_for_every_role_offers_no_deletion_of_the_record(ticket, role):
    """The permission matrix over the whole back office: each changelist answers (200 or a
    403, never a 500), and no page offers to delete a row of the record, to anyone."""
    from django.contrib import admin
    from django.urls import reverse

    user = factories.make_analyst(is_superuser=True) if role == "superuser" else member_of(role)
    client = Client()
    client.force_login(user)
    record = {model._meta.label for model in record_models()}
    raw = b"From: x@y.example\r\nSubject: oi\r\nMessage-ID: <m-9@y.example>\r\n\r\noi\r\n"
    inbound.email_ingest(raw, now=NOW)
    for model, _model_admin in admin.site._registry.items():
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        page = client.get(url)
        assert page.status_code in (200, 403), (role, url, page.status_code)
        if opts.label in record and page.status_code == 200:
            assert "delete_selected" not in page.content.decode(), (role, url)
        if opts.label in record:
            row = model.objects.first()
            if row is not None:
                delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[row.pk])
                assert client.post(delete, {"post": "yes"}).status_code == 403, (role, delete)
                assert model.objects.filter(pk=row.pk).exists()
