"""The people of an organisation in the portal: its member list, inviting someone, removing a
member, and `/einladung`, where someone who already has an account accepts an invitation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from services.portal import forms, refusals
from services.portal.clients.base import Problem, optional
from services.portal.i18n import N_, Labels, _
from services.portal.organisation_forms import back_to
from services.portal.web import EntityPath, Link, Portal, PortalRequest, Session, SignedIn, see

router = APIRouter(default_response_class=HTMLResponse)

INVITE_LABELS = Labels({"name": N_("Name"), "email": N_("E-Mail-Adresse")})
INVITE_HINTS = Labels(
    {
        "name": N_("Bitte 2 bis 200 Zeichen."),
        "email": N_("Eine gültige E-Mail-Adresse wie olena@verein-beispiel.de."),
    }
)
INVALID_INVITATION = refusals.REFUSED["invitation.accept"]
NOT_INVITED = N_(
    "Das Verzeichnis ist gerade nicht erreichbar; die Einladung ist nicht verschickt. "
    "Bitte später noch einmal absenden."
)


def invitation_refusal(problem: Problem) -> tuple[str, dict[str, str]]:
    """The German message for a 4xx of the directory on inviting someone, and the fields."""
    if problem.generic in ("forbidden", "not-found"):
        return refusals.refusal("member.invite", problem), {}
    problems = forms.field_problems(problem, INVITE_HINTS)
    if problems:
        return forms.please_check(problems, INVITE_LABELS), problems
    return refusals.refusal("member.invite", problem), {}


def _members_link(organisation_id: str) -> Link:
    return (f"/organisations/{organisation_id}/members", _("Zurück zu den Mitgliedern"))


async def _members_page(
    portal: PortalRequest,
    session: Session,
    organisation_id: str,
    status_code: int = 200,
    *,
    values: dict[str, str] | None = None,
    error: str | None = None,
    problems: dict[str, str] | None = None,
    confirmation: str | None = None,
) -> HTMLResponse:
    """The organisation's members and the form to invite one more (as typed, after a refusal).
    What the directory cannot say right now is left out."""
    directory = portal.directory
    organisation = await optional(directory.organisation(organisation_id, session.token))
    members = await optional(directory.members(organisation_id, session.token))
    return portal.page(
        "organisation_members.html",
        status_code,
        organisation_id=organisation_id,
        organisation=organisation,
        members=members,
        values=values or {"name": "", "email": ""},
        labels=INVITE_LABELS,
        error=error,
        problems=problems or {},
        confirmation=confirmation,
    )


@router.get("/organisations/{organisation_id}/members")
async def members_page(
    organisation_id: EntityPath,
    portal: Portal,
    session: SignedIn,
    eingeladen: Annotated[str | None, Query(max_length=100)] = None,
    hinzugefuegt: Annotated[str | None, Query(max_length=100)] = None,
    entfernt: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    """Where an invitation lands: who belongs to the organisation, and who was just invited."""
    members = await optional(portal.directory.members(organisation_id, session.token))
    if members is None and not (await session.person()).may_act_for(organisation_id):
        message = _("Die Mitglieder sehen nur die Mitglieder der Organisation und das Büro.")
        return portal.message(
            403,
            title=_("Nicht erlaubt"),
            message=message,
            link=back_to(organisation_id),
        )
    confirmation = _("Das Mitglied gehört nicht mehr dazu.") if entfernt else None
    for member in members or []:
        who = member.name or member.email
        if not who:
            continue
        if member.person_id == eingeladen:
            confirmation = _("Einladung an %(who)s ist unterwegs.") % {"who": who}
        elif member.person_id == hinzugefuegt:
            confirmation = _("%(who)s gehört jetzt dazu und wurde per E-Mail benachrichtigt.") % {
                "who": who
            }
    return await _members_page(portal, session, organisation_id, confirmation=confirmation)


@router.post("/organisations/{organisation_id}/members/new")
async def invite_member(
    organisation_id: EntityPath,
    portal: Portal,
    session: SignedIn,
) -> Response:
    posted = await portal.form()
    values = {name: forms.text_of(posted, name, strip=True) for name in INVITE_LABELS}
    invited = await forms.submit(
        portal.directory.invite(organisation_id, values["name"], values["email"], session.token),
        unreachable=_(NOT_INVITED),
        refusal=invitation_refusal,
    )
    if isinstance(invited, forms.Refused):
        return await _members_page(
            portal,
            session,
            organisation_id,
            invited.status,
            values=values,
            error=invited.message,
            problems=invited.problems,
        )
    said = "eingeladen" if invited.invitation_sent else "hinzugefuegt"
    return see(f"/organisations/{organisation_id}/members?{said}={invited.person_id}#mitglieder")


@router.post("/organisations/{organisation_id}/members/{person_id}/remove")
async def remove_member(
    organisation_id: EntityPath,
    person_id: EntityPath,
    portal: Portal,
    session: SignedIn,
) -> Response:
    """The "Entfernen" button in the member list: the person no longer acts for it (their
    current log-in keeps its rights until it expires, at most an hour)."""
    try:
        await portal.directory.remove_member(organisation_id, person_id, session.token)
    except Problem as problem:
        return portal.refused(
            problem,
            "member.remove",
            title=_("Nicht entfernt"),
            link=_members_link(organisation_id),
        )
    return see(f"/organisations/{organisation_id}/members?entfernt=1#mitglieder")


# --- accepting an invitation (an existing account) ------------------------------------------

InvitationToken = Annotated[str, Query(min_length=10, max_length=200)]
TO_ORGANISATIONS: Link = ("/organisations", N_("Zu den Organisationen"))


@router.get("/einladung")
async def invitation_page(portal: Portal, token: InvitationToken) -> Response:
    """The link in the email: signed in, one click accepts; otherwise log in first."""
    if portal.token is None:
        return portal.message(
            title=_("Bitte zuerst anmelden"),
            message=_(
                "Melden Sie sich mit der Adresse an, an die die Einladung ging, und öffnen "
                "Sie den Link aus der E-Mail danach noch einmal."
            ),
            link=("/login", _("Zur Anmeldung")),
        )
    return portal.page("accept_invitation.html", token=token)


@router.post("/einladung")
async def accept_invitation(portal: Portal, session: SignedIn) -> Response:
    token = forms.text_of(await portal.form(), "token")
    if not 10 <= len(token) <= 200:
        return portal.message(
            400,
            title=_("Ungültiger Link"),
            message=INVALID_INVITATION,
            link=TO_ORGANISATIONS,
        )
    try:
        joined = await portal.directory.accept_invitation(token, session.token)
    except Problem as problem:
        titles = {"forbidden": _("Anderes Konto"), "conflict": _("Nicht mehr möglich")}
        return portal.refused(
            problem,
            "invitation.accept",
            title=titles.get(problem.generic, _("Ungültiger Link")),
            link=TO_ORGANISATIONS,
        )
    return portal.message(
        title=_("Einladung angenommen"),
        message=_(
            "Sie vertreten jetzt %(name)s. Melden Sie sich einmal ab und wieder an, "
            "damit Sie die Organisation auch bearbeiten können."
        )
        % {"name": joined.name},
        link=("/me", _("Zu Mein Bereich")),
    )
