"""The back office's JavaScript strings in each language, Django's own gaps filled by ours.

Django's admin catalogues for pt-BR and es lack the date and time widgets' time zone note
("Note: Enter times in the … timezone"), which then showed in English; our djangojs
catalogues (locale/) give it, beside every string Django's own catalogues keep.
"""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "note", "django_own"),
    [
        ("pt-br", "Nota: informe os hor\\u00e1rios no fuso", "Filtro"),
        ("es", "Nota: introduzca las horas en la zona horaria", "Filtro"),
    ],
)
def test_the_admin_javascript_catalogue_has_the_time_zone_note(client, language, note, django_own):
    client.force_login(factories.make_analyst(username="ana", is_superuser=True))
    client.cookies["django_language"] = language
    body = client.get("/admin/jsi18n/").content.decode()
    assert note in body
    assert django_own in body  # Django's own admin catalogue is still there
    assert (
        "Note: Enter times in the %(timezone)s timezone. (You are %(offset)s hour ahead.)" in body
    )
