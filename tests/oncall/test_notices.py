"""Who is told, and when: on call at once, other analysts as they chose outside their hours."""

from datetime import time, timedelta

import pytest

from communications import outbound
from communications.models import OutboundEmail
from oncall.models import NotificationPreference, OnCallShift
from oncall.selectors import delivery_instants, on_call_at
from tests import factories
from tests.oncall.conftest import at
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db


def open_ticket(desk, *, when, integration="vendor_integration", level="alta"):
    return ticket_services.ticket_create(
        organization=desk["organization"],
        requester=desk["customer"],
        subject="Leads stopped",
        description="x",
        priority=desk["levels"][level],
        reported_at=when,
        now=when,
        integration=desk[integration],
        category="integration",
    )


def notice(ticket, user) -> OutboundEmail:
    return OutboundEmail.objects.get(key=f"ticket-new:{ticket.pk}:{user.pk}")


def test_on_call_is_the_shift_running_at_an_instant(desk):
    assert list(on_call_at(at(24, 2))) == [desk["on_call"]]
    assert list(on_call_at(at(24, 9))) == []  # a shift does not own its end
    assert list(on_call_at(at(23, 17, 59))) == []
    desk["on_call"].is_active = False
    desk["on_call"].save()
    assert list(on_call_at(at(24, 2))) == []


def test_a_new_covered_ticket_at_night_wakes_the_on_call_analyst_only(desk):
    ticket = open_ticket(desk, when=at(24, 2))

    woken = notice(ticket, desk["on_call"])
    assert woken.next_attempt_at is None  # sent at once
    assert "24x7" in woken.subject
    assert "You are on call" in woken.body_text
    held = notice(ticket, desk["colleague"])  # default preference: hold until working hours
    assert held.next_attempt_at == at(24, 9)
    assert held.status == OutboundEmail.Status.PENDING


def test_a_new_ticket_not_covered_wakes_nobody(desk):
    ticket = open_ticket(desk, when=at(24, 2), integration="own_integration")

    assert notice(ticket, desk["on_call"]).next_attempt_at == at(24, 9)
    assert "24x7" not in notice(ticket, desk["on_call"]).subject


def test_with_nobody_on_call_the_team_leads_are_woken(desk):
    OnCallShift.objects.all().delete()

    ticket = open_ticket(desk, when=at(24, 2))

    assert notice(ticket, desk["lead"]).next_attempt_at is None
    assert "24x7" in notice(ticket, desk["lead"]).subject
    assert notice(ticket, desk["colleague"]).next_attempt_at == at(24, 9)


def test_inside_working_hours_everyone_is_told_at_once(desk):
    ticket = open_ticket(desk, when=at(24, 10))

    assert notice(ticket, desk["colleague"]).next_attempt_at is None


def test_preferences_send_skip_and_own_working_hours(desk):
    colleague, lead = desk["colleague"], desk["lead"]
    NotificationPreference.objects.create(
        user=colleague, outside_hours=NotificationPreference.OutsideHours.SEND
    )
    NotificationPreference.objects.create(
        user=lead, outside_hours=NotificationPreference.OutsideHours.SKIP
    )
    night_owl = factories.make_analyst(email="owl@vendor.example")
    NotificationPreference.objects.create(
        user=night_owl,
        working_calendar=factories.make_calendar(
            periods=tuple((weekday, time(0), time(8)) for weekday in range(7))
        ),
    )

    instants = delivery_instants([colleague, lead, night_owl], now=at(24, 2))

    assert instants == {colleague.pk: at(24, 2), lead.pk: None, night_owl.pk: at(24, 2)}


def test_a_held_notice_waits_for_the_next_working_period_across_a_weekend(desk):
    # Fri 27 November 2026 19:00 → Mon 30 09:00
    assert delivery_instants([desk["colleague"]], now=at(27, 19)) == {
        desk["colleague"].pk: at(30, 9)
    }


def test_on_call_overrides_the_preference(desk):
    NotificationPreference.objects.create(
        user=desk["on_call"], outside_hours=NotificationPreference.OutsideHours.SKIP
    )
    ticket = open_ticket(desk, when=at(24, 2))

    assert notice(ticket, desk["on_call"]).next_attempt_at is None


def test_a_held_notice_is_sent_when_its_time_comes(desk, mailoutbox):
    ticket = open_ticket(desk, when=at(24, 2))
    held = notice(ticket, desk["colleague"])
    outbound.emails_send_due(now=at(24, 8, 59))
    held.refresh_from_db()
    assert held.status == OutboundEmail.Status.PENDING

    outbound.emails_send_due(now=at(24, 9))

    held.refresh_from_db()
    assert held.status == OutboundEmail.Status.SENT
    assert "bia@vendor.example" in [message.to[0] for message in mailoutbox]


