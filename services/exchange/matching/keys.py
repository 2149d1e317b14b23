"""The keys under which a listing is found as a candidate: what it names (things, topics), the
language it is about and the kind of help — the same readings the models compare, so an open
"Sofa" is found for a new "Couch gesucht" among thousands of listings. Stored with the
listing and queried with one indexed `$in`. No I/O."""

from __future__ import annotations

from services.exchange.domain import Listing
from services.exchange.matching import languages as lang
from services.exchange.matching.topics import listing_topics
from services.exchange.matching.words import known_things_in, things_named

#: Keys kept per listing (a long description names many things).
MAX_KEYS = 40


def match_keys(listing: Listing) -> list[str]:
    """`t:` things (by what they are), `p:` topics, `l:` languages named as practised, `h:`
    kinds of help — sorted, at most `MAX_KEYS`."""
    tags = tuple(listing.tags)
    # what the title names, and the known things the tags and description list ("Gerät
    # abzugeben", tagged "Laserdrucker", is found for "Drucker gesucht")
    things = things_named(listing.title, tags) | known_things_in(
        f"{' '.join(tags)} {listing.description}"
    )
    keys = {f"t:{thing.head}" for thing in things}
    keys |= {f"p:{topic}" for topic in listing_topics(listing.title, tags)}
    keys |= {f"l:{code}" for code in lang.named(f"{listing.title} {' '.join(tags)}")}
    keys |= {f"h:{kind}" for kind in lang.kinds_of_help(listing)}
    return sorted(keys)[:MAX_KEYS]
