"""Macros and triage rules in the back office: the ticket page's box, the bulk action, the
rule's dry run, and who may do what (agents, team leads, customers)."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.test import Client

from automation.models import Macro, TriageRule
from communications.models import Message
from tests.automation.conftest import MONDAY_9H, logged, open_ticket
from tickets import services as ticket_services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
MACROS = "/admin/automation/macro/"
RULES = "/admin/automation/triagerule/"
TICKETS = "/admin/tickets/ticket/"


def macro(owner, name: str, *, shared: bool = False, **fields) -> Macro:
    visibility = Macro.Visibility.SHARED if shared else Macro.Visibility.PERSONAL
    return Macro.objects.create(name=name, owner=owner, visibility=visibility, **fields)


def macro_data(**fields) -> dict:
    return {
        "name": "Minha macro",
        "visibility": "personal",
        "is_active": "on",
        "reply_pt_br": "Olá {{ customer_name }}",
        "reply_en": "",
        "reply_es": "",
        "note": "",
        "priority": "",
        "assignee": "",
        "status": "",
        "status_reason": "",
        **fields,
    }


def test_the_ticket_page_offers_the_analysts_macros_to_preview_and_apply(
    customer, agent, colleague, default_policy, levels
):
    ticket = open_ticket(customer, levels["baixa"])
    macro(agent, "Minha")
    shared = macro(colleague, "Da equipe", shared=True, reply_pt_br="Oi {{ customer_first_name }}")
    macro(colleague, "Do Bruno")
    client = logged(agent)

    page = client.get(f"{TICKETS}{ticket.pk}/change/").content.decode()
    assert "Minha" in page and "Da equipe" in page and "Do Bruno" not in page

    preview = client.post(f"{MACROS}ticket/{ticket.pk}/preview/", {"macro": shared.pk})
    assert preview.status_code == 200
    assert "Oi Maria" in preview.content.decode()
    assert not ticket.messages.exists()  # a preview sends nothing

    applied = client.post(f"{MACROS}ticket/{ticket.pk}/apply/", {"macro": shared.pk})
    assert applied.status_code == 302 and applied["Location"].endswith(f"/{ticket.pk}/change/")
    reply = ticket.messages.get()
    assert (reply.direction, reply.body, reply.author) == ("out", "Oi Maria", agent)


def test_another_analysts_personal_macro_cannot_be_applied(
    customer, agent, colleague, default_policy, levels
):
    ticket = open_ticket(customer, levels["baixa"])
    theirs = macro(colleague, "Do Bruno", reply_pt_br="Oi")
    client = logged(agent)
    client.post(f"{MACROS}ticket/{ticket.pk}/apply/", {"macro": theirs.pk})
    assert not ticket.messages.exists()
    assert client.post(f"{MACROS}ticket/999999/apply/", {"macro": theirs.pk}).status_code == 404


def test_a_refusal_is_told_on_the_ticket_page(customer, agent, default_policy, levels):
    ticket = open_ticket(customer, levels["baixa"])
    start = macro(agent, "Começar", status=Ticket.Status.IN_PROGRESS, reply_pt_br="Vamos lá")
    response = logged(agent).post(
        f"{MACROS}ticket/{ticket.pk}/apply/", {"macro": start.pk}, follow=True
    )
    assert "Começar" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert not ticket.messages.exists()


def test_the_bulk_action_asks_shows_and_applies_ticket_by_ticket(
    customer, agent, default_policy, levels
):
    first, second = open_ticket(customer, levels["baixa"]), open_ticket(customer, levels["baixa"])
    second_done = open_ticket(customer, levels["baixa"])

    ticket_services.ticket_transition(
        ticket=second_done, to_status="cancelled", actor=agent, now=MONDAY_9H, reason="duplicado"
    )
    assign = macro(agent, "Pegar", assign_to_applier=True, note="Comigo: {{ ticket_reference }}")
    client = logged(agent)
    selected = {
        "action": "apply_macro",
        ACTION_CHECKBOX_NAME: [first.pk, second.pk, second_done.pk],
    }

    asking = client.post(TICKETS, selected)
    assert asking.status_code == 200 and "Pegar" in asking.content.decode()
    confirming = client.post(TICKETS, {**selected, "macro": assign.pk})
    page = confirming.content.decode()
    assert f"Comigo: {first.reference}" in page  # each ticket's preview
    refusals = {ticket.pk: refusal for ticket, _result, refusal in confirming.context["previews"]}
    assert refusals[second_done.pk] and not refusals[first.pk]  # told before confirming
    assert not Message.objects.exists()

    done = client.post(TICKETS, {**selected, "macro": assign.pk, "apply": "1"}, follow=True)
    told = [str(m) for m in get_messages(done.wsgi_request)]
    for ticket in (first, second, second_done):
        ticket.refresh_from_db()
    assert first.assignee == agent and second.assignee == agent and second_done.assignee is None
    assert any("2" in message for message in told)
    assert any(second_done.reference in message for message in told)


def test_agents_keep_personal_macros_and_read_shared_ones(agent, lead, colleague):
    shared = macro(lead, "Da equipe", shared=True, reply_pt_br="Oi")
    theirs = macro(colleague, "Do Bruno", reply_pt_br="Oi")
    client = logged(agent)

    form = client.get(f"{MACROS}add/").content.decode()
    assert 'value="personal"' in form and 'value="shared"' not in form
    refused = client.post(f"{MACROS}add/", macro_data(visibility="shared"))
    assert refused.status_code == 200 and not Macro.objects.filter(name="Minha macro").exists()
    assert client.post(f"{MACROS}add/", macro_data()).status_code == 302
    mine = Macro.objects.get(name="Minha macro")
    assert (mine.owner, mine.visibility) == (agent, "personal")
    assert mine.history.count() == 1  # django-simple-history

    assert client.get(f"{MACROS}{shared.pk}/change/").status_code == 200  # read only
    client.post(f"{MACROS}{shared.pk}/change/", macro_data(name="Mudada", visibility="shared"))
    shared.refresh_from_db()
    assert shared.name == "Da equipe"
    listing = client.get(MACROS).content.decode()
    assert "Da equipe" in listing and "Do Bruno" not in listing
    assert client.get(f"{MACROS}{theirs.pk}/change/").status_code == 302  # "does not exist"
    assert client.get(RULES).status_code == 403  # triage rules are the team leads'
    assert client.get(f"{RULES}add/").status_code == 403
    assert client.post(f"{RULES}add/preview/", {"name": "x"}).status_code == 403
    assert client.get("/admin/automation/triagerun/").status_code == 403


def test_an_unknown_placeholder_is_a_form_error(agent):
    response = logged(agent).post(f"{MACROS}add/", macro_data(reply_es="Hola {{ cliente }}"))
    assert response.status_code == 200
    assert "{{ cliente }}" in str(response.context["adminform"].form.errors["reply_es"])
    assert not Macro.objects.exists()


def test_team_leads_keep_shared_macros_and_triage_rules(lead, agent, levels, default_policy):
    shared = macro(agent, "Da equipe", shared=True, reply_pt_br="Oi")
    client = logged(lead)
    response = client.post(
        f"{MACROS}{shared.pk}/change/", macro_data(name="Mudada", visibility="shared")
    )
    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.name == "Mudada" and shared.owner == agent
    assert client.get(RULES).status_code == 200
    assert client.get("/admin/automation/triagerun/").status_code == 200
    personal = macro(agent, "Da Ana", reply_pt_br="Oi")  # personal stays its owner's
    client.post(f"{MACROS}{personal.pk}/change/", macro_data(name="Mudada"))
    personal.refresh_from_db()
    assert personal.name == "Da Ana"


def rule_data(**fields) -> dict:
    return {
        "name": "Fora do ar",
        "position": "1",
        "is_active": "on",
        "when": "created",
        "words": "fora do ar",
        "sender_domains": "",
        "integration": "",
        "set_level": "",
        "set_assignee": "",
        "note": "",
        "macro": "",
        **fields,
    }


def test_a_rule_is_previewed_on_the_last_tickets_before_it_is_saved(
    customer, lead, default_policy, levels
):
    hit = open_ticket(customer, levels["baixa"], subject="Chat fora do ar")
    miss = open_ticket(customer, levels["baixa"], subject="Dúvida")
    client = logged(lead)
    data = rule_data(set_level=levels["critica"].pk, channels=["portal", "email"])

    preview = client.post(f"{RULES}add/preview/", data)
    page = preview.content.decode()
    assert preview.status_code == 200
    assert hit.reference in page and miss.reference not in page
    assert f"{levels['baixa'].name} → {levels['critica'].name}" in page
    assert 'name="channels" value="portal"' in page  # the rule as typed, to save
    assert not TriageRule.objects.exists()

    assert client.post(f"{RULES}add/", {**data, "_save": "1"}).status_code == 302
    saved = TriageRule.objects.get()
    assert saved.channels == ["portal", "email"] and saved.set_level == levels["critica"]
    assert saved.history.get().history_user == lead  # django-simple-history
    url = f"{RULES}{saved.pk}/change/preview/"
    again = client.post(url, rule_data(words="DUVIDA", note="ver"))  # accents and case aside
    assert miss.reference in again.content.decode() and hit.reference not in again.content.decode()
    nothing_to_do = client.post(url, rule_data(words="duvida"))
    assert nothing_to_do.context["form"].errors and not nothing_to_do.context["rows"]
    saved.refresh_from_db()
    assert saved.words == "fora do ar"  # previews never save


@pytest.mark.parametrize(
    "path",
    [
        MACROS,
        f"{MACROS}add/",
        "{macros}{macro}/change/",
        "{macros}ticket/{ticket}/preview/",
        "{macros}ticket/{ticket}/apply/",
        RULES,
        f"{RULES}add/",
        f"{RULES}add/preview/",
        "/admin/automation/triagerun/",
    ],
)
def test_customers_never_reach_these_pages(customer, agent, default_policy, levels, path):
    ticket = open_ticket(customer, levels["baixa"])
    own = macro(agent, "x", shared=True)
    url = path.format(macros=MACROS, macro=own.pk, ticket=ticket.pk)
    client = Client()
    client.force_login(customer)
    for response in (client.get(url), client.post(url, {"macro": own.pk})):
        assert response.status_code in (302, 404)
        if response.status_code == 302:
            assert "/login/" in response["Location"]
    assert not ticket.messages.exists()
