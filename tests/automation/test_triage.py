"""Triage rules: run after a ticket opens (e-mail, portal, API, phone) or the customer writes,
in order, never looping, a failure recorded without losing the ticket; and the dry run."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from automation import services
from automation.models import Macro, TriageRule, TriageRun
from communications import inbound
from communications import services as record_services
from communications.models import InboundEmail, Message
from tests import factories
from tests.automation.conftest import MONDAY_9H, open_ticket
from tickets import services as ticket_services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
SP = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SP)
OURS = "mx1.helpdesk.test"
When = TriageRule.When


@pytest.fixture(autouse=True)
def _mail_server(settings):
    settings.DEFAULT_FROM_EMAIL = "Suporte <suporte@helpdesk.test>"
    settings.EMAIL_TRUSTED_AUTHSERV_IDS = [OURS]
    settings.EMAIL_TRUSTED_RECEIVED_BY = [OURS]


def mail(*, subject: str, body: str, sender: str = "maria@acme.example.com", refs: str = ""):
    domain = sender.rpartition("@")[2]
    lines = [
        f"Authentication-Results: {OURS}; dkim=pass header.d={domain}; "
        f"spf=pass smtp.mailfrom={sender}; dmarc=pass header.from={domain}",
        f"From: {sender}",
        "To: suporte@helpdesk.test",
        f"Subject: {subject}",
        f"Message-ID: <{abs(hash((subject, body)))}@acme.example.com>",
        *([f"In-Reply-To: {refs}", f"References: {refs}"] if refs else []),
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "",
        body,
        "",
    ]
    return "\r\n".join(lines).encode()


def rule(name: str, position: int = 0, **fields) -> TriageRule:
    organizations = fields.pop("organizations", [])
    levels = fields.pop("levels", [])
    made = TriageRule(name=name, position=position, **fields)
    made.full_clean(exclude=["organizations", "levels"])
    made.save()
    made.organizations.set(organizations)
    made.levels.set(levels)
    return made


def notes_of(ticket) -> list[str]:
    return list(
        ticket.messages.filter(direction=Message.Direction.INTERNAL, author=None).values_list(
            "body", flat=True
        )
    )


def test_an_emailed_incident_is_triaged_once_its_email_is_kept(
    customer, agent, default_policy, levels, django_capture_on_commit_callbacks
):
    rule(
        "Fora do ar",
        channels=["email"],
        words="fora do ar\nindisponível",
        set_level=levels["critica"],
        set_assignee=agent,
        note="Incidente geral: avisar o plantão.",
    )
    rule("Qualquer resposta", when=When.UPDATED, note="respondeu")  # not on the opening

    with django_capture_on_commit_callbacks(execute=True):
        record, _created = inbound.email_ingest(
            mail(subject="Chat ao vivo FORA DO AR para todos", body="Nada funciona."), now=NOW
        )

    assert record.status == InboundEmail.Status.PROCESSED, record.error
    ticket = Ticket.objects.get(pk=record.ticket_id)
    assert (ticket.channel, ticket.priority, ticket.assignee) == (
        Ticket.Channel.EMAIL,
        levels["critica"],
        agent,
    )
    (run,) = TriageRun.objects.filter(ticket=ticket)
    assert (run.rule_name, run.trigger, run.outcome) == ("Fora do ar", When.CREATED, "applied")
    (note,) = notes_of(ticket)
    assert "“Fora do ar”" in note and note.endswith("Incidente geral: avisar o plantão.")
    reasons = set(ticket.history.values_list("history_change_reason", flat=True))
    assert any(reason.endswith("“Fora do ar”") for reason in reasons)  # in the desk's language
    # the e-mail's own message is there, and came before the rule's note
    assert ticket.messages.filter(direction=Message.Direction.FROM_CUSTOMER).count() == 1


def test_portal_and_api_openings_meet_their_own_rules(
    customer, default_policy, levels, django_capture_on_commit_callbacks
):
    rule("Portal", channels=["portal"], words="relatorio", set_level=levels["media"])
    rule("API", channels=["api"], words="RELATÓRIOS", set_level=levels["alta"])

    with django_capture_on_commit_callbacks(execute=True):
        portal = record_services.ticket_open(
            organization=customer.membership.organization,
            requester=customer,
            subject="O relatório não abre",
            description="x",
            priority=levels["baixa"],
            now=NOW,
            channel=Ticket.Channel.PORTAL,
        )
    client = APIClient()
    client.force_authenticate(customer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/tickets/",
            {"subject": "Relatorios vazios", "description": "x", "priority": "baixa"},
            format="json",
        )
    assert response.status_code == 201, response.content
    api = Ticket.objects.get(reference=response.json()["reference"])

    portal.refresh_from_db()
    assert portal.priority == levels["media"]  # "relatório" matched "relatorio"
    assert api.priority == levels["alta"]  # "Relatorios" matched "RELATÓRIOS", not "relatorio"
    assert list(portal.triage_runs.values_list("rule_name", flat=True)) == ["Portal"]
    assert list(api.triage_runs.values_list("rule_name", flat=True)) == ["API"]


def test_a_phoned_incident_is_triaged(
    customer, agent, default_policy, levels, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from oncall import services as oncall_services

    rule("Telefone", channels=["phone"], words="integração", set_level=levels["alta"])
    with django_capture_on_commit_callbacks(execute=True):
        taken = oncall_services.call_take(
            analyst=agent,
            called_at=NOW,
            duration=timedelta(minutes=5),
            organization=customer.membership.organization,
            caller=oncall_services.Caller(member=customer),
            summary="Integracao de pedidos parada",
            level=levels["baixa"],
            now=NOW,
        )
    ticket = Ticket.objects.get(pk=taken.ticket.pk)
    assert ticket.channel == Ticket.Channel.PHONE and ticket.priority == levels["alta"]
    assert ticket.assignee == agent  # the call's own assignment, then the rule: both kept


def test_the_customers_message_runs_the_update_rules(
    customer, default_policy, levels, django_capture_on_commit_callbacks
):
    rule("Urgente", when=When.UPDATED, words="urgente", set_level=levels["alta"])
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(customer, levels["baixa"], description="é urgente")
    assert not ticket.triage_runs.exists()  # an update rule: not on the opening

    with django_capture_on_commit_callbacks(execute=True):
        record_services.message_post(
            ticket=ticket, author=customer, body="Alguma novidade?", channel="portal", now=NOW
        )
    assert not ticket.triage_runs.exists()
    with django_capture_on_commit_callbacks(execute=True):
        record_services.message_post(
            ticket=ticket, author=customer, body="Agora é URGENTE!", channel="portal", now=NOW
        )
    ticket.refresh_from_db()
    assert ticket.priority == levels["alta"]
    assert ticket.triage_runs.get().trigger == When.UPDATED


def test_an_emailed_reply_is_an_update(
    customer, default_policy, levels, django_capture_on_commit_callbacks
):
    rule("Resposta por e-mail", when=When.UPDATED, channels=["email"], note="leu o e-mail")
    ticket = open_ticket(customer, levels["baixa"], at=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        record, _created = inbound.email_ingest(
            mail(subject=f"Re: [{ticket.reference}] Relatórios", body="Segue o log."), now=NOW
        )
    assert record.ticket_id == ticket.pk, record.error
    assert ticket.triage_runs.get().rule_name == "Resposta por e-mail"


def test_conditions_sender_domain_organization_integration_and_level(
    acme, customer, default_policy, levels
):
    other = factories.make_customer(email="joao@beta.example.org")
    vendor_built = factories.make_integration(organization=acme, vendor_built=True)
    on_integration = open_ticket(customer, levels["alta"], integration=vendor_built)
    plain = open_ticket(customer, levels["baixa"])
    elsewhere = open_ticket(other, levels["alta"])

    def matching(**conditions) -> set[str]:
        spec = services.TriageSpec.of({"name": "x", **conditions})
        return {
            t.reference
            for t in (on_integration, plain, elsewhere)
            if spec.matches(t, services.facts_of_opening(t))
        }

    assert matching(sender_domains="beta.example.org") == {elsewhere.reference}
    assert matching(sender_domains="@example.org") == {elsewhere.reference}  # subdomains too
    assert matching(organizations=[acme]) == {on_integration.reference, plain.reference}
    assert matching(integration="vendor") == {on_integration.reference}
    assert matching(integration="self_service") == set()
    assert matching(integration="without") == {plain.reference, elsewhere.reference}
    assert matching(levels=[levels["alta"]]) == {on_integration.reference, elsewhere.reference}
    assert matching(words="carregam") == {t.reference for t in (on_integration, plain, elsewhere)}
    assert matching(words="carrega") == set()  # whole words, not pieces of them


def test_rules_run_in_order_each_on_what_the_ones_before_left(
    customer, agent, default_policy, levels, django_capture_on_commit_callbacks
):
    raise_level = rule("Subir", position=1, words="fora do ar", set_level=levels["alta"])
    rule("Altas para a Ana", position=2, levels=[levels["alta"]], set_assignee=agent)
    with django_capture_on_commit_callbacks(execute=True):
        first = open_ticket(customer, levels["baixa"], subject="Fora do ar")
    first.refresh_from_db()
    assert (first.priority, first.assignee) == (levels["alta"], agent)
    assert list(first.triage_runs.order_by("pk").values_list("rule_name", flat=True)) == [
        "Subir",
        "Altas para a Ana",
    ]

    raise_level.position = 3  # after the assignment rule now: too late for it
    raise_level.save()
    with django_capture_on_commit_callbacks(execute=True):
        second = open_ticket(customer, levels["baixa"], subject="Fora do ar")
    second.refresh_from_db()
    assert (second.priority, second.assignee) == (levels["alta"], None)

    raise_level.position, raise_level.stop_processing = 0, True  # first, and the last to run
    raise_level.save()
    with django_capture_on_commit_callbacks(execute=True):
        third = open_ticket(customer, levels["baixa"], subject="Fora do ar")
    third.refresh_from_db()
    assert (third.priority, third.assignee) == (levels["alta"], None)


def test_a_rules_own_actions_never_trigger_rules(
    customer, agent, default_policy, levels, django_capture_on_commit_callbacks
):
    """The macro replies and notes on every update; a reply by a rule is the desk's (an
    analyst's), and while rules run nothing they cause starts another run."""
    macro = Macro.objects.create(
        name="Recebido",
        owner=agent,
        visibility=Macro.Visibility.SHARED,
        reply_pt_br="Recebemos, {{ customer_first_name }}.",
        note="auto",
    )
    rule("Sempre", when=When.BOTH, macro=macro)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(customer, levels["baixa"])
    with django_capture_on_commit_callbacks(execute=True):
        record_services.message_post(
            ticket=ticket, author=customer, body="Mais detalhes", channel="portal", now=NOW
        )
    assert ticket.triage_runs.count() == 2  # the opening and the customer's message, no more
    replies = ticket.messages.filter(direction=Message.Direction.TO_CUSTOMER)
    assert list(replies.values_list("body", flat=True)) == ["Recebemos, Maria."] * 2
    assert {reply.author.username for reply in replies} == {services.TRIAGE_USERNAME}
    assert not replies.first().author.is_active  # nobody logs in as the rules
    assert ticket.messages.filter(direction=Message.Direction.FROM_CUSTOMER).count() == 1


