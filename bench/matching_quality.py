"""How well the matching judges: precision, recall and F1 per category and overall on the
labelled sets (offers and requests an office wrote and judged): tests/data/matching, the set
the model was built on; tests/data/matching_heldout, written after the first model (its misses
led to the second round of rules); tests/data/matching_blind, written without seeing the model
or the other sets (its misses led to the third round); and tests/data/matching_unseen, written
the same way and never used to tune anything — the figure to trust for listings nobody has
seen.

    .venv/bin/python -m bench.matching_quality [--wrong] [--json PATH]

Precision: of the pairs matched, how many should be (what a partner sees in the inbox).
Recall: of the pairs that should match, how many are. `--wrong` lists every pair judged
otherwise than the label, with the label's reason. Writes var/bench/matching_quality.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from services.exchange.domain import Listing
from services.exchange.matching import match
from tests.support.matching_set import (
    BLIND_DIR,
    HELD_OUT_DIR,
    REFERENCE_NOW,
    SET_DIR,
    UNSEEN_DIR,
    Tally,
    evaluate,
    load_pairs,
)

DEFAULT_JSON = Path("var/bench/matching_quality.json")


def matches(offer: Listing, request: Listing) -> bool:
    return match(offer, request, REFERENCE_NOW) is not None


def table(tallies: dict[str, Tally]) -> str:
    lines = [
        "| category | pairs | should match | precision | recall | F1 |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, tally in sorted(tallies.items(), key=lambda item: (item[0] == "overall", item[0])):
        wanted = tally.true_positives + tally.false_negatives
        label = f"**{name}**" if name == "overall" else name
        lines.append(
            f"| {label} | {tally.pairs} | {wanted} | {tally.precision:.2f} | "
            f"{tally.recall:.2f} | {tally.f1:.2f} |"
        )
    return "\n".join(lines)


def figures(tallies: dict[str, Tally]) -> dict[str, dict[str, float | int]]:
    return {
        name: {
            "pairs": tally.pairs,
            "precision": round(tally.precision, 3),
            "recall": round(tally.recall, 3),
            "f1": round(tally.f1, 3),
            "true_positives": tally.true_positives,
            "false_positives": tally.false_positives,
            "false_negatives": tally.false_negatives,
            "true_negatives": tally.true_negatives,
        }
        for name, tally in tallies.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wrong", action="store_true", help="list the pairs judged wrongly")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    args = parser.parse_args()
    written: dict[str, object] = {}
    sets = (
        ("labelled", SET_DIR),
        ("held_out", HELD_OUT_DIR),
        ("blind", BLIND_DIR),
        ("unseen", UNSEEN_DIR),
    )
    for name, directory in sets:
        if not directory.is_dir():
            continue
        tallies = evaluate(load_pairs(directory), matches)
        print(f"\n{name} ({directory.relative_to(SET_DIR.parents[2])}):\n")
        print(table(tallies))
        if args.wrong:
            for category, tally in sorted(tallies.items()):
                if category != "overall":
                    for line in tally.wrong:
                        print(f"  {line}")
        written[name] = figures(tallies)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(written, indent=2) + "\n", encoding="utf-8")
    print(f"written: {args.json}")


if __name__ == "__main__":
    main()
