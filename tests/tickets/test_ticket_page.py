"""The ticket page for working (issue 14, items 2, 4 and 8): the conversation first, one reply
box whose combined actions are all or nothing, assign to me, quoted text folded, the analyst's
order, presence of colleagues on the page and the list, a reply that crosses a newer message,
and who may use each of the page's addresses."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communications import inbound
from communications import services as record_services
from communications.models import Message
from tests import factories
from tickets import services
from tickets.models import Ticket
from workspace import services as workspace_services
from workspace.models import PRESENCE_TTL, TicketPresence

pytestmark = pytest.mark.django_db
Status = Ticket.Status
Direction = Message.Direction
LIST = "/admin/tickets/ticket/"


def page_of(ticket) -> str:
    return f"{LIST}{ticket.pk}/change/"


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def ana(db):
    return factories.make_analyst(
        username="ana", first_name="Ana", last_name="Lima", is_superuser=True
    )


@pytest.fixture
def bia(db):
    return factories.make_analyst(
        username="bia", first_name="Bia", last_name="Souza", is_superuser=True
    )


@pytest.fixture
def customer(db):
    organization = factories.make_organization(name="Acme", email_domains="acme.example.com")
    return factories.make_customer(
        organization=organization, username="maria", email="maria@acme.example.com"
    )


@pytest.fixture
def ticket(customer, default_policy, levels) -> Ticket:
    now = timezone.now()
    return services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="Relatório não abre",
        description="Desde ontem.",
        priority=levels["media"],
        reported_at=now - timedelta(minutes=30),
        now=now,
    )


def seen_message(html: str) -> str:
    return re.search(r'name="seen_message" value="(\d*)"', html).group(1)


def respond(client, ticket, response: str, body: str, **fields):
    html = client.get(page_of(ticket)).content.decode()
    data = {"response": response, "body": body, "seen_message": seen_message(html), **fields}
    return client.post(f"{LIST}{ticket.pk}/respond/", data)


def textarea(html: str) -> str:
    return re.search(r'<textarea name="body"[^>]*>(.*?)</textarea>', html, re.S).group(1).strip()


# -- the page's order -------------------------------------------------------------------------


def test_the_conversation_comes_first_then_the_reply_box_then_the_rest(ana, ticket):
    record_services.message_post(
        ticket=ticket,
        author=ana,
        body="Pode testar agora?",
        channel=Message.Channel.BACK_OFFICE,
        now=timezone.now(),
    )
    html = client_for(ana).get(page_of(ticket)).content.decode()
    places = [
        html.index('id="conversation"'),
        html.index("Pode testar agora?"),
        html.index('id="reply-box"'),
        html.index('class="ticket-action macro-panel"'),
        html.index(f'action="/admin/tickets/ticket/{ticket.pk}/call/"'),
        html.index('id="ticket-edit"'),
        html.index('name="subject"'),  # the edit form, folded
    ]
    assert places == sorted(places)
    assert re.search(r'<details class="ticket-edit" id="ticket-edit">', html)  # closed
    buttons = re.findall(r'<button type="submit" name="response" value="(\w+)"', html)
    assert buttons == ["reply", "note", "reply_waiting", "reply_resolve"]
    # The side panel: the clocks as badges and the customer's context.
    side = html[html.index('class="ticket-side"') :]
    assert "sla sla-" in side and "Acme" in side and "maria@acme.example.com" in side


def test_the_side_panel_shows_the_contract_and_a_few_recent_tickets_linked(
    ana, ticket, customer, levels
):
    organization = customer.membership.organization
    factories.make_contract(
        organization=organization, integration_24x7=True, on_call_phone="+55 11 4000-2400"
    )
    colleague = factories.make_customer(organization=organization)
    now = timezone.now()
    others = [
        services.ticket_create(
            organization=organization,
            requester=requester,
            subject=f"Outro {n}",
            description="x",
            priority=levels["baixa"],
            reported_at=now - timedelta(days=n + 1),
            now=now,
        )
        for n, requester in enumerate([customer] * 7 + [colleague] * 2)
    ]
    html = client_for(ana).get(page_of(ticket)).content.decode()
    side = html[html.index('class="ticket-side"') :]
    assert "+55 11 4000-2400" in side
    linked = re.findall(r'href="/admin/tickets/ticket/(\d+)/change/"', side)
    # the requester's five latest others, then the rest of the organization's (two)
    assert linked == [str(t.pk) for t in others[:5]] + [str(others[7].pk), str(others[8].pk)]


# -- the reply box ----------------------------------------------------------------------------


def test_reply_and_internal_note(ana, ticket):
    client = client_for(ana)
    reply = respond(client, ticket, "reply", "Pode testar agora?")
    assert reply.status_code == 302 and reply["Location"] == page_of(ticket)
    note = respond(client, ticket, "note", "Cliente usa proxy antigo.")
    assert note.status_code == 302
    written = list(ticket.messages.order_by("pk").values_list("direction", "body"))
    assert written == [
        (Direction.TO_CUSTOMER, "Pode testar agora?"),
        (Direction.INTERNAL, "Cliente usa proxy antigo."),
    ]


def test_reply_and_set_waiting_sends_and_pauses_in_one_go(ana, ticket):
    response = respond(
        client_for(ana),
        ticket,
        "reply_waiting",
        "Envie o log, por favor.",
        reason="O log do navegador",
        assign_to_me="on",
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING_ON_CUSTOMER
    assert ticket.waiting_reason == "O log do navegador"
    assert ticket.assignee == ana
    assert ticket.messages.get().body == "Envie o log, por favor."


def test_reply_and_resolve(ana, ticket):
    services.ticket_assign(ticket=ticket, analyst=ana, actor=ana, now=timezone.now())
    response = respond(client_for(ana), ticket, "reply_resolve", "Corrigido na versão 4.2.")
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.resolved_at is not None
    assert ticket.messages.get().direction == Direction.TO_CUSTOMER


def test_a_refused_move_sends_nothing_takes_nothing_and_keeps_the_text(ana, ticket):
    """Waiting on the customer needs a reason: without one, neither the reply nor the
    assignment it came with happen, and the page comes back with the text and the error."""
    response = respond(
        client_for(ana), ticket, "reply_waiting", "Envie o log, por favor.", assign_to_me="on"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert textarea(html) == "Envie o log, por favor."
    assert "Say what the customer needs to provide." in html
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (Status.NEW, None)
    assert not ticket.messages.exists()


def test_a_move_the_status_does_not_allow_is_refused_with_the_text_kept(ana, ticket):
    """A new ticket cannot be resolved without being taken: "assign to me" unticked."""
    response = respond(client_for(ana), ticket, "reply_resolve", "Resolvido.")
    assert response.status_code == 200
    assert textarea(response.content.decode()) == "Resolvido."
    assert "cannot go from new to resolved" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and not ticket.messages.exists()


def test_assign_to_me_is_offered_ticked_on_an_unassigned_ticket_only(ana, bia, ticket):
    client = client_for(ana)
    html = client.get(page_of(ticket)).content.decode()
    assert re.search(r'<input type="checkbox" name="assign_to_me"[^>]*checked', html)
    respond(client, ticket, "reply", "Olá!", assign_to_me="on")
    ticket.refresh_from_db()
    assert ticket.assignee == ana and ticket.status == Status.ASSIGNED
    assert 'name="assign_to_me"' not in client.get(page_of(ticket)).content.decode()


def test_a_reply_with_assign_to_me_unticked_leaves_the_ticket_unassigned(ana, ticket):
    respond(client_for(ana), ticket, "reply", "Olá!")  # the box unticked: not posted
    ticket.refresh_from_db()
    assert ticket.assignee is None and ticket.messages.count() == 1


# -- quoted text ------------------------------------------------------------------------------

QUOTED_REPLY = (
    "Testei agora e funcionou.\n"
    "\n"
    "Em seg., 30 de nov. de 2026 às 10:00, Suporte <suporte@helpdesk.test> escreveu:\n"
    "> Pode testar agora?\n"
    "> Obrigado\n"
)


def test_quoted_text_of_a_received_email_is_folded_and_kept(ana, ticket, settings):
    settings.EMAIL_TRUSTED_AUTHSERV_IDS = ["mx1.helpdesk.test"]
    settings.EMAIL_TRUSTED_RECEIVED_BY = ["mx1.helpdesk.test"]
    raw = "\r\n".join(
        [
            "Authentication-Results: mx1.helpdesk.test; dkim=pass header.d=acme.example.com; "
            "spf=pass smtp.mailfrom=maria@acme.example.com; "
            "dmarc=pass header.from=acme.example.com",
            "From: maria@acme.example.com",
            "To: suporte@helpdesk.test",
            f"Subject: Re: [{ticket.reference}] Relatório não abre",
            "Message-ID: <quoted-1@acme.example.com>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "",
            QUOTED_REPLY,
        ]
    ).encode()
    inbound.email_ingest(raw, now=timezone.now())
    message = ticket.messages.get()
    assert message.visible_body.strip() == "Testei agora e funcionou."
    assert "&gt; Pode testar agora?" not in message.visible_body  # the split is the parser's
    html = client_for(ana).get(page_of(ticket)).content.decode()
    shown = html[html.index('id="timeline"') :]
    folded = re.search(
        r'<details class="quoted-text">\s*<summary>show quoted text</summary>\s*'
        r'<div class="quoted-original">(.*?)</div>',
        shown,
        re.S,
    )
    assert folded, "the quoted text is behind its toggle"
    assert "&gt; Pode testar agora?" in folded.group(1)
    assert "Testei agora e funcionou." in folded.group(1)  # the whole original, unchanged
    assert message.body.strip().splitlines() == QUOTED_REPLY.strip().splitlines()  # stored whole


# -- the analyst's order ----------------------------------------------------------------------


def test_newest_first_or_last_is_the_analysts_choice_and_is_remembered(
    ana, bia, ticket, customer, levels
):
    for body in ("Primeira", "Segunda"):
        record_services.message_post(
            ticket=ticket,
            author=ana,
            body=body,
            channel=Message.Channel.BACK_OFFICE,
            now=timezone.now(),
        )

    def order(client, of=ticket) -> bool:
        html = client.get(page_of(of)).content.decode()
        return html.index("Primeira") < html.index("Segunda")

    client = client_for(ana)
    assert order(client)  # oldest first, newest at the bottom, by default
    moved = client.post(f"{LIST}{ticket.pk}/conversation-order/", {"newest_first": "1"})
    assert moved.status_code == 302 and moved["Location"] == page_of(ticket)
    assert not order(client)
    other = services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="Outro",
        description="x",
        priority=levels["baixa"],
        reported_at=timezone.now(),
        now=timezone.now(),
    )
    for body in ("Primeira", "Segunda"):
        record_services.message_post(
            ticket=other,
            author=ana,
            body=body,
            channel=Message.Channel.BACK_OFFICE,
            now=timezone.now(),
        )
    assert not order(client, other)  # every ticket, for this analyst
    assert order(client_for(bia))  # not for a colleague
    client.post(f"{LIST}{ticket.pk}/conversation-order/", {"newest_first": "0"})
    assert order(client)


# -- presence ---------------------------------------------------------------------------------


def presence(client, ticket, **data):
    url = f"{LIST}{ticket.pk}/presence/"
    response = client.post(url, data) if data else client.get(url)
    assert response.status_code == 200
    return response.json()


def test_two_analysts_on_one_ticket_see_each_other_and_who_types(ana, bia, ticket):
    ana_client, bia_client = client_for(ana), client_for(bia)
    assert presence(ana_client, ticket, typing="0")["colleagues"] == []
    # Bia opens the page: it says who else is here, already drawn, without any script.
    html = bia_client.get(page_of(ticket)).content.decode()
    assert re.search(
        r'id="ticket-presence"[^>]*>\s*<strong>[^<]*</strong>\s*'
        r'<span class="ticket-presence-names">Ana Lima</span>',
        html,
    )
    assert presence(ana_client, ticket, typing="0")["colleagues"] == [
        {"name": "Bia Souza", "typing": False}
    ]
    presence(bia_client, ticket, typing="1")
    assert presence(ana_client, ticket, typing="0")["colleagues"] == [
        {"name": "Bia Souza", "typing": True}
    ]
    assert presence(bia_client, ticket, typing="1")["colleagues"] == [
        {"name": "Ana Lima", "typing": False}
    ]
    # Bia leaves the page.
    assert bia_client.post(f"{LIST}{ticket.pk}/presence/", {"leave": "1"}).json() == {"left": True}
    assert presence(ana_client, ticket)["colleagues"] == []


def test_presence_expires_and_expired_rows_are_cleaned_up(ana, bia, ticket):
    now = timezone.now()
    workspace_services.presence_note(
        ticket_id=ticket.pk, user=bia, typing=True, now=now - PRESENCE_TTL - timedelta(seconds=1)
    )
    assert presence(client_for(ana), ticket)["colleagues"] == []  # gone quiet: gone
    workspace_services.presence_note(ticket_id=ticket.pk, user=ana, typing=False, now=now)
    assert workspace_services.presence_forget_expired(now=now) == 1
    assert list(TicketPresence.objects.values_list("user", flat=True)) == [ana.pk]


def test_presence_says_when_a_new_message_arrived(ana, ticket):
    first = presence(client_for(ana), ticket, typing="0")["latest_message"]
    message = record_services.message_post(
        ticket=ticket,
        author=ticket.requester,
        body="Ainda não abre.",
        channel="portal",
        now=timezone.now(),
    )
    assert first == 0
    assert presence(client_for(ana), ticket)["latest_message"] == message.pk


def test_the_presence_poll_is_cheap_whatever_the_analysts(ana, ticket, django_assert_num_queries):
    client = client_for(ana)
    presence(client, ticket, typing="0")
    # session, user; the ticket (its snapshot, its newest message), its clocks, the note, the
    # colleagues
    with django_assert_num_queries(6):
        presence(client, ticket, typing="1")
    for n in range(5):
        colleague = factories.make_analyst(username=f"colega{n}")
        workspace_services.presence_note(
            ticket_id=ticket.pk, user=colleague, typing=bool(n % 2), now=timezone.now()
        )
    with django_assert_num_queries(6):
        assert len(presence(client, ticket, typing="1")["colleagues"]) == 5


def test_the_poll_keeps_the_clock_badges_current(ana, bia, ticket):
    client = client_for(ana)
    page = client.get(page_of(ticket)).content.decode()
    assert 'data-clock="first_response"' in page and 'data-clock="resolution"' in page
    before = {clock["code"]: clock for clock in presence(client, ticket, typing="0")["clocks"]}
    assert set(before) == {"first_response", "resolution"}
    assert before["first_response"]["state"] in ("on_track", "at_risk", "breached")
    # a colleague answers while the page is open: the next poll shows the clock met
    services.ticket_assign(ticket=ticket, analyst=bia, actor=bia, now=timezone.now())
    after = {clock["code"]: clock for clock in presence(client, ticket, typing="0")["clocks"]}
    assert after["first_response"]["state"] == "met"
    assert after["resolution"]["state"] == before["resolution"]["state"]


def test_the_list_marks_tickets_another_analyst_has_open(ana, bia, ticket, levels, customer):
    quiet = services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject="Sossegado",
        description="x",
        priority=levels["baixa"],
        reported_at=timezone.now(),
        now=timezone.now(),
    )
    client_for(bia).get(page_of(ticket))
    presence(client_for(bia), ticket, typing="1")
    html = client_for(ana).get(LIST).content.decode()
    rows = {
        int(pk): row
        for pk, row in re.findall(
            r'<tr>.*?name="_selected_action" value="(\d+)"(.*?)</tr>', html, re.S
        )
    }
    assert "presence-mark" in rows[ticket.pk] and "Bia Souza (typing…)" in rows[ticket.pk]
    assert "presence-mark" not in rows[quiet.pk]
    # Her own presence is no news to Bia.
    assert "presence-mark" not in client_for(bia).get(LIST).content.decode()


# -- a reply that crosses a newer message ----------------------------------------------------


def test_a_reply_crossing_a_newer_message_is_held_shown_first_and_sent_on_request(
    ana, ticket, customer
):
    client = client_for(ana)
    html = client.get(page_of(ticket)).content.decode()
    seen = seen_message(html)
    crossing = record_services.message_post(
        ticket=ticket,
        author=customer,
        body="Na verdade o erro mudou: agora dá 500.",
        channel="portal",
        now=timezone.now(),
    )
    url = f"{LIST}{ticket.pk}/respond/"
    data = {"response": "reply", "body": "Pode limpar o cache?", "seen_message": seen}
    held = client.post(url, data)
    assert held.status_code == 200
    page = held.content.decode()
    assert not ticket.messages.filter(direction=Direction.TO_CUSTOMER).exists()
    assert "A new message arrived while you were writing" in page
    crossed = page.index('class="crossed-messages"')
    assert crossed < page.index('id="conversation"') < page.index('id="reply-box"')
    assert (
        "Na verdade o erro mudou: agora dá 500." in page[crossed : page.index('id="conversation"')]
    )
    assert textarea(page) == "Pode limpar o cache?"
    assert seen_message(page) == str(crossing.pk)
    # Send anyway: the page has now seen the new message.
    sent = client.post(url, {**data, "seen_message": seen_message(page)})
    assert sent.status_code == 302
    assert ticket.messages.filter(direction=Direction.TO_CUSTOMER).get().body == (
        "Pode limpar o cache?"
    )


def test_a_note_is_not_held_by_a_crossing_message(ana, ticket, customer):
    client = client_for(ana)
    seen = seen_message(client.get(page_of(ticket)).content.decode())
    record_services.message_post(
        ticket=ticket, author=customer, body="Novidade", channel="portal", now=timezone.now()
    )
    response = client.post(
        f"{LIST}{ticket.pk}/respond/", {"response": "note", "body": "Anotado", "seen_message": seen}
    )
    assert response.status_code == 302
    assert ticket.messages.filter(direction=Direction.INTERNAL).exists()


# -- who may use the page's addresses ---------------------------------------------------------


def test_customers_and_strangers_never_reach_the_pages_addresses(ticket, customer, ana):
    addresses = [
        ("post", f"{LIST}{ticket.pk}/respond/", {"response": "reply", "body": "Oi"}),
        ("post", f"{LIST}{ticket.pk}/presence/", {"typing": "1"}),
        ("get", f"{LIST}{ticket.pk}/presence/", {}),
        ("post", f"{LIST}{ticket.pk}/conversation-order/", {"newest_first": "1"}),
    ]
    for client in (Client(), client_for(customer)):
        for method, url, data in addresses:
            response = getattr(client, method)(url, data)
            assert response.status_code == 302 and "/admin/login/" in response["Location"], url
    assert not ticket.messages.exists()
    assert not TicketPresence.objects.exists()


def test_analysts_without_the_tickets_permissions_are_refused(ticket):
    nobody = factories.make_analyst(username="estagiario")
    client = client_for(nobody)
    assert (
        client.post(f"{LIST}{ticket.pk}/respond/", {"response": "reply", "body": "Oi"}).status_code
        == 403
    )
    assert client.post(f"{LIST}{ticket.pk}/presence/", {"typing": "1"}).status_code == 403
    assert client.post(f"{LIST}{ticket.pk}/conversation-order/", {}).status_code == 403
    # Viewing is enough to be seen on a ticket; answering takes the right to change it.
    nobody.user_permissions.add(Permission.objects.get(codename="view_ticket"))
    client = client_for(nobody)
    assert client.post(f"{LIST}{ticket.pk}/presence/", {"typing": "0"}).status_code == 200
    assert (
        client.post(f"{LIST}{ticket.pk}/respond/", {"response": "reply", "body": "Oi"}).status_code
        == 403
    )
    assert not ticket.messages.exists()


def test_bad_input_is_a_404_or_a_form_error_never_a_500(ana, ticket):
    client = client_for(ana)
    assert client.post(f"{LIST}999999/presence/", {"typing": "1"}).status_code == 404
    assert client.post(f"{LIST}abc/presence/", {"typing": "1"}).status_code == 404
    assert (
        client.post(f"{LIST}999999/respond/", {"response": "reply", "body": "x"}).status_code == 404
    )
    bad = client.post(
        f"{LIST}{ticket.pk}/respond/",
        {"response": "explode", "body": "x", "seen_message": "-3"},
    )
    assert bad.status_code == 200 and not ticket.messages.exists()


# -- query counts -----------------------------------------------------------------------------


def test_the_page_costs_the_same_whatever_the_colleagues_on_it(ana, ticket):
    client = client_for(ana)
    client.get(page_of(ticket))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page_of(ticket)).status_code == 200
    alone = len(queries)
    for n in range(4):
        colleague = factories.make_analyst(username=f"colega{n}")
        workspace_services.presence_note(
            ticket_id=ticket.pk, user=colleague, typing=bool(n % 2), now=timezone.now()
        )
    with CaptureQueriesContext(connection) as queries:
        html = client.get(page_of(ticket)).content.decode()
    assert len(queries) == alone
    assert html.count("colega") >= 4


def test_the_combined_buttons_follow_where_the_ticket_may_go(ana, ticket):
    def buttons() -> list[str]:
        html = client_for(ana).get(page_of(ticket)).content.decode()
        return re.findall(r'<button type="submit" name="response" value="(\w+)"', html)

    respond(
        client_for(ana), ticket, "reply_waiting", "Envie o log.", reason="O log", assign_to_me="on"
    )
    assert buttons() == ["reply", "note", "reply_resolve"]  # already waiting
    respond(client_for(ana), ticket, "reply_resolve", "Resolvido.")
    assert buttons() == ["reply", "note"]
