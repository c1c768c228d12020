"""The compliance report from daily rollups gives the clock scan's figures, and stays equal
as tickets change, without anyone rebuilding the rollups.

The varied desk sits around São Paulo's last change of clocks: on Sun 2018-11-04 midnight
became 01:00, so that day starts at 01:00 and is 23 hours long.
"""

import random
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from reports import rollups, selectors
from reports.models import DayRollup, StaleRollup
from reports.selectors import Period
from tests import factories
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

SP = ZoneInfo("America/Sao_Paulo")
S = Ticket.Status


def sp(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2018, month, day, hour, minute, tzinfo=SP)


# the report is read before, at and after the sweep: running clocks past due count as breached
# whether or not the sweep has marked them yet
NOWS = (sp(7, 10), sp(9, 12), sp(12, 18), sp(20, 9))
PERIODS = (
    Period(date(2018, 10, 1), date(2018, 11, 30)),
    Period(date(2018, 11, 1), date(2018, 11, 30)),
    Period(date(2018, 11, 4), date(2018, 11, 4)),  # the 23-hour day
    Period(date(2018, 11, 3), date(2018, 11, 5)),
    Period(date(2018, 10, 31), date(2018, 10, 31)),
    Period(date(2019, 1, 1), date(2019, 1, 31)),  # nothing reported
)


def assert_same_as_clocks(periods=PERIODS, nows=NOWS) -> None:
    for period in periods:
        for now in nows:
            from_rollups = asdict(selectors.compliance_report(period=period, now=now))
            from_clocks = asdict(selectors.compliance_from_clocks(period=period, now=now))
            assert from_rollups == from_clocks, (period, now)


def create(customer, level, reported_at: datetime) -> Ticket:
    return services.ticket_create(
        organization=customer.membership.organization,
        requester=customer,
        subject=f"{level.code} {reported_at:%m-%d %H:%M}",
        description="x",
        priority=level,
        reported_at=reported_at,
        now=reported_at,
    )


def varied_desk(levels) -> list[Ticket]:
    """Three organizations, three analysts (and unassigned tickets), the four levels; tickets
    met, breached late, resolved, waiting, reopened, re-prioritized, cancelled; a seeded mix."""
    rng = random.Random(20181104)
    customers = [
        factories.make_customer(organization=factories.make_organization(name=name))
        for name in ("acme", "Beta", "Acme Sul")
    ]
    analysts = [
        factories.make_analyst(username="ana", first_name="Ana", last_name="Souza"),
        factories.make_analyst(username="bruno"),
        factories.make_analyst(username="carla", first_name="Carla"),
    ]
    level_list = list(levels.values())
    instants = [sp(31, 23, 30, month=10), sp(3, 23, 50), sp(4, 1, 0), sp(4, 1, 10), sp(5, 0, 5)]
    instants += [sp(29, 8, month=10) + timedelta(hours=9 * n, minutes=7 * n) for n in range(30)]
    made = []
    for number, reported in enumerate(instants):
        ticket = create(rng.choice(customers), rng.choice(level_list), reported)
        analyst = rng.choice(analysts)
        fate = number % 8
        step = timedelta(minutes=rng.randint(20, 600))
        if fate == 0:  # left new: first response runs, then breaches
            pass
        elif fate == 1:  # cancelled: not measured
            services.ticket_transition(
                ticket=ticket, to_status=S.CANCELLED, actor=analyst, now=reported + step,
                reason="duplicate",
            )  # fmt: skip
        else:
            late = step * (6 if fate == 2 else 1)
            ticket = services.ticket_assign(
                ticket=ticket, analyst=analyst, actor=analyst, now=reported + late
            )
            if fate == 3:
                ticket = services.ticket_transition(
                    ticket=ticket, to_status=S.RESOLVED, actor=analyst, now=reported + 2 * late
                )
            elif fate in (4, 5):  # waiting on the customer; one of two comes back and ends
                ticket = services.ticket_transition(
                    ticket=ticket, to_status=S.WAITING_ON_CUSTOMER, actor=analyst,
                    now=reported + 2 * step, reason="logs",
                )  # fmt: skip
                if fate == 5:
                    ticket = services.ticket_transition(
                        ticket=ticket, to_status=S.IN_PROGRESS, actor=analyst,
                        now=reported + 3 * step,
                    )  # fmt: skip
                    ticket = services.ticket_transition(
                        ticket=ticket, to_status=S.RESOLVED, actor=analyst,
                        now=reported + 5 * step,
                    )  # fmt: skip
            elif fate == 6:  # another level, then another analyst
                other = next(level for level in level_list if level != ticket.priority)
                ticket = services.ticket_change_priority(
                    ticket=ticket, level=other, actor=analyst, now=reported + 2 * step,
                    reason="impact",
                )  # fmt: skip
                ticket = services.ticket_assign(
                    ticket=ticket, analyst=rng.choice(analysts), actor=analyst,
                    now=reported + 3 * step,
                )  # fmt: skip
            elif fate == 7:  # resolved, then reopened
                ticket = services.ticket_transition(
                    ticket=ticket, to_status=S.RESOLVED, actor=analyst, now=reported + 2 * step
                )
                ticket = services.ticket_transition(
                    ticket=ticket, to_status=S.IN_PROGRESS, actor=analyst, now=reported + 4 * step
                )
        made.append(ticket)
    return made


