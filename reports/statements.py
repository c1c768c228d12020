"""The monthly statement as files: CSV (one row per ticket) and PDF (the page, printed).

The figures are `selectors.statement_for`'s; this module only lays them out, in the active
language and the active time zone (the customer's, see tickets.middleware).
"""

from __future__ import annotations

from pathlib import Path

from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from helpdesk.formats import format_instant
from reports.presenters import _cell, csv_attachment, csv_text
from reports.selectors import METRICS, Statement

FONT_FOLDER = Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core


def _iso(instant) -> str:
    return timezone.localtime(instant).isoformat(timespec="minutes") if instant else ""


def _clock_columns(ticket) -> list:
    by_metric = {clock.metric: clock for clock in ticket.clocks.all()}
    cells = []
    for metric in METRICS:
        clock = by_metric.get(metric)
        if clock is None:
            cells += ["", "", ""]
        else:
            cells += [_iso(clock.due_at), _iso(clock.met_at), clock.get_state_display()]
    return cells


def filename(statement: Statement, extension: str) -> str:
    month = f"{statement.period.date_from:%Y-%m}"
    return f"sla-statement-{statement.organization.slug}-{month}.{extension}"


def csv_rows(statement: Statement) -> list[list[str]]:
    """A header, then one row per ticket open at any moment of the month."""
    header = [_("Ticket"), _("Subject"), _("Priority"), _("Reported"), _("Status")]
    for name in (_("First response"), _("Resolution")):
        header += [
            _("%(metric)s: due") % {"metric": name},
            _("%(metric)s: done") % {"metric": name},
            _("%(metric)s: state") % {"metric": name},
        ]
    header.append(_("Opened before this month"))
    rows = [header]
    for ticket in statement.tickets:
        rows.append(
            [
                ticket.reference,
                ticket.subject,
                ticket.priority.name,
                _iso(ticket.reported_at),
                ticket.get_status_display(),
                *_clock_columns(ticket),
                _("yes") if ticket.reported_at < statement.period.start else _("no"),
            ]
        )
    return [[_cell(value) for value in row] for row in rows]


def csv_response(statement: Statement) -> HttpResponse:
    response = HttpResponse(csv_text(csv_rows(statement)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = csv_attachment(filename(statement, "csv"))
    return response


def _pdf():
    from fpdf import FPDF

    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    if (FONT_FOLDER / "DejaVuSans.ttf").exists():
        pdf.add_font("body", "", str(FONT_FOLDER / "DejaVuSans.ttf"))
        pdf.add_font("body", "B", str(FONT_FOLDER / "DejaVuSans-Bold.ttf"))
        pdf.body_font = "body"
    else:  # the core font: Latin-1 only (Portuguese and Spanish fit; dashes are replaced)
        pdf.body_font = "helvetica"
    return pdf


_LATIN_1 = str.maketrans({"\u2014": "-", "\u2013": "-", "\u201c": '"', "\u201d": '"'})


def _text(pdf, value) -> str:
    text = str(value)
    if pdf.body_font == "helvetica":
        text = text.translate(_LATIN_1)
        text = text.encode("latin-1", "replace").decode("latin-1")
    return text


def pdf_bytes(statement: Statement, *, month_start) -> bytes:
    """The statement as an A4 landscape PDF: title, summary, tickets, agreements."""
    pdf = _pdf()
    pdf.add_page()
    font = pdf.body_font
    pdf.set_font(font, "B", 15)
    title = _("SLA statement of %(organization)s") % {"organization": statement.organization.name}
    pdf.cell(0, 9, _text(pdf, title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, "", 10)
    month = date_format(month_start, "F Y").capitalize()
    generated = format_instant(statement.generated_at)
    pdf.cell(0, 6, _text(pdf, f"{month} · {generated}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    pdf.set_font(font, "B", 12)
    pdf.cell(0, 7, _text(pdf, _("Summary")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, "", 9)
    summary = statement.summary
    with pdf.table(col_widths=(40, 25, 25, 25, 25), width=140, align="LEFT") as table:
        table.row(
            [
                _text(pdf, h)
                for h in (_("Deadline"), _("Met"), _("Breached"), _("Still open"), _("Met on time"))
            ]
        )
        for metric, name in (
            ("first_response", _("First response")),
            ("resolution", _("Resolution")),
        ):
            compliance = summary.get(f"{metric}_compliance")
            table.row(
                [
                    _text(pdf, name),
                    str(summary[f"{metric}_met"]),
                    str(summary[f"{metric}_breached"]),
                    str(summary[f"{metric}_open"]),
                    f"{compliance}%" if compliance is not None else "-",
                ]
            )
    pdf.ln(4)

    pdf.set_font(font, "B", 12)
    pdf.cell(0, 7, _text(pdf, _("Tickets")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, "", 8)
    if statement.tickets:
        with pdf.table(col_widths=(38, 70, 22, 45, 25, 70)) as table:
            table.row(
                [
                    _text(pdf, h)
                    for h in (
                        _("Ticket"),
                        _("Subject"),
                        _("Priority"),
                        _("Reported"),
                        _("Status"),
                        _("Deadlines"),
                    )
                ]
            )
            for ticket in statement.tickets:
                clocks = "\n".join(
                    f"{clock.get_metric_display().capitalize()}: "
                    f"{format_instant(clock.due_at) if clock.due_at else _('paused')} · "
                    f"{clock.get_state_display()}"
                    for clock in ticket.clocks.all()
                )
                table.row(
                    [
                        ticket.reference,
                        _text(pdf, ticket.subject[:200]),
                        _text(pdf, ticket.priority.name),
                        format_instant(ticket.reported_at),
                        _text(pdf, ticket.get_status_display().capitalize()),
                        _text(pdf, clocks),
                    ]
                )
    else:
        pdf.cell(
            0, 6, _text(pdf, _("No tickets were open this month.")), new_x="LMARGIN", new_y="NEXT"
        )
    pdf.ln(4)

    pdf.set_font(font, "B", 12)
    pdf.cell(0, 7, _text(pdf, _("Agreements made")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, "", 8)
    if statement.agreements:
        with pdf.table(col_widths=(38, 45, 30, 157)) as table:
            table.row(
                [
                    _text(pdf, h)
                    for h in (_("Ticket"), _("Recorded"), _("Kind"), _("What was agreed"))
                ]
            )
            for agreement in statement.agreements:
                table.row(
                    [
                        agreement.ticket.reference,
                        format_instant(agreement.created_at),
                        _text(pdf, agreement.get_kind_display().capitalize()),
                        _text(pdf, agreement.text[:1500]),
                    ]
                )
    else:
        pdf.cell(
            0,
            6,
            _text(pdf, _("No agreements were recorded this month.")),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    return bytes(pdf.output())


def pdf_response(statement: Statement, *, month_start) -> HttpResponse:
    response = HttpResponse(
        pdf_bytes(statement, month_start=month_start), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename(statement, "pdf")}"'
    return response
