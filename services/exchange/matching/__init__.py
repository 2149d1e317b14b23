"""Matching an offer with a request: which open listings could fit, how well, and in which
words the reasons are told. No I/O here."""

from services.exchange.matching.core import (
    MATCH_THRESHOLD,
    MatchResult,
    find_matches,
    german_reason,
    is_matchable,
    match,
    match_pair_id,
    tag_keys,
)
from services.exchange.matching.keys import match_keys
from services.exchange.matching.languages import language_key
from services.exchange.matching.words import significant_words

__all__ = [
    "MATCH_THRESHOLD",
    "MatchResult",
    "find_matches",
    "german_reason",
    "is_matchable",
    "language_key",
    "match",
    "match_keys",
    "match_pair_id",
    "significant_words",
    "tag_keys",
]