def test_the_report_from_rollups_equals_the_clock_scan_on_a_varied_desk(default_policy, levels):
    varied_desk(levels)
    assert_same_as_clocks()
    services.tickets_sla_sweep(now=sp(9, 12))
    assert StaleRollup.objects.exists()  # the sweep's bulk_update marked the days it changed
    assert_same_as_clocks()
    report = selectors.compliance_report(period=PERIODS[0], now=NOWS[-1])
    # the desk is as varied as it means to be
    assert len(report.groups["level"]) == 4
    assert len(report.groups["analyst"]) == 4  # three analysts and "Unassigned"
    assert [row["label"] for row in report.groups["organization"]] == ["acme", "Acme Sul", "Beta"]
    totals = report.totals
    for metric in ("first_response", "resolution"):
        assert totals[f"{metric}_met"] and totals[f"{metric}_breached"]
    assert totals["resolution_open"] and totals["waiting_hours"]


def test_a_rebuild_gives_the_same_rows_as_the_changes_kept(default_policy, levels):
    varied_desk(levels)
    rollups.rollups_refresh()
    kept = sorted(
        tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
        for row in DayRollup.objects.values_list(*rollups.COLUMNS)
    )
    out = StringIO()
    call_command("reports_rebuild_rollups", "--check", stdout=out)
    assert "clock scan's figures" in out.getvalue()
    rebuilt = sorted(
        tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
        for row in DayRollup.objects.values_list(*rollups.COLUMNS)
    )
    assert kept == rebuilt


def test_a_day_that_starts_at_one_oclock_holds_what_the_period_holds():
    assert rollups.day_start(date(2018, 11, 4)).astimezone(UTC) == sp(4, 1).astimezone(UTC)
    assert rollups.day_start(date(2018, 11, 4)) < sp(4, 1, 0)
    assert rollups.day_of(sp(3, 23, 59)) == date(2018, 11, 3)
    assert rollups.day_of(sp(4, 1)) == date(2018, 11, 4)
    assert rollups.day_of(datetime(2019, 2, 16, 23, 30, tzinfo=SP)) == date(2019, 2, 16)


def test_changes_keep_the_rollups_equal_without_a_rebuild(default_policy, levels):
    """Each step through the services, then the report: never the rebuild command."""
    period = Period(date(2018, 11, 1), date(2018, 11, 30))
    nows = (sp(8, 12), sp(20, 9))
    customer = factories.make_customer()
    ana = factories.make_analyst(username="ana")
    bia = factories.make_analyst(username="bia")

    def same():
        assert_same_as_clocks((period,), nows)

    first = create(customer, levels["alta"], sp(5, 9))  # created
    second = create(customer, levels["media"], sp(5, 10))
    third = create(customer, levels["baixa"], sp(6, 9))
    same()
    services.ticket_assign(ticket=first, analyst=ana, actor=ana, now=sp(5, 9, 30))  # answered
    same()
    services.tickets_sla_sweep(now=sp(7, 12))  # breached by the sweep
    assert StaleRollup.objects.exists()
    same()
    services.ticket_transition(  # resolved
        ticket=first, to_status=S.RESOLVED, actor=ana, now=sp(7, 13)
    )
    same()
    services.ticket_assign(ticket=second, analyst=ana, actor=ana, now=sp(7, 14))
    services.ticket_assign(ticket=second, analyst=bia, actor=ana, now=sp(7, 15))  # reassigned
    same()
    services.ticket_change_priority(
        ticket=third, level=levels["alta"], actor=ana, now=sp(7, 16), reason="impact"
    )
    same()
    services.ticket_transition(
        ticket=second, to_status=S.WAITING_ON_CUSTOMER, actor=bia, now=sp(8, 10), reason="logs"
    )
    same()
    from communications import services as communication_services

    earlier = create(customer, levels["media"], sp(4, 23))  # merged: `third` counts from here
    communication_services.tickets_merge(duplicate=earlier, into=third, actor=ana, now=sp(8, 11))
    third.refresh_from_db()
    assert third.reported_at == sp(4, 23)
    same()
    rows = DayRollup.objects.filter(grouping=DayRollup.Grouping.ANALYST)
    assert {row.group for row in rows} == {ana.pk, bia.pk, rollups.NO_ANALYST}


def test_writes_that_send_no_signal_still_mark_the_day(default_policy, levels):
    customer = factories.make_customer()
    ticket = create(customer, levels["media"], sp(5, 9))
    rollups.rollups_refresh()
    assert not StaleRollup.objects.exists()
    other = factories.make_organization(name="Other")
    Ticket.objects.filter(pk=ticket.pk).update(organization=other)
    assert list(StaleRollup.objects.values_list("reported_at", flat=True)) == [sp(5, 9)]
    Ticket.objects.filter(pk=ticket.pk).update(reported_at=sp(6, 9))
    marked = set(StaleRollup.objects.values_list("reported_at", flat=True))
    assert marked == {sp(5, 9), sp(6, 9)}
    period = Period(date(2018, 11, 1), date(2018, 11, 30))
    assert asdict(selectors.compliance_report(period=period, now=sp(9, 9))) == asdict(
        selectors.compliance_from_clocks(period=period, now=sp(9, 9))
    )
    assert not StaleRollup.objects.exists()


def test_a_save_that_changes_nothing_the_report_reads_marks_nothing(default_policy, levels):
    ticket = create(factories.make_customer(), levels["media"], sp(5, 9))
    rollups.rollups_refresh()
    ticket.subject = "Renamed"
    ticket.save()
    ticket.clocks.update(warned_at=sp(5, 10))
    assert not StaleRollup.objects.exists()


def test_triggers_reinstalled_after_a_migrate_still_mark_once(default_policy, levels):
    from reports.triggers import triggers_install

    triggers_install()  # what every migrate does: idempotent, no second copy of a trigger
    ticket = create(factories.make_customer(), levels["media"], sp(5, 9))
    rollups.rollups_refresh()
    Ticket.objects.filter(pk=ticket.pk).update(status=S.CANCELLED)
    assert StaleRollup.objects.count() == 1
