"""End to end in a real browser: the analyst on call records a call on the 24x7 phone.

The rota shows who is on call and links to the call form; the form lists the dedicated phones,
checks coverage without writing anything (a self-service integration is not covered), keeps
what was typed when a field is missing, and records a covered call: a new ticket on 24x7 time,
from the call's time, assigned to the analyst, with the call written down on it.

The admin is in English here (the language cookie); elements are found by ids, names, hrefs and
classes, and the texts checked are the ones the analyst reads to decide.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from playwright.sync_api import expect

from communications.models import Call
from oncall.models import OnCallShift
from tests import factories
from tests.e2e.conftest import admin_login, orm
from tickets.models import Ticket

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROTA = "/admin/oncall/oncallshift/"
TAKE_CALL = "/admin/oncall/oncallshift/take-call/"
TICKET_CHANGE_URL = re.compile(r"/admin/tickets/ticket/(\d+)/change/$")
PHONE = "+55 11 4000-2400"


def _ticket_count() -> int:
    return Ticket.objects.count()


def _stored(pk: int) -> dict:
    """What the database holds for the ticket (read through `orm`, in a thread of its own)."""
    ticket = Ticket.objects.get(pk=pk)
    return {
        "reference": ticket.reference,
        "integration_24x7": ticket.integration_24x7,
        "integration_id": ticket.integration_id,
        "priority_id": ticket.priority_id,
        "requester_id": ticket.requester_id,
        "reported_at": ticket.reported_at,
        "assignee_id": ticket.assignee_id,
        "calls": list(Call.objects.filter(ticket=ticket).values("started_at", "summary")),
        "tickets": Ticket.objects.count(),
    }


def _fill_call(form, *, called, organization, caller, integration, level, subject, summary):
    """Fill the call form as the analyst does on the phone (date and time: the split widget)."""
    form.locator("#id_called_at_0").fill(called.strftime("%Y-%m-%d"))
    form.locator("#id_called_at_1").fill(called.strftime("%H:%M"))
    form.locator("select[name=organization]").select_option(str(organization.pk))
    form.locator("select[name=caller]").select_option(str(caller.pk))
    form.locator("input[name=caller_phone]").fill("+55 11 98888-0000")
    form.locator("select[name=integration]").select_option(str(integration.pk))
    form.locator("select[name=level]").select_option(str(level.pk))
    form.locator("input[name=subject]").fill(subject)
    form.locator("textarea[name=summary]").fill(summary)


def test_analyst_on_call_checks_coverage_and_records_a_covered_call(
    new_context, live_server, levels, default_policy, screenshots
):
    base = live_server.url
    # Built before the browser starts (see tests/e2e/conftest.py).
    analyst = factories.make_analyst(username="otto", first_name="Otto", last_name="Lima")
    analyst.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["tickets", "communications", "oncall", "sla"]
        )
    )
    now = timezone.now()
    OnCallShift.objects.create(
        analyst=analyst, starts_at=now - timedelta(hours=2), ends_at=now + timedelta(hours=10)
    )
    organization = factories.make_organization(name="Acme Logistics")
    factories.make_contract(organization=organization, integration_24x7=True, on_call_phone=PHONE)
    customer = factories.make_customer(
        organization=organization, email="rita@acme.example", first_name="Rita"
    )
    vendor_built = factories.make_integration(organization=organization)
    self_service = factories.make_integration(organization=organization, vendor_built=False)
    level = levels["alta"]
    assert level.name_pt_br == "Alta"
    # A call that started 20 minutes ago, as the analyst types it (to the minute, local time).
    called = (timezone.localtime(now) - timedelta(minutes=20)).replace(second=0, microsecond=0)
    subject = "Orders stopped reaching the ERP"
    summary = "The webhook answers 500 since 01:40. Agreed to call back in 30 minutes."

    context = new_context()
    context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page = context.new_page()

    # 1. The analyst logs in to the admin and opens the rota: they are on call now.
    admin_login(page, base, analyst.username)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(f"{base}{ROTA}")
    on_call_now = page.locator("section.on-call-now")
    expect(on_call_now.locator("h2")).to_have_text("On call now")
    expect(on_call_now.locator("li")).to_have_count(1)
    expect(on_call_now.locator("li strong")).to_have_text("Otto Lima")
    screenshots(page, "rota-on-call-now")

    # 2. "Record a call" opens the form, with the dedicated phone of the 24x7 contract.
    record_link = page.locator(f".object-tools a[href='{TAKE_CALL}']")
    expect(record_link).to_have_text("Record a call")
    record_link.click()
    page.wait_for_url(f"{base}{TAKE_CALL}")
    phones = page.locator("section[aria-labelledby=phones-title] table tbody tr")
    expect(phones).to_have_count(1)
    expect(phones.locator("td").nth(0)).to_have_text("Acme Logistics")
    expect(phones.locator("td").nth(1)).to_have_text(PHONE)
    expect(page.locator("section.on-call-now li strong")).to_have_text("Otto Lima")
    screenshots(page, "call-form")

    # 3. On a self-service integration, "Check coverage" explains why 24x7 does not cover it,
    # and writes nothing down.
    form = page.locator("form[method=post]:has(input[name=_record])")
    _fill_call(
        form,
        called=called,
        organization=organization,
        caller=customer,
        integration=self_service,
        level=level,
        subject=subject,
        summary=summary,
    )
    screenshots(page, "call-form-filled-self-service")
    with page.expect_navigation():
        form.locator("input[type=submit][name=_check]").click()
    coverage = page.locator("p.coverage[role=status]")
    expect(coverage).to_have_class(re.compile(r"\bcoverage-not-covered\b"))
    expect(coverage).to_contain_text("self-service")
    expect(coverage).to_contain_text("follow business hours")
    # What was typed is kept for the next step.
    expect(form.locator("input[name=subject]")).to_have_value(subject)
    expect(form.locator("select[name=integration]")).to_have_value(str(self_service.pk))
    expect(form.locator("#id_called_at_1")).to_have_value(re.compile(called.strftime("^%H:%M")))
    screenshots(page, "coverage-not-covered")
    assert orm(_ticket_count) == 0

    # 4. Recording without a summary: the error shows, the subject typed stays, no ticket.
    form.locator("textarea[name=summary]").fill("")
    with page.expect_navigation():
        form.locator("input[type=submit][name=_record]").click()
    expect(page.locator(".form-row.field-summary.errors .errorlist")).to_have_count(1)
    expect(page.locator(".form-row.errors")).to_have_count(1)
    expect(form.locator("input[name=subject]")).to_have_value(subject)
    expect(form.locator("textarea[name=summary]")).to_have_value("")
    assert page.url == f"{base}{TAKE_CALL}"
    screenshots(page, "summary-missing")
    assert orm(_ticket_count) == 0

    # 5. On the vendor-built integration the call is covered: recording it opens the ticket.
    form.locator("textarea[name=summary]").fill(summary)
    form.locator("select[name=integration]").select_option(str(vendor_built.pk))
    screenshots(page, "call-form-filled-vendor-built")
    form.locator("input[type=submit][name=_record]").click()
    page.wait_for_url(re.compile(re.escape(base) + TICKET_CHANGE_URL.pattern))
    ticket_pk = int(TICKET_CHANGE_URL.search(page.url).group(1))
    success = page.locator(".messagelist .success")
    expect(success).to_have_count(1)
    expect(success).to_contain_text("opened from the call")
    expect(success).to_contain_text("also runs outside business hours")
    screenshots(page, "ticket-opened-from-the-call")

    # 6. The database: one ticket, on 24x7 time from the call's time, the analyst's, one call.
    stored = orm(_stored, ticket_pk)
    assert stored["tickets"] == 1
    assert stored["integration_24x7"] is True
    assert stored["integration_id"] == vendor_built.pk
    assert stored["priority_id"] == level.pk
    assert stored["requester_id"] == customer.pk
    assert timezone.localtime(stored["reported_at"]).replace(second=0, microsecond=0) == called
    assert stored["assignee_id"] == analyst.pk
    assert len(stored["calls"]) == 1
    assert stored["calls"][0]["summary"] == summary
    assert stored["calls"][0]["started_at"] == stored["reported_at"]
    expect(success).to_contain_text(stored["reference"])

    assert [path.name for path in screenshots.taken] == [
        "01-rota-on-call-now.png",
        "02-call-form.png",
        "03-call-form-filled-self-service.png",
        "04-coverage-not-covered.png",
        "05-summary-missing.png",
        "06-call-form-filled-vendor-built.png",
        "07-ticket-opened-from-the-call.png",
    ]
    assert all(path.stat().st_size > 0 for path in screenshots.taken)
