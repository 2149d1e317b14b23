"""Language partners: which language is learnt or practised, what kind of help is asked for
and given, at which level. A language both sides speak lets them talk; it is the language one
side wants to practise, and the other speaks or teaches, that makes them fit. No I/O.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from services.exchange.domain import Listing
from services.exchange.matching.words import text_of
from shared.text import fold, words

#: Folded names of languages and their adjectives (also inside compounds) → BCP 47.
LANGUAGE_WORDS = {
    "deutsch": "de",
    "german": "de",
    "englisch": "en",
    "english": "en",
    "arabisch": "ar",
    "turkisch": "tr",
    "ukrainisch": "uk",
    "russisch": "ru",
    "persisch": "fa",
    "farsi": "fa",
    "dari": "prs",
    "paschtu": "ps",
    "kurdisch": "ku",
    "sorani": "ckb",
    "kurmandschi": "kmr",
    "kurmanci": "kmr",
    "kurmanji": "kmr",
    "frankophon": "fr",
    "anglophon": "en",
    "arabophon": "ar",
    "tigrinya": "ti",
    "franzosisch": "fr",
    "spanisch": "es",
    "italienisch": "it",
    "polnisch": "pl",
    "rumanisch": "ro",
    "bulgarisch": "bg",
    "griechisch": "el",
    "albanisch": "sq",
    "serbisch": "sr",
    "kroatisch": "hr",
    "bosnisch": "bs",
    "somali": "so",
    "vietnamesisch": "vi",
    "chinesisch": "zh",
    "portugiesisch": "pt",
    "amharisch": "am",
    "oromo": "om",
    "urdu": "ur",
    "hindi": "hi",
    "bengali": "bn",
    "tamil": "ta",
    "punjabi": "pa",
    "hebraisch": "he",
    "japanisch": "ja",
    "koreanisch": "ko",
    "niederlandisch": "nl",
    "tschechisch": "cs",
    "slowakisch": "sk",
    "litauisch": "lt",
    "georgisch": "ka",
    "armenisch": "hy",
    "aserbaidschanisch": "az",
    "usbekisch": "uz",
    "swahili": "sw",
    "lingala": "ln",
    "mazedonisch": "mk",
    "slowenisch": "sl",
}
#: Languages close enough for the one to serve the other, and dialects of one language.
CLOSE = {"prs": "fa", "ckb": "ku", "kmr": "ku"}
_NAME = re.compile("|".join(sorted(LANGUAGE_WORDS, key=len, reverse=True)))


def language_key(tag: str) -> str:
    """The primary language of a BCP 47 tag: "de-AT" and "de" are both German."""
    return tag.split("-", 1)[0].lower()


def key(tag: str) -> str:
    """The primary language, a close one counted as its neighbour (Dari as Persian)."""
    primary = language_key(tag)
    return CLOSE.get(primary, primary)


@functools.lru_cache(maxsize=4096)
def named(text: str) -> frozenset[str]:
    """Languages a text names as what is learnt, taught or practised; "arabischsprachige
    Jugendliche" names who speaks, not what is practised."""
    found: set[str] = set()
    for word in words(text):
        for hit in _NAME.finditer(word):
            rest = word[hit.end() :]
            if rest.startswith("sprachig") or "muttersprachl" in word:
                continue
            found.add(LANGUAGE_WORDS[hit.group(0)])
    return frozenset(found)


def _dialects(found: frozenset[str]) -> frozenset[str]:
    return frozenset(code for code in found if code in ("ckb", "kmr"))


@dataclass(frozen=True)
class Practised:
    language: str
    #: Whether a text names it (or only the `languages` both list).
    named: bool


def _spoken(listing: Listing) -> frozenset[str]:
    return frozenset(key(tag) for tag in listing.languages)


def speak_together(offer: Listing, request: Listing) -> bool:
    spoken_o, spoken_r = _spoken(offer), _spoken(request)
    return not (spoken_o and spoken_r and not spoken_o & spoken_r)


