"""The customer portal's pages: what they show, to whom, in which zone, and at what cost."""

import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from helpdesk.formats import format_instant
from tests import factories
from tickets import services
from tickets.models import Ticket
from tickets.views import HOME_PAGE_SIZE

pytestmark = pytest.mark.django_db
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
# Session, user (with membership and organization), count, the page's ids, their tickets,
# their clocks, the priority filter's levels.
HOME_QUERIES = 7


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ticket(customer, level, *, reported_at=None, **fields):
    reported_at = reported_at or timezone.now()
    return services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject=fields.pop("subject", "Falha nos relatórios"),
        description="d",
        priority=level,
        reported_at=reported_at,
        now=max(reported_at, timezone.now()),
        **fields,
    )


# -- "the clock will start counting at ..." -------------------------------------------------


def test_out_of_hours_notice_counts_from_the_report_not_from_the_page_view(default_policy, levels):
    customer = factories.make_customer()
    saturday = datetime(2026, 11, 21, 10, 0, tzinfo=SAO_PAULO)
    ticket = _ticket(customer, levels["alta"], reported_at=saturday)

    response = _client(customer).get(f"{ticket.get_absolute_url()}?opened=1")

    assert response.context["clock_starts_at"] == datetime(2026, 11, 23, 9, 0, tzinfo=SAO_PAULO)
    assert "23/11/2026 09:00 (UTC-03:00)" in response.content.decode()


def test_no_clock_notice_for_a_ticket_reported_in_support_hours(default_policy, levels):
    customer = factories.make_customer()
    monday = datetime(2026, 11, 23, 10, 0, tzinfo=SAO_PAULO)
    ticket = _ticket(customer, levels["alta"], reported_at=monday)

    response = _client(customer).get(f"{ticket.get_absolute_url()}?opened=1")

    assert response.context["clock_starts_at"] is None


# -- home: pagination and query count -------------------------------------------------------


def _many_tickets(customer, level, count: int) -> list:
    return [_ticket(customer, level, subject=f"Ticket {number}") for number in range(count)]


@pytest.mark.parametrize("count", [5, 50])
def test_home_costs_the_same_queries_for_5_or_50_tickets(
    count, default_policy, levels, django_assert_num_queries
):
    customer = factories.make_customer()
    _many_tickets(customer, levels["media"], count)
    client = _client(customer)

    with django_assert_num_queries(HOME_QUERIES):
        response = client.get("/")

    assert response.status_code == 200
    assert len(response.context["open_rows"]) == min(count, HOME_PAGE_SIZE)


def test_home_pages_keep_open_tickets_first_and_the_filters(
    default_policy, levels, django_capture_on_commit_callbacks
):
    customer = factories.make_customer()
    with django_capture_on_commit_callbacks(execute=True):  # indexed for search on commit
        tickets = _many_tickets(customer, levels["media"], HOME_PAGE_SIZE + 1)
    newest = tickets[-1]
    Ticket.objects.filter(pk=newest.pk).update(status=Ticket.Status.CLOSED)
    client = _client(customer)

    first = client.get("/", {"q": "Ticket"})
    second = client.get("/", {"q": "Ticket", "page": 2})

    assert len(first.context["open_rows"]) == HOME_PAGE_SIZE
    assert first.context["closed_rows"] == []
    assert 'href="?q=Ticket&amp;page=2"' in first.content.decode()
    assert [row[0].pk for row in second.context["closed_rows"]] == [newest.pk]
    assert second.context["open_rows"] == []


@pytest.mark.parametrize("page", ["abc", "-1", "0", "999", "1.5", "", "9" * 40])
def test_a_bad_page_number_is_a_page_not_an_error(page, default_policy, levels):
    customer = factories.make_customer()
    _many_tickets(customer, levels["media"], 3)

    response = _client(customer).get("/", {"page": page})

    assert response.status_code == 200
    assert len(response.context["open_rows"]) == 3


# -- the customer's own time zone -------------------------------------------------------------


def _in_lisbon(customer):
    customer.membership.time_zone = "Europe/Lisbon"
    customer.membership.save()


