"""Free-text search that works on every MongoDB-protocol server: a stored list of folded words
and their prefixes, matched with `$all` (no `$text`, `$regex` or collation; docs/storage.md)."""

from __future__ import annotations

import functools
import re
import unicodedata

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
MIN_PREFIX = 3
MAX_TERMS = 400
MAX_QUERY_TERMS = 10


# Letters that Unicode does not decompose into a base letter and a mark.
_UNDECOMPOSABLE = str.maketrans(
    {
        "ı": "i",
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ħ": "h",
        "ŧ": "t",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        "ð": "d",
    }
)


@functools.lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """Lower-case and strip accents, so that "Café" finds "cafe", "Yıldız" finds "YILDIZ"
    and "Łódź" finds "lodz"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_UNDECOMPOSABLE))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    return list(_words(text))


@functools.lru_cache(maxsize=16384)
def _words(text: str) -> tuple[str, ...]:
    """The folded words of a text, cached: matching reads the same listings again and again."""
    return tuple(_WORD.findall(fold(text)))


def search_terms(*texts: str) -> list[str]:
    """Every word and every prefix of at least three letters, so a query for "ukrain" finds
    "Ukrainischer"."""
    terms: dict[str, None] = {}
    for text in texts:
        for word in words(text):
            if len(word) < MIN_PREFIX:
                terms[word] = None
                continue
            for end in range(MIN_PREFIX, len(word) + 1):
                terms[word[:end]] = None
    return list(terms)[:MAX_TERMS]


def query_terms(query: str) -> list[str]:
    """The terms a free-text query must all match; words shorter than three letters are
    dropped unless the query has nothing else."""
    found = words(query)
    long_words = [w for w in found if len(w) >= MIN_PREFIX]
    return list(dict.fromkeys(long_words or found))[:MAX_QUERY_TERMS]