def practised_language(offer: Listing, request: Listing) -> Practised | None:
    """The language the pair would practise, if they can: the one both texts name, or the one
    one side names and the other speaks, or — when no text names one — a language both
    list."""
    offer_text = f"{offer.title} {' '.join(offer.tags)}"
    request_text = f"{request.title} {' '.join(request.tags)}"
    offer_named = named(offer_text) or named(offer.description)
    request_named = named(request_text) or named(request.description)
    dialects_o, dialects_r = _dialects(offer_named), _dialects(request_named)
    if dialects_o and dialects_r and not dialects_o & dialects_r:
        return None
    offer_keys = frozenset(CLOSE.get(k, k) for k in offer_named)
    request_keys = frozenset(CLOSE.get(k, k) for k in request_named)
    if offer_keys and request_keys:
        common = offer_keys & request_keys
        others_o, others_r = offer_keys - {"de"}, request_keys - {"de"}
        if not common or (common == {"de"} and others_o and others_r):
            return None  # a Spanish–German tandem is none for Arabic–German
        return Practised(_preferred(common, request_keys), named=True)
    spoken_o, spoken_r = _spoken(offer), _spoken(request)
    if offer_keys or request_keys:
        target = offer_keys or request_keys
        other = spoken_r if offer_keys else spoken_o
        fitting = target & other if other else target
        return Practised(_preferred(fitting, target), named=True) if fitting else None
    common = spoken_o & spoken_r if spoken_o and spoken_r else spoken_o | spoken_r
    return Practised(_preferred(common, common), named=False) if common else None


def _preferred(candidates: frozenset[str], wanted: frozenset[str]) -> str:
    """German when it is among them (what most requests practise), else the first wanted."""
    if "de" in candidates and "de" in wanted and len(wanted) > 1:
        others = sorted(candidates - {"de"})
        return others[0] if others else "de"
    return sorted(candidates)[0]


#: Kinds of help, by folded word beginnings or parts.
_HELP = {
    "conversation": (
        "konversation",
        "gesprach",
        "sprechen",
        "sprachcafe",
        "stammtisch",
        "plaudern",
        "tandem",
        "sprachtreff",
        "sprachpartner",
        "sprachpat",
        "talk",
        "uben",
        "treff",
        "kontakte",
        "austausch",
        "telefonpartner",
        "unterhalt",
    ),
    "tutoring": (
        "nachhilfe",
        "hausaufgabe",
        "lernhilfe",
        "lernpat",
        "mathe",
        "physik",
        "fachbegriff",
        "fachsprache",
        "klasse",
        "schulfach",
    ),
    "interpreting": (
        "sprachmittl",
        "dolmetsch",
        "ubersetz",
        "begleitung",
        "behorde",
        "amter",
        "amtsgang",
        "arzt",
        "jobcenter",
        "elterngesprach",
    ),
    "reading": ("vorles", "lesepat", "leseforder", "bilderbuch", "lesen"),
    "teaching": (
        "muttersprache",
        "herkunftssprache",
        "samstagsschule",
        "unterricht",
        "kurs",
        "alphabetis",
        "schreiben",
        "prufung",
        "lernen",
        "anfanger",
    ),
}
_COMPATIBLE = {
    frozenset({"conversation", "teaching"}),
    frozenset({"tutoring", "teaching"}),
    frozenset({"reading", "teaching"}),
}


def kinds_of_help(listing: Listing) -> frozenset[str]:
    text = words(fold(f"{listing.title} {' '.join(listing.tags)}"))
    found = {kind for kind, stems in _HELP.items() for w in text for s in stems if s in w}
    if not found:
        body = words(fold(listing.description))
        found = {kind for kind, stems in _HELP.items() for w in body for s in stems if s in w}
    return frozenset(found)


def help_agrees(offer: Listing, request: Listing) -> bool:
    offered, sought = kinds_of_help(offer), kinds_of_help(request)
    if not offered or not sought or offered & sought:
        return True
    return any(frozenset({a, b}) in _COMPATIBLE for a in offered for b in sought)


_LEVEL = re.compile(r"\b([abc])([12])\b")
_LEVELS = {"a1": 1, "a2": 2, "b1": 3, "b2": 4, "c1": 5, "c2": 6}


def _levels(listing: Listing) -> frozenset[int]:
    text = fold(text_of(listing))
    found = {_LEVELS[a + b] for a, b in _LEVEL.findall(text)}
    if "anfanger" in text or "von anfang an" in text:
        found.add(1)
    return frozenset(found)


def levels_agree(offer: Listing, request: Listing) -> bool:
    offered, sought = _levels(offer), _levels(request)
    return not offered or not sought or min(abs(a - b) for a in offered for b in sought) <= 1


def named_languages_agree(offer: Listing, request: Listing) -> bool:
    """Where both texts name languages other than German, one of them is the same."""
    offer_named = named(text_of(offer)) - {"de"}
    request_named = named(text_of(request)) - {"de"}
    offer_keys = {CLOSE.get(k, k) for k in offer_named}
    request_keys = {CLOSE.get(k, k) for k in request_named}
    return not (offer_keys and request_keys and not offer_keys & request_keys)
