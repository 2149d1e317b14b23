"""What a listing says about how many, when and where — read from its fields and its text —
and, with `terms.py` (for whom, on which terms), whether an offer's conditions allow what a
request needs. No I/O.

Each check answers False only when both sides say something and it contradicts: a listing
that does not say when is not taken to exclude any time.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from services.exchange.domain import Listing
from services.exchange.matching.terms import ages_agree, audiences_agree, terms_agree
from shared.text import fold, words

# --- how many -------------------------------------------------------------------------------

_PEOPLE = re.compile(
    r"(\d{1,4})\s*(?:-|–|bis)?\s*(\d{1,4})?\s*(?:personen|leute|teilnehm\w*|platze|"
    r"sitzplatze|gaste|menschen|kinder|jugendliche|frauen|manner|mitglieder|zuschauer|"
    r"familien|spieler|sanger\w*|stimmen|eltern)"
)


def people(listing: Listing) -> int | None:
    """How many people a listing speaks of: `quantity`, else the largest number of people
    its text names ("für ca. 25 Personen", "20–30 Teilnehmende")."""
    if listing.quantity is not None:
        return listing.quantity
    return _people_in(f"{listing.title} {listing.description}")


@functools.lru_cache(maxsize=4096)
def _people_in(text: str) -> int | None:
    found = [int(hit.group(2) or hit.group(1)) for hit in _PEOPLE.finditer(fold(text))]
    return max(found) if found else None


def enough(offered: int | None, needed: int | None, *, share: float = 1.0) -> bool:
    """Whether what is offered covers `share` of what is needed (unknown on a side: yes)."""
    return offered is None or needed is None or offered >= needed * share


# --- when -----------------------------------------------------------------------------------

_EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)
_LATEST = dt.datetime.max.replace(tzinfo=dt.UTC)


def has_window(listing: Listing) -> bool:
    return listing.available_from is not None or listing.available_until is not None


def windows_overlap(a: Listing, b: Listing) -> bool:
    start_a, end_a = a.available_from or _EARLIEST, a.available_until or _LATEST
    start_b, end_b = b.available_from or _EARLIEST, b.available_until or _LATEST
    return start_a < end_b and start_b < end_a


def window_covered(offer: Listing, request: Listing, *, share: float = 0.5) -> bool:
    """Whether the offer's window covers at least `share` of the time the request needs (an
    open end counts as a year); a request for one moment must lie inside the offer's."""
    if not (has_window(offer) and has_window(request)):
        return True
    if not windows_overlap(offer, request):
        return False
    start = request.available_from or offer.available_from or _EARLIEST
    end = request.available_until or start + dt.timedelta(days=365)
    overlap_start = max(start, offer.available_from or start)
    overlap_end = min(end, offer.available_until or end)
    needed = (end - start).total_seconds()
    return needed <= 0 or (overlap_end - overlap_start).total_seconds() >= needed * share


#: Folded word beginnings → the parts of a week or a day they name.
_DAY_WORDS = {
    "montag": {"mo"},
    "dienstag": {"di"},
    "mittwoch": {"mi"},
    "donnerstag": {"do"},
    "freitag": {"fr"},
    "samstag": {"sa"},
    "sonnabend": {"sa"},
    "sonntag": {"so"},
    "wochenend": {"sa", "so"},
    "werktag": {"mo", "di", "mi", "do", "fr"},
    "unter der woche": {"mo", "di", "mi", "do", "fr"},
}
_PART_WORDS = {
    "vormittag": "morning",
    "morgen": "morning",
    "fruh": "morning",
    "nachmittag": "afternoon",
    "mittag": "afternoon",
    "abend": "evening",
    "feierabend": "evening",
    "nacht": "evening",
}
_WEEKDAYS = ["mo", "di", "mi", "do", "fr", "sa", "so"]
_DAY_NAMES = "montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag"
_DAY_RANGE = re.compile(
    rf"\b({_DAY_NAMES}|mo|di|mi|do|fr|sa|so)s?\.?\s*(?:bis|-|–)\s*({_DAY_NAMES}|mo|di|mi|do|fr|sa|so)\b"
)
#: "ab 18 Uhr", "von 9 bis 14 Uhr", "8-13 Uhr", "18:00 bis 20:30 Uhr", "bis 20 Uhr".
_HOURS = re.compile(
    r"(?:(ab|von)\s*)?(\d{1,2})(?:[:.]\d\d)?\s*(?:(?:bis|-|–)\s*(\d{1,2})(?:[:.]\d\d)?\s*)?uhr"
)
_UNTIL = re.compile(r"\bbis\s*(\d{1,2})(?:[:.]\d\d)?\s*uhr")
#: "nur werktags", "nur samstags": the days named after "nur" are the only ones.
_ONLY_DAYS = re.compile(
    rf"\bnur\s+(?:am\s+|an\s+)?((?:{_DAY_NAMES}|werktag|wochenend|unter der woche)\w*)"
)


#: Words that close a clause about times that are *not* available ("abends ist es zu").
_CLOSED = ("geschlossen", "belegt", "besetzt", "gebraucht", "nicht", "kein", "ausgebucht")


