"""The bell in the back office's header and the list behind it: one's own notices only, one
query a page however many there are, open / mark read / mark all read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notices import services
from notices.models import Notice
from tests import factories
from tests.notices.conftest import NOW, client_for

pytestmark = pytest.mark.django_db
LIST = "/admin/notices/notice/"


def ring(user, ticket, count: int, *, start: int = 0) -> None:
    services.notices_record(
        [
            services.NoticeDraft(
                key=f"test:{user.pk}:{number}",
                recipient_id=user.pk,
                kind=Notice.Kind.CUSTOMER_ANSWERED,
                ticket_id=ticket.pk,
                text=f"Resposta {number}",
            )
            for number in range(start, start + count)
        ],
        now=NOW,
    )


def bell_queries(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if '"notices_notice"' in q["sql"]]


def test_the_bell_shows_the_unread_count_and_the_newest(ticket, ana, bruno):
    ring(ana, ticket, 3)
    ring(bruno, ticket, 2, start=10)  # someone else's

    page = client_for(ana).get("/admin/")

    html = page.content.decode()
    assert page.status_code == 200
    assert '<span class="notices-bell-count">3</span>' in html
    assert "Resposta 2" in html and "Resposta 10" not in html
    assert ticket.reference in html
    assert 'action="/admin/notices/notice/read-all/"' in html


def test_no_unread_notice_no_count(ticket, ana):
    ring(ana, ticket, 1)
    services.notices_read(user=ana, now=NOW)
    html = client_for(ana).get("/admin/", headers={"accept-language": "en"}).content.decode()
    assert 'class="notices-bell-count"' not in html and "No unread notices." in html


def test_the_bell_costs_one_query_whatever_the_number_of_notices(ticket, ana):
    client = client_for(ana)
    with CaptureQueriesContext(connection) as none:
        assert client.get("/admin/").status_code == 200
    ring(ana, ticket, 40)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/admin/")
    assert '<span class="notices-bell-count">40</span>' in page.content.decode()
    assert len(none) == len(many)
    assert len(bell_queries(none)) == len(bell_queries(many)) == 1


def test_the_list_is_ones_own_and_costs_the_same_for_2_and_30(ticket, ana, bruno):
    client = client_for(ana)
    ring(ana, ticket, 2)
    ring(bruno, ticket, 5, start=100)
    with CaptureQueriesContext(connection) as few:
        listing = client.get(LIST)
    assert listing.status_code == 200
    assert {n.recipient_id for n in listing.context["cl"].result_list} == {ana.pk}
    ring(ana, ticket, 28, start=2)
    with CaptureQueriesContext(connection) as many:
        listing = client.get(LIST)
    assert len(listing.context["cl"].result_list) == 30
    assert len(few) == len(many)


def test_opening_a_notice_marks_it_read_and_goes_to_the_ticket(ticket, ana, bruno):
    ring(ana, ticket, 1)
    ring(bruno, ticket, 1, start=5)
    mine = Notice.objects.get(recipient=ana)
    theirs = Notice.objects.get(recipient=bruno)
    client = client_for(ana)

    opened = client.get(f"/admin/notices/notice/{mine.pk}/open/")

    assert opened.status_code == 302
    assert opened["Location"] == f"/admin/tickets/ticket/{ticket.pk}/change/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    first = mine.read_at
    client.get(f"/admin/notices/notice/{mine.pk}/open/")
    mine.refresh_from_db()
    assert mine.read_at == first  # read once
    assert client.get(f"/admin/notices/notice/{theirs.pk}/open/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_and_mark_all_read(ticket, ana, bruno):
    ring(ana, ticket, 4)
    ring(bruno, ticket, 1, start=9)
    client = client_for(ana)
    first, second = Notice.objects.filter(recipient=ana).order_by("pk")[:2]
    theirs = Notice.objects.get(recipient=bruno)

    client.post(
        LIST,
        {"action": "mark_read", "_selected_action": [first.pk, second.pk, theirs.pk]},
    )
    assert Notice.objects.filter(recipient=ana).unread().count() == 2
    assert client.get("/admin/notices/notice/read-all/").status_code == 405
    back = client.post("/admin/notices/notice/read-all/", {"next": "/admin/"})
    assert (back.status_code, back["Location"]) == (302, "/admin/")
    assert not Notice.objects.filter(recipient=ana).unread().exists()
    assert Notice.objects.get(pk=theirs.pk).read_at is None  # never someone else's
    away = client.post("/admin/notices/notice/read-all/", {"next": "https://evil.example/"})
    assert away["Location"] == LIST


def test_customers_are_kept_out_of_the_bell_pages(ticket, customer, ana):
    ring(ana, ticket, 1)
    notice = Notice.objects.get()
    client = client_for(customer)
    for response in (
        client.get(LIST),
        client.get(f"/admin/notices/notice/{notice.pk}/open/"),
        client.post("/admin/notices/notice/read-all/"),
        client.get(f"/admin/notices/notice/{notice.pk}/change/"),
    ):
        assert response.status_code in {302, 404}
        if response.status_code == 302:
            assert response["Location"].startswith("/admin/login/")
    assert Notice.objects.get().read_at is None


def test_an_analyst_without_any_permission_has_their_bell(ticket):
    bare = factories.make_analyst(username="novato")
    ring(bare, ticket, 1)
    client = client_for(bare)
    assert client.get(LIST).status_code == 200
    assert '<span class="notices-bell-count">1</span>' in client.get("/admin/").content.decode()
