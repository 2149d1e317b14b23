"""Who a listing is for and on which terms: gender and age group, what an offer rules out
("keine Feiern", "Musik ausgeschlossen") or is reserved for ("nur für Frauen", "Vereinen
vorbehalten"), prices against no budget, broken devices. No I/O.

Each check answers False only when both sides say something and it contradicts.
"""

from __future__ import annotations

import functools
import re

from services.exchange.domain import Listing
from services.exchange.matching.words import stem, text_of
from shared.text import fold, words


@functools.lru_cache(maxsize=8192)
def mentions(text: str, stems: tuple[str, ...]) -> bool:
    """Whether a word of the text begins with or contains one of the folded stems."""
    folded = words(fold(text))
    return any(word.startswith(s) or s in word for word in folded for s in stems)


_WOMEN = ("frau", "mutter", "mutt", "madchen", "afghaninnen")
_MEN = ("manner", "mann ", "vater", "jungen")


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
    return _excluded_in(f"{listing.title}. {listing.description}")


@functools.lru_cache(maxsize=4096)
def _excluded_in(text: str) -> frozenset[str]:
    return _nouns(_NEGATED.findall(text) + _EXCLUDED.findall(text))


def restricted_to(listing: Listing) -> frozenset[str]:
    """Beginnings of the nouns an offer is reserved for ("nur für Frauen", "Vereinen
    vorbehalten")."""
    return _restricted_in(f"{listing.title}. {listing.description}")


@functools.lru_cache(maxsize=4096)
def _restricted_in(text: str) -> frozenset[str]:
    return _nouns(_RESTRICTED.findall(text) + _RESERVED.findall(text))


def _needs(request: Listing) -> frozenset[str]:
    """Beginnings of the words a request uses, without those it rules out itself."""
    text = text_of(request)
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
