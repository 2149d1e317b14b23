"""The interim report as files: a workbook (openpyxl) and a PDF (WeasyPrint) with the status
distribution per field of action as a stacked bar chart in SVG, so it prints sharply. Both are
made from a report's view (`reports.report_view`), so they hold the same numbers as its JSON."""

from __future__ import annotations

import io
from html import escape
from typing import Any

from openpyxl import Workbook

from services.concept.labels import STATUS_COLOURS, STATUS_LABELS
from shared.contracts.concept import MeasureStatus

View = dict[str, Any]

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUSES = list(MeasureStatus)


def _day(iso: str | None) -> str:
    if not iso:
        return ""
    year, month, day = iso.split("-")
    return f"{day}.{month}.{year}"


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "–"
    text = f"{value:,.1f}" if not float(value).is_integer() else f"{int(value):,}"
    text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{text} {unit}".strip()


# --- the chart --------------------------------------------------------------------------------


def status_chart_svg(view: View, width: int = 680) -> str:
    """One stacked bar per field of action: how many of its measures stand at each status."""
    label_width, bar_height, gap = 250, 22, 10
    fields = view["fields"]
    most = max((field["total"] for field in fields), default=0) or 1
    scale = (width - label_width - 40) / most
    legend_y = len(fields) * (bar_height + gap) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{legend_y + 40}" '
        f'viewBox="0 0 {width} {legend_y + 40}" role="img" '
        'aria-label="Umsetzungsstand je Handlungsfeld" font-family="sans-serif" font-size="11">'
    ]
    for row, field in enumerate(fields):
        y = row * (bar_height + gap)
        title = f"{field['number']} {field['title']}"
        title = title if len(title) <= 40 else title[:39] + "…"
        parts.append(f'<text x="0" y="{y + 15}">{escape(title)}</text>')
        x = float(label_width)
        for status in STATUSES:
            count = field["statuses"][status.value]
            if not count:
                continue
            w = count * scale
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" '
                f'fill="{STATUS_COLOURS[status]}"><title>{STATUS_LABELS[status]}: {count}'
                "</title></rect>"
            )
            x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 15}">{field["total"]}</text>')
    x = 0
    for status in STATUSES:
        parts.append(
            f'<rect x="{x}" y="{legend_y}" width="10" height="10" '
            f'fill="{STATUS_COLOURS[status]}"/>'
            f'<text x="{x + 14}" y="{legend_y + 9}">{STATUS_LABELS[status]}</text>'
        )
        x += 14 + 7 * len(STATUS_LABELS[status]) + 12
    parts.append("</svg>")
    return "".join(parts)


# --- the PDF ----------------------------------------------------------------------------------

_CSS = """
@page { size: A4; margin: 18mm 15mm; @bottom-right { content: counter(page); font-size: 9pt; } }
body { font-family: sans-serif; font-size: 9.5pt; color: #1d2733; }
h1 { font-size: 17pt; margin: 0 0 2mm; } h2 { font-size: 12.5pt; margin: 7mm 0 2mm; }
table { border-collapse: collapse; width: 100%; font-size: 8pt; }
th, td { border-bottom: 0.4pt solid #b8c2cc; padding: 1mm 1.2mm; text-align: left;
         vertical-align: top; }
th { background: #eef2f6; } td.n, th.n { text-align: right; }
.muted { color: #5b6875; }
h3 { font-size: 10pt; margin: 4mm 0 1mm; }
p.m { font-size: 8pt; margin: 0; padding: 1mm 0; border-bottom: 0.4pt solid #b8c2cc;
      break-inside: avoid; }
"""


