"""Translation catalogues: complete .po files, and the interface speaking each language.

The runtime tests need the compiled .mo files (git-ignored); scripts/test.sh compiles them
before pytest, or run `python manage.py compilemessages --ignore=.venv`.
"""

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from sla import services
from sla.apps import SlaConfig
from sla.models import SLAPolicy
from tickets.models import Ticket

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
# Left out of makemessages (--ignore=.venv/tests/bench/var): not the interface's strings.
NOT_SCANNED = {".venv", "tests", "bench", "var", "locale", "staticfiles", "build", "node_modules"}
TRANSLATED = {"pt_BR": "nplurals=2; plural=(n > 1);", "es": "nplurals=2; plural=(n != 1);"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgid, msgstr (msgstr[0] for plurals), flags; multi-line aware."""
    entries: list[dict] = []
    entry: dict | None = None
    key = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        starts_entry = line.startswith(("#", "msgctxt ", "msgid "))
        if starts_entry and (entry is None or (key or "").startswith("msgstr")):
            entry, key = {"flags": set()}, None
            entries.append(entry)
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        elif not line.startswith("#"):
            key, _, literal = line.partition(" ")
            entry[key] = ast.literal_eval(literal)
    for entry in entries:
        entry.setdefault("msgstr", entry.get("msgstr[0]", ""))
    return entries


def catalogue(language: str) -> list[dict]:
    return read_po(LOCALE_DIR / language / "LC_MESSAGES" / "django.po")


def test_reader_handles_multi_line_strings(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: xx\\n"\n\n'
        '#, python-format\nmsgid ""\n"first half "\n"second “%(x)s”"\nmsgstr "um"\n\n'
        '#, fuzzy\nmsgid "two"\nmsgstr ""\n"dois "\n"\\"aspas\\""\n',
        encoding="utf-8",
    )
    header, first, second = read_po(po)
    assert header["msgstr"] == "Language: xx\n"
    assert first["msgid"] == "first half second “%(x)s”"
    assert first["flags"] == {"python-format"}
    assert second["msgstr"] == 'dois "aspas"'
    assert "fuzzy" in second["flags"]


@pytest.mark.parametrize("language", ["pt_BR", "es", "en"])
def test_catalogue_header(language):
    header = catalogue(language)[0]
    assert header["msgid"] == ""
    assert "fuzzy" not in header["flags"]
    assert f"Language: {language}\n" in header["msgstr"]
    assert "Content-Type: text/plain; charset=UTF-8\n" in header["msgstr"]
    plural = TRANSLATED.get(language, "nplurals=2; plural=(n != 1);")
    assert f"Plural-Forms: {plural}\n" in header["msgstr"]


@pytest.mark.parametrize("language", sorted(TRANSLATED))
def test_every_message_is_translated(language):
    messages = catalogue(language)[1:]
    assert len(messages) > 100
    untranslated = [
        m["msgid"]
        for m in messages
        if not all(text.strip() for key, text in m.items() if key.startswith("msgstr"))
    ]
    fuzzy = [m["msgid"] for m in messages if "fuzzy" in m["flags"]]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("language", sorted(TRANSLATED))
def test_translations_keep_placeholders_and_quotes(language):
    for message in catalogue(language)[1:]:
        source, target = message["msgid"], message["msgstr"]
        assert sorted(PLACEHOLDER.findall(target)) == sorted(PLACEHOLDER.findall(source)), source
        for mark in "“”":
            assert target.count(mark) == source.count(mark), source


def test_english_is_the_source_and_stays_untranslated():
    messages = catalogue("en")[1:]
    assert {m["msgid"] for m in messages} == {m["msgid"] for m in catalogue("pt_BR")[1:]}
    assert {m["msgid"] for m in messages} == {m["msgid"] for m in catalogue("es")[1:]}
    assert all(m["msgstr"] == "" for m in messages)


def python_sources() -> list[Path]:
    root = Path(settings.BASE_DIR)
    return sorted(
        path
        for path in root.rglob("*.py")
        if not any(
            part in NOT_SCANNED or part.startswith(".") or part.endswith(".egg-info")
            for part in path.relative_to(root).parts[:-1]
        )
    )


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext's xgettext is needed")
def test_every_marked_string_of_the_code_is_in_the_catalogues(tmp_path):
    """A string marked after the last makemessages would silently stay English."""
    pot = tmp_path / "code.pot"
    subprocess.run(
        [
            "xgettext",
            "--language=Python",
            "--from-code=UTF-8",
            "--keyword=gettext_noop",
            "--keyword=gettext_lazy",
            "--keyword=ngettext_lazy:1,2",
            "--keyword=pgettext:1c,2",
            "--keyword=pgettext_lazy:1c,2",
            f"--output={pot}",
            *map(str, python_sources()),
        ],
        check=True,
    )
    in_code = {entry["msgid"] for entry in read_po(pot)[1:]}
    assert len(in_code) > 100
    for language in ("pt_BR", "es", "en"):
        missing = in_code - {entry["msgid"] for entry in catalogue(language)[1:]}
        assert not missing, f"run makemessages and translate for {language}: {sorted(missing)}"


@pytest.fixture
def compiled_catalogues() -> None:
    missing = [
        str(mo)
        for language in ("pt_BR", "es", "en")
        if not (mo := LOCALE_DIR / language / "LC_MESSAGES" / "django.mo").exists()
    ]
    assert not missing, f"compile the catalogues first (compilemessages): {missing}"


@pytest.mark.usefixtures("compiled_catalogues")
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "pt-br",
            ["política de SLA", "políticas de SLA", "padrão", "chamado", "aguardando o cliente"],
        ),
        (
            "es",
            [
                "política de SLA",
                "políticas de SLA",
                "predeterminada",
                "ticket",
                "en espera del cliente",
            ],
        ),
        ("en", ["SLA policy", "SLA policies", "default", "ticket", "waiting on customer"]),
    ],
)
def test_model_names_speak_the_active_language(language, expected):
    with translation.override(language):
        actual = [
            str(SLAPolicy._meta.verbose_name),
            str(SLAPolicy._meta.verbose_name_plural),
            str(SLAPolicy._meta.get_field("is_default").verbose_name),
            str(Ticket._meta.verbose_name),
            str(Ticket.Status.WAITING_ON_CUSTOMER.label),
        ]
    assert actual == expected


@pytest.mark.usefixtures("compiled_catalogues")
@pytest.mark.parametrize(
    ("language", "expected"),
    [("pt-br", "Níveis de serviço"), ("es", "Niveles de servicio"), ("en", "Service levels")],
)
def test_app_name_speaks_the_active_language(language, expected):
    with translation.override(language):
        assert str(SlaConfig.verbose_name) == expected


@pytest.mark.usefixtures("compiled_catalogues")
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("pt-br", "“2026-11-27T17:00:00” não tem deslocamento UTC"),
        ("es", "“2026-11-27T17:00:00” no tiene desfase UTC"),
        ("en", "“2026-11-27T17:00:00” has no UTC offset"),
    ],
)
def test_error_messages_fill_their_placeholders(language, expected):
    with translation.override(language), pytest.raises(services.SLAError) as error:
        services.parse_reported_at("2026-11-27T17:00:00")
    assert str(error.value).startswith(expected)


@pytest.mark.django_db
@pytest.mark.usefixtures("compiled_catalogues")
@pytest.mark.parametrize(
    ("accept_language", "html_lang", "ours", "not_ours"),
    [
        (
            "es",
            "es",
            ["Backoffice del Helpdesk", "Niveles de servicio", "Políticas de SLA"],
            ["Níveis de serviço"],
        ),
        (
            "pt-BR",
            "pt-br",
            ["Backoffice do Helpdesk", "Níveis de serviço", "Políticas de SLA", "Chamados"],
            ["Niveles de servicio"],
        ),
        (
            "en",
            "en",
            ["Helpdesk back office", "Service levels", "SLA policies"],
            ["Chamados", "Niveles de servicio"],
        ),
    ],
)
def test_admin_index_follows_accept_language(
    admin_client: Client, accept_language, html_lang, ours, not_ours
):
    response = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE=accept_language)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{html_lang}"' in html
    for text in ours:
        assert text in html
    for text in not_ours:
        assert text not in html


@pytest.mark.django_db
@pytest.mark.usefixtures("compiled_catalogues")
@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("es", ["Vista previa de los plazos", "Plazo de primera respuesta", "Reportado el"]),
        ("pt-BR", ["Prévia dos prazos", "Prazo da primeira resposta", "Reportado em"]),
    ],
)
def test_policy_page_follows_accept_language(
    admin_client: Client, default_policy, accept_language, expected
):
    response = admin_client.get(
        f"/admin/sla/slapolicy/{default_policy.pk}/change/",
        HTTP_ACCEPT_LANGUAGE=accept_language,
    )
    assert response.status_code == 200
    html = response.content.decode()
    for text in expected:
        assert text in html
