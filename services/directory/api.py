"""HTTP routes of the directory: each turns a request into one call of `Directory`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.directory.accounts import Account
from services.directory.domain import (
    Email,
    Name,
    OrganisationCreate,
    OrganisationFacets,
    OrganisationPatch,
)
from services.directory.members import Invitation
from services.directory.people import client_address
from services.directory.repository import OrganisationQuery
from services.directory.service import Directory
from shared.auth import AdminUser, CurrentUser, OptionalUser
from shared.context import current_correlation_id as correlation_id
from shared.contracts.directory import OrganisationKind, OrganisationStatus
from shared.contracts.vocabulary import FieldOfAction, LanguageTag
from shared.http import paging, state_dependency
from shared.ids import EntityId
from shared.pages import Page, Paging
from shared.views import View

OrganisationId = EntityId


DirectoryService = Annotated[Directory, state_dependency("directory")]


def requesting_client(request: Request, service: DirectoryService) -> str:
    """The address log-in attempts are counted under (see the directory README)."""
    return client_address(
        request.client.host if request.client else None,
        request.headers.get("x-forwarded-for"),
        service.settings.trusted_proxies,
    )


Client = Annotated[str, Depends(requesting_client)]
AskedPage = Annotated[Paging, paging(default=20, most=100)]


class OrganisationPublic(View):
    id: str
    name: str
    kind: OrganisationKind
    description: str
    languages: list[str]
    communities: list[str]
    fields: list[FieldOfAction]
    district: str | None
    address: str | None
    website: str | None
    email: str | None
    phone: str | None
    preferred_language: str
    descriptions: dict[str, str]
    status: OrganisationStatus
    revision: int
    created_at: dt.datetime
    updated_at: dt.datetime


OrganisationPage = Page[OrganisationPublic]


class MemberInvite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email
    name: Name


class MemberInvited(View):
    person_id: str = Field(
        description="Whom the members list shows for this invitation (the same whether or not "
        "the address already has an account)."
    )
    organisation_id: str
    invitation_sent: bool

    @classmethod
    def of(cls, invitation: Invitation) -> MemberInvited:
        return cls.read(invitation, invitation_sent=invitation.invited)


class MemberPublic(View):
    person_id: str
    name: str | None
    email: str
    has_password: bool


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (the OAuth2 token type)
    expires_in: int


class PasswordSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: Annotated[str, StringConstraints(min_length=10, max_length=200)]
    password: Annotated[str, StringConstraints(max_length=1000)]


class PasswordResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email


class InvitationAcceptance(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: Annotated[str, StringConstraints(min_length=10, max_length=200)]


class OrganisationRef(View):
    id: str
    name: str


class Me(View):
    person_id: str
    email: str
    name: str | None
    role: Literal["admin", "editor"]
    organisations: list[OrganisationRef]
    language: LanguageTag | None = Field(
        None, description="The language the person chose for the portal; null until they choose."
    )

    @classmethod
    def of(cls, account: Account) -> Me:
        person = account.person
        return cls.read(person, person_id=person.id, organisations=account.organisations)


class LanguageChoice(BaseModel):
    """The language a person chooses for the portal."""

    model_config = ConfigDict(extra="forbid")

    language: LanguageTag = Field(examples=["uk"])


organisation_routes = APIRouter(tags=["organisations"])


@organisation_routes.post(
    "/organisations",
    status_code=status.HTTP_201_CREATED,
    summary="Register a partner organisation (office staff)",
)
async def register_organisation(
    data: OrganisationCreate, admin: AdminUser, service: DirectoryService, response: Response
) -> OrganisationPublic:
    organisation = await service.organisations.register(data, admin, correlation_id())
    response.headers["Location"] = f"/organisations/{organisation.id}"
    return OrganisationPublic.read(organisation)


def organisation_query(
    q: Annotated[
        str | None, Query(max_length=200, description="Words in name or description")
    ] = None,
    kind: OrganisationKind | None = None,
    language: LanguageTag | None = None,
    community: Annotated[str | None, Query(max_length=100)] = None,
    field: FieldOfAction | None = None,
    district: Annotated[str | None, Query(max_length=100)] = None,
    status_: Annotated[
        Literal["active", "archived"], Query(alias="status", description="archived: staff only")
    ] = "active",
) -> OrganisationQuery:
    return OrganisationQuery(
        status=OrganisationStatus(status_),
        text=q,
        kind=kind,
        language=language,
        field=field,
        district=district,
        community=community,
    )


AskedOrganisations = Annotated[OrganisationQuery, Depends(organisation_query)]


@organisation_routes.get("/organisations", summary="Find partner organisations")
async def list_organisations(
    service: DirectoryService, user: OptionalUser, paged: AskedPage, query: AskedOrganisations
) -> OrganisationPage:
    items, total = await service.organisations.find(query, user, paged)
    return OrganisationPage.of([OrganisationPublic.read(o) for o in items], total, paged)


@organisation_routes.get(
    "/organisations/facets",
    summary="How many organisations a search finds per kind, language, community, field, "
    "district (same filters as /organisations)",
)
async def organisation_facets(
    service: DirectoryService, user: OptionalUser, query: AskedOrganisations
) -> OrganisationFacets:
    return await service.organisations.facets(query, user)


@organisation_routes.get("/organisations/{organisation_id}")
async def get_organisation(
    organisation_id: OrganisationId, service: DirectoryService, user: OptionalUser
) -> OrganisationPublic:
    return OrganisationPublic.read(await service.organisations.visible(organisation_id, user))


@organisation_routes.patch(
    "/organisations/{organisation_id}",
    summary="Change an organisation (office staff or its members)",
)
async def change_organisation(
    organisation_id: OrganisationId,
    patch: OrganisationPatch,
    user: CurrentUser,
    service: DirectoryService,
) -> OrganisationPublic:
    return OrganisationPublic.read(
        await service.organisations.change(organisation_id, patch, user, correlation_id())
    )


@organisation_routes.delete(
    "/organisations/{organisation_id}",
    summary="Archive an organisation that left the network (office staff)",
)
async def archive_organisation(
    organisation_id: OrganisationId, admin: AdminUser, service: DirectoryService
) -> OrganisationPublic:
    return OrganisationPublic.read(
        await service.organisations.archive(organisation_id, admin, correlation_id())
    )


member_routes = APIRouter(tags=["members"])


@member_routes.get("/organisations/{organisation_id}/members")
async def list_members(
    organisation_id: OrganisationId, user: CurrentUser, service: DirectoryService
) -> list[MemberPublic]:
    return [MemberPublic.read(member) for member in await service.members.of(organisation_id, user)]


@member_routes.post(
    "/organisations/{organisation_id}/members",
    status_code=status.HTTP_201_CREATED,
    summary="Invite a person to an organisation by email",
    description="A new address gets a link to set a password. An address that already has an "
    "account gets a link to accept; it joins only then. The answer is the same either way.",
)
async def invite_member(
    organisation_id: OrganisationId,
    invite: MemberInvite,
    user: CurrentUser,
    service: DirectoryService,
) -> MemberInvited:
    return MemberInvited.of(
        await service.members.invite(
            organisation_id, invite.email, invite.name, user, correlation_id()
        )
    )


@member_routes.post(
    "/invitations/accept",
    summary="Accept an invitation to an organisation with the token from its email",
)
async def accept_invitation(
    body: InvitationAcceptance, user: CurrentUser, service: DirectoryService
) -> OrganisationRef:
    return OrganisationRef.read(await service.members.accept(body.token, user, correlation_id()))


@member_routes.delete(
    "/organisations/{organisation_id}/members/{person_id}",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def remove_member(
    organisation_id: OrganisationId,
    person_id: OrganisationId,
    user: CurrentUser,
    service: DirectoryService,
) -> Response:
    await service.members.remove(organisation_id, person_id, user, correlation_id())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


auth_routes = APIRouter(tags=["auth"])


@auth_routes.post("/auth/token", summary="Log in")
async def log_in(
    username: Annotated[str, Form(max_length=320, description="Email address")],
    password: Annotated[str, Form(max_length=1000)],
    service: DirectoryService,
    client: Client,
) -> TokenResponse:
    token, expires_in = await service.accounts.log_in(username, password, client)
    return TokenResponse(access_token=token, expires_in=expires_in)


@auth_routes.post(
    "/auth/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Set a password with the token from an invitation or reset link",
)
async def set_password(body: PasswordSet, service: DirectoryService) -> Response:
    await service.accounts.set_password(body.token, body.password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@auth_routes.post(
    "/auth/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send a reset link to this address if it has an account",
)
async def request_password_reset(
    body: PasswordResetRequest, service: DirectoryService, client: Client
) -> dict[str, str]:
    await service.accounts.request_password_reset(body.email, correlation_id(), client)
    return {"status": "If this address has an account, a link is on its way."}


@auth_routes.get("/me")
async def me(user: CurrentUser, service: DirectoryService) -> Me:
    return Me.of(await service.accounts.me(user.person_id))


@auth_routes.put("/me/language", summary="Save the language the signed-in person reads in")
async def choose_language(
    choice: LanguageChoice, user: CurrentUser, service: DirectoryService
) -> Me:
    return Me.of(await service.accounts.choose_language(user.person_id, choice.language))


@auth_routes.get("/.well-known/jwks.json", summary="Public keys that sign tokens")
async def jwks(service: DirectoryService) -> dict[str, list[dict[str, str]]]:
    return service.issuer.jwks()


router = APIRouter()
router.include_router(organisation_routes)
router.include_router(member_routes)
router.include_router(auth_routes)
