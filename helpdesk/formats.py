"""How instants are shown to people: localized, in a named zone, with the offset spelled out."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR

# Offsets people use run from -12:00 to +14:00; PostgreSQL refuses anything past ±15:59.
MAX_UTC_OFFSET = timedelta(hours=14)


def format_instant(instant: datetime, zone: ZoneInfo | None = None) -> str:
    """E.g. "sex 27/11/2026 17:00 (UTC-03:00)" in the active language."""
    local = instant.astimezone(zone) if zone else timezone.localtime(instant)
    offset = local.strftime("%z")
    # Django's date_format("D d/m/Y H:i") spelled out: the same text, a tenth of the time
    # (lists format three instants per row).
    weekday = WEEKDAYS_ABBR[local.weekday()]
    return f"{weekday} {local:%d/%m/%Y %H:%M} (UTC{offset[:3]}:{offset[3:]})"
