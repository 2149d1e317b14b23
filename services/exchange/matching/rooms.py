"""Rooms: what kind of room a listing offers or needs, read from its words. A hall for sport
is no store for furniture, a store no room for a group, a meeting room no flat. No I/O."""

from __future__ import annotations

import functools

from services.exchange.domain import Listing
from shared.text import fold, words

#: Kinds of room by folded word parts, most specific first.
_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("online", ("virtuell", "online", "videokonferenz")),
    ("housing", ("wohnung", "wohnraum", "unterkunft", "wg-zimmer", "wg ")),
    (
        "storage",
        ("lager", "keller", "abstell", "einlager", "garage", "kuhlraum", "stellplatz", "parkplatz"),
    ),
    (
        "outdoor",
        ("hof", "garten", "aussenbereich", "draussen", "freien", "grill", "outdoor", "beet"),
    ),
    (
        "sport",
        ("turnhalle", "sporthalle", "turnen", "futsal", "gymnastik", "bewegungsraum", "ballsport"),
    ),
    ("kitchen", ("kuche", "kochen", "kochkurs")),
    ("office", ("buro", "schreibtisch", "arbeitsplatz", "coworking", "beratung")),
    ("quiet", ("stille", "gebet", "meditation", "andacht")),
    ("exhibition", ("ausstellung", "foyer")),
    ("market", ("flohmarkt", "basar", "markt")),
    ("dance", ("tanz",)),
    # a plain "Halle" may be for sport or for a celebration
    ("hall", ("halle",)),
)
#: What makes a room usable by a group as well, whatever else it is.
_MEETING = ("raum", "saal", "zimmer", "aula", "vereinsheim", "treff", "lokal")
#: Kinds a request can use for a need of another kind.
_SERVES = {
    "sport": {"sport"},
    "storage": {"storage"},
    "outdoor": {"outdoor"},
    "housing": {"housing"},
    "online": {"online"},
    "kitchen": {"kitchen"},
    "office": {"office", "meeting"},
    "quiet": {"quiet", "meeting"},
    "exhibition": {"exhibition", "meeting"},
    "market": {"market", "outdoor", "meeting"},
    "dance": {"dance", "sport"},
    "hall": {"hall", "meeting", "sport"},
}


def _folded(text: str) -> str:
    return " ".join(words(fold(text))) + " "


@functools.lru_cache(maxsize=4096)
def offered_kinds(text: str) -> frozenset[str]:
    """Every kind a room is, by the words describing it (a hall with a kitchen is both)."""
    folded = _folded(text)
    found = {kind for kind, parts in _KINDS for part in parts if part in folded}
    if not found or (
        any(part in folded for part in _MEETING) and not found & {"storage", "online", "housing"}
    ):
        found.add("meeting")  # a store room or a video room is no room to meet in
    return frozenset(found)


@functools.lru_cache(maxsize=4096)
def needed_kind(text: str) -> str:
    """The most specific kind a request names ("eine Halle zum Lagern" needs a store)."""
    folded = _folded(text)
    return next((kind for kind, parts in _KINDS if any(p in folded for p in parts)), "meeting")


def kinds_agree(offer: Listing, request: Listing) -> bool:
    """Whether the room offered is of a kind the request can use: the request's title and
    tags say what it needs, the offer's title and tags what it is."""
    offered = offered_kinds(f"{offer.title} {' '.join(offer.tags)}")
    need = needed_kind(f"{request.title} {' '.join(request.tags)}")
    return bool(offered & _SERVES.get(need, {"meeting"}))
