"""What help, people or know-how a listing is about: its words brought to the topics of a
city's integration work ("Hausaufgabenbetreuung" and "Lernhilfe" are both learning support,
"Kleinbus" and "Transporter" both a van). A word belongs to a topic when it contains one of the
topic's word parts, so compounds name all their parts ("Frauenfußballturnier": women,
football, tournament). No I/O.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from services.exchange.domain import Listing
from shared.text import fold, words

#: Topic → folded word parts. Parts shorter than five letters only count at a word's start.
_TOPICS: dict[str, tuple[str, ...]] = {
    # sport and games
    "football": (
        "fussball",
        "kicken",
        "kicker",
        "soccer",
        "futsal",
        "integrationscup",
        "kleinfeld",
    ),
    "table_football": ("tischkicker", "kickerturnier", "kicker-turnier", "kickertisch"),
    "esports": ("fifa", "esport", "konsole", "gaming"),
    "basketball": ("basketball", "3x3"),
    "cricket": ("cricket",),
    "chess": ("schach",),
    "swimming": ("schwimm", "wasserzeit"),
    "dance": ("tanz", "folklore"),
    "tournament": ("turnier", "cup", "gegner", "spielpraxis", "freundschaftsspiel", "spiele "),
    "team": ("mannschaft", "team", "jugend", "herren", "kicker", "gruppe", "b-jugend", "u1"),
    "referee": ("schiedsricht",),
    "pitch": ("rasenplatz", "fussballplatz", "sportplatz"),
    "coach": ("trainer", "ubungsleit"),
    # events and culture
    "festival": ("fest", "interkulturelle woche", "festival", "veranstaltung", "event", "feier"),
    "stand": ("stand ", "stande", "mitmach", "mitveranstalt", "beitrag", "beitrage", "programm"),
    "music": ("musik", "auftritt", "chor", "konzert", "band"),
    "reading": ("lesung", "lesereihe", "literatur", "autor", "autorin", "lesen"),
    "cooking": ("koch", "rezept", "catering", "essen", "kuchen", "back"),
    "press": ("zeitung", "texte", "artikel", "redaktion"),
    # education and work
    "school": ("schule", "schulbesuch", "projekttag", "zeitzeug", "klasse", "schulen"),
    "learning_support": ("lernhilfe", "hausaufgab", "nachhilfe", "lernpat", "lernbegleit"),
    "workshop": ("workshop", "fortbildung", "schulung", "seminar", "training "),
    "anti_racism": (
        "rassismus",
        "diskriminier",
        "vielfalt",
        "antirassis",
        "kultursensib",
        "interkulturelle kompetenz",
    ),
    "internship": ("praktik", "betrieb", "berufsorientier", "ausbildungsplatz"),
    "job": ("bewerbung", "lebenslauf", "jobbegleit", "jobcoach", "arbeitssuche"),
    "holidays": ("ferien",),
    "parents": ("eltern",),
    "mentoring": ("pate", "patin", "patenschaft", "mentor"),
    "sewing": ("nahen", "nahkurs", "nahcafe", "nahmaschin", "nahtreff", "schneider"),
    "music_making": ("musizier", "instrument", "gitarre", "proberaum", "band"),
    "art": ("malen", "kunst", "basteln", "kreativ", "atelier", "toepfer", "topfer"),
    "sport_general": ("sport", "bewegung", "gymnastik", "yoga", "fitness", "laufen", "lauftreff"),
    # everyday help
    "moving": ("umzug", "umzieh", "tragen", "mobeltransport"),
    "driving": ("fahrdienst", "fahrer", "fahrt", "mitfahr", "shuttle", "chauffier"),
    "van": (
        "transporter",
        "kleinbus",
        "bulli",
        "sprinter",
        "neunsitzer",
        "sitzer",
        "vereinsbus",
        "busfahrer",
    ),
    "vehicle": ("fahrzeug",),
    "pickup": ("abhol",),
    "money": ("geld", "geldspende", "finanzier"),
    "car": ("pkw", "auto "),
    "trailer": ("anhanger",),
    "cargo_bike": ("lastenrad", "lastenfahrrad"),
    "bicycle": ("fahrrad", "fahrrader", "rad ", "rader ", "radfahr"),
    "repair": ("reparatur", "repari", "renovier", "streich", "hausmeister", "handwerk"),
    "garden": ("garten", "gartner", "beet", "gardening", "pflanz"),
    "childcare": ("kinderbetreuung", "betreuung der kinder", "betreuen kinder"),
    "visiting": ("besuch",),
    "city_tour": ("stadtfuhrung", "stadtspazier", "stadterkund", "stadt kennen", "orientierung"),
    "donations_sorting": (
        "sortier",
        "kleiderkammer",
        "kleiderausgabe",
        "ausgabe",
        "tafel",
        "lebensmittel",
    ),
    "guarding": ("ordner", "aufsicht"),
    "setup": ("aufbau", "abbau", "aufraum"),
    "translation": ("ubersetz", "dolmetsch", "sprachmittl"),
    "shopping": ("einkauf", "einkaufshilfe", "besorgung"),
    "paperwork": ("formular", "antrage ausfull", "behordenpost", "papierkram", "briefe"),
    "health": ("arzt", "klinik", "gesundheit", "hebamme", "pflege"),
    "psychology": ("psycholog", "psychotherap", "seelisch", "beratungsgesprach"),
    "housing_search": ("wohnungssuche", "wohnungsbesichtig", "mietvertrag"),
    # know-how
    "tax": ("steuer", "buchhaltung", "finanzamt", "kasse", "gemeinnutzigkeit"),
    "association_law": ("satzung", "vereinsrecht", "vereinsgrund"),
    "funding": ("forderantrag", "fordermittel", "forderung", "antrag", "antrage", "mikroprojekt"),
    "website": ("webseite", "webdesign", "homepage", "website"),
    "it_repair": ("computer repar", "it-hilfe", "pc-hilfe"),
    "trauma": ("trauma",),
    "therapy": ("therapie",),
    "data_protection": ("datenschutz", "dsgvo"),
    "design": ("grafik", "gestalt", "design", "plakat"),
    "flyer": ("flyer",),
    "recognition": ("anerkenn",),
    "driving_licence": ("fuhrerschein",),
    "social_media": ("social media", "instagram", "facebook", "tiktok", "offentlichkeitsarbeit"),
    "first_aid": ("erste hilfe", "erste-hilfe"),
    "tenancy": ("mietrecht", "vermieter", "nebenkosten", "miete"),
    "asylum_law": ("asylrecht", "asyl"),
    "residence_law": ("aufenthaltsrecht", "aufenthalt", "niederlassung", "einburger", "visum"),
    "labour_law": ("arbeitsrecht", "lohn"),
    "child_protection": ("kinderschutz", "schutzkonzept"),
    # things people need
    "school_bag": ("schulranzen", "ranzen", "schultasche"),
    "school_supplies": ("schulmaterial", "schulbedarf", "hefte", "stifte"),
    "clothing": ("kleidung", "jacke", "jacken", "winterjack"),
    "jersey": ("trikot",),
    "shoes": ("schuh",),
    "books": ("buch", "bucher"),
    "tickets": ("freikarte", "karten", "tickets", "ticket", "ausflug"),
    "games": ("spiele", "brettspiel", "gesellschaftsspiel"),
    "outdoor_play": ("spielgerat",),
    "hygiene": ("hygiene", "windel", "pflegeprodukt"),
    "baby_outfit": ("erstausstattung", "babykleidung"),
}
#: Topics that only set the scene; they never make a match on their own.
SCENE_TOPICS = frozenset(
    {"parents", "team", "festival", "holidays", "tournament", "workshop", "flyer"}
)
#: Scene topics that still say what is sought when a request names them before "für".
ROLE_TOPICS = frozenset({"team", "tournament"})
#: What serves what: a band, a stand or a cake sale serves a festival; a team a tournament.
SERVES: dict[str, frozenset[str]] = {
    "festival": frozenset({"music", "dance", "stand", "cooking", "reading", "setup"}),
    "pickup": frozenset({"van", "car", "cargo_bike", "trailer", "driving", "pickup"}),
    "tournament": frozenset({"team"}),
    "school": frozenset({"anti_racism", "workshop", "reading", "mentoring"}),
    "holidays": frozenset({"holidays", "tickets"}),
    "parents": frozenset({"parents"}),
    "moving": frozenset({"van", "moving"}),
    "driving": frozenset({"van", "car", "driving"}),
    "vehicle": frozenset({"van", "car", "cargo_bike"}),
    "van": frozenset({"van", "moving"}),
    "tickets": frozenset({"tickets"}),
    "baby_outfit": frozenset({"clothing", "baby_outfit"}),
    "clothing": frozenset({"clothing", "baby_outfit"}),
    "funding": frozenset({"funding"}),
    "tax": frozenset({"tax"}),
}
#: Sports: if both name one, it must be the same.
SPORTS = frozenset(
    {"football", "table_football", "esports", "basketball", "cricket", "chess", "swimming", "dance"}
)


def _index() -> tuple[dict[str, str], list[tuple[str, str]]]:
    exact: dict[str, str] = {}
    parts: list[tuple[str, str]] = []
    for topic, stems in _TOPICS.items():
        for stem in stems:
            if len(stem) < 5 or stem.endswith(" "):
                exact[stem.strip()] = topic
            else:
                parts.append((stem, topic))
    return exact, parts


_EXACT, _PARTS = _index()


@functools.lru_cache(maxsize=4096)
def topics(*texts: str) -> frozenset[str]:
    """The topics a text is about."""
    found: set[str] = set()
    for text in texts:
        folded = fold(text)
        padded = f" {' '.join(words(folded))} "
        for part, topic in _PARTS:
            if part in padded or part in folded:
                found.add(topic)
        for word in words(folded):
            for short, topic in _EXACT.items():
                if word == short or (len(short) >= 3 and word.startswith(short)):
                    found.add(topic)
                elif len(short) >= 4 and word.endswith(short):
                    found.add(topic)  # the head of a compound: "Kinderfest" is a festival
    return frozenset(found)


def listing_topics(title: str, tags: Iterable[str], description: str = "") -> frozenset[str]:
    return topics(title, " ".join(tags), description)


_PURPOSE = frozenset({"fur", "furs", "zum", "zur", "beim", "bei", "wegen", "als"})


def fold_title(title: str) -> str:
    return " ".join(words(fold(title)))


@functools.lru_cache(maxsize=4096)
def sought_part(title: str) -> str:
    """The part of a request's title before the word saying what for."""
    kept = []
    for word in words(fold(title)):
        if word in _PURPOSE:
            break
        kept.append(word)
    return " ".join(kept)


def topic_fit(offer: Listing, request: Listing) -> list[str] | None:
    """The topics through which an offer serves a request, or None: what the request names
    before "für" must all be offered, and the same sport where both name one."""
    offered = listing_topics(offer.title, offer.tags, offer.description)
    offer_main = listing_topics(offer.title, offer.tags)
    sought = listing_topics(request.title, request.tags)
    if "table_football" in offer_main:  # a table-football team plays no football
        offered, offer_main = offered - {"football"}, offer_main - {"football"}
    part = sought_part(request.title)
    sought_first = topics(part) - (SCENE_TOPICS - ROLE_TOPICS)
    required = sought_first if part != fold_title(request.title) else frozenset()
    sports_o, sports_r = offer_main & SPORTS, (sought | topics(request.description)) & SPORTS
    if sports_o and sports_r and not sports_o & sports_r:
        return None
    if required and not required <= offered | _served_by(offered):
        return None
    shared = sorted(
        topic
        for topic in sought
        if (topic in offered and topic not in SCENE_TOPICS)
        or SERVES.get(topic, frozenset()) & offered
    )
    return shared or None


def _served_by(offered: frozenset[str]) -> frozenset[str]:
    return frozenset(need for need, by in SERVES.items() if by & offered)