def open_times(text: str) -> str:
    """The clauses of a text that say when something is available, without those that say
    when it is closed or taken ("am Wochenende wird er selbst gebraucht")."""
    # clauses end at punctuation, a full stop before a space or a spaced dash; "9–11:30 Uhr"
    # and "Mo–Fr" stay whole
    clauses = re.split(r"[,;!?]|\.\s|\s[–-]\s", fold(text))
    kept = [
        clause
        for clause in clauses
        if not any(word in clause for word in _CLOSED) and not clause.rstrip(" .!").endswith(" zu")
    ]
    return ", ".join(kept)


@functools.lru_cache(maxsize=4096)
def days_named(text: str) -> frozenset[str]:
    """The weekdays a text names; only those after "nur" where it says "nur werktags"."""
    folded = open_times(text)
    only = _ONLY_DAYS.findall(folded)
    if only:
        return _days_in(" ".join(only))
    if re.search(r"\bauch\s+(?:am\s+|an\s+)?(?:wochenend|samstag|sonntag|abend)", folded):
        return frozenset()  # "auch am Wochenende": on weekdays too, so no day is ruled out
    found: set[str] = set(_days_in(folded))
    for first, last in _DAY_RANGE.findall(folded):
        a, b = _WEEKDAYS.index(first[:2]), _WEEKDAYS.index(last[:2])
        found.update(_WEEKDAYS[a : b + 1])
    return frozenset(found)


def _days_in(folded: str) -> frozenset[str]:
    found: set[str] = set()
    for start, days in _DAY_WORDS.items():
        if " " in start and start in folded:
            found |= days
    for word in words(folded):
        for start, days in _DAY_WORDS.items():
            if start in word:
                found |= days
    return frozenset(found)


@functools.lru_cache(maxsize=4096)
def day_parts(text: str) -> frozenset[str]:
    """The parts of the day a text names, in words or in hours."""
    folded = open_times(text)
    found = {part for word in words(folded) for start, part in _PART_WORDS.items() if start in word}
    spans = [
        (int(start), int(end) if end else (int(start) + 2 if since == "" else 22))
        for since, start, end in _HOURS.findall(folded)
    ]
    spans += [
        (8, int(hit.group(1)))
        for hit in _UNTIL.finditer(folded)
        if int(hit.group(1)) >= 8
        and not re.search(r"\d", folded[max(0, hit.start() - 7) : hit.start()])
    ]  # "bis 20 Uhr" alone: open from the morning
    for first, last in spans:
        if first < 12:
            found.add("morning")
        if first < 17 and last > 13:
            found.add("afternoon")
        if last >= 18 or first >= 17:
            found.add("evening")
    return frozenset(found)


def _weekdays_of(listing: Listing) -> frozenset[str]:
    """The weekdays of a request for one day (its window lies within a day)."""
    start, end = listing.available_from, listing.available_until
    if start is None or end is None or end - start > dt.timedelta(days=1):
        return frozenset()
    return frozenset({_WEEKDAYS[start.weekday()]})


def times_agree(offer: Listing, request: Listing) -> bool:
    """Whether the days and times of day the two name have something in common."""
    offer_text = f"{offer.title} {' '.join(offer.tags)} {offer.description}"
    request_text = f"{request.title} {' '.join(request.tags)} {request.description}"
    offer_days = days_named(offer_text)
    request_days = days_named(request_text) or _weekdays_of(request)
    if offer_days and request_days and not offer_days & request_days:
        return False
    offer_parts, request_parts = day_parts(offer_text), day_parts(request_text)
    return not (offer_parts and request_parts and not offer_parts & request_parts)


# --- where ----------------------------------------------------------------------------------

#: Folded words with which a request says its district is a must, not a wish.
_OFFER_MUSTS = ("nur im ", "nur in ", "ausschliesslich")
_DISTRICT_MUSTS = ("muss", "nur ", "fussl", "zu fuss", "nahe", "direkt", "gebunden", "bitte nur")


def district_agrees(offer: Listing, request: Listing) -> bool:
    """Different districts rule a pair out only where one side insists on its own."""
    if offer.district is None or request.district is None:
        return True
    if fold(offer.district) == fold(request.district):
        return True
    request_text = fold(f"{request.title} {request.description} {' '.join(request.tags)}")
    offer_text = fold(f" {offer.title} {offer.description} {' '.join(offer.tags)} ")
    return not (
        any(must in request_text for must in _DISTRICT_MUSTS)
        or any(must in offer_text for must in _OFFER_MUSTS)
    )


def same_district(a: Listing, b: Listing) -> bool:
    return (
        a.district is not None and b.district is not None and fold(a.district) == fold(b.district)
    )


def conditions_met(
    offer: Listing, request: Listing, *, share: float = 0.0, ages: bool = True
) -> bool:
    """When, where, for whom and on which terms — what every model checks: the offer's window
    covers `share` of the request's, days and hours agree, a district one side insists on, the
    same people (gender; the age group where `ages`: a room in a primary school serves adults
    too), and nothing the offer rules out or reserves for others."""
    return (
        window_covered(offer, request, share=share)
        and times_agree(offer, request)
        and district_agrees(offer, request)
        and audiences_agree(offer, request)
        and (not ages or ages_agree(offer, request))
        and terms_agree(offer, request)
    )