def test_a_failing_rule_is_recorded_and_the_others_still_run(
    customer, colleague, default_policy, levels, django_capture_on_commit_callbacks
):
    rule("Para o Bruno", position=1, set_assignee=colleague)
    rule("Subir", position=2, set_level=levels["alta"])
    colleague.is_active = False  # left the team after the rule was written
    colleague.save()

    with django_capture_on_commit_callbacks(execute=True):
        record, _created = inbound.email_ingest(
            mail(subject="Erro no painel", body="Painel com erro."), now=NOW
        )

    assert record.status == InboundEmail.Status.PROCESSED, record.error
    ticket = Ticket.objects.get(pk=record.ticket_id)
    assert ticket.priority == levels["alta"] and ticket.assignee is None
    runs = dict(ticket.triage_runs.values_list("rule_name", "outcome"))
    assert runs == {"Para o Bruno": "failed", "Subir": "applied"}
    failed = ticket.triage_runs.get(rule_name="Para o Bruno")
    assert failed.error  # the service's refusal, in the analysts' language
    assert any("“Para o Bruno”" in note and failed.error in note for note in notes_of(ticket))


def test_the_dry_run_shows_matches_and_changes_of_the_last_tickets_and_keeps_nothing(
    customer, agent, default_policy, levels
):
    hit = open_ticket(customer, levels["baixa"], subject="Chat fora do ar")
    open_ticket(customer, levels["baixa"], subject="Dúvida de uso")
    already = open_ticket(customer, levels["alta"], subject="Widget FORA do ar")
    later = open_ticket(customer, levels["baixa"], subject="Outra coisa")
    record_services.message_post(
        ticket=later, author=customer, body="Agora está fora do ar", channel="portal", now=NOW
    )

    spec = services.TriageSpec.of(
        {"name": "x", "when": When.BOTH, "words": "fora do ar", "set_level": levels["alta"]}
    )
    examined, rows = services.triage_dry_run(spec)

    assert examined == 4
    found = {row.ticket.reference: (row.trigger, row.changes) for row in rows}
    assert found == {
        hit.reference: (
            When.CREATED,
            [f"priority: {levels['baixa'].name} → {levels['alta'].name}"],
        ),
        already.reference: (When.CREATED, []),
        later.reference: (
            When.UPDATED,
            [f"priority: {levels['baixa'].name} → {levels['alta'].name}"],
        ),
    }
    hit.refresh_from_db()
    assert hit.priority == levels["baixa"] and not TriageRun.objects.exists()
    ask = Macro.objects.create(
        name="Pedir logs",
        owner=agent,
        visibility=Macro.Visibility.SHARED,
        reply_pt_br="Envie os logs",
        status=Ticket.Status.WAITING_ON_CUSTOMER,
        status_reason="logs",
    )
    with_macro = services.TriageSpec.of({"name": "x", "words": "chat", "macro": ask})
    (row,) = services.triage_dry_run(with_macro)[1]
    assert row.changes == [
        "macro “Pedir logs”: reply to the customer; status → waiting on customer"
    ]
    # only creations, when the rule says so
    created_only = services.TriageSpec.of({"name": "x", "words": "fora do ar"})
    assert {row.ticket.pk for row in services.triage_dry_run(created_only)[1]} == {
        hit.pk,
        already.pk,
    }


