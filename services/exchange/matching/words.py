"""How matching reads the words of a listing: folded, without plural endings, synonyms brought
to one key, compounds split into what a thing is (its head: "Kinderbett" is a bed) and what
kind it is (its modifier: a child's). No I/O.

What a listing offers or seeks is named in its title before a word that says what for
("Bettwäsche für ein Kinderbett" seeks linen, not a bed); the tags name it only when the
title names nothing before such a word.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from services.exchange.domain import Listing
from shared.text import fold, words

_ENDINGS = ("innen", "chen", "ern", "en", "er", "es", "e", "n", "s")
_MIN_STEM = 4
#: A compound's head is at least this long ("tisch" in "esstisch").
MIN_HEAD = 3
#: Letters joining the parts of a compound ("Küche-n-tisch", "Arbeit-s-platz").
_JOINTS = ("en", "n", "s", "e")

_GENERIC = """
    aber alle als also auch auf aus bei beim bis bitte damit dann das dass dem den der des
    die dies diese diesem diesen dieser doch durch ein eine einem einen einer eines etwa etwas
    fur ganz gern gerne gibt gut habe haben hat hier ich ihr ihre ist jede jeden jeder kann
    kein keine mal man mehr mit nach neben nicht noch nur oder ohne pro sehr sich sie sind so
    sowie uber um und uns unser unsere unseren vom von vor war was weil wenn wer werden wie wir
    wird wo zu zum zur zwei drei vier funf sechs acht zehn
    biete bieten angebot anbieten gesucht suche suchen sucht anfrage benotigt benotigen
    brauchen braucht dringend kostenlos gratis abzugeben abgeben verschenken zu vergeben
    melden kontakt moglichst circa uhr ab je bzw usw neu gut erhalten gebraucht gebrauchte
    verein vereine gruppe gruppen person personen leute ehrenamtliche
"""
STOPWORDS = frozenset(_GENERIC.split())

#: Words after which a title names what is *not* there.
NEGATIONS = frozenset({"ohne", "kein", "keine", "keinen", "nicht"})
#: Words after which a title says what a listing is *for* or where it comes from, not what it is
#: ("Tische für den Kursraum", "Laptops aus Firmenbestand").
PURPOSE_WORDS = frozenset(
    {"fur", "furs", "zum", "zur", "als", "bei", "beim", "wegen", "aus", "von"}
)


@functools.lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """A folded word without its plural or inflection ending ("stühle" → "stuhl")."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
            return word[: -len(ending)]
    return word


def _group(text: str) -> dict[str, str]:
    """`"key: a b c; key2: d e"` → stem of each word → key."""
    found: dict[str, str] = {}
    for part in text.split(";"):
        if ":" not in part:
            continue
        key, members = part.split(":", 1)
        for member in [key, *members.split()]:
            found[stem(member.strip())] = key.strip()
    return found