def test_a_customer_in_lisbon_reads_deadlines_in_lisbon_time_with_its_offset(
    default_policy, levels
):
    customer = factories.make_customer()
    _in_lisbon(customer)
    lisbon = ZoneInfo("Europe/Lisbon")
    monday = datetime(2026, 11, 23, 10, 0, tzinfo=SAO_PAULO)
    reported = _ticket(customer, levels["alta"], reported_at=monday)
    running = _ticket(customer, levels["alta"])  # its first-response deadline is ahead
    due = running.clocks.get(metric="first_response").due_at
    client = _client(customer)

    detail = client.get(reported.get_absolute_url()).content.decode()
    running_detail = client.get(running.get_absolute_url()).content.decode()
    home = client.get("/").content.decode()

    # Reported at 10:00 in São Paulo is 13:00 in Lisbon (UTC+00:00 in November).
    assert "23/11/2026 13:00 (UTC+00:00)" in detail
    assert "(UTC-03:00)" not in detail
    with translation.override("pt-br"):
        for page in (running_detail, home):
            assert format_instant(due, lisbon) in page
            assert format_instant(due, SAO_PAULO) not in page


def test_without_a_chosen_zone_the_calendar_zone_is_used(default_policy, levels):
    customer = factories.make_customer()
    monday = datetime(2026, 11, 23, 10, 0, tzinfo=SAO_PAULO)
    ticket = _ticket(customer, levels["alta"], reported_at=monday)

    detail = _client(customer).get(ticket.get_absolute_url()).content.decode()

    assert "23/11/2026 10:00 (UTC-03:00)" in detail


def test_the_customer_chooses_a_zone_on_the_preferences_page(default_policy):
    customer = factories.make_customer()
    client = _client(customer)

    page = client.get(reverse("tickets:preferences"))
    assert page.status_code == 200
    assert '<option value="Europe/Lisbon">' in page.content.decode()
    saved = client.post(
        reverse("tickets:preferences"), {"time_zone": "Europe/Lisbon", "language": "en"}
    )

    assert saved.status_code == 302
    customer.membership.refresh_from_db()
    assert (customer.membership.time_zone, customer.membership.language) == ("Europe/Lisbon", "en")


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "Europe/Lisboa", "../etc/passwd", "x" * 64])
def test_only_a_real_iana_zone_is_accepted(zone, default_policy):
    customer = factories.make_customer()

    response = _client(customer).post(
        reverse("tickets:preferences"), {"time_zone": zone, "language": "pt-br"}
    )

    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    customer.membership.refresh_from_db()
    assert customer.membership.time_zone == ""
    customer.membership.time_zone = zone
    with pytest.raises(ValidationError):
        customer.membership.full_clean()


def test_an_analyst_has_no_portal_preferences(default_policy):
    analyst = factories.make_analyst()
    response = _client(analyst).get(reverse("tickets:preferences"))
    assert response.status_code == 302


def test_the_api_keeps_one_zone_whatever_the_customer_chose(default_policy, levels):
    customer = factories.make_customer()
    _in_lisbon(customer)
    ticket = _ticket(customer, levels["alta"])

    response = _client(customer).get(f"/api/tickets/{ticket.reference}/")

    assert response.status_code == 200
    assert response.json()["reported_at"].endswith("-03:00")


# -- sharing a ticket with colleagues --------------------------------------------------------


@pytest.fixture
def acme(default_policy, levels):
    organization = factories.make_organization(name="Acme")
    people = {
        "requester": factories.make_customer(organization=organization),
        "colleague": factories.make_customer(organization=organization, first_name="Bia"),
        "other_colleague": factories.make_customer(organization=organization),
        "org_admin": factories.make_customer(organization=organization, is_admin=True),
        "stranger": factories.make_customer(),
    }
    people["ticket"] = _ticket(people["requester"], levels["media"])
    return people


def _share(client, ticket, *users):
    return client.post(
        reverse("tickets:share", args=[ticket.reference]), {"members": [u.pk for u in users]}
    )


