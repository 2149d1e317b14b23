"""The pure parts of the concept's pages in the portal: the files held between an import's
preview and its confirmation, and the charts drawn as SVG."""

from __future__ import annotations

import datetime as dt
import re

from services.portal import charts
from services.portal.uploads import HeldUploads


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_held_file_is_given_back_to_the_session_that_uploaded_it_only() -> None:
    held = HeldUploads()
    key = held.keep("session-a", "konzept.xlsx", "text/csv", b"Nr.;Status")
    mine = held.get(key, "session-a")
    assert mine is not None
    assert mine.content == b"Nr.;Status"
    assert held.get(key, "session-b") is None
    assert held.get("another-key", "session-a") is None


def test_a_held_file_expires_and_a_dropped_one_is_gone() -> None:
    clock = Clock()
    held = HeldUploads(hold_seconds=60, clock=clock)
    first = held.keep("s", "a.csv", "text/csv", b"a")
    second = held.keep("s", "b.csv", "text/csv", b"b")
    held.drop(second)
    assert held.get(second, "s") is None
    clock.now += 59
    assert held.get(first, "s") is not None
    clock.now += 1
    assert held.get(first, "s") is None


def test_the_oldest_file_goes_when_too_many_are_held() -> None:
    held = HeldUploads(most=2)
    keys = [held.keep("s", f"{n}.csv", "text/csv", b"x") for n in range(3)]
    assert held.get(keys[0], "s") is None
    assert held.get(keys[1], "s") is not None
    assert held.get(keys[2], "s") is not None


def test_the_stacked_bars_say_their_numbers_in_words_and_escape_titles() -> None:
    svg = charts.stacked_bars(
        [("1 Sprache & <Bildung>", {"planned": 2, "in_progress": 3}), ("2 Arbeit", {})],
        title="Umsetzungsstand",
        chart_id="stand",
    )
    assert 'role="img"' in svg
    assert 'aria-labelledby="stand-title stand-desc"' in svg
    assert "1 Sprache &amp; &lt;Bildung&gt;: 2 geplant, 3 in Umsetzung" in svg
    assert "2 Arbeit: keine Maßnahmen" in svg
    assert "<Bildung>" not in svg
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([0-9.]+)"', svg)]
    assert widths == [charts.BAR_WIDTH * 2 / 5, charts.BAR_WIDTH * 3 / 5]


def test_the_line_chart_describes_each_value_and_the_target() -> None:
    svg = charts.line_chart(
        [(dt.date(2024, 1, 31), 12.0), (dt.date(2024, 6, 30), 1234.5)],
        title="Verlauf: Teilnehmende",
        unit="Personen",
        target=2000,
        chart_id="k",
    )
    assert "31.01.2024: 12 Personen, 30.06.2024: 1.234,5 Personen; Ziel: 2.000 Personen" in svg
    assert svg.count("<circle") == 2
    assert "stroke-dasharray" in svg  # the target line


def test_a_line_chart_without_values_says_so() -> None:
    svg = charts.line_chart([], title="Verlauf", chart_id="k")
    assert "noch keine Werte" in svg
    assert "<circle" not in svg