#: Things and places: stems of a word → the key of what it is.
HEADS = _group(
    """
    sofa: couch ecksofa sitzecke couchgarnitur sitzgarnitur; bett: betten babybett gitterbett
    kinderbett bettchen kinderbettchen;
    hochbett: etagenbett stockbett; schrank: schranke; tisch: tische; stuhl: stuhle
    sitzgelegenheit bestuhlung; regal: regale; matratze: matratzen; kommode: schubladenschrank;
    sessel: sitzmobel; bank: banke sitzbank sitzbanke; garderobe: schuhregal;
    festgarnitur: bierbank bierbanke bierzeltgarnitur biertisch festgarnituren
    festzeltgarnitur zeltgarnitur;
    wickeltisch: wickelkommode; kuche: einbaukuche kuchenzeile kuchenmobel;
    mobel: mobels mobelstuck mobelstucke einrichtung moblierung; gerat: gerate sachen sache;
    hochstuhl: kinderhochstuhl kinderstuhl;
    beamer: projektor; leinwand: leinwande; laptop: notebook computer rechner tablet pc;
    drucker: laserdrucker tintenstrahldrucker; musikanlage: lautsprecher boxen beschallung
    pa anlage mikrofon mikro; pavillon: faltpavillon; zelt: zelte; kaffeemaschine: kaffee;
    nahmaschine: nahmaschinen; werkzeug: werkzeugset werkzeugkoffer; kinderwagen: buggy;
    fahrrad: rad fahrrader velo bike; ball: balle fussballe; kochplatte: kochgerat herd;
    transporter: kleinbus bulli sprinter kleintransporter lieferwagen umzugswagen vereinsbus
    minibus bus reisebus neunsitzer;
    auto: pkw wagen; anhanger: anhangers; schuh: schuhe;
    waschmaschine: waschautomat waschmaschinen; kuhlschrank: kuhlgerat kuhlschranke;
    gefrierschrank: gefriertruhe tiefkuhltruhe; mikrowelle: mikrowellen; staubsauger: sauger;
    fernseher: tv fernsehgerat; lampe: leuchte stehlampe lampen; teppich: teppiche;
    vorhang: gardine gardinen vorhange; spiegel: spiegeln; bugelbrett: bugeleisen;
    waschestander: trockenstander; laufstall: laufgitter; babyschale: kindersitz autositz;
    geschirr: teller tassen besteck glaser; topf: topfe pfanne pfannen kochtopf;
    bettwasche: bettbezug bettlaken; decke: bettdecke bettdecken wolldecke; kissen: kopfkissen;
    handtuch: handtucher; rollator: gehhilfe; rollstuhl: rollstuhle; roller: tretroller scooter;
    smartphone: handy handys mobiltelefon; flipchart: moderationskoffer pinnwand whiteboard;
    grill: grills; wasserkocher: kaffeekanne thermoskanne; kuhlbox: kuhltasche;
    bohrmaschine: akkuschrauber; leiter: stehleiter; schubkarre: gartengerate;
    nachttisch: nachtschrank; couchtisch: wohnzimmertisch
    """
)

KNOWN_HEADS = frozenset(HEADS.values())

#: Modifiers that change what a thing is: a "Puppenbett" is a toy, a "Liegestuhl" no chair.
ESSENTIAL_MODIFIERS = _group(
    """
    kinder: kind baby gitter kita kleinkind schuler; puppen: spielzeug; liege: liegen;
    schlaf: schlafen bett; auto: autos; hoch: etagen stock; wickel: wickeln; lasten: lastenfahr;
    hallen: halle; fussball: stollen; hange: ober oberschrank hangeschrank; spiel: spielzeug
    """
)
#: Modifiers that say the same kind ("Esstisch" – "Küchentisch").
SAME_KIND = _group(
    "ess: kuchen; couch: wohnzimmer sofa beistell; etagen: stock hoch; schlaf: bett; kinder: baby"
)


@dataclass(frozen=True)
class Thing:
    """One thing a listing names: what it is (`head`), and of which kind (`modifier`)."""

    head: str
    modifier: str = ""


@functools.lru_cache(maxsize=4096)
def split_compound(word_stem: str) -> Thing:
    """ "kinderbett" → Thing("bett", "kinder"); a word of unknown head stays whole."""
    if word_stem in HEADS:
        return Thing(HEADS[word_stem])
    for start in range(1, len(word_stem) - MIN_HEAD + 1):
        head = word_stem[start:]
        if head in HEADS:
            modifier = word_stem[:start]
            for joint in _JOINTS:
                if modifier.endswith(joint) and len(modifier) - len(joint) >= 3:
                    modifier = modifier[: -len(joint)]
                    break
            return Thing(HEADS[head], modifier)
    return Thing(word_stem)


def significant_words(*texts: str) -> frozenset[str]:
    """The folded words of the texts that can say what a listing is about."""
    return frozenset(
        word
        for text in texts
        for word in words(text)
        if len(word) >= 3 and word not in STOPWORDS and not word.isdigit()
    )


def content_words(text: str) -> list[str]:
    return [stem(w) for w in words(text) if len(w) >= 3 and w not in STOPWORDS and not w.isdigit()]


def things_named(title: str, tags: Iterable[str]) -> frozenset[Thing]:
    """What a listing offers or seeks: the title's things before a word saying what for, or
    the tags' when there are none."""
    before_purpose: list[str] = []
    negated = False
    for word in words(title):
        if word in PURPOSE_WORDS:
            break
        if word in NEGATIONS:
            negated = True  # "Bettgestell ohne Matratze" offers no mattress
            continue
        if len(word) >= 3 and word not in STOPWORDS and not any(ch.isdigit() for ch in word):
            if not negated:
                before_purpose.append(stem(word))
            negated = False
    if not before_purpose:
        before_purpose = [w for tag in tags for w in content_words(tag)]
    return frozenset(split_compound(w) for w in before_purpose)