def test_the_requester_shares_and_the_colleague_sees_the_ticket(acme):
    ticket, colleague = acme["ticket"], acme["colleague"]
    colleague_client = _client(colleague)
    assert colleague_client.get(ticket.get_absolute_url()).status_code == 404

    form = _client(acme["requester"]).get(ticket.get_absolute_url())
    assert f'action="/tickets/{ticket.reference}/share/"' in form.content.decode()
    response = _share(_client(acme["requester"]), ticket, colleague)

    assert response.status_code == 302
    assert list(ticket.shared_with.all()) == [colleague]
    assert colleague_client.get(ticket.get_absolute_url()).status_code == 200
    assert ticket in colleague_client.get("/").context["open_rows"][0]
    # A member it is not shared with still gets a 404, not a 403.
    assert _client(acme["other_colleague"]).get(ticket.get_absolute_url()).status_code == 404
    record = ticket.history.first()  # who changed the sharing, and when, is kept
    assert record.history_user == acme["requester"]
    assert record.history_change_reason


def test_an_org_admin_unshares(acme):
    ticket, colleague = acme["ticket"], acme["colleague"]
    ticket.shared_with.add(colleague)

    _share(_client(acme["org_admin"]), ticket)

    assert ticket.shared_with.count() == 0
    assert _client(colleague).get(ticket.get_absolute_url()).status_code == 404


def test_a_member_of_another_organization_cannot_be_added(acme):
    ticket, stranger = acme["ticket"], acme["stranger"]

    response = _share(_client(acme["requester"]), ticket, stranger)

    assert response.status_code == 302
    assert ticket.shared_with.count() == 0
    assert _client(stranger).get(ticket.get_absolute_url()).status_code == 404
    with pytest.raises(ValidationError):
        services.ticket_share(
            ticket=ticket, members=[stranger], actor=acme["requester"], now=timezone.now()
        )
    with pytest.raises(ValidationError):
        services.ticket_share(
            ticket=ticket,
            members=[factories.make_analyst()],
            actor=acme["requester"],
            now=timezone.now(),
        )


def test_only_the_requester_or_an_org_admin_may_share(acme):
    ticket, colleague = acme["ticket"], acme["colleague"]
    ticket.shared_with.add(colleague)

    page = _client(colleague).get(ticket.get_absolute_url())
    assert page.context["share_form"] is None
    _share(_client(colleague), ticket, colleague, acme["other_colleague"])
    assert list(ticket.shared_with.all()) == [colleague]
    assert _share(_client(acme["stranger"]), ticket, acme["stranger"]).status_code == 404
    assert _share(_client(acme["other_colleague"]), ticket).status_code == 404
    with pytest.raises(ValidationError):
        services.ticket_share(
            ticket=ticket, members=[], actor=factories.make_analyst(), now=timezone.now()
        )


# -- password reset in the portal's layout ---------------------------------------------------


def _in_portal_layout(response) -> None:
    """Rendered from the portal's templates, inside base.html (not the admin's)."""
    names = [template.name for template in response.templates]
    assert "base.html" in names
    assert "admin/base.html" not in names
    html = response.content.decode()
    assert 'class="skip" href="#main"' in html
    assert "helpdesk/portal.css" in html


def test_password_reset_pages_use_the_portal_layout(mailoutbox):
    customer = factories.make_customer(email="ana@example.com")
    client = Client()

    form = client.get(reverse("password_reset"))
    assert form.status_code == 200
    assert "registration/password_reset_form.html" in [t.name for t in form.templates]
    _in_portal_layout(form)

    sent = client.post(reverse("password_reset"), {"email": customer.email}, follow=True)
    assert "registration/password_reset_done.html" in [t.name for t in sent.templates]
    _in_portal_layout(sent)

    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mailoutbox[0].body).group(1)
    confirm = client.get(link, follow=True)
    assert "registration/password_reset_confirm.html" in [t.name for t in confirm.templates]
    assert confirm.context["validlink"]
    _in_portal_layout(confirm)

    new_password = "a-much-longer-pass-2026"
    done = client.post(
        confirm.redirect_chain[-1][0] if confirm.redirect_chain else link,
        {"new_password1": new_password, "new_password2": new_password},
        follow=True,
    )
    assert "registration/password_reset_complete.html" in [t.name for t in done.templates]
    _in_portal_layout(done)
    customer.refresh_from_db()
    assert customer.check_password(new_password)


