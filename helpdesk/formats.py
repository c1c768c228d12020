"""How instants are shown to people: localized, in a named zone, with the offset spelled out."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import formats, timezone

# Offsets people use run from -12:00 to +14:00; PostgreSQL refuses anything past ±15:59.
MAX_UTC_OFFSET = timedelta(hours=14)


def format_instant(instant: datetime, zone: ZoneInfo | None = None) -> str:
    """E.g. "sex 27/11/2026 17:00 (UTC-03:00)" in the active language."""
    local = instant.astimezone(zone) if zone else timezone.localtime(instant)
    offset = local.strftime("%z")
    return "{} (UTC{}:{})".format(formats.date_format(local, "D d/m/Y H:i"), offset[:3], offset[3:])
