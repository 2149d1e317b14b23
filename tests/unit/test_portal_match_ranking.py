"""The portal shows an organisation's matches under its own listings, best fit first."""

from __future__ import annotations

from services.portal.clients.exchange import Match, Side
from services.portal.match_pages import ranked_by_own_listing

MINE, THEIRS, OTHERS = "org-mine", "org-theirs", "org-others"


def a_match(match_id: str, own: str, score: float, *, offered: bool = True) -> Match:
    mine = Side(id=own, title=f"Eintrag {own}", organisation_id=MINE)
    other = Side(id=f"other-{match_id}", title="Gegenstück", organisation_id=THEIRS)
    offer, request = (mine, other) if offered else (other, mine)
    return Match(id=match_id, category="room", offer=offer, request=request, score=score)


def test_matches_are_grouped_by_the_organisations_own_listing_and_ranked_by_fit() -> None:
    matches = [
        a_match("m1", "offer-a", 0.5),
        a_match("m2", "request-b", 0.9, offered=False),
        a_match("m3", "offer-a", 0.8),
        a_match("m4", "offer-a", 0.6),
    ]

    groups = ranked_by_own_listing(matches, MINE)

    assert [(g.kind, g.listing.id) for g in groups] == [
        ("offer", "offer-a"),
        ("request", "request-b"),
    ]
    assert [m.id for m in groups[0].matches] == ["m3", "m4", "m1"]


def test_a_match_between_two_other_organisations_is_not_listed() -> None:
    foreign = Match(
        id="m9",
        offer=Side(id="x", organisation_id=OTHERS),
        request=Side(id="y", organisation_id=THEIRS),
    )
    assert ranked_by_own_listing([foreign], MINE) == []