def test_a_used_reset_link_says_so_in_the_portal_layout():
    client = Client()
    response = client.get("/accounts/reset/MQ/set-password/")
    assert response.status_code == 200
    assert not response.context["validlink"]
    assert reverse("password_reset") in response.content.decode()
    _in_portal_layout(response)


# -- the new-ticket form and 24x7 integration support -------------------------------------------


def test_the_form_shows_the_24x7_target_to_an_organization_with_the_contract(
    default_policy, levels
):
    customer = factories.make_customer()
    factories.make_contract(organization=customer.membership.organization, integration_24x7=True)

    response = _client(customer).get(reverse("tickets:new"), HTTP_ACCEPT_LANGUAGE="en")

    guide = {item["level"].code: item for item in response.context["levels"]}
    assert guide["alta"]["integration_24x7_resolution"] == (timedelta(hours=8), "integration_24x7")
    assert guide["critica"]["integration_24x7"]  # covered, its target already runs 24x7
    assert guide["critica"]["integration_24x7_resolution"] is None
    assert not guide["media"]["integration_24x7"] and not guide["baixa"]["integration_24x7"]
    html = response.content.decode()
    assert "24x7 support for integrations built by us" in html
    assert "not for self-service integrations" in html
    assert "Levels covered: 1 — " in html
    assert "8h 00m (off hours count half)" in html


def test_the_form_shows_no_24x7_target_without_the_contract(default_policy, levels):
    customer = factories.make_customer()
    factories.make_contract(organization=customer.membership.organization)

    response = _client(customer).get(reverse("tickets:new"), HTTP_ACCEPT_LANGUAGE="en")

    assert not any(item["integration_24x7"] for item in response.context["levels"])
    assert "off hours count half" not in response.content.decode()
    assert "integrations built by us" not in response.content.decode()


# -- menu and accessibility basics ---------------------------------------------------------------


class _FieldsAndLabels(HTMLParser):
    """Form fields of a page and whether each has a label (around it or pointing at its id)."""

    def __init__(self):
        super().__init__()
        self.fields, self.label_targets, self.open_labels = [], set(), 0
        self.skip_link = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self.open_labels += 1
            if attrs.get("for"):
                self.label_targets.add(attrs["for"])
        elif tag in {"input", "select", "textarea"} and attrs.get("type") != "hidden":
            self.fields.append((attrs.get("name"), attrs.get("id"), self.open_labels > 0))
        elif tag == "a" and attrs.get("class") == "skip" and attrs.get("href") == "#main":
            self.skip_link = True

    def handle_endtag(self, tag):
        if tag == "label":
            self.open_labels -= 1

    def unlabelled(self) -> list:
        return [f for f in self.fields if not f[2] and f[1] not in self.label_targets]


def test_the_menu_links_the_api_tokens_page_and_marks_the_current_one(default_policy):
    client = _client(factories.make_customer())

    html = client.get(reverse("accounts:tokens")).content.decode()

    assert f'<a href="{reverse("accounts:tokens")}" aria-current="page">' in html
    assert f'<a href="{reverse("tickets:preferences")}">' in html


def test_every_field_of_the_portal_pages_has_a_label(default_policy, levels):
    customer = factories.make_customer(organization=factories.make_organization(), is_admin=True)
    factories.make_customer(organization=customer.membership.organization)  # to share with
    ticket = _ticket(customer, levels["alta"])
    pages = [
        "/",
        reverse("tickets:new"),
        ticket.get_absolute_url(),
        reverse("tickets:preferences"),
        reverse("accounts:tokens"),
        reverse("agreement"),
    ]
    for client, urls in (
        (_client(customer), pages),
        (Client(), [reverse("login"), reverse("password_reset")]),
    ):
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            page = _FieldsAndLabels()
            page.feed(response.content.decode())
            assert page.fields, url
            assert page.unlabelled() == [], url
            assert page.skip_link, url
            assert 'id="main"' in response.content.decode(), url
