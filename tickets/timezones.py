"""The time zone a customer reads dates and times in (their preference, else the calendar's)."""

from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name this system knows, sorted (read from the disk once)."""
    return tuple(sorted(available_timezones()))


def validate_time_zone(value: str) -> None:
    """Accept only an IANA zone name offered in the portal's list, e.g. "Europe/Lisbon"."""
    if value and value not in zone_names():
        raise ValidationError(
            _("“%(zone)s” is not a known time zone."), code="invalid", params={"zone": value}
        )


def customer_zone(user) -> ZoneInfo | None:
    """The zone a customer chose, or None (analysts and customers who left it blank)."""
    if user is None or not user.is_authenticated or user.is_staff:
        return None
    membership = getattr(user, "membership", None)  # cached on the user for the request
    if membership is None or not membership.time_zone:
        return None
    return ZoneInfo(membership.time_zone)