def test_the_macro_applied_by_a_rule_uses_the_requesters_language(
    acme, agent, default_policy, levels, django_capture_on_commit_callbacks
):
    from tests.automation.conftest import customer_of

    john = customer_of(acme, username="john", language="en")
    macro = Macro.objects.create(
        name="Ack",
        owner=agent,
        visibility=Macro.Visibility.SHARED,
        reply_pt_br="Recebemos.",
        reply_en="Got it, {{ customer_first_name }}: {{ ticket_reference }}.",
    )
    rule("Ack", macro=macro)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(john, levels["baixa"], at=MONDAY_9H)
    reply = ticket.messages.get(direction=Message.Direction.TO_CUSTOMER)
    assert reply.body == f"Got it, John: {ticket.reference}."


def test_assign_within_a_team_spreads_tickets_to_the_least_busy_member(
    customer, agent, colleague, lead, default_policy, levels, django_capture_on_commit_callbacks
):
    from django.core.exceptions import ValidationError

    from workspace.models import Team

    billing = Team.objects.create(name="Faturamento")
    billing.members.set([agent, colleague])
    busy = open_ticket(customer, levels["baixa"], subject="Antigo")
    ticket_services.ticket_assign(ticket=busy, analyst=agent, actor=lead, now=MONDAY_9H)
    rule("Boletos", words="boleto", set_team=billing)

    def opened(subject):
        with django_capture_on_commit_callbacks(execute=True):
            return open_ticket(customer, levels["baixa"], subject=subject, at=MONDAY_9H)

    first, second = opened("Boleto duplicado"), opened("Boleto vencido")
    first.refresh_from_db()
    second.refresh_from_db()
    # Ana has one open ticket: the first goes to Bruno, then each has one: the longest
    # standing member (Ana) takes the second
    assert (first.assignee, second.assignee) == (colleague, agent)
    (run,) = first.triage_runs.all()
    assert "Bruno" in run.changes and "Faturamento" in run.changes
    # already with one of the team: left alone, and the dry run says nothing would change
    spec = services.TriageSpec.of({"name": "x", "words": "boleto", "set_team": billing})
    _examined, rows = services.triage_dry_run(spec)
    assert {row.ticket.pk: row.changes for row in rows} == {first.pk: [], second.pk: []}
    # an analyst and a team at once is refused
    with pytest.raises(ValidationError):
        rule("Ambos", words="x", set_assignee=agent, set_team=billing)


def test_assign_within_a_team_of_nobody_active_leaves_the_ticket_alone(
    customer, agent, default_policy, levels, django_capture_on_commit_callbacks
):
    from workspace.models import Team

    empty = Team.objects.create(name="Vazio")
    agent.is_active = False
    agent.save()
    empty.members.set([agent])
    rule("Vazio", words="boleto", set_team=empty)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(customer, levels["baixa"], subject="Boleto", at=MONDAY_9H)
    ticket.refresh_from_db()
    assert ticket.assignee is None
