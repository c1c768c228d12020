"""Every portal page speaks one language: rendered in pt-BR, en and es, each string it asks
gettext for must be in that language's compiled catalogue.

gettext is instrumented during the render (templates' {% translate %}, forms' lazy labels,
Django's and DRF's own strings such as "- Select an option -" all go through it), and every
msgid it is asked for is looked up in the active language's own catalogue (not its fallback:
Spanish falls back to Portuguese, which is how "mixed languages" pages happened). English is
the source language, so an English msgid only needs to be catalogued at all (in pt-BR's).

The runtime needs the compiled .mo files (git-ignored; see tests/test_i18n.py).
"""

import json
from contextlib import contextmanager

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import trans_real

from helpdesk import api_errors
from tests.portal_pages import ANONYMOUS_PATHS, email_link_paths, portal_world, signed_in_paths

pytestmark = pytest.mark.django_db
LANGUAGES = ["pt-br", "en", "es"]


def _catalogue_has(msgid: str, *, context: str | None = None, plural: bool = False) -> bool:
    language = translation.get_language() or "pt-br"
    if language.startswith("en"):
        language = "pt-br"  # the source language: catalogued at all is enough
    key = f"{context}\x04{msgid}" if context else msgid
    catalog = trans_real.translation(language)._catalog
    return ((key, 0) if plural else key) in catalog


@contextmanager
def catalogue_misses():
    """Collect the msgids gettext is asked for that the active language does not know."""
    misses: set[str] = set()
    trans = translation._trans
    real = {name: getattr(trans, name) for name in ("gettext", "ngettext", "pgettext")}

    def gettext(message):
        # A lazy string handed to gettext again ({% get_available_languages %} does) was
        # checked when it was evaluated: its text is already a translation, not a msgid.
        if message and not isinstance(message, Promise) and not _catalogue_has(message):
            misses.add(str(message))
        return real["gettext"](message)

    def ngettext(singular, plural, number):
        if not _catalogue_has(str(singular), plural=True):
            misses.add(f"{singular}||{plural}")
        return real["ngettext"](singular, plural, number)

    def pgettext(context, message):
        if message and not _catalogue_has(str(message), context=context):
            misses.add(f"{context}|{message}")
        return real["pgettext"](context, message)

    trans.gettext, trans.ngettext, trans.pgettext = gettext, ngettext, pgettext
    try:
        yield misses
    finally:
        for name, function in real.items():
            setattr(trans, name, function)


def _get(client: Client, path: str, language: str):
    response = client.get(path, headers={"accept-language": language})
    response.content  # noqa: B018 - the body is rendered before the language is judged
    return response


@pytest.fixture
def world(default_policy, levels):
    return portal_world(levels)


