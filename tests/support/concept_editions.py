"""The fields of action a test's concept is adopted with: two of Kempten's, one goal each (a
measure numbered 1.1.x or 3.2.x belongs to one of them)."""

from __future__ import annotations

from typing import Any

KEMPTEN_FIELDS: list[dict[str, Any]] = [
    {
        "number": "1",
        "title": "Sprache und Bildung",
        "goals": [{"number": "1.1", "title": "Alle lernen früh Deutsch"}],
    },
    {
        "number": "3",
        "title": "Soziale Teilhabe",
        "goals": [{"number": "3.2", "title": "Vereine öffnen sich für Neuzugewanderte"}],
    },
]
