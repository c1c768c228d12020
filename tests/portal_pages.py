"""Every page a customer can reach, with the data that makes each one show its parts: used by
the catalogue test (tests/test_portal_languages.py) and the phone-width browser test."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from communications import services as record_services
from feature_requests.models import FeatureRequest
from help_center.demo import demo_articles_load
from tests import factories
from tickets import services

LONG_WORD = "x" * 5000  # an unbroken line: must wrap, never widen the page


def portal_world(levels) -> dict:
    """An organization's admin with a rich ticket (a reply, a file, clocks met late, a reopen),
    a cancelled one, a 24x7 contract and integration, a public feature request."""
    admin = factories.make_customer(is_admin=True)
    organization = admin.membership.organization
    factories.make_contract(organization=organization, integration_24x7=True)
    integration = factories.make_integration(organization=organization, vendor_built=True)
    analyst = factories.make_analyst()
    now = timezone.now()
    earlier = now - timedelta(days=3)
    ticket = record_services.ticket_open(
        organization=organization,
        requester=admin,
        subject=f"Exportação parada {LONG_WORD[:180]}",  # the field holds 200
        description=f"Desde segunda. {LONG_WORD}",
        priority=levels["alta"],
        reported_at=earlier,
        now=earlier,
        integration=integration,
        files=[record_services.IncomingFile("erro.log", "text/plain", b"ERROR\n")],
    )
    record_services.message_post(
        ticket=ticket,
        author=admin,
        body=f"Mais detalhes: {LONG_WORD}",
        channel="portal",
        now=earlier + timedelta(hours=1),
    )
    services.ticket_assign(ticket=ticket, analyst=analyst, actor=analyst, now=now)
    services.ticket_transition(ticket=ticket, to_status="in_progress", actor=analyst, now=now)
    services.ticket_transition(ticket=ticket, to_status="resolved", actor=analyst, now=now)
    services.ticket_transition(
        ticket=ticket, to_status="in_progress", actor=admin, now=now, reason="Ainda falha"
    )
    services.ticket_transition(ticket=ticket, to_status="resolved", actor=analyst, now=now)
    cancelled = services.ticket_create(
        organization=organization,
        requester=admin,
        subject="Duplicado",
        description="d",
        priority=levels["media"],
        reported_at=now,
        now=now,
    )
    services.ticket_transition(
        ticket=cancelled, to_status="cancelled", actor=analyst, now=now, reason="duplicado"
    )
    feature_request = factories.make_feature_request(
        author=admin, title="Relatório por cliente", status=FeatureRequest.Status.APPROVED
    )
    articles = demo_articles_load(author=analyst, now=now)
    return {
        "email links": _email_links(ticket, admin, feature_request, now=now),
        "admin": admin,
        "organization": organization,
        "article": articles[0].translations.get(language="pt-br"),
        "category": articles[0].section.category,
        "ticket": ticket,
        "cancelled": cancelled,
        "feature_request": feature_request,
    }


def _email_links(ticket, customer, feature_request, *, now) -> dict[str, str]:
    """The pages the e-mails' links open, signed in or not: the resolved e-mail's answers
    (each a page with one button), one whose link expired, and the feature-request
    notices' unsubscribe links. Signed here, while the database may be read."""
    from feature_requests import notifications as request_notifications
    from satisfaction import services as satisfaction

    ticket.refresh_from_db()  # resolved since it was opened
    survey = satisfaction.survey_open(ticket=ticket, now=now)

    def answer(action: str, at=now) -> str:
        return reverse(
            "satisfaction:answer", args=[satisfaction.link_token(survey, action, now=at)]
        )

    def unsubscribe(scope) -> str:
        token = request_notifications.unsubscribe_token(user_id=customer.pk, scope=scope)
        return reverse("feature_requests:unsubscribe", args=[token])

    expired = now - satisfaction.LINKS_VALID_FOR - timedelta(days=1)
    return {
        "e-mail link: yes, solved": answer(satisfaction.SOLVED),
        "e-mail link: no, reopen": answer(satisfaction.REOPEN),
        "e-mail link: rate": answer(satisfaction.RATE) + "?score=4",
        "e-mail link: expired": answer(satisfaction.SOLVED, at=expired),
        "e-mail link: stop following a request": unsubscribe(feature_request.pk),
        "e-mail link: stop feature-request e-mails": unsubscribe(request_notifications.ALL),
    }


def email_link_paths(world) -> dict[str, str]:
    """The e-mails' link pages (anyone holding the link may open them; see `_email_links`)."""
    return world["email links"]


def signed_in_paths(world) -> dict[str, str]:
    """The pages of a signed-in customer (an organization's admin: the statement too)."""
    today = timezone.localdate()
    return {
        "ticket list": "/",
        "ticket list filtered": "/?q=relatorio&status=resolved",
        "ticket detail": world["ticket"].get_absolute_url(),
        "cancelled ticket": world["cancelled"].get_absolute_url(),
        "new ticket": "/tickets/new/",
        "preferences": "/preferences/",
        "tokens": "/account/tokens/",
        "agreement": "/agreement/",
        "statement": f"/reports/statement/{world['organization'].slug}/{today.year}-{today.month}/",
        "feature-request board": "/feature-requests/",
        "feature-request detail": world["feature_request"].get_absolute_url(),
        "feature-request new": "/feature-requests/new/",
        "feature-request notices": "/feature-requests/notices/",
        "not found": "/tickets/HD-0000-000000/",
        "rate the ticket": f"/satisfaction/tickets/{world['ticket'].reference}/rate/",
        **help_paths(world),
    }


def help_paths(world) -> dict[str, str]:
    """The help center's pages, the same for visitors and customers."""
    return {
        "help home": "/help/",
        "help category": world["category"].get_absolute_url(),
        "help article": world["article"].get_absolute_url(),
        "help search": "/help/search/?q=chamado",
        "help search, nothing found": "/help/search/?q=zzzqqq",
    }


ANONYMOUS_PATHS = {
    "login": "/accounts/login/",
    "password reset": "/accounts/password_reset/",
    "password reset sent": "/accounts/password_reset/done/",
    "password reset bad link": "/accounts/reset/MQ/bad-token/",
    "password reset complete": "/accounts/reset/done/",
}
