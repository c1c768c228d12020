"""The help center's report: views, helpfulness, searches without results and deflections,
per month and language, each an aggregate query (five in all, whatever the period)."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from help_center.models import (
    ArticleFeedback,
    ArticleViewTally,
    Deflection,
    DeflectionSuggestion,
    UnansweredSearch,
)
from reports.charts import Series, bar_chart


@dataclass
class Row:
    month: date
    language: str
    views: int = 0
    helpful: int = 0
    not_helpful: int = 0
    unanswered: int = 0
    suggested: int = 0  # new-ticket forms that were offered articles
    opened: int = 0  # ... on which the customer opened one
    solved: int = 0  # ... that ended without a ticket ("this solved it")

    @property
    def helpful_share(self) -> str:
        votes = self.helpful + self.not_helpful
        return f"{100 * self.helpful / votes:.0f}%" if votes else "-"


@dataclass
class HelpCenterReport:
    rows: list[Row]
    top_unanswered: list[tuple[str, int]] = field(default_factory=list)


def _month(value) -> date:
    return value.date().replace(day=1) if isinstance(value, datetime) else value.replace(day=1)


def help_center_report(*, start: datetime, end: datetime) -> HelpCenterReport:
    """Everything between `start` and `end`, by month and language, oldest month first."""
    rows: dict[tuple[date, str], Row] = {}

    def row(month, language) -> Row:
        key = (_month(month), language)
        if key not in rows:
            rows[key] = Row(*key)
        return rows[key]

    views = (
        ArticleViewTally.objects.filter(month__gte=_month(start), month__lt=end.date())
        .values("month", "language")
        .annotate(total=Sum("views"))
        .order_by()
    )
    for item in views:
        row(item["month"], item["language"]).views = item["total"]
    feedback = (
        ArticleFeedback.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(month=TruncMonth("created_at"))
        .values("month", "language")
        .annotate(yes=Count("pk", filter=Q(helpful=True)), no=Count("pk", filter=Q(helpful=False)))
        .order_by()
    )
    for item in feedback:
        target = row(item["month"], item["language"])
        target.helpful, target.not_helpful = item["yes"], item["no"]
    unanswered = UnansweredSearch.objects.filter(searched_at__gte=start, searched_at__lt=end)
    for item in (
        unanswered.annotate(month=TruncMonth("searched_at"))
        .values("month", "language")
        .annotate(total=Count("pk"))
        .order_by()
    ):
        row(item["month"], item["language"]).unanswered = item["total"]
    opened = DeflectionSuggestion.objects.filter(deflection=OuterRef("pk"), opened_at__isnull=False)
    deflections = (
        Deflection.objects.filter(started_at__gte=start, started_at__lt=end)
        .annotate(month=TruncMonth("started_at"), was_opened=Exists(opened))
        .values("month", "language")
        .annotate(
            suggested=Count("pk"),
            opened=Count("pk", filter=Q(was_opened=True)),
            solved=Count("pk", filter=Q(outcome=Deflection.Outcome.SOLVED)),
        )
        .order_by()
    )
    for item in deflections:
        target = row(item["month"], item["language"])
        target.suggested, target.opened, target.solved = (
            item["suggested"],
            item["opened"],
            item["solved"],
        )
    top = (
        unanswered.values("query")
        .annotate(total=Count("pk"))
        .order_by("-total", "query")
        .values_list("query", "total")[:20]
    )
    ordered = [rows[key] for key in sorted(rows)]
    return HelpCenterReport(rows=ordered, top_unanswered=list(top))


def report_charts(report: HelpCenterReport) -> list:
    """Views and deflections per month, in the reports' SVG chart style."""
    months = sorted({row.month for row in report.rows})
    labels = [f"{month:%Y-%m}" for month in months]

    def per_month(attribute: str) -> list[int]:
        return [
            sum(getattr(row, attribute) for row in report.rows if row.month == month)
            for month in months
        ]

    languages = sorted({row.language for row in report.rows})
    views = [
        Series(
            language,
            [
                sum(r.views for r in report.rows if r.month == month and r.language == language)
                for month in months
            ],
        )
        for language in languages
    ]
    return [
        bar_chart(title=_("Article views"), labels=labels, series=views, stacked=True),
        bar_chart(
            title=_("Deflection"),
            labels=labels,
            series=[
                Series(_("suggested"), per_month("suggested")),
                Series(_("opened"), per_month("opened")),
                Series(_("solved without a ticket"), per_month("solved")),
            ],
        ),
    ]
