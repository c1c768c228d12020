"""The resolved e-mail's one-click links: signed, single-use, expiring, never acting on a GET."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from notices.models import Notice
from satisfaction import services
from satisfaction.models import Rating, Survey
from tests.satisfaction.conftest import resolve_ticket, resolved_email
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def links(email) -> dict[str, str]:
    """The e-mail's links by class, as paths the test client can open."""
    found = dict(re.findall(r'<a href="([^"]+)" class="(answer-\w+|ticket-link)"', email.body_html))
    by_class = {cls: href for href, cls in found.items()}
    return {
        cls: href.removeprefix(settings.PORTAL_URL.rstrip("/")) for cls, href in by_class.items()
    }


def client_of(user=None, *, language="en") -> Client:
    client = Client(headers={"accept-language": language})
    if user is not None:
        client.force_login(user)
    return client


def test_the_resolved_email_links_to_the_ticket_and_carries_the_answers(resolved):
    email = resolved_email(resolved)
    found = links(email)
    assert found["ticket-link"] == resolved.get_absolute_url()
    assert found["answer-solved"].startswith("/satisfaction/answer/")
    assert found["answer-reopen"].startswith("/satisfaction/answer/")
    assert found["answer-solved"] != found["answer-reopen"]
    assert settings.PORTAL_URL.rstrip("/") + resolved.get_absolute_url() in email.body_text
    assert email.body_text.count("/satisfaction/answer/") == 2 + 5  # yes, no, and 1 to 5
    assert Survey.objects.get(ticket=resolved).resolved_at == resolved.resolved_at


def test_every_customer_email_links_to_its_ticket(resolved):
    from communications.models import OutboundEmail

    to_customer = OutboundEmail.objects.filter(to="cliente@acme.example.com")
    assert {email.key.split(":")[0] for email in to_customer} == {
        "ticket-opened",
        "ticket-resolved",
    }
    for email in to_customer:
        url = settings.PORTAL_URL.rstrip("/") + resolved.get_absolute_url()
        assert url in email.body_text and f'href="{url}"' in email.body_html


def test_a_get_never_acts(resolved):
    found = links(resolved_email(resolved))
    for name in ("answer-solved", "answer-reopen"):
        for client in (client_of(), client_of(resolved.requester)):
            response = client.get(found[name])
            assert response.status_code == 200
            assert b'id="answer-form"' in response.content
    resolved.refresh_from_db()
    assert resolved.status == Ticket.Status.RESOLVED
    assert Survey.objects.get(ticket=resolved).verdict == ""


def test_yes_solved_closes_the_ticket_once_and_spends_both_links(resolved):
    found = links(resolved_email(resolved))
    response = client_of().post(found["answer-solved"])  # no login needed: the link is signed
    assert response.status_code == 200
    resolved.refresh_from_db()
    assert resolved.status == Ticket.Status.CLOSED
    assert resolved.history.first().history_change_reason == "The customer confirmed the solution"
    assert resolved.history.first().history_user == resolved.requester
    survey = Survey.objects.get(ticket=resolved)
    assert survey.verdict == Survey.Verdict.SOLVED
    for name in ("answer-solved", "answer-reopen"):  # used: refused, by GET and POST alike
        assert client_of().get(found[name]).status_code == 410
        assert client_of().post(found[name]).status_code == 410
    resolved.refresh_from_db()
    assert resolved.status == Ticket.Status.CLOSED


def test_no_reopen_reopens_it_with_the_customers_reason(resolved):
    found = links(resolved_email(resolved))
    response = client_of().post(found["answer-reopen"], {"reason": "Ainda falha às 10h."})
    assert response.status_code == 200
    resolved.refresh_from_db()
    assert resolved.status == Ticket.Status.IN_PROGRESS and resolved.resolved_at is None
    assert resolved.history.first().history_change_reason == "Ainda falha às 10h."
    assert client_of().post(found["answer-reopen"]).status_code == 410


def test_an_expired_link_is_refused(
    default_policy, levels, customer, analyst, django_capture_on_commit_callbacks
):
    long_ago = timezone.now() - services.LINKS_VALID_FOR - timedelta(hours=1)
    ticket = resolve_ticket(
        customer, analyst, levels, callbacks=django_capture_on_commit_callbacks, at=long_ago
    )
    found = links(resolved_email(ticket))
    assert client_of().get(found["answer-solved"]).status_code == 410
    response = client_of().post(found["answer-solved"])
    assert response.status_code == 410
    assert b"expired" in response.content
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED


