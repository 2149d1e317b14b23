"""German words for the concept's vocabularies: what reports print and what an imported
spreadsheet may say (besides the codes themselves)."""

from __future__ import annotations

from shared.contracts.concept import MEASURE_STATUS_LABELS, MeasureStatus, MeasureVisibility
from shared.text import fold

STATUS_LABELS = MEASURE_STATUS_LABELS
#: Colours of the statuses in charts (print well in colour and in grey).
STATUS_COLOURS: dict[MeasureStatus, str] = {
    MeasureStatus.PLANNED: "#c9d3df",
    MeasureStatus.IN_PREPARATION: "#f2c14e",
    MeasureStatus.IN_PROGRESS: "#2f6aa8",
    MeasureStatus.IMPLEMENTED: "#2a7a4f",
    MeasureStatus.CONTINUOUS: "#6b4c9a",
    MeasureStatus.PAUSED: "#e07b39",
    MeasureStatus.DROPPED: "#a6a6a6",
}
VISIBILITY_LABELS: dict[MeasureVisibility, str] = {
    MeasureVisibility.PUBLIC: "öffentlich",
    MeasureVisibility.NETWORK: "Netzwerk",
    MeasureVisibility.OFFICE: "Büro",
}

_STATUS_WORDS = {
    **{fold(label): status for status, label in STATUS_LABELS.items()},
    **{status.value: status for status in MeasureStatus},
    "umsetzung": MeasureStatus.IN_PROGRESS,
    "laufend": MeasureStatus.IN_PROGRESS,
    "in arbeit": MeasureStatus.IN_PROGRESS,
    "vorbereitung": MeasureStatus.IN_PREPARATION,
    "abgeschlossen": MeasureStatus.IMPLEMENTED,
    "daueraufgabe": MeasureStatus.CONTINUOUS,
    "verworfen": MeasureStatus.DROPPED,
    "ruht": MeasureStatus.PAUSED,
}
_VISIBILITY_WORDS = {
    **{fold(label): visibility for visibility, label in VISIBILITY_LABELS.items()},
    **{visibility.value: visibility for visibility in MeasureVisibility},
    "buero": MeasureVisibility.OFFICE,
    "intern": MeasureVisibility.OFFICE,
}


def status_from_text(text: str) -> MeasureStatus | None:
    return _STATUS_WORDS.get(fold(text).replace("_", " ")) or _STATUS_WORDS.get(fold(text))


def visibility_from_text(text: str) -> MeasureVisibility | None:
    return _VISIBILITY_WORDS.get(fold(text))
