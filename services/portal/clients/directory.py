"""The directory as the portal uses it: who is signed in, organisations and their members,
invitations, log-in and passwords."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from pydantic import Field

from services.portal.backends import BackendUnavailableError
from services.portal.clients.base import Page, Problem, ServiceClient, SignedOutError, View

#: The directory's largest page.
PAGE_SIZE = 100


class OrganisationRef(View):
    id: str
    name: str = ""


class Person(View):
    """The signed-in person (`GET /me`)."""

    person_id: str = ""
    name: str | None = None
    email: str = ""
    role: str = ""
    organisations: list[OrganisationRef] = Field(default_factory=list)
    #: The language the person chose for the portal, if they have.
    language: str | None = None

    @property
    def is_admin(self) -> bool:
        """Office staff of the Amt für Integration."""
        return self.role == "admin"

    def may_act_for(self, organisation_id: str) -> bool:
        """Office staff for every organisation, members for their own."""
        return self.is_admin or any(o.id == organisation_id for o in self.organisations)


class Organisation(View):
    id: str
    name: str = ""
    kind: str = ""
    description: str = ""
    languages: list[str] = Field(default_factory=list)
    communities: list[str] = Field(default_factory=list)
    fields: list[str] = Field(default_factory=list)
    district: str | None = None
    address: str | None = None
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    preferred_language: str = "de"
    #: The description in further languages, by language tag.
    descriptions: dict[str, str] = Field(default_factory=dict)
    status: str = "active"
    created_at: str | None = None
    updated_at: str | None = None

    def description_in(self, locale: str) -> tuple[str, str]:
        """The description to show a reader of `locale`, and the language it is in: theirs
        when the organisation gave one (`uk` also for `uk-UA`), else its own `description`,
        written in German like the rest of the directory."""
        for tag, text in self.descriptions.items():
            if text.strip() and tag.split("-", 1)[0].lower() == locale:
                return text, tag
        return self.description, "de"


class Facets(View):
    """How many organisations a search finds per value of each facet (`GET
    /organisations/facets`), most frequent first."""

    total: int = 0
    kind: dict[str, int] = Field(default_factory=dict)
    language: dict[str, int] = Field(default_factory=dict)
    community: dict[str, int] = Field(default_factory=dict)
    field: dict[str, int] = Field(default_factory=dict)
    district: dict[str, int] = Field(default_factory=dict)


class Member(View):
    person_id: str = ""
    name: str | None = None
    email: str | None = None
    has_password: bool = True


class Invited(View):
    person_id: str = ""
    invitation_sent: bool = False


class Joined(View):
    """The organisation an accepted invitation made the person a member of."""

    name: str = "die Organisation"


class Session(View):
    access_token: str
    expires_in: int = 3600


class DirectoryClient(ServiceClient):
    service = "directory"

    async def ready(self) -> bool:
        """Whether the directory answers its health check (the portal's readiness)."""
        try:
            await self._call("GET", "/healthz", timeout=2.0)
        except (Problem, BackendUnavailableError):
            return False
        return True

    async def me(self, token: str) -> Person:
        """Who is signed in; `SignedOutError` when the directory no longer accepts the
        session."""
        try:
            return await self._read(Person, "GET", "/me", token=token)
        except Problem as problem:
            if problem.status in (401, 403, 404):
                raise SignedOutError from problem
            raise

    async def choose_language(self, language: str, token: str) -> None:
        """Saves the portal language the signed-in person chose."""
        await self._call("PUT", "/me/language", json={"language": language}, token=token)

    async def organisations(self, *, token: str | None = None, **params: Any) -> Page[Organisation]:
        return await self._page(Organisation, "/organisations", params=params, token=token)

    async def facets(self, *, token: str | None = None, **params: Any) -> Facets:
        """The counts beside the directory's filters, for the same filters as
        `organisations`."""
        return await self._read(Facets, "GET", "/organisations/facets", params=params, token=token)

    async def all_organisations(
        self, token: str, *, status: str = "active", max_pages: int = 20
    ) -> AsyncIterator[list[Organisation]]:
        """The organisations page by page (the directory hands out at most `PAGE_SIZE`)."""
        offset: int | None = 0
        for _ in range(max_pages):
            if offset is None:
                return
            found = await self.organisations(
                token=token, status=status, limit=PAGE_SIZE, offset=offset
            )
            yield found.items
            offset = found.next_offset

    async def organisation(self, organisation_id: str, token: str | None = None) -> Organisation:
        """With the session, office staff and its members see it once archived too."""
        return await self._read(
            Organisation, "GET", f"/organisations/{organisation_id}", token=token
        )

    async def register(self, body: dict[str, Any], token: str) -> Organisation:
        return await self._read(Organisation, "POST", "/organisations", json=body, token=token)

    async def change(self, organisation_id: str, body: dict[str, Any], token: str) -> None:
        await self._call("PATCH", f"/organisations/{organisation_id}", json=body, token=token)

    async def archive(self, organisation_id: str, token: str) -> None:
        await self._call("DELETE", f"/organisations/{organisation_id}", token=token)

    async def members(self, organisation_id: str, token: str) -> list[Member]:
        return await self._read(
            list[Member], "GET", f"/organisations/{organisation_id}/members", token=token
        )

    async def invite(self, organisation_id: str, name: str, email: str, token: str) -> Invited:
        return await self._read(
            Invited,
            "POST",
            f"/organisations/{organisation_id}/members",
            json={"name": name, "email": email},
            token=token,
        )

    async def remove_member(self, organisation_id: str, person_id: str, token: str) -> None:
        path = f"/organisations/{organisation_id}/members/{person_id}"
        await self._call("DELETE", path, token=token)

    async def accept_invitation(self, invitation: str, token: str) -> Joined:
        return await self._read(
            Joined, "POST", "/invitations/accept", json={"token": invitation}, token=token
        )

    async def log_in(self, email: str, password: str, client: dict[str, str]) -> Session:
        """`client` names the browser (X-Forwarded-For) for the directory's attempt counter."""
        return await self._read(
            Session,
            "POST",
            "/auth/token",
            data={"username": email, "password": password},
            headers=client,
        )

    async def set_password(self, link: str, password: str) -> None:
        await self._call("POST", "/auth/password", json={"token": link, "password": password})

    async def reset_password(self, email: str, client: dict[str, str]) -> None:
        await self._call("POST", "/auth/password-reset", json={"email": email}, headers=client)
