"""How instants are shown to people: localized, in a named zone, with the offset spelled out."""

from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import get_format
from django.utils.translation import get_language

# Offsets people use run from -12:00 to +14:00; PostgreSQL refuses anything past ±15:59.
MAX_UTC_OFFSET = timedelta(hours=14)

# The parts of Django's date formats a short date uses, as strftime directives.
_STRFTIME = {"d": "%d", "m": "%m", "Y": "%Y", "y": "%y"}


@lru_cache(maxsize=16)
def short_date_pattern(language: str | None) -> str:
    """The language's SHORT_DATE_FORMAT as a strftime pattern: pt-BR and es "%d/%m/%Y",
    en "%m/%d/%Y" (English pages showed day first)."""
    django_format = get_format("SHORT_DATE_FORMAT", lang=language)
    pattern = "".join(_STRFTIME.get(char, char) for char in django_format)
    return pattern if "%" in pattern else "%d/%m/%Y"


def format_instant(instant: datetime, zone: ZoneInfo | None = None) -> str:
    """E.g. "sex 27/11/2026 17:00 (UTC-03:00)" in pt-BR, "Fri 11/27/2026 17:00 (UTC-03:00)"
    in English: the date in the active language's own order."""
    local = instant.astimezone(zone) if zone else timezone.localtime(instant)
    offset = local.strftime("%z")
    # Django's date_format("D <short date> H:i") spelled out: the same text, a tenth of the
    # time (lists format three instants per row).
    weekday = WEEKDAYS_ABBR[local.weekday()]
    date = local.strftime(short_date_pattern(get_language()))
    return f"{weekday} {date} {local:%H:%M} (UTC{offset[:3]}:{offset[3:]})"