def _table(head: list[str], rows: list[list[str]], numeric_from: int = 99) -> str:
    def cell(tag: str, index: int, text: str) -> str:
        cls = ' class="n"' if index >= numeric_from else ""
        return f"<{tag}{cls}>{escape(text)}</{tag}>"

    header = "".join(cell("th", i, text) for i, text in enumerate(head))
    body = "".join(
        "<tr>" + "".join(cell("td", i, text) for i, text in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


def _since(since: str | None, changes: dict[str, Any], moved: int) -> str:
    if since is None:
        return "Dies ist der erste Bericht zu diesem Konzept."
    return (
        f"Seit dem Bericht zum {_day(since)}: {len(changes['new'])} neue Maßnahmen, "
        f"{len(changes['dropped'])} entfallen, {moved} mit neuem Status."
    )


def _measure_line(measure: dict[str, Any]) -> str:
    activities = measure["events"] + measure["listings"]
    facts = [
        STATUS_LABELS[MeasureStatus(measure["status"])],
        *([f"Federführung: {measure['lead']}"] if measure["lead"] else []),
        f"{activities} Aktivität" if activities == 1 else f"{activities} Aktivitäten",
    ]
    sentence = f" – {escape(measure['sentence'])}" if measure["sentence"] else ""
    return (
        f"<p class=m><b>{escape(measure['number'])} {escape(measure['title'])}</b> · "
        f"{escape(' · '.join(facts))}{sentence}</p>"
    )


def _measure_list(view: View) -> str:
    """The measures by field of action, one paragraph each: WeasyPrint lays out a table of a
    thousand rows four times slower than a thousand paragraphs."""
    parts = []
    for field in view["fields"]:
        of_field = [m for m in view["measures"] if m["field_number"] == field["number"]]
        if of_field:
            parts.append(f"<h3>{escape(field['number'])} {escape(field['title'])}</h3>")
            parts.extend(_measure_line(m) for m in of_field)
    return "".join(parts)


def report_html(view: View, title: str) -> str:
    labels = [STATUS_LABELS[s] for s in STATUSES]
    distribution = [
        [
            f"{f['number']} {f['title']}",
            *[str(f["statuses"][s.value]) for s in STATUSES],
            str(f["total"]),
        ]
        for f in view["fields"]
    ]
    distribution.append(
        ["Insgesamt", *[str(view["statuses"][s.value]) for s in STATUSES], str(view["total"])]
    )
    changes = view["changes"]
    moved = [
        [
            line["number"],
            line["title"],
            STATUS_LABELS[MeasureStatus(line["previous_status"])],
            STATUS_LABELS[MeasureStatus(line["status"])],
        ]
        for line in changes["moved"]
    ]
    facts = [
        [
            fact["name"],
            *[_number(v["value"], fact["unit"]) for v in fact["values"]],
            _number(fact["values"][-1]["change_percent"], "%") if fact["values"] else "–",
        ]
        for fact in view["facts"]
    ]
    years = [str(v["year"]) for v in view["facts"][0]["values"]] if view["facts"] else []
    since = changes["previous_cut_off"]
    return f"""<!doctype html><html lang="de"><head><meta charset="utf-8">
<title>{escape(title)}</title><style>{_CSS}</style></head><body>
<h1>{escape(title)}</h1>
<p class="muted">{escape(view["concept"]["title"])} · Stand {_day(view["cut_off"])} ·
{view["total"]} Maßnahmen</p>
<h2>Umsetzungsstand je Handlungsfeld</h2>
{status_chart_svg(view)}
{_table(["Handlungsfeld", *labels, "Summe"], distribution, numeric_from=1)}
<h2>Veränderungen seit dem letzten Bericht</h2>
<p>{_since(since, changes, len(moved))}</p>
{_table(["Nr.", "Maßnahme", "vorher", "jetzt"], moved) if moved else ""}
<h2>Faktencheck</h2>
{_table(["Kennzahl", *years, "Veränderung"], facts, numeric_from=1)}
<h2>Die Maßnahmen</h2>
{_measure_list(view)}
</body></html>"""


def report_pdf(view: View, title: str) -> bytes:
    from weasyprint import HTML  # imported when asked: loading pango takes a moment

    pdf: bytes = HTML(string=report_html(view, title)).write_pdf()
    return pdf


# --- the workbook -----------------------------------------------------------------------------


def report_xlsx(view: View, title: str) -> bytes:
    workbook = Workbook()
    overview = workbook.active
    assert overview is not None
    overview.title = "Übersicht"
    overview.append([title])
    overview.append(["Stand", view["cut_off"]])
    overview.append([])
    overview.append(
        [
            "Nr.",
            "Handlungsfeld",
            *[STATUS_LABELS[s] for s in STATUSES],
            "Summe",
            "Veranstaltungen",
            "Angebote und Gesuche",
        ]
    )
    for field in view["fields"]:
        overview.append(
            [
                field["number"],
                field["title"],
                *[field["statuses"][s.value] for s in STATUSES],
                field["total"],
                field["events"],
                field["listings"],
            ]
        )
    overview.append(
        ["", "Insgesamt", *[view["statuses"][s.value] for s in STATUSES], view["total"]]
    )
    measures = workbook.create_sheet("Maßnahmen")
    measures.append(
        [
            "Nr.",
            "Maßnahme",
            "Status",
            "seit",
            "Stand",
            "Federführung",
            "Veranstaltungen",
            "Angebote und Gesuche",
        ]
    )
    for m in view["measures"]:
        measures.append(
            [
                m["number"],
                m["title"],
                STATUS_LABELS[MeasureStatus(m["status"])],
                m["status_on"],
                m["sentence"],
                m["lead"],
                m["events"],
                m["listings"],
            ]
        )
    changes = workbook.create_sheet("Veränderungen")
    changes.append(["Art", "Nr.", "Maßnahme", "vorher", "jetzt"])
    for kind, label in (("new", "neu"), ("dropped", "entfallen"), ("moved", "neuer Status")):
        for line in view["changes"][kind]:
            changes.append(
                [label, line["number"], line["title"]]
                + [
                    STATUS_LABELS[MeasureStatus(line[key])] if key in line else ""
                    for key in ("previous_status", "status")
                ]
            )
    facts = workbook.create_sheet("Fakten")
    facts.append(["Kennzahl", "Einheit", "Jahr", "Wert", "Veränderung", "Veränderung in %"])
    for fact in view["facts"]:
        for value in fact["values"]:
            facts.append(
                [
                    fact["name"],
                    fact["unit"],
                    value["year"],
                    value["value"],
                    value["change"],
                    value["change_percent"],
                ]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
