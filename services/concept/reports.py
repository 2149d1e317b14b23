"""The interim report: a frozen snapshot of the concept at a cut-off day, and what each reader
sees of it. Pure functions, no I/O.

The snapshot keeps every measure that had a status by the cut-off day, with the status then in
force, its latest sentence, its visibility and its activity counts; what changed since the
previous report; and the yearly figures with their change. It is stored once and never
recomputed, so later edits do not change a published report. A reader sees the measures their
visibility allows, and the distribution is counted from exactly those rows: the figures of the
JSON, the workbook and the PDF always add up to what the reader is shown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from services.concept.domain import Concept, Measure, change_between, status_at, status_distribution
from services.concept.repository import ActivityCount, Fact
from shared.contracts.concept import MeasureStatus, MeasureVisibility

Snapshot = dict[str, Any]


def _counts(count: ActivityCount | None) -> dict[str, int]:
    count = count or ActivityCount()
    return {"events": count.events, "listings": count.listings}


def facts_table(facts: Iterable[Fact]) -> list[dict[str, Any]]:
    """Each figure by year, with the change from the year before it in the table."""
    table = []
    for fact in facts:
        values = []
        previous: float | None = None
        for year in sorted(fact.values):
            value = fact.values[year]
            change, percent = change_between(previous, value)
            values.append(
                {"year": year, "value": value, "change": change, "change_percent": percent}
            )
            previous = value
        table.append({"key": fact.key, "name": fact.name, "unit": fact.unit, "values": values})
    return table


def build_snapshot(
    concept: Concept,
    measures: Sequence[Measure],
    cut_off: dt.date,
    *,
    public_counts: dict[str, ActivityCount],
    network_counts: dict[str, ActivityCount],
    lead_names: dict[str, str],
    facts: Iterable[Fact],
    previous: Snapshot | None,
) -> Snapshot:
    rows = []
    for measure in measures:
        entry = status_at(measure, cut_off)
        if entry is None:
            continue  # not yet part of the concept on the cut-off day
        sentences = [e.comment for e in measure.history if e.on <= cut_off and e.comment]
        lead = measure.lead_organisation_id
        rows.append(
            {
                "id": measure.id,
                "number": measure.number,
                "field_number": measure.field_number,
                "goal_number": measure.goal_number,
                "title": measure.title,
                "visibility": measure.visibility.value,
                "status": entry.status.value,
                "status_on": entry.on.isoformat(),
                "sentence": sentences[-1] if sentences else "",
                "lead": lead_names.get(lead, "") if lead else "",
                "activities": {
                    "public": _counts(public_counts.get(measure.id)),
                    "network": _counts(network_counts.get(measure.id)),
                },
            }
        )
    return {
        "concept": {"id": concept.id, "edition": concept.edition, "title": concept.title},
        "cut_off": cut_off.isoformat(),
        "fields": [{"number": f.number, "title": f.title} for f in concept.fields],
        "measures": rows,
        "changes": changes_since(previous, rows),
        "facts": facts_table(facts),
    }


def changes_since(previous: Snapshot | None, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Status moves, new and dropped measures since the previous report (none without one)."""
    if previous is None:
        return {"previous_cut_off": None, "moved": [], "new": [], "dropped": []}
    before = {row["id"]: row for row in previous["measures"]}
    now = {row["id"]: row for row in rows}
    dropped_now = MeasureStatus.DROPPED.value

    def line(row: dict[str, Any], **extra: str) -> dict[str, Any]:
        keep = ("id", "number", "title", "visibility")
        return {**{key: row[key] for key in keep}, **extra}

    moved = [
        line(row, previous_status=before[row["id"]]["status"], status=row["status"])
        for row in rows
        if row["id"] in before and before[row["id"]]["status"] != row["status"]
    ]
    new = [line(row) for row in rows if row["id"] not in before]
    dropped = [
        line(row)
        for row in rows
        if row["status"] == dropped_now and before.get(row["id"], {}).get("status") != dropped_now
    ] + [line(row) for row in previous["measures"] if row["id"] not in now]
    return {"previous_cut_off": previous["cut_off"], "moved": moved, "new": new, "dropped": dropped}


def report_view(snapshot: Snapshot, levels: Iterable[MeasureVisibility]) -> dict[str, Any]:
    """What a reader who sees `levels` is shown of a report: the measures and changes of those
    visibilities, the distribution counted from them, activity counts of what they may see."""
    shown = {level.value for level in levels}
    counts_of = "network" if MeasureVisibility.NETWORK.value in shown else "public"
    measures = [
        {**{k: v for k, v in row.items() if k != "activities"}, **row["activities"][counts_of]}
        for row in snapshot["measures"]
        if row["visibility"] in shown
    ]
    fields = []
    for field in snapshot["fields"]:
        of_field = [m for m in measures if m["field_number"] == field["number"]]
        fields.append(
            {
                **field,
                "total": len(of_field),
                "statuses": _distribution(m["status"] for m in of_field),
                "events": sum(m["events"] for m in of_field),
                "listings": sum(m["listings"] for m in of_field),
            }
        )
    changes = snapshot["changes"]
    return {
        "concept": snapshot["concept"],
        "cut_off": snapshot["cut_off"],
        "total": len(measures),
        "statuses": _distribution(m["status"] for m in measures),
        "fields": fields,
        "measures": measures,
        "changes": {
            "previous_cut_off": changes["previous_cut_off"],
            **{
                kind: [line for line in changes[kind] if line["visibility"] in shown]
                for kind in ("moved", "new", "dropped")
            },
        },
        "facts": snapshot["facts"],
    }


def _distribution(statuses: Iterable[str]) -> dict[str, int]:
    counted = status_distribution(MeasureStatus(status) for status in statuses)
    return {status.value: count for status, count in counted.items()}
