"""Column values for the benchmarks' bulk seeding, as each database takes them.

numpy arrays of microseconds since the epoch become what the driver stores for a datetime
or a duration, so seeding a million rows skips building model instances.
"""

from datetime import timedelta

import numpy as np
from django.db import connection

from sla import business_time


def datetimes(microseconds: np.ndarray, present: np.ndarray | None = None) -> list:
    """Instants as the database takes them (None where not `present`)."""
    if connection.vendor == "sqlite":  # Django stores naive UTC text
        text = np.datetime_as_string(microseconds.astype("datetime64[us]"), unit="us")
        values = [value.replace("T", " ") for value in text.tolist()]
    else:
        values = [business_time.from_microseconds(value) for value in microseconds.tolist()]
    if present is None:
        return values
    return [value if keep else None for value, keep in zip(values, present.tolist(), strict=True)]


def durations(microseconds: np.ndarray, present: np.ndarray | None = None) -> list:
    if connection.vendor == "sqlite":  # Django stores microseconds
        values = microseconds.tolist()
    else:
        values = [timedelta(microseconds=value) for value in microseconds.tolist()]
    if present is None:
        return values
    return [value if keep else None for value, keep in zip(values, present.tolist(), strict=True)]
