"""Macros: rendered in the requester's language and zone, applied through the ticket services."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from automation import services
from automation.models import Macro
from communications.models import Message, OutboundEmail
from sla.models import ClockEventKind, ClockMetric, SLAClockEvent
from tests import factories
from tests.automation.conftest import MONDAY_9H, customer_of, open_ticket
from tickets import services as ticket_services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
Status = Ticket.Status

DEADLINES = (
    "{{ customer_first_name }}: {{ ticket_reference }} · {{ first_response_due }} · "
    "{{ resolution_due }}"
)


def make_macro(owner, **fields) -> Macro:
    macro = Macro(name=fields.pop("name", "Resposta padrão"), owner=owner, **fields)
    macro.full_clean()
    macro.save()
    return macro


@pytest.mark.parametrize(
    ("language", "time_zone", "expected"),
    [
        # the support calendar's zone when the customer chose none
        ("pt-br", "", "Olá Maria: {ref} · Seg 30/11/2026 10:00 (UTC-03:00) · Seg {day} 16:00 (UTC-03:00)"),  # noqa: E501
        # English writes the month first (helpdesk.formats: each language's own order)
        ("en", "Europe/Lisbon", "Hello Maria: {ref} · Mon 11/30/2026 13:00 (UTC+00:00) · Mon {en_day} 19:00 (UTC+00:00)"),  # noqa: E501
        ("es", "America/Mexico_City", "Hola Maria: {ref} · lun 30/11/2026 07:00 (UTC-06:00) · lun {day} 13:00 (UTC-06:00)"),  # noqa: E501
    ],
)  # fmt: skip
def test_the_reply_is_in_the_requesters_language_and_time_zone(
    acme, agent, default_policy, levels, language, time_zone, expected
):
    maria = customer_of(acme, username="maria", language=language, time_zone=time_zone)
    ticket = open_ticket(maria, levels["alta"])  # Fri 17:00: due Mon 10:00 and Mon 16:00
    macro = make_macro(
        agent,
        reply_pt_br=f"Olá {DEADLINES}",
        reply_en=f"Hello {DEADLINES}",
        reply_es=f"Hola {DEADLINES}",
    )
    language_used, text = services.macro_reply_render(ticket, macro)
    assert language_used == language
    assert text == expected.format(ref=ticket.reference, day="30/11/2026", en_day="11/30/2026")


def test_a_language_without_text_falls_back_to_portuguese(acme, agent, default_policy, levels):
    john = customer_of(acme, username="john", language="en")
    ticket = open_ticket(john, levels["alta"])
    macro = make_macro(agent, reply_pt_br="Olá {{ customer_name }}", reply_es="Hola")
    assert services.macro_reply_render(ticket, macro) == ("pt-br", "Olá John Souza")


def test_an_unknown_placeholder_is_refused_when_the_macro_is_saved(agent):
    macro = Macro(name="x", owner=agent, reply_en="Hi {{ customer_password }}")
    with pytest.raises(ValidationError) as refused:
        macro.full_clean()
    assert "{{ customer_password }}" in str(refused.value.message_dict["reply_en"])


def test_applying_moves_the_ticket_through_its_services(
    customer, agent, colleague, default_policy, levels
):
    ticket = open_ticket(customer, levels["baixa"])
    macro = make_macro(
        agent,
        name="Pedir logs",
        visibility=Macro.Visibility.SHARED,
        reply_pt_br="Olá {{ customer_first_name }}, resolvemos até {{ resolution_due }}.",
        note="Cliente {{ organization_name }} sem logs.",
        priority=levels["alta"],
        assignee=colleague,
        status=Status.WAITING_ON_CUSTOMER,
        status_reason="Enviar os logs do servidor",
    )

    result = services.macro_apply(ticket, macro, by=agent, now=MONDAY_9H)

    ticket.refresh_from_db()
    assert (ticket.priority, ticket.assignee, ticket.status) == (
        levels["alta"],
        colleague,
        Status.WAITING_ON_CUSTOMER,
    )
    assert ticket.waiting_reason == "Enviar os logs do servidor"
    # the reply's deadline is the one after the priority change (alta: Mon 16:00)
    reply = ticket.messages.get(direction=Message.Direction.TO_CUSTOMER)
    assert reply.body == "Olá Maria, resolvemos até Seg 30/11/2026 16:00 (UTC-03:00)."
    assert reply.author == agent and result.reply == reply.body
    note = ticket.messages.get(direction=Message.Direction.INTERNAL)
    assert note.body == "Cliente Acme Ltda sem logs."
    # history: who and why, each step
    reasons = list(
        ticket.history.filter(history_user=agent)
        .order_by("history_date", "history_id")
        .values_list("history_change_reason", flat=True)
    )
    assert reasons == ["Macro “Pedir logs”", "Macro “Pedir logs”", "Enviar os logs do servidor"]
    # clocks: first response met by the assignment, resolution recalculated then paused
    clocks = {clock.metric: clock for clock in ticket.clocks.all()}
    assert clocks[ClockMetric.FIRST_RESPONSE].met_at == MONDAY_9H
    assert clocks[ClockMetric.RESOLUTION].paused_since == MONDAY_9H
    kinds = list(
        SLAClockEvent.objects.filter(sla_clock=clocks[ClockMetric.RESOLUTION])
        .order_by("recorded_at", "id")
        .values_list("kind", "reason")
    )
    assert (ClockEventKind.RECALCULATED, "Macro “Pedir logs”") in kinds
    assert kinds[-1][0] == ClockEventKind.PAUSED
    # notices: the reply and the wait to the customer, the assignment to the colleague
    to = set(OutboundEmail.objects.filter(ticket=ticket).values_list("to", flat=True))
    assert {customer.email, colleague.email} <= to


def test_a_refused_step_undoes_the_whole_macro(customer, agent, default_policy, levels):
    ticket = open_ticket(customer, levels["baixa"])  # new: only assignment moves it on
    macro = make_macro(
        agent, reply_pt_br="Estamos nisso.", priority=levels["alta"], status=Status.IN_PROGRESS
    )
    with pytest.raises(ValidationError):
        services.macro_apply(ticket, macro, by=agent, now=MONDAY_9H)
    ticket.refresh_from_db()
    assert ticket.priority == levels["baixa"] and ticket.status == Status.NEW
    assert not ticket.messages.exists()


def test_a_personal_macro_is_its_owners_only(customer, agent, colleague, default_policy, levels):
    ticket = open_ticket(customer, levels["baixa"])
    mine = make_macro(agent, reply_pt_br="Oi")
    with pytest.raises(services.MacroError):
        services.macro_apply(ticket, mine, by=colleague, now=MONDAY_9H)
    shared = make_macro(agent, reply_pt_br="Oi", visibility=Macro.Visibility.SHARED)
    services.macro_apply(ticket, shared, by=colleague, now=MONDAY_9H)
    with pytest.raises(services.MacroError):
        services.macro_apply(ticket, mine, by=customer, now=MONDAY_9H)  # never a customer


def test_the_preview_shows_what_would_be_sent_and_keeps_nothing(
    customer, agent, default_policy, levels
):
    ticket = open_ticket(customer, levels["baixa"])
    macro = make_macro(
        agent,
        reply_pt_br="Prazo: {{ resolution_due }} ({{ assignee_name }})",
        priority=levels["alta"],
        assign_to_applier=True,
    )

    def counts():
        return (
            Message.objects.count(),
            OutboundEmail.objects.count(),
            Ticket.history.count(),
            SLAClockEvent.objects.count(),
        )

    before = counts()
    preview = services.macro_preview(ticket, macro, by=agent, now=MONDAY_9H)
    assert preview.reply == "Prazo: Seg 30/11/2026 16:00 (UTC-03:00) (Ana)"
    assert len(preview.changes) == 3  # priority, assignee, reply
    assert counts() == before
    ticket.refresh_from_db()
    assert ticket.priority == levels["baixa"] and ticket.assignee is None


def test_applying_costs_the_same_queries_however_many_analysts(customer, default_policy, levels):
    def apply_with(analyst_count: int) -> int:
        for number in range(analyst_count):
            factories.make_analyst(email=f"a{analyst_count}-{number}@desk.test")
        analyst = factories.make_analyst(email="lead@desk.test")
        colleague = factories.make_analyst(email="colleague@desk.test", username=None)
        ticket = open_ticket(customer, levels["baixa"])
        ticket_services.ticket_assign(ticket=ticket, analyst=analyst, actor=analyst, now=MONDAY_9H)
        macro = make_macro(
            analyst,
            reply_pt_br="Olá {{ customer_name }}: {{ resolution_due }}",
            note="ver {{ ticket_reference }}",
            priority=levels["critica"],
            assignee=colleague,
            status=Status.WAITING_ON_CUSTOMER,
            status_reason="logs",
        )
        with CaptureQueriesContext(connection) as queries:
            services.macro_apply(ticket, macro, by=analyst, now=MONDAY_9H)
        return len(queries)

    one, eight = apply_with(1), apply_with(8)
    print("macro_apply queries", one, eight)
    assert one == eight