def test_a_reopen_past_the_policys_window_is_refused_by_the_ticket_rules(
    default_policy, levels, customer, analyst, django_capture_on_commit_callbacks
):
    window = default_policy.reopen_window
    at = timezone.now() - window - timedelta(hours=1)  # the link is valid, the window is not
    ticket = resolve_ticket(
        customer, analyst, levels, callbacks=django_capture_on_commit_callbacks, at=at
    )
    response = client_of().post(links(resolved_email(ticket))["answer-reopen"])
    assert response.status_code == 409
    assert b"reopen window has passed" in response.content
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    assert Survey.objects.get(ticket=ticket).verdict == ""  # nothing spent


def test_a_ticket_that_moved_on_refuses_the_link(resolved):
    from tickets import services as ticket_services

    found = links(resolved_email(resolved))
    ticket_services.ticket_transition(
        ticket=resolved,
        to_status=Ticket.Status.CLOSED,
        actor=resolved.requester,
        now=timezone.now(),
    )  # confirmed in the portal meanwhile
    assert client_of().post(found["answer-reopen"]).status_code == 409
    resolved.refresh_from_db()
    assert resolved.status == Ticket.Status.CLOSED


def test_a_forged_or_altered_token_is_not_found(resolved):
    found = links(resolved_email(resolved))
    token = found["answer-solved"].split("/")[3]
    assert client_of().get(f"/satisfaction/answer/{token[:-2]}xx/").status_code == 404
    forged = services._Signer(at=timezone.now())
    forged.key = "not-our-secret"
    other = forged.sign_object({"s": Survey.objects.get().pk, "a": "solved"})
    assert client_of().post(f"/satisfaction/answer/{other}/").status_code == 404
    resolved.refresh_from_db()
    assert resolved.status == Ticket.Status.RESOLVED


def test_a_foreign_user_gets_404_on_every_link(resolved, foreigner):
    found = links(resolved_email(resolved))
    foreign = client_of(foreigner)
    for name in ("answer-solved", "answer-reopen"):
        assert foreign.get(found[name]).status_code == 404
        assert foreign.post(found[name]).status_code == 404
    rate = found["answer-solved"]  # any: the rating link is the e-mail's score links
    del rate
    body = resolved_email(resolved).body_text
    score_link = re.search(r"1: (\S+\?score=1)", body).group(1)
    path = score_link.removeprefix(settings.PORTAL_URL.rstrip("/"))
    assert foreign.get(path).status_code == 404
    assert foreign.post(path, {"score": "1"}).status_code == 404
    assert foreign.get(f"/satisfaction/tickets/{resolved.reference}/rate/").status_code == 404
    assert (
        foreign.post(
            f"/satisfaction/tickets/{resolved.reference}/rate/", {"score": "1"}
        ).status_code
        == 404
    )
    resolved.refresh_from_db()
    assert resolved.status == Ticket.Status.RESOLVED and not Rating.objects.exists()


def score_path(ticket, score: int) -> str:
    body = resolved_email(ticket).body_text
    url = re.search(rf"{score}: (\S+\?score={score})", body).group(1)
    return url.removeprefix(settings.PORTAL_URL.rstrip("/"))


def test_a_rating_by_the_emails_link_is_kept_once(resolved, lead):
    path = score_path(resolved, 4)
    page = client_of().get(path)
    assert page.status_code == 200 and page.context["form"].initial == {"score": 4}
    assert not Rating.objects.exists()  # the GET chose nothing
    assert client_of().post(path, {"score": "4", "comment": "Rápido."}).status_code == 200
    rating = Rating.objects.get()
    assert (rating.score, rating.comment, rating.rated_by) == (4, "Rápido.", resolved.requester)
    assert client_of().post(path, {"score": "1"}).status_code == 410  # used
    assert Rating.objects.get().score == 4
    assert not Notice.objects.exists()  # a good rating tells nobody


def low_rating_emails():
    from communications.models import OutboundEmail

    return list(OutboundEmail.objects.filter(key__startswith="low-rating:"))