def test_the_instrument_reports_a_msgid_no_catalogue_has():
    from django.template import engines

    template = engines["django"].from_string(
        "{% load i18n %}{% translate 'Ticket' %} {% translate 'A sentence nobody catalogued' %}"
    )
    for language in LANGUAGES:
        with translation.override(language), catalogue_misses() as misses:
            template.render({})
        assert misses == {"A sentence nobody catalogued"}, language


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_signed_in_page_is_in_one_language(world, language):
    client = Client(raise_request_exception=False)
    client.force_login(world["admin"])
    found = {}
    for name, path in signed_in_paths(world).items():
        with catalogue_misses() as misses:
            response = _get(client, path, language)
        assert response.status_code in (200, 404), (name, response.status_code)
        assert response["Content-Language"] == language, name
        if misses:
            found[name] = sorted(misses)
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("language", LANGUAGES)
def test_refused_forms_speak_the_pages_language(world, language):
    client = Client()
    client.force_login(world["admin"])
    with catalogue_misses() as misses:
        new = client.post("/tickets/new/", {}, headers={"accept-language": language})
        reply = client.post(
            f"{world['ticket'].get_absolute_url()}reply/",
            {"body": ""},
            headers={"accept-language": language},
        )
        reopen = client.post(
            f"{world['ticket'].get_absolute_url()}reopen/",
            {"reason": ""},
            headers={"accept-language": language},
        )
        tokens = client.post("/account/tokens/", {"name": " "}, follow=True)
    assert (new.status_code, reply.status_code, reopen.status_code) == (200, 400, 400)
    assert tokens.status_code == 400
    assert sorted(misses) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_pages_of_the_emails_links_are_in_one_language(world, language):
    client = Client(raise_request_exception=False)
    found = {}
    for name, path in email_link_paths(world).items():
        with catalogue_misses() as misses:
            response = _get(client, path, language)
        assert response.status_code == (410 if name.endswith("expired") else 200), name
        assert f'lang="{language}"'.encode() in response.content, name
        if misses:
            found[name] = sorted(misses)
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("language", LANGUAGES)
def test_anonymous_and_error_pages_are_in_one_language(world, language, settings):
    client = Client(raise_request_exception=False)
    found = {}
    for name, path in ANONYMOUS_PATHS.items():
        with catalogue_misses() as misses:
            response = _get(client, path, language)
        assert response.status_code == 200, name
        if misses:
            found[name] = sorted(misses)
    request = RequestFactory().get("/", headers={"accept-language": language})
    request.user = AnonymousUser()
    with translation.override(language), catalogue_misses() as misses:
        server_error = api_errors.server_error(request)
        forbidden = api_errors.permission_denied(request, PermissionError())
    assert (server_error.status_code, forbidden.status_code) == (500, 403)
    if misses:
        found["500 and 403"] = sorted(misses)
    with catalogue_misses() as misses:
        csrf = Client(enforce_csrf_checks=True).post(
            "/accounts/login/", {}, headers={"accept-language": language}
        )
    assert csrf.status_code == 403 and b"error-page" in csrf.content
    if misses:
        found["csrf"] = sorted(misses)
    settings.AXES_FAILURE_LIMIT = 1
    locker = Client()
    username = world["admin"].username
    locker.post("/accounts/login/", {"username": username, "password": "x"})
    with catalogue_misses() as misses:
        locked = locker.post(
            "/accounts/login/",
            {"username": username, "password": "x"},
            headers={"accept-language": language},
        )
    assert locked.status_code == 429
    assert b'href="/accounts/password_reset/"' in locked.content
    if misses:
        found["locked out"] = sorted(misses)
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)


def test_the_lock_out_page_says_how_long(world, settings):
    settings.AXES_FAILURE_LIMIT = 1
    settings.AXES_COOLOFF_TIME = 0.25  # hours
    client = Client(headers={"accept-language": "en"})
    for _attempt in range(2):
        locked = client.post(
            "/accounts/login/", {"username": world["admin"].username, "password": "x"}
        )
    with translation.override("en"):
        expected = translation.ngettext(
            "For your security, logging in as this user from here is locked for %(minutes)s "
            "minute.",
            "For your security, logging in as this user from here is locked for %(minutes)s "
            "minutes.",
            15,
        ) % {"minutes": 15}
    assert expected in locked.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_unknown_ticket_in_the_api_answers_in_the_callers_language(world, language):
    client = Client()
    client.force_login(world["admin"])

    response = client.get("/api/tickets/HD-0000-000000/", headers={"accept-language": language})

    assert response.status_code == 404
    with translation.override(language):
        expected = translation.gettext("Not found: no such object, or not one you may see.")
    assert response.json() == {"detail": expected, "errors": {}}
    assert "matches the given query" not in response.content.decode()


def test_english_pages_write_dates_month_first(world):
    from helpdesk.formats import format_instant

    client = Client()
    client.force_login(world["admin"])
    ticket = world["ticket"]
    pages = {}
    for language in LANGUAGES:
        pages[language] = _get(client, ticket.get_absolute_url(), language).content.decode()
        with translation.override(language):
            pages[language + " expected"] = format_instant(ticket.reported_at)
    local = timezone.localtime(ticket.reported_at)  # the calendar's zone, as on the page
    day_month, month_day = local.strftime("%d/%m/%Y"), local.strftime("%m/%d/%Y")
    assert pages["en expected"] in pages["en"] and month_day in pages["en expected"]
    assert pages["pt-br expected"] in pages["pt-br"] and day_month in pages["pt-br expected"]
    assert pages["es expected"] in pages["es"] and day_month in pages["es expected"]
