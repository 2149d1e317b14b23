"""How an offer fits a request, one model per category. A model first checks what must hold
(the thing sought is the thing offered, enough room, the right time, the right language to
learn) and then says how well it fits (a score for ranking) and why (`MatchReason`s). No I/O.

- Things (furniture, equipment, transport): the offered thing is the sought one.
- Rooms: the kind of room, enough places, free when needed, where the group can go.
- Language partners: a common language is a requirement for talking, not evidence of fit;
  the fit is one side learning or practising what the other speaks, in the same kind of
  help (conversation, homework, interpreting, reading, teaching).
- People and know-how (volunteers, cooperation, expertise, other): the same subject.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from services.exchange.domain import Listing
from services.exchange.matching import constraints as c
from services.exchange.matching import languages as lang
from services.exchange.matching import rooms
from services.exchange.matching import terms as t
from services.exchange.matching.topics import (
    SCENE_TOPICS,
    listing_topics,
    topic_fit,
    topics,
)
from services.exchange.matching.words import (
    HEADS,
    KNOWN_HEADS,
    as_written,
    known_things_in,
    names_thing,
    offered_things,
    sizes,
    text_of,
    things_fit,
    things_named,
)
from shared.contracts.exchange import ListingCategory, MatchReason, MatchReasonKind


@dataclass
class Fit:
    """Why an offer fits a request, and how well (0–1)."""

    score: float
    reasons: list[MatchReason] = field(default_factory=list)


def _common(offer: Listing, request: Listing) -> list[MatchReason]:
    reasons = []
    if c.same_district(offer, request) and offer.district is not None:
        reasons.append(MatchReason(kind=MatchReasonKind.DISTRICT, values=[offer.district]))
    if c.has_window(offer) and c.has_window(request):
        reasons.append(MatchReason(kind=MatchReasonKind.WINDOW))
    return reasons


def fit_things(offer: Listing, request: Listing) -> Fit | None:
    offer_text, request_text = text_of(offer), text_of(request)
    offered = offered_things(offer.title, tuple(offer.tags), offer.description)
    sought = things_named(request.title, request.tags)
    if not any(thing.head in KNOWN_HEADS for thing in sought):
        sought |= known_things_in(request.description)
    fitting = sorted(
        {s.head for o in offered for s in sought if things_fit(o, s, offer_text, request_text)}
    )
    if not fitting:
        return None
    offer_sizes, request_sizes = sizes(offer_text), sizes(request_text)
    if offer_sizes and request_sizes and not offer_sizes & request_sizes:
        return None
    if not c.enough(offer.quantity, request.quantity, share=0.5):
        return None
    if not c.conditions_met(offer, request):
        return None
    if _lent_only(offer) and request.available_until is None and c.has_window(request):
        return None
    score = 0.6 + (0.2 if c.same_district(offer, request) else 0.0)
    score += 0.2 if all(h in HEADS.values() for h in fitting) else 0.1
    written = [
        word
        for head in fitting
        for word in as_written([request.title, *request.tags], names_thing(head))[:1]
    ]
    reasons = [
        MatchReason(kind=MatchReasonKind.TEXT, values=written or fitting),
        *_common(offer, request),
    ]
    return Fit(min(score, 1.0), reasons)


def _lent_only(offer: Listing) -> bool:
    return t.mentions(text_of(offer), ("verleih", "ausleih", "leihe", "zu leihen"))


def fit_room(offer: Listing, request: Listing) -> Fit | None:
    if not rooms.kinds_agree(offer, request):
        return None
    offered, needed = c.people(offer), c.people(request)
    if not c.enough(offered, needed):
        return None
    if not c.conditions_met(offer, request, share=0.5, ages=False):
        return None
    score = 0.5 + (0.25 if c.same_district(offer, request) else 0.0)
    reasons = []
    if offered is not None and needed is not None:
        score += 0.15
        reasons.append(
            MatchReason(kind=MatchReasonKind.CAPACITY, values=[str(offered), str(needed)])
        )
    if c.has_window(offer) and c.has_window(request):
        score += 0.1
    reasons = reasons or [MatchReason(kind=MatchReasonKind.TEXT, values=[offer.title])]
    return Fit(min(score, 1.0), [*reasons, *_common(offer, request)])


def fit_language_partner(offer: Listing, request: Listing) -> Fit | None:
    practised = lang.practised_language(offer, request)
    if practised is None:
        return None
    if not (
        lang.help_agrees(offer, request)
        and lang.levels_agree(offer, request)
        and c.conditions_met(offer, request, ages=False)
        and t.served_ages_agree(offer, request)
    ):
        return None
    kinds = lang.kinds_of_help(offer) & lang.kinds_of_help(request)
    if not kinds and not practised.named:
        return None  # only a language (and maybe a word) in common: no evidence of fit
    score = 0.4 + (0.25 if kinds else 0.0) + (0.2 if practised.named else 0.0)
    score += 0.15 if c.same_district(offer, request) else 0.0
    reasons = [MatchReason(kind=MatchReasonKind.PRACTICE, values=[practised.language])]
    return Fit(min(score, 1.0), [*reasons, *_common(offer, request)])


def fit_subject(offer: Listing, request: Listing) -> Fit | None:
    """Volunteers, cooperation, know-how and other things: the offer is about what the request
    seeks (its title before "für", or else any of its topics), of the same sport, for the same
    people."""
    found = topic_fit(offer, request)
    if found is None and offer.category is ListingCategory.VOLUNTEERS:
        found = ["setup"] if general_helpers(offer) and asks_for_hands(request) else None
    if found is None:
        return None
    talking = offer.category not in (ListingCategory.TRANSPORT, ListingCategory.OTHER)
    if not (
        (not talking or lang.speak_together(offer, request))
        and lang.named_languages_agree(offer, request)
        and c.conditions_met(offer, request)
        and c.enough(c.people(offer), c.people(request), share=0.25)
    ):
        return None
    score = 0.5 + 0.3 * min(1.0, len(found) / 2) + (0.2 if c.same_district(offer, request) else 0)
    texts = [request.title, *request.tags, offer.title, *offer.tags]
    written = as_written(texts, lambda word: bool(topics(word) & set(found)))[:4]
    reasons = [MatchReason(kind=MatchReasonKind.TEXT, values=written or list(found))]
    return Fit(round(min(score, 1.0), 3), [*reasons, *_common(offer, request)])


_HELPERS = ("helfer", "helfend", "freiwillig", "ehrenamtlich", "hande", "engagier")
#: Work any willing pair of hands can do.
_HANDS_ON = frozenset({"setup", "moving", "festival", "donations_sorting", "garden", "guarding"})


def general_helpers(offer: Listing) -> bool:
    """Volunteers offered for whatever comes up: helpers, and no particular skill named."""
    named = listing_topics(offer.title, tuple(offer.tags)) - SCENE_TOPICS
    return not named and t.mentions(f"{offer.title} {' '.join(offer.tags)}", _HELPERS)


def asks_for_hands(request: Listing) -> bool:
    sought = listing_topics(request.title, tuple(request.tags), request.description)
    return bool(sought & _HANDS_ON) and t.mentions(text_of(request), _HELPERS)


#: What transport offers are: a request naming one of these seeks a vehicle, one naming any
#: other thing ("Abholung Kühlschrank") seeks a way to move it.
VEHICLES = frozenset({"transporter", "auto", "anhanger", "fahrrad", "roller"})


def _names_known_thing(listing: Listing) -> bool:
    named = {thing.head for thing in things_named(listing.title, listing.tags)}
    if listing.category is ListingCategory.TRANSPORT:
        return bool(named & VEHICLES)
    return bool(named & KNOWN_HEADS)


def fit_things_or_subject(offer: Listing, request: Listing) -> Fit | None:
    """Transport and other things: by the thing where the request names a known one (a bicycle
    repair is no bicycle), else by topic."""
    if _names_known_thing(request):
        return fit_things(offer, request)
    return fit_subject(offer, request)


MODELS: dict[ListingCategory, Callable[[Listing, Listing], Fit | None]] = {
    ListingCategory.ROOM: fit_room,
    ListingCategory.FURNITURE: fit_things,
    ListingCategory.EQUIPMENT: fit_things,
    ListingCategory.TRANSPORT: fit_things_or_subject,
    ListingCategory.LANGUAGE_PARTNER: fit_language_partner,
    ListingCategory.VOLUNTEERS: fit_subject,
    ListingCategory.COOPERATION: fit_subject,
    ListingCategory.EXPERTISE: fit_subject,
    ListingCategory.OTHER: fit_things_or_subject,
}
