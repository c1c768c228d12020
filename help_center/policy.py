"""The support hours and levels as an article, written from the policy the engine enforces.

An article marked `from_policy` is never written by hand: its text is this module's
rendering of the default policy (`sla.services.policy_overview`), rewritten whenever the
policy changes (`services.policy_articles_refresh`), so it cannot contradict the agreement.
"""

from datetime import date, timedelta

from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from sla import services as sla_services
from tickets.templatetags.helpdesk import budget

POLICY_TITLES = {
    "pt-br": (
        "Horário de atendimento e níveis de prioridade",
        "Quando atendemos e em quanto tempo.",
    ),
    "en": ("Support hours and priority levels", "When we work and how fast we answer."),
    "es": ("Horario de atención y niveles de prioridad", "Cuándo atendemos y en cuánto tiempo."),
}
POLICY_WORDS = {
    "pt-br": {
        "hours": "Horário de atendimento",
        "zone": "Horários no fuso {zone}. Feriados nacionais não têm atendimento.",
        "levels": "Níveis e prazos",
        "head": "| Nível | Quando usar | Primeira resposta | Resolução |",
        "covered": "com suporte 24x7 a integrações",
        "first": "A primeira resposta é cumprida quando o chamado é atribuído a um analista. "
        "Os prazos contam a partir do seu contato; o tempo em que esperamos por você não conta.",
    },
    "en": {
        "hours": "Support hours",
        "zone": "Times are in {zone}. National public holidays are closed.",
        "levels": "Levels and deadlines",
        "head": "| Level | When to use it | First response | Resolution |",
        "covered": "with 24x7 integration support",
        "first": "First response means your ticket is assigned to an analyst. Deadlines count "
        "from the moment you contact us; time we wait on you does not count.",
    },
    "es": {
        "hours": "Horario de atención",
        "zone": "Horarios en la zona {zone}. Los feriados nacionales no hay atención.",
        "levels": "Niveles y plazos",
        "head": "| Nivel | Cuándo usarlo | Primera respuesta | Resolución |",
        "covered": "con soporte 24x7 de integraciones",
        "first": "La primera respuesta se cumple cuando el ticket se asigna a un analista. Los "
        "plazos cuentan desde su contacto; el tiempo que esperamos por usted no cuenta.",
    },
}


def policy_in_force(*, today: date):
    """The default policy in plain terms (what a visitor without a contract is promised)."""
    return sla_services.policy_overview(user=AnonymousUser(), today=today)


def policy_markdown(language: str, *, today: date, overview=None) -> str:
    """The default policy's hours and levels, in `language`, from what the engine enforces
    (`overview`: the policy already read, when writing several languages)."""
    if overview is None:
        overview = policy_in_force(today=today)
    words = POLICY_WORDS[language]
    if overview is None:
        return words["first"]
    with translation.override(language):
        hours = [
            f"- {period.get_weekday_display()}: {period.start:%H:%M}\u2013{period.end:%H:%M}"
            for period in overview.working_periods
        ]
        rows = []
        for row in overview.targets:
            resolution = budget((timedelta(seconds=row.resolution_seconds), row.resolution_clock))
            if row.integration_24x7_resolution_seconds:
                covered = budget(
                    (timedelta(seconds=row.integration_24x7_resolution_seconds), "integration_24x7")
                )
                resolution += f"; {words['covered']}: {covered}"
            first = budget(
                (timedelta(seconds=row.first_response_seconds), row.first_response_clock)
            )
            meaning = " ".join(f"{row.level.impact}. {row.level.description}".split())
            cells = [f"{row.level.number} — {row.level.name}", meaning, first, resolution]
            rows.append("| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |")
    return "\n".join(
        [
            f"## {words['hours']}",
            "",
            *hours,
            "",
            words["zone"].format(zone=overview.timezone),
            "",
            f"## {words['levels']}",
            "",
            words["head"],
            "|---|---|---|---|",
            *rows,
            "",
            words["first"],
        ]
    )
