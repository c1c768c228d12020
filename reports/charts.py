"""Small server-rendered SVG charts: no JavaScript, no CDN, readable without colour."""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 720
LABEL_WIDTH = 180
ROW_HEIGHT = 22
BAR_GAP = 4
PALETTE = ("#2f6f9f", "#d08a2e", "#6b8e23", "#b0413e", "#7a5c99", "#4d4d4d")


@dataclass(frozen=True)
class Series:
    name: str
    values: list  # one per label; None draws nothing


def _number(value: float) -> str:
    return f"{value:g}"


def bar_chart(
    *,
    title: str,
    labels: list[str],
    series: list[Series],
    maximum: float | None = None,
    unit: str = "",
    stacked: bool = False,
) -> SafeString:
    """Horizontal bars, one group per label (side by side, or stacked), with a legend."""
    values = [value or 0 for one in series for value in one.values]
    if stacked:
        values = [sum(one.values[i] or 0 for one in series) for i in range(len(labels))]
    top = maximum or max(values, default=0) or 1
    per_group = 1 if stacked else max(len(series), 1)
    group_height = per_group * ROW_HEIGHT + BAR_GAP * 2
    legend_height = 24
    height = legend_height + group_height * max(len(labels), 1) + 20
    plot = WIDTH - LABEL_WIDTH - 60
    parts = []
    for position, one in enumerate(series):
        x = LABEL_WIDTH + position * 150
        parts.append(
            format_html(
                '<rect x="{}" y="4" width="12" height="12" fill="{}"/>'
                '<text x="{}" y="15">{}</text>',
                x,
                PALETTE[position % len(PALETTE)],
                x + 16,
                one.name,
            )
        )
    for row, label in enumerate(labels):
        y = legend_height + row * group_height + BAR_GAP
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end">{}</text>',
                LABEL_WIDTH - 8,
                y + per_group * ROW_HEIGHT / 2 + 4,
                label,
            )
        )
        offset = 0.0
        for position, one in enumerate(series):
            value = one.values[row]
            if value is None:
                continue
            width = plot * value / top
            bar_y = y if stacked else y + position * ROW_HEIGHT
            x = LABEL_WIDTH + (offset if stacked else 0)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{}: {}{}</title></rect>",
                    round(x, 1),
                    bar_y,
                    round(width, 1),
                    ROW_HEIGHT - 4,
                    PALETTE[position % len(PALETTE)],
                    one.name,
                    _number(value),
                    unit,
                )
            )
            if not stacked:
                parts.append(
                    format_html(
                        '<text x="{}" y="{}">{}{}</text>',
                        round(x + width + 4, 1),
                        bar_y + ROW_HEIGHT - 8,
                        _number(value),
                        unit,
                    )
                )
            offset += width
        if stacked:
            parts.append(
                format_html(
                    '<text x="{}" y="{}">{}</text>',
                    round(LABEL_WIDTH + offset + 4, 1),
                    y + ROW_HEIGHT - 8,
                    _number(sum(one.values[row] or 0 for one in series)),
                )
            )
    body = format_html_join("", "{}", ((part,) for part in parts))
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" role="img" '
        'viewBox="0 0 {} {}" width="100%" font-family="sans-serif" font-size="12">'
        "<title>{}</title>{}</svg>",
        WIDTH,
        height,
        title,
        body,
    )
