"""The labelled evaluation set of the matching (`tests/data/matching/<category>.jsonl`): pairs
of an offer and a request as a city's office wrote and judged them, loaded as listings, and
the precision and recall of a matcher on them."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.exchange.domain import Listing, ListingCreate
from shared.contracts.exchange import ListingCategory, ListingKind

SET_DIR = Path(__file__).resolve().parents[1] / "data" / "matching"
#: Pairs written after the first model; its misses led to the second round of rules.
HELD_OUT_DIR = Path(__file__).resolve().parents[1] / "data" / "matching_heldout"
#: Pairs written without seeing the model or the other sets; its misses led to the third round.
BLIND_DIR = Path(__file__).resolve().parents[1] / "data" / "matching_blind"
#: Pairs written without seeing the model or any other set, never used to tune it.
UNSEEN_DIR = Path(__file__).resolve().parents[1] / "data" / "matching_unseen"
#: "Now" of the whole set: every window lies after it.
REFERENCE_NOW = dt.datetime(2027, 4, 1, tzinfo=dt.UTC)
#: What a listing of the set may give: the fields an organisation posts, but for the pair's
#: category, the organisation and the expiry, which the set leaves to the loader.
LISTING_FIELDS = frozenset(ListingCreate.model_fields) - {
    "organisation_id",
    "category",
    "expires_at",
}


@dataclass(frozen=True)
class LabelledPair:
    id: str
    category: ListingCategory
    should_match: bool
    why: str
    offer: Listing
    request: Listing


def _id(pair_id: str, side: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"integrationsnetz:matching-set:{pair_id}:{side}"))


def listing_of(
    pair_id: str, category: ListingCategory, kind: ListingKind, fields: dict[str, Any]
) -> Listing:
    """A listing as the exchange holds it after posting `fields` (each side its own
    organisation, open, posted at the reference time)."""
    side = kind.value
    return Listing(
        id=_id(pair_id, side),
        kind=kind,
        organisation_id=_id(pair_id, f"{side}-organisation"),
        category=category,
        expires_at=REFERENCE_NOW + dt.timedelta(days=365),
        created_at=REFERENCE_NOW,
        updated_at=REFERENCE_NOW,
        **{name: value for name, value in fields.items() if value is not None},
    )


def load_pairs(directory: Path = SET_DIR) -> list[LabelledPair]:
    pairs = []
    for path in sorted(directory.glob("*.jsonl")):
        category = ListingCategory(path.stem)
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            raw = json.loads(line)
            pairs.append(
                LabelledPair(
                    id=raw["id"],
                    category=category,
                    should_match=raw["label"] == "match",
                    why=raw["why"],
                    offer=listing_of(raw["id"], category, ListingKind.OFFER, raw["offer"]),
                    request=listing_of(raw["id"], category, ListingKind.REQUEST, raw["request"]),
                )
            )
    return pairs


@dataclass
class Tally:
    """Counts of one category (or all): matched and should, matched and should not …"""

    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    true_negatives: int = 0
    wrong: list[str] = field(default_factory=list)

    def add(self, pair: LabelledPair, matched: bool) -> None:
        if matched and pair.should_match:
            self.true_positives += 1
        elif matched:
            self.false_positives += 1
            self.wrong.append(f"{pair.id}: matched, but {pair.why}")
        elif pair.should_match:
            self.false_negatives += 1
            self.wrong.append(f"{pair.id}: not matched, but {pair.why}")
        else:
            self.true_negatives += 1

    @property
    def pairs(self) -> int:
        return (
            self.true_positives + self.false_positives + self.false_negatives + self.true_negatives
        )

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def evaluate(
    pairs: Iterable[LabelledPair], matches: Callable[[Listing, Listing], bool]
) -> dict[str, Tally]:
    """Tallies per category and `"overall"` of `matches(offer, request)` against the labels."""
    tallies: dict[str, Tally] = {"overall": Tally()}
    for pair in pairs:
        matched = matches(pair.offer, pair.request)
        tallies.setdefault(pair.category.value, Tally()).add(pair, matched)
        tallies["overall"].add(pair, matched)
    return tallies