@pytest.mark.parametrize("score", [1, 2])
def test_a_low_rating_tells_the_team_leads_in_the_bell_and_by_email(
    resolved, lead, analyst, score, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_of().post(
            score_path(resolved, score), {"score": str(score), "comment": "Demorou  demais."}
        )
    (notice,) = Notice.objects.all()  # the leads only, not the analyst who resolved it
    assert (notice.recipient, notice.ticket_id) == (lead, resolved.pk)
    assert notice.kind == Notice.Kind.LOW_RATING
    assert notice.text == f"{score}/5 — Demorou demais."
    (email,) = low_rating_emails()
    assert email.to == lead.email and resolved.reference in email.subject
    assert f"{score}/5 — Demorou demais." in email.body_text
    assert f"/admin/tickets/ticket/{resolved.pk}/change/" in email.body_text


@pytest.mark.parametrize("score", [3, 4, 5])
def test_a_rating_of_3_or_more_tells_nobody(resolved, lead, score):
    client_of().post(score_path(resolved, score), {"score": str(score)})
    assert Rating.objects.get().score == score
    assert not Notice.objects.exists() and not low_rating_emails()


def test_a_lead_who_wants_low_ratings_in_the_bell_only_gets_no_email(resolved, lead):
    from oncall.models import NotificationPreference

    NotificationPreference.objects.create(user=lead, on_low_rating="bell")
    client_of().post(score_path(resolved, 1), {"score": "1"})
    assert list(Notice.objects.values_list("kind", flat=True)) == ["low_rating"]
    assert not low_rating_emails()


def test_a_lead_who_turned_low_ratings_off_is_not_told(resolved, lead):
    from oncall.models import NotificationPreference

    NotificationPreference.objects.create(user=lead, on_low_rating="off")
    client_of().post(score_path(resolved, 1), {"score": "1"})
    assert not Notice.objects.exists() and not low_rating_emails()
    assert Rating.objects.get().score == 1  # kept all the same


def test_the_bell_and_the_notice_list_show_a_low_rating_and_lead_to_the_ticket(resolved, lead):
    client_of().post(score_path(resolved, 2), {"score": "2", "comment": "Lento"})
    notice = Notice.objects.get()
    back_office = Client(headers={"accept-language": "en"})
    back_office.force_login(lead)
    bell = back_office.get("/admin/").content.decode()
    assert "<strong>Low satisfaction rating</strong>" in bell and "2/5 — Lento" in bell
    assert f'href="/admin/notices/notice/{notice.pk}/open/"' in bell
    listing = back_office.get("/admin/notices/notice/?kind=low_rating").content.decode()
    assert "<strong>low satisfaction rating</strong>" in listing and resolved.reference in listing
    opened = back_office.get(f"/admin/notices/notice/{notice.pk}/open/")
    assert opened["Location"] == f"/admin/tickets/ticket/{resolved.pk}/change/"


def test_a_score_out_of_range_is_refused(resolved):
    response = client_of().post(score_path(resolved, 5), {"score": "6"})
    assert response.status_code == 200 and response.context["form"].errors
    assert not Rating.objects.exists()


def test_the_portal_asks_the_requester_once(resolved):
    client = client_of(resolved.requester)
    page = client.get(resolved.get_absolute_url())
    assert b'id="rate-ticket"' in page.content
    url = f"/satisfaction/tickets/{resolved.reference}/rate/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"score": "5"})
    assert response.status_code == 302 and response["Location"] == resolved.get_absolute_url()
    assert Rating.objects.get().score == 5
    assert b'id="rate-ticket"' not in client.get(resolved.get_absolute_url()).content
    assert client.get(url).status_code == 404  # asked once
    assert client.post(url, {"score": "1"}).status_code == 404
    assert client_of().post(score_path(resolved, 1), {"score": "1"}).status_code == 410


def test_a_colleague_who_sees_the_ticket_is_not_asked(resolved, acme):
    from tests import factories

    admin = factories.make_customer(organization=acme, is_admin=True)
    client = client_of(admin)
    assert b'id="rate-ticket"' not in client.get(resolved.get_absolute_url()).content
    assert client.get(f"/satisfaction/tickets/{resolved.reference}/rate/").status_code == 404


def test_a_ticket_resolved_again_is_asked_again_and_keeps_its_history(
    resolved, analyst, django_capture_on_commit_callbacks
):
    from tickets import services as ticket_services

    first = score_path(resolved, 3)
    client_of().post(first, {"score": "3"})
    later = timezone.now()
    ticket = ticket_services.ticket_transition(
        ticket=resolved, to_status=Ticket.Status.IN_PROGRESS, actor=analyst, now=later
    )
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.ticket_transition(
            ticket=ticket,
            to_status=Ticket.Status.RESOLVED,
            actor=analyst,
            now=later + timedelta(seconds=1),
        )
    assert Survey.objects.filter(ticket=resolved).count() == 2
    url = f"/satisfaction/tickets/{resolved.reference}/rate/"
    client_of(resolved.requester).post(url, {"score": "5"})
    assert list(Rating.objects.values_list("score", flat=True)) == [5, 3]  # newest first


def test_the_back_office_shows_the_ratings(resolved, admin_client_logged):
    client_of().post(score_path(resolved, 2), {"score": "2", "comment": "Lento."})
    page = admin_client_logged.get(f"/admin/tickets/ticket/{resolved.pk}/change/")
    assert page.status_code == 200
    assert b'id="satisfaction-title"' in page.content and b"2/5" in page.content
    assert b"Lento." in page.content
