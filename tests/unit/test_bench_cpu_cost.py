"""The pipeline benchmark's CPU cost per posting and the ceilings it derives from it."""

from __future__ import annotations

import os

from bench.pipeline_report import cpu_cost


def test_cost_per_posting_and_ceilings() -> None:
    cores = os.cpu_count() or 1
    cost = cpu_cost({"nx-27017": 2.0, "exchange": 1.0, "notifier": 1.0, "bench": 4.0}, 100)

    assert cost["cpu_ms_per_posting"] == {
        "nx-27017": 20.0,
        "exchange": 10.0,
        "notifier": 10.0,
        "bench": 40.0,
    }
    ceilings = cost["ceiling_postings_per_s"]
    assert ceilings["nx-27017 on its one core"] == 50  # one thread: 1000 ms / 20 ms
    assert ceilings[f"the stack on {cores} cores"] == round(cores * 1000 / 40)
    assert ceilings[f"stack and clients on {cores} cores"] == round(cores * 1000 / 80)


def test_no_postings_gives_finite_figures() -> None:
    cost = cpu_cost({"nx-27017": 0.0}, 0)

    assert cost["cpu_ms_per_posting"] == {"nx-27017": 0.0}
    assert all(v > 0 for v in cost["ceiling_postings_per_s"].values())
