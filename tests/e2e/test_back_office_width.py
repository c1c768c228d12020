"""Every page of the back office fits a 1366 px screen, in the three languages.

An analyst's laptop is 1366 px wide: a page wider than that hides a column or a button behind
sideways scrolling. The pages are every model's list, add form and the change form of its
first object, the admin's home and the desk's own pages (queues, reports, the call form),
found from the admin site's registry, so a page added later is measured too. Each answers
200 (never a 500; an add form nobody may use, 403) and its document is no wider than the window.
"""

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from communications import services as record_services
from communications.models import Message
from tests import factories
from tests.e2e.conftest import admin_login, orm
from tickets import services

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

VIEWPORT = {"width": 1366, "height": 800}
OWN_PAGES = (
    ("admin:index", ()),
    ("admin:workspace_queue_view", ("all-open",)),
    ("admin:oncall_take_call", ()),
    ("admin:reports_compliance", ()),
    ("admin:reports_backlog", ()),
)


def _desk(levels) -> None:
    """A little of everything, so lists and change forms have rows to draw."""
    customer = factories.make_customer(email="rita@acme.example", first_name="Rita")
    now = timezone.now()
    for number, level in enumerate(("critica", "alta", "media", "baixa")):
        ticket = services.ticket_create(
            organization=customer.membership.organization,
            requester=customer,
            subject=f"Relatório {number} com um título bem comprido para ver se a coluna quebra",
            description="Uma linha sem espaços: " + "x" * 400,
            priority=levels[level],
            reported_at=now,
            now=now,
        )
        record_services.message_post(
            ticket=ticket,
            author=customer,
            body="Ainda não funciona. " * 20,
            channel=Message.Channel.PORTAL,
            now=now,
        )


def _pages() -> list[str]:
    """Each registered model's list, add form and first object's change form, and ours."""
    urls = []
    for name, args in OWN_PAGES:
        try:
            urls.append(reverse(name, args=args))
        except NoReverseMatch:
            continue
    for model in admin.site._registry:
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        urls.append(reverse(f"{prefix}_changelist"))
        urls.append(reverse(f"{prefix}_add"))  # refused (403) where nobody adds by hand
        if not opts.managed:  # a page hung on the admin (reports), no table behind it
            continue
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse(f"{prefix}_change", args=[first.pk]))
    return urls


@pytest.mark.parametrize("language", ["pt-br", "en", "es"])
def test_every_back_office_page_fits_1366_px(new_context, live_server, levels, language):
    base = live_server.url
    factories.make_analyst(username="ana", first_name="Ana", is_superuser=True)
    _desk(levels)
    pages = orm(_pages)
    context = new_context(viewport=VIEWPORT)
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    admin_login(page, base, "ana")
    too_wide, failed = {}, {}
    for url in pages:
        response = page.goto(f"{base}{url}")
        status = response.status if response else None
        if status == 403 and url.endswith("/add/"):
            continue
        if status != 200:
            failed[url] = status
            continue
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > VIEWPORT["width"]:
            too_wide[url] = width
    assert not failed, failed
    assert not too_wide, too_wide
    assert len(pages) > 40  # the registry was read: every app's lists and forms
