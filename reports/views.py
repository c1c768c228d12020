"""The monthly SLA statement of an organization, printable from the portal."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from reports import selectors, statements
from reports.forms import EARLIEST, LATEST
from tickets.models import Organization


def _month_or_404(year: int, month: int) -> selectors.Period:
    if not (1 <= month <= 12 and EARLIEST.year <= year <= LATEST.year):
        raise Http404
    return selectors.Period.month(year, month)


@login_required
def statement_pick(request):
    """Open the statement asked for (`organization`, `month` as YYYY-MM), or the user's own."""
    today = timezone.localdate()
    slug = request.GET.get("organization", "")
    month = request.GET.get("month", "")
    if not slug:
        membership = getattr(request.user, "membership", None)
        if membership is None:
            raise Http404
        slug = membership.organization.slug
    try:
        year, number = (int(part) for part in month.split("-"))
        date(year, number, 1)
    except ValueError:
        year, number = today.year, today.month
    return redirect("reports:statement", organization=slug, year=year, month=number)


def _statement_or_404(request, organization: str, year: int, month: int):
    """The statement asked for; another organization's does not exist (404)."""
    period = _month_or_404(year, month)
    organization = get_object_or_404(Organization, slug=organization)
    if not selectors.can_read_statement(request.user, organization):
        raise Http404
    return selectors.statement_for(
        user=request.user, organization=organization, period=period, now=timezone.now()
    )


@login_required
def statement(request, organization: str, year: int, month: int):
    """One month of an organization's tickets: every one open at any moment of the month."""
    report = _statement_or_404(request, organization, year, month)
    previous = date(year, month, 1).replace(day=1)
    previous = date(year - 1, 12, 1) if month == 1 else date(previous.year, previous.month - 1, 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return render(
        request,
        "reports/statement.html",
        {
            "statement": report,
            "month_start": report.period.date_from,
            "previous": previous if previous.year >= EARLIEST.year else None,
            "following": following if following <= timezone.localdate() else None,
        },
    )


@login_required
def statement_csv(request, organization: str, year: int, month: int):
    """The statement's tickets as CSV, one row each."""
    return statements.csv_response(_statement_or_404(request, organization, year, month))


@login_required
def statement_pdf(request, organization: str, year: int, month: int):
    """The statement as a PDF file (the page's content, laid out for A4)."""
    report = _statement_or_404(request, organization, year, month)
    return statements.pdf_response(report, month_start=date(year, month, 1))
