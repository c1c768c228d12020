"""Models of the SLA domain, one module per concern."""

from sla.models.calendars import (
    MIDNIGHT,
    BusinessCalendar,
    CalendarClosure,
    ExtraWorkingDay,
    Weekday,
    WorkingPeriod,
    validate_timezone,
)
from sla.models.clocks import (
    ClockEventKind,
    ClockMetric,
    ClockState,
    PolicySnapshot,
    PolicyVersion,
    RulesRevision,
    SLAClock,
    SLAClockEvent,
)
from sla.models.policies import (
    ClockKind,
    DurationUnit,
    PriorityLevel,
    PriorityTarget,
    SLAPolicy,
    SupportContract,
    target_duration,
)

__all__ = [
    "MIDNIGHT",
    "BusinessCalendar",
    "CalendarClosure",
    "ClockEventKind",
    "ClockKind",
    "ClockMetric",
    "ClockState",
    "DurationUnit",
    "ExtraWorkingDay",
    "PolicySnapshot",
    "PolicyVersion",
    "PriorityLevel",
    "PriorityTarget",
    "RulesRevision",
    "SLAClock",
    "SLAClockEvent",
    "SLAPolicy",
    "SupportContract",
    "Weekday",
    "WorkingPeriod",
    "target_duration",
    "validate_timezone",
]
