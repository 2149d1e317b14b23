"""Matches and the feedback on them: an organisation's matches with "passt" / "passt nicht"
(its members, or office staff acting for it), the page behind the feedback links of a match
email (no log-in: the signed link is the permission; one button records, so link scanners that
fetch every link in an email record nothing), and the office's figures."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response

from services.portal import labels
from services.portal.backends import BackendUnavailableError
from services.portal.clients.base import Problem, optional
from services.portal.clients.exchange import Match, Side
from services.portal.i18n import N_, _
from services.portal.web import BACK_TO_ME, EntityPath, Portal, SignedIn, see

router = APIRouter(default_response_class=HTMLResponse)

Verdict = Annotated[str, Form(pattern=r"^(fits|does_not_fit)$")]
LinkToken = Annotated[str, Query(min_length=10, max_length=1000)]
FormToken = Annotated[str, Form(min_length=10, max_length=1000)]
#: How many matches the page shows (newest first).
PAGE_SIZE = 100
#: How far back the office's figures reach.
REPORT_MONTHS = 12
RATE_IN_PORTAL = ("/me", N_("Zu Mein Bereich"))


def matches_path(organisation_id: str) -> str:
    return f"/organisations/{organisation_id}/treffer"


@dataclass(frozen=True)
class OwnListing:
    """One listing of the organisation with its matches, best fit first."""

    kind: str
    listing: Side
    matches: list[Match]


def ranked_by_own_listing(matches: list[Match], organisation_id: str) -> list[OwnListing]:
    """The matches grouped by the organisation's own offer or request, each group best first
    (the listing with the newest match first, as the exchange lists them)."""
    groups: dict[str, OwnListing] = {}
    for match in matches:
        side = match.side_of(organisation_id)
        if side is None:
            continue
        own = match.offer if side == "offer" else match.request
        group = groups.setdefault(own.id, OwnListing(side, own, []))
        group.matches.append(match)
    for group in groups.values():
        group.matches.sort(key=lambda match: -match.score)
    return list(groups.values())


@router.get("/organisations/{organisation_id}/treffer")
async def matches_page(organisation_id: EntityPath, portal: Portal, session: SignedIn) -> Response:
    """The organisation's matches by its own listings, each best fit first; one its side
    rated "passt nicht" is gone."""
    try:
        found, organisation = await asyncio.gather(
            portal.exchange.matches(organisation_id, session.token, limit=PAGE_SIZE),
            optional(portal.directory.organisation(organisation_id, session.token)),
        )
    except Problem as problem:
        return portal.refused(problem, "match.rate", title=_("Keine Treffer"), link=BACK_TO_ME)
    return portal.page(
        "matches.html",
        matches=found,
        groups=ranked_by_own_listing(found.items, organisation_id),
        organisation_id=organisation_id,
        organisation_name=organisation.name if organisation else "",
        verdicts=labels.VERDICTS,
    )


@router.post("/organisations/{organisation_id}/treffer/{match_id}")
async def rate_match(
    organisation_id: EntityPath,
    match_id: EntityPath,
    verdict: Verdict,
    portal: Portal,
    session: SignedIn,
) -> Response:
    """The "passt" / "passt nicht" buttons of the matches page."""
    back = matches_path(organisation_id)
    try:
        await portal.exchange.rate(match_id, organisation_id, verdict, session.token)
    except Problem as problem:
        link = (back, _("Zurück zu den Treffern"))
        return portal.refused(problem, "match.rate", title=_("Nicht bewertet"), link=link)
    return see(f"{back}#treffer-{match_id}" if verdict == "fits" else back)


@router.get("/treffer-bewerten")
async def feedback_page(portal: Portal, token: LinkToken) -> Response:
    """Behind a feedback link of a match email: says what the button records, records
    nothing itself."""
    try:
        linked = await portal.exchange.feedback_link(token)
    except Problem as problem:
        return _refused_link(portal, problem)
    return portal.page(
        "match_feedback.html",
        linked=linked,
        token=token,
        verdict=labels.VERDICTS.get(linked.verdict, linked.verdict),
        current=labels.VERDICTS.get(linked.current_verdict or "", None),
    )


@router.post("/treffer-bewerten")
async def record_feedback(portal: Portal, token: FormToken) -> Response:
    """The one button of the feedback page (same-origin, like every form of the portal)."""
    try:
        rated = await portal.exchange.rate_by_link(token)
    except Problem as problem:
        return _refused_link(portal, problem)
    if rated.verdict == "does_not_fit":
        message = _(
            "Danke! Wir haben notiert: passt nicht. Der Treffer wird Ihrer Organisation nicht "
            "mehr angezeigt."
        )
    else:
        message = _("Danke! Wir haben notiert: passt. Das hilft, bessere Treffer zu finden.")
    return portal.message(title=_("Bewertung gespeichert"), message=message, link=RATE_IN_PORTAL)


def _refused_link(portal: Portal, problem: Problem) -> HTMLResponse:
    return portal.refused(problem, "match.feedback", title=_("Link ungültig"), link=RATE_IN_PORTAL)


@router.get("/buero/vermittlung")
async def match_report(portal: Portal, session: SignedIn) -> Response:
    """Office staff: how well matches fitted per category and month, and how many listings
    were fulfilled through a match ("Vermittlungen, die geholfen haben")."""
    try:
        precision, fulfilments = await asyncio.gather(
            portal.exchange.match_precision(session.token, REPORT_MONTHS),
            portal.exchange.fulfilments(session.token, REPORT_MONTHS),
        )
    except Problem as problem:
        return portal.refused(
            problem, "office.report", title=_("Nur für das Büro"), link=BACK_TO_ME
        )
    except BackendUnavailableError:
        return portal.message(503, title=_("Vermittlung"), message=labels.unreachable("exchange"))
    return portal.page(
        "match_report.html",
        precision=precision,
        fulfilments=fulfilments,
        months=REPORT_MONTHS,
    )
