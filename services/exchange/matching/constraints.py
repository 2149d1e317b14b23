"""What a listing says about when, how many, where and for whom — read from its fields and its
text — and whether an offer's conditions allow what a request needs. No I/O.

Each check answers False only when both sides say something and it contradicts: a listing
that does not say when is not taken to exclude any time.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable

from services.exchange.domain import Listing
from services.exchange.matching.words import stem
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
    found = [
        int(hit.group(2) or hit.group(1))
        for hit in _PEOPLE.finditer(fold(f"{listing.title} {listing.description}"))
    ]
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


# --- for whom and on which terms ------------------------------------------------------------


def mentions(text: str, stems: Iterable[str]) -> bool:
    folded = words(fold(text))
    return any(word.startswith(s) or s in word for word in folded for s in stems)


_WOMEN = ("frau", "mutter", "mutt", "madchen", "afghaninnen")
_MEN = ("manner", "mann ", "vater", "jungen")
_ONLY = ("nur", "ausschliesslich", "schutzraum")


def audiences_agree(offer: Listing, request: Listing) -> bool:
    """An offer for women does not serve men, and the other way round — as their titles and
    tags say (a description mentioning a father is no restriction; "nur für Frauen" anywhere
    is one, see `conditions_agree`)."""
    offer_text = fold(f"{offer.title} {' '.join(offer.tags)}")
    request_text = fold(f"{request.title} {' '.join(request.tags)}")
    for own, other in ((_WOMEN, _MEN), (_MEN, _WOMEN)):
        if (
            mentions(offer_text, own)
            and mentions(request_text, other)
            and not mentions(request_text, own)
        ):
            return False
    return True


#: Age groups by folded word beginnings.
_AGES: dict[str, tuple[str, ...]] = {
    "babies": ("baby", "babys", "neugebor", "saugling", "krabbel"),
    "children": ("kind", "kleinkind", "kita", "grundschul", "u10", "u12", "erstklass", "madchen"),
    "youth": ("jugend", "teenager", "u14", "u16", "u17", "u18", "azubi"),
    "adults": ("erwachsen", "herren", "manner", "frauen", "u35", "senior", "studier", "eltern"),
}


_YEARS = re.compile(r"(\d{1,2})\s*(?:-|–|bis)\s*(\d{1,2})\s*-?\s*jahrig")
_FROM_YEARS = re.compile(r"\bab\s*(\d{1,2})\s*(?:jahr|j\b)")


def _age_groups(first: int, last: int) -> set[str]:
    spans = {"babies": (0, 2), "children": (3, 12), "youth": (13, 17), "adults": (18, 120)}
    return {group for group, (low, high) in spans.items() if first <= high and last >= low}


@functools.lru_cache(maxsize=4096)
def _ages(text: str) -> frozenset[str]:
    """The age groups a text names, in words ("Grundschüler", "Senioren") or in years
    ("6- bis 10-Jährige", "ab 16 Jahren")."""
    folded_text = fold(text)
    folded = words(folded_text)
    found = {age for age, parts in _AGES.items() for w in folded for p in parts if w.startswith(p)}
    for first, last in _YEARS.findall(folded_text):
        found |= _age_groups(int(first), int(last))
    for first in _FROM_YEARS.findall(folded_text):
        found |= _age_groups(int(first), 120)
    return frozenset(found)


def served_ages_agree(offer: Listing, request: Listing) -> bool:
    """For people who offer themselves ("Senioren als Gesprächspartner"), the age group they
    serve is what the title names after "für" ("Nachhilfe für Grundschüler") or the children
    and young people their tags name — not their own age."""
    title = fold(offer.title)
    after_for = re.split(r"\bfurs?\b", title, maxsplit=1)
    served = _ages(after_for[1]) if len(after_for) == 2 else frozenset()
    served = served or _ages(" ".join(offer.tags)) - {"adults"}
    needed = _ages(f"{request.title} {' '.join(request.tags)}")
    return not (served and needed and not served & needed)


def ages_agree(offer: Listing, request: Listing) -> bool:
    """An offer for children does not serve adults, nor one for babies teenagers: where both
    name an age group (titles with their tags, or an age limit the offer's description sets),
    they share one."""
    limit = _FROM_YEARS.findall(fold(offer.description))
    offered = (
        frozenset(_age_groups(int(limit[0]), 120))
        if limit
        else _ages(f"{offer.title} {' '.join(offer.tags)}")
    )  # "Einlass ab 16 Jahren", "Kinder ab 3 Jahren": the limit the description sets
    needed = _ages(f"{request.title} {' '.join(request.tags)}")
    return not (offered and needed and not offered & needed)


#: (what an offer says, what a request says) that cannot go together.
_CONFLICTS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        ("keine feier", "keine laute", "nur vortrag", "ruhige"),
        ("feier", "party", "hochzeit", "disco", "musik"),
    ),
    (
        ("miete", "euro", "€", "vermiet", "kostet", "honorar", "startgebuhr"),
        ("kostenlos", "kein budget", "ohne budget", "kostenfrei", "kein geld", "umsonst"),
    ),
    (("kein aufzug", "ohne aufzug", "stock", " og"), ("barrierefrei", "rollstuhl", "stufenlos")),
    (("kein herd", "teekuche"), ("kochen", "herd")),
    (("vor ort", "keine ausleihe"), ("zuhause", "mitnehmen", "nach hause")),
    (
        ("ohne fahrer", "selbst fahren", "selbstfahrer"),
        ("mit fahrer", "und fahrer", "keinen fuhrerschein", "kein fuhrerschein"),
    ),
    (
        ("zoom", "online", "video", "telefon"),
        ("kein internet", "ohne internet", "personliche treffen", "vor ort", "hausbesuch"),
    ),
    (("nur fur vereine", "fur gemeinnutzige vereine", "fur vereine"), ("privat",)),
    (("personlich", "im treff", "nachbarschaftstreff"), ("online",)),
)


_NOUN = r"[A-ZÄÖÜ][\wäöüß-]+"
_SKIP = r"(?:(?:am|an|im|in|der|die|das|den|dem|zu|zum|zur|laute|lauten|große|großen)\s+)*"
_NOUNS = rf"({_NOUN}(?:\s*(?:,|und|oder)\s*{_NOUN})*)"
_NEGATED = re.compile(rf"\b(?:[Kk]ein(?:e|en|er)?|[Oo]hne)\s+{_SKIP}{_NOUNS}")
_EXCLUDED = re.compile(
    rf"{_NOUNS}\s+(?:sind\s+|ist\s+|werden\s+)?(?:ausgeschlossen|nicht erlaubt|verboten|"
    r"untersagt|nicht gestattet|nicht möglich)"
)
#: "nur für Frauen", "nur an eingetragene gemeinnützige Vereine", "nur mit eingetragenen
#: Vereinen", "nur für Teams aus dem Ostviertel": the adjectives before the noun are skipped,
#: and what follows "mit" or "aus dem" belongs to the reservation.
_RESTRICTED = re.compile(
    rf"\b(?:[Nn]ur|[Aa]usschließlich)\s+(?:für|fuer|an|mit)\s+{_SKIP}"
    r"(?:[a-zäöüß-]+\s+){0,3}"
    rf"({_NOUN}(?:\s*(?:,|und|oder|mit|aus dem|aus der|aus den)\s*{_NOUN})*)"
)
_RESERVED = re.compile(rf"({_NOUN}(?:\s*(?:und|oder)\s*{_NOUN})?)\s+vorbehalten")
#: Beginnings of nouns whose absence is a benefit ("keine Kosten") or that name nobody in
#: particular ("nur für Menschen mit …").
_NEUTRAL = (
    "kost", "miet", "gebuh", "probl", "anmeld", "voraus", "vorkennt", "erfahr", "eintritt",
    "beitrag", "kaution", "mensch", "person", "grupp", "leute", "interessiert",
)  # fmt: skip
#: How much of a noun's stem is compared ("Unternehmen" is not "unter").
_KEY_LENGTH = 7


def _nouns(hits: list[str]) -> frozenset[str]:
    found = {
        stem(word)[:_KEY_LENGTH]
        for hit in hits
        for word in words(hit)
        if len(word) >= 4 and word not in ("und", "oder", "mit")
    }
    return frozenset(key for key in found if not key.startswith(_NEUTRAL))


def excluded(listing: Listing) -> frozenset[str]:
    """Beginnings of the nouns a listing rules out ("keine Feiern", "Musik ausgeschlossen")."""
    text = f"{listing.title}. {listing.description}"
    return _nouns(_NEGATED.findall(text) + _EXCLUDED.findall(text))


def restricted_to(listing: Listing) -> frozenset[str]:
    """Beginnings of the nouns an offer is reserved for ("nur für Frauen", "Vereinen
    vorbehalten")."""
    text = f"{listing.title}. {listing.description}"
    return _nouns(_RESTRICTED.findall(text) + _RESERVED.findall(text))


def _needs(request: Listing) -> frozenset[str]:
    """Beginnings of the words a request uses, without those it rules out itself."""
    text = f"{request.title} {' '.join(request.tags)} {request.description}"
    own = excluded(request)
    return frozenset(
        w for w in words(fold(text)) if len(w) >= 4 and stem(w)[:_KEY_LENGTH] not in own
    )


def _mentioned(key: str, used: frozenset[str]) -> bool:
    """Whether a request uses a word with this noun's stem, also inside a compound."""
    return any(key in word for word in used)


def conditions_agree(offer: Listing, request: Listing) -> bool:
    """What an offer rules out is not what the request needs, and the request is among those
    an offer is reserved for (an age group or gender counts only where the request names
    another)."""
    used = _needs(request)
    if any(_mentioned(fold(noun), used) for noun in excluded(offer)):
        return False
    reserved = restricted_to(offer)
    if not reserved:
        return True
    groups = _ages(" ".join(reserved)) | _genders(" ".join(reserved))
    if groups:
        named = _ages(" ".join(used)) | _genders(" ".join(used))
        return not named or bool(named & groups)
    return any(_mentioned(fold(noun), used) for noun in reserved)


def _genders(text: str) -> frozenset[str]:
    folded = words(fold(text))
    found = set()
    if any(w.startswith(("frau", "madch", "mutt", "mutte")) for w in folded):
        found.add("women")
    if any(w.startswith(("mann", "manne", "jung", "vater", "vate")) for w in folded):
        found.add("men")
    return frozenset(found)


_BROKEN = ("defekt", "kaputt", "ersatzteil")
_FIXING = ("defekt", "repar", "ersatzteil", "bastel", "bastl")


def text_of(listing: Listing) -> str:
    return f"{listing.title} {' '.join(listing.tags)} {listing.description}"


def terms_agree(offer: Listing, request: Listing) -> bool:
    """Whether an offer's terms allow the request: no parties in a room for talks, no rent
    for a request without budget, no stairs for wheelchairs …"""
    if not conditions_agree(offer, request):
        return False
    if mentions(text_of(offer), _BROKEN) and not mentions(text_of(request), _FIXING):
        return False  # a broken machine serves only who repairs or wants spare parts
    offer_text = fold(f" {offer.title} {offer.description} {' '.join(offer.tags)} ")
    request_text = fold(f" {request.title} {request.description} {' '.join(request.tags)} ")
    for offer_says, request_says in _CONFLICTS:
        said = [s for s in offer_says if s in offer_text]
        if not said or not any(s in request_text for s in request_says):
            continue
        rest = offer_text
        for phrase in said:
            rest = rest.replace(phrase, " ")
        if not any(s in rest for s in request_says):
            return False
    return True


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
