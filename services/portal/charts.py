"""The concept's charts as inline SVG, drawn on the server (the portal sends no scripts): the
status distribution per field of action as stacked bars, and an indicator's values as a small
line chart. Pure functions from numbers to markup.

Every chart is an `img` with a title and a description that say in words what it shows, and
colour is never the only carrier: the pages print the same numbers as a table beside it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

from services.portal import labels
from services.portal.i18n import _, local_date, number
from shared.contracts.concept import MeasureStatus

#: The order statuses stack in, from not begun to done (and set aside).
STATUS_ORDER = [status.value for status in MeasureStatus]
#: Fill of each status (the service's report uses the same ones) and the text on it.
STATUS_COLOURS = {
    "planned": ("#c9d3df", "#1d2a33"),
    "in_preparation": ("#f2c14e", "#1d2a33"),
    "in_progress": ("#2f6aa8", "#ffffff"),
    "implemented": ("#2a7a4f", "#ffffff"),
    "continuous": ("#6b4c9a", "#ffffff"),
    "paused": ("#e07b39", "#1d2a33"),
    "dropped": ("#a6a6a6", "#1d2a33"),
}
BAR_HEIGHT = 22
LABEL_WIDTH = 230
BAR_WIDTH = 420


def distribution_sentence(statuses: Mapping[str, int]) -> str:
    """ "12 geplant, 30 in Umsetzung" (the statuses present, in their order)."""
    parts = [f"{statuses[s]} {labels.MEASURE_STATUSES[s]}" for s in STATUS_ORDER if statuses.get(s)]
    return ", ".join(parts) or _("keine Maßnahmen")


def stacked_bars(
    rows: Sequence[tuple[str, Mapping[str, int]]], *, title: str, chart_id: str
) -> Markup:
    """One bar per row (a field of action), its length the share of each status."""
    height = max(1, len(rows)) * (BAR_HEIGHT + 10) + 10
    width = LABEL_WIDTH + BAR_WIDTH + 50
    description = "; ".join(f"{name}: {distribution_sentence(counts)}" for name, counts in rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for index, (name, counts) in enumerate(rows):
        y = 10 + index * (BAR_HEIGHT + 10)
        short = name if len(name) <= 34 else name[:33] + "…"
        parts.append(
            f'<text x="0" y="{y + 16}" font-size="13" fill="#1d2a33">{escape(short)}</text>'
        )
        total = sum(counts.values())
        x = float(LABEL_WIDTH)
        for status in STATUS_ORDER:
            count = counts.get(status, 0)
            if not count or not total:
                continue
            length = BAR_WIDTH * count / total
            fill, ink = STATUS_COLOURS[status]
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" '
                f'fill="{fill}" stroke="#ffffff"><title>'
                f"{escape(labels.MEASURE_STATUSES[status])}: {count}</title></rect>"
            )
            if length >= 18:
                parts.append(
                    f'<text x="{x + length / 2:.1f}" y="{y + 16}" font-size="12" '
                    f'text-anchor="middle" fill="{ink}">{count}</text>'
                )
            x += length
        parts.append(
            f'<text x="{LABEL_WIDTH + BAR_WIDTH + 6}" y="{y + 16}" font-size="12" '
            f'fill="#5b6b75">{total}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()


def line_chart(
    points: Sequence[tuple[dt.date, float]],
    *,
    title: str,
    unit: str = "",
    target: float | None = None,
    chart_id: str,
) -> Markup:
    """An indicator's values over time (a dashed line at its target, if it has one)."""
    width, height, pad = 360, 160, 34
    values = [value for _day, value in points] + ([target] if target is not None else [])
    low, high = min([0.0, *values]), max([1.0, *values])
    days = [day.toordinal() for day, _value in points] or [0]
    first, last = min(days), max(days)

    def x_of(day: dt.date) -> float:
        span = last - first
        return pad + (width - 2 * pad) * ((day.toordinal() - first) / span if span else 0.5)

    def y_of(value: float) -> float:
        return height - pad - (height - 2 * pad) * (value - low) / (high - low)

    suffix = f" {unit}" if unit else ""
    said = ", ".join(f"{local_date(day)}: {number(value)}{suffix}" for day, value in points)
    if target is not None:
        said += "; " + _("Ziel: %(value)s") % {"value": f"{number(target)}{suffix}"}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(said or _("noch keine Werte"))}</desc>',
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        'stroke="#9fb0ba"/>',
        f'<text x="2" y="{y_of(high) + 4:.1f}" font-size="11" fill="#5b6b75">{number(high)}</text>',
        f'<text x="2" y="{y_of(low) + 4:.1f}" font-size="11" fill="#5b6b75">{number(low)}</text>',
    ]
    if target is not None:
        parts.append(
            f'<line x1="{pad}" y1="{y_of(target):.1f}" x2="{width - pad}" '
            f'y2="{y_of(target):.1f}" stroke="#2a7a4f" stroke-dasharray="5 4"/>'
        )
    coordinates = " ".join(f"{x_of(day):.1f},{y_of(value):.1f}" for day, value in points)
    if len(points) > 1:
        parts.append(
            f'<polyline points="{coordinates}" fill="none" stroke="#00607a" stroke-width="2"/>'
        )
    for day, value in points:
        parts.append(
            f'<circle cx="{x_of(day):.1f}" cy="{y_of(value):.1f}" r="3.5" fill="#00607a"/>'
        )
    if points:
        for day in {points[0][0], points[-1][0]}:
            parts.append(
                f'<text x="{x_of(day):.1f}" y="{height - pad + 16}" font-size="11" '
                f'text-anchor="middle" fill="#5b6b75">{day:%m/%Y}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()