def known_things_in(text: str) -> frozenset[Thing]:
    """The known things a text names anywhere (a request's description when its title names
    none: "… gesucht: Tisch und Stuhl"; what an offer lists: "u.a. Esstisch mit 6 Stühlen"),
    without those it says are missing ("ohne Matratzen")."""
    found: set[Thing] = set()
    after_negation = 0
    for word in words(text):
        if word in NEGATIONS:
            after_negation = 2
            continue
        if after_negation:
            after_negation -= 1
            continue
        if not any(c.isdigit() for c in word):
            found.add(split_compound(stem(word)))
    return frozenset(thing for thing in found if thing.head in KNOWN_HEADS)


#: Words for "things" in general: a title naming only these leaves the listing to its tags
#: and description ("Möbel abzugeben", "Gerät abzugeben").
GENERIC_HEADS = frozenset({"mobel", "gerat"})


def offered_things(title: str, tags: tuple[str, ...], description: str) -> frozenset[Thing]:
    """What an offer gives away or lends: what its title names — or, where the title names
    only things in general ("Möbel abzugeben"), the known things its tags and description list
    ("u.a. Esstisch mit 6 Stühlen")."""
    named = things_named(title, tags)
    if any(thing.head not in GENERIC_HEADS for thing in named):
        return named
    return named | known_things_in(" ".join(tags)) | known_things_in(description)


@functools.lru_cache(maxsize=4096)
def essential(modifier: str) -> str | None:
    """The kind a modifier makes of a thing, if it changes what the thing is."""
    if not modifier:
        return None
    found = ESSENTIAL_MODIFIERS.get(stem(modifier))
    return found or next(
        (
            key
            for word, key in ESSENTIAL_MODIFIERS.items()
            if len(word) >= 5 and stem(modifier).endswith(word)
        ),
        None,
    )


def same_kind(a: str, b: str) -> bool:
    a, b = stem(a), stem(b)
    if not a or not b or a == b or a.endswith(b) or b.endswith(a):
        return True
    return SAME_KIND.get(a, a) == SAME_KIND.get(b, b)


def things_fit(offered: Thing, sought: Thing, offer_text: str, request_text: str) -> bool:
    """Whether an offered thing is what is sought: the same head, and no modifier on either
    side that makes it something else ("Puppenbett" for a "Kinderbett": no)."""
    if offered.head != sought.head:
        return False
    for mine, theirs, their_text in (
        (offered.modifier, sought.modifier, request_text),
        (sought.modifier, offered.modifier, offer_text),
    ):
        kind = essential(mine)
        if kind is None:
            continue
        their_kind = essential(theirs) if theirs else None
        if their_kind != kind and not _mentions_kind(their_text, kind):
            return False
    if offered.modifier and sought.modifier and not same_kind(offered.modifier, sought.modifier):
        return essential(offered.modifier) is None and essential(sought.modifier) is None
    return True


def _mentions_kind(text: str, kind: str) -> bool:
    return any(ESSENTIAL_MODIFIERS.get(w) == kind for w in content_words(text)) or any(
        essential(w[: -len(head)]) == kind
        for w in content_words(text)
        for head in HEADS
        if w.endswith(head) and len(w) > len(head)
    )


_SIZE = re.compile(r"(\d{2,3})\s*x\s*(\d{2,3})")


@functools.lru_cache(maxsize=4096)
def sizes(text: str) -> frozenset[tuple[int, int]]:
    """Dimensions like "90x200" (mattresses, beds)."""
    return frozenset((int(a), int(b)) for a, b in _SIZE.findall(fold(text)))


_ORIGINAL_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def as_written(texts: Iterable[str], wanted: Callable[[str], bool]) -> list[str]:
    """The words of the texts, spelled as their author wrote them, that `wanted` accepts
    (given the folded word): for reasons people read ("Couch", not "sofa")."""
    found: dict[str, None] = {}
    for text in texts:
        for word in _ORIGINAL_WORD.findall(text):
            if fold(word) not in STOPWORDS and wanted(fold(word)):
                found.setdefault(word, None)
    return list(found)


def names_thing(head: str) -> Callable[[str], bool]:
    return lambda word: split_compound(stem(word.replace("-", ""))).head == head


def text_of(listing: Listing) -> str:
    """Everything a listing says in words: title, tags and description."""
    return f"{listing.title} {' '.join(listing.tags)} {listing.description}"