def test_a_breach_of_a_covered_ticket_at_night_wakes_on_call_at_once(desk):
    # Alta with 24x7 reported Sat 28 02:00: resolution due Sat 18:00 (PRODUCT.md).
    OnCallShift.objects.create(analyst=desk["on_call"], starts_at=at(28, 0), ends_at=at(29, 0))
    ticket = open_ticket(desk, when=at(28, 2))
    ticket_services.ticket_assign(
        ticket=ticket, analyst=desk["colleague"], actor=desk["colleague"], now=at(28, 2, 5)
    )

    sweep = ticket_services.tickets_sla_sweep(now=at(28, 18, 1))

    assert [clock.metric for clock in sweep.breached] == ["resolution"]
    breached = {
        email.to: email for email in OutboundEmail.objects.filter(key__startswith="sla-breached:")
    }
    assert breached["otto@vendor.example"].next_attempt_at is None
    assert "You are on call" in breached["otto@vendor.example"].body_text
    # the assignee and the lead are off work on Saturday: held until Monday 09:00
    assert breached["bia@vendor.example"].next_attempt_at == at(30, 9)
    assert breached["lia@vendor.example"].next_attempt_at == at(30, 9)


def test_a_breach_of_a_ticket_not_covered_does_not_wake_on_call(desk):
    OnCallShift.objects.create(analyst=desk["on_call"], starts_at=at(24, 9), ends_at=at(25, 9))
    open_ticket(desk, when=at(24, 9), integration="own_integration")

    ticket_services.tickets_sla_sweep(now=at(24, 11, 1))  # first response due 11:00

    recipients = set(
        OutboundEmail.objects.filter(key__startswith="sla-breached:").values_list("to", flat=True)
    )
    assert "otto@vendor.example" in recipients  # as one of the queue, inside working hours
    on_call_notice = OutboundEmail.objects.get(
        key__startswith="sla-breached:", to="otto@vendor.example"
    )
    assert "You are on call" not in on_call_notice.body_text


def test_outside_hours_the_queue_notice_of_an_unassigned_breach_is_held(desk):
    OnCallShift.objects.all().delete()
    open_ticket(desk, when=at(24, 9), integration="own_integration", level="media")
    # Media: first response 4 business hours → 13:00; sweep late, after hours
    ticket_services.tickets_sla_sweep(now=at(24, 18) + timedelta(minutes=30))

    held = OutboundEmail.objects.filter(key__startswith="sla-breached:")
    assert held.exists()
    assert all(email.next_attempt_at == at(25, 9) for email in held)


def test_a_covered_ticket_assigned_to_the_analyst_on_call_at_night_is_told_at_once(desk):
    ticket = open_ticket(desk, when=at(24, 2))

    ticket_services.ticket_assign(
        ticket=ticket, analyst=desk["on_call"], actor=desk["lead"], now=at(24, 2, 10)
    )

    assigned = OutboundEmail.objects.get(key__startswith=f"ticket-assigned:{ticket.pk}:")
    assert assigned.next_attempt_at is None


def test_a_warning_on_a_covered_ticket_held_by_the_analyst_on_call_is_sent_at_once(desk):
    OnCallShift.objects.create(analyst=desk["on_call"], starts_at=at(28, 0), ends_at=at(29, 0))
    ticket = open_ticket(desk, when=at(28, 2))  # resolution due Sat 18:00
    ticket_services.ticket_assign(
        ticket=ticket, analyst=desk["on_call"], actor=desk["on_call"], now=at(28, 2, 5)
    )

    sweep = ticket_services.tickets_sla_sweep(now=at(28, 14))

    assert [clock.metric for clock in sweep.warned] == ["resolution"]
    warned = OutboundEmail.objects.get(key__startswith="sla-warned:")
    assert warned.to == "otto@vendor.example"
    assert warned.next_attempt_at is None


def test_a_sweep_asks_the_preferences_once_whatever_the_number_of_clocks(desk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for hour in (9, 10):
        open_ticket(desk, when=at(24, hour), integration="own_integration")
    with CaptureQueriesContext(connection) as queries:
        ticket_services.tickets_sla_sweep(now=at(25, 9))
    preference_reads = [q for q in queries if "oncall_notificationpreference" in q["sql"]]
    assert len(preference_reads) == 1


def test_a_held_notice_is_not_sent_early_by_a_task_nor_retried_before_its_backoff(desk):
    ticket = open_ticket(desk, when=at(24, 2))
    held = notice(ticket, desk["colleague"])

    assert outbound.email_send(held.pk, now=at(24, 8)) is False  # a task run too early
    held.refresh_from_db()
    assert (held.status, held.attempts) == (OutboundEmail.Status.PENDING, 0)
