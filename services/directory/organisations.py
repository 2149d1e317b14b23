"""Use cases of organisations: registering, finding, changing and archiving them."""

from __future__ import annotations

from collections.abc import Sequence

from services.directory.domain import (
    Organisation,
    OrganisationCreate,
    OrganisationFacets,
    OrganisationPatch,
    PatchRejectedError,
    archive_organisation,
    count_facets,
    register_organisation,
    update_organisation,
)
from services.directory.repository import Change, DirectoryRepository, OrganisationQuery
from shared.auth import Principal
from shared.clock import Clock
from shared.contracts.base import Payload
from shared.contracts.directory import OrganisationStatus
from shared.errors import ConflictError, ForbiddenError, NotFoundError
from shared.ids import new_id
from shared.pages import Paging


def organisation_not_found() -> NotFoundError:
    return NotFoundError("No organisation with this id.", slug="no-such-organisation")


def require_editor(organisation_id: str, user: Principal) -> None:
    """Only office staff and the organisation's own members may change it or its members."""
    if not user.may_edit(organisation_id):
        raise ForbiddenError(
            "Only office staff or members of this organisation may change it.",
            slug="members-only",
        )


def require_staff(user: Principal | None, detail: str) -> None:
    if not (user and user.is_admin):
        raise ForbiddenError(detail, slug="staff-only")


def require_active(organisation: Organisation | None) -> Organisation:
    """The organisation, if people may still join it."""
    if organisation is None or organisation.status is not OrganisationStatus.ACTIVE:
        raise ConflictError(
            "Nobody can join an archived organisation.", slug="organisation-archived"
        )
    return organisation


class Organisations:
    def __init__(self, store: DirectoryRepository, now: Clock) -> None:
        self.store = store
        self.now = now

    async def register(
        self, data: OrganisationCreate, user: Principal, correlation_id: str | None
    ) -> Organisation:
        require_staff(user, "Only office staff may register organisations.")
        organisation, event = register_organisation(new_id(), data, self.now())
        await self.store.add_organisation(organisation, [event], correlation_id)
        return organisation

    async def find(
        self, query: OrganisationQuery, user: Principal | None, paging: Paging
    ) -> tuple[list[Organisation], int]:
        if query.status is OrganisationStatus.ARCHIVED:
            require_staff(user, "Only office staff may list archived organisations.")
        return await self.store.find_organisations(query, paging)

    async def facets(self, query: OrganisationQuery, user: Principal | None) -> OrganisationFacets:
        """How many of what `query` finds have each kind, language, community, field and
        district (the search narrowed by each value would find that many)."""
        if query.status is OrganisationStatus.ARCHIVED:
            require_staff(user, "Only office staff may list archived organisations.")
        return count_facets(await self.store.every_organisation(query))

    async def visible(self, organisation_id: str, user: Principal | None) -> Organisation:
        """An organisation; an archived one only for those who may edit it."""
        organisation = await self.store.get_organisation(organisation_id)
        if organisation is None:
            raise organisation_not_found()
        if organisation.status is OrganisationStatus.ARCHIVED and not (
            user and user.may_edit(organisation_id)
        ):
            raise organisation_not_found()
        return organisation

    async def change(
        self,
        organisation_id: str,
        patch: OrganisationPatch,
        user: Principal,
        correlation_id: str | None,
    ) -> Organisation:
        require_editor(organisation_id, user)
        now = self.now()

        def apply(current: Organisation) -> tuple[Organisation, Sequence[Payload]] | None:
            try:
                updated, event = update_organisation(current, patch, now)
            except PatchRejectedError as exc:
                raise ConflictError(str(exc), slug=exc.slug, fields=exc.fields) from exc
            return None if event is None else (updated, [event])

        return await self._update(organisation_id, apply, correlation_id)

    async def archive(
        self, organisation_id: str, user: Principal, correlation_id: str | None
    ) -> Organisation:
        """An organisation left the network; its entry stays for history."""
        require_staff(user, "Only office staff may archive organisations.")
        now = self.now()

        def apply(current: Organisation) -> tuple[Organisation, Sequence[Payload]] | None:
            archived, event = archive_organisation(current, now)
            return None if event is None else (archived, [event])

        return await self._update(organisation_id, apply, correlation_id)

    async def _update(
        self,
        organisation_id: str,
        apply: Change[Organisation],
        correlation_id: str | None,
    ) -> Organisation:
        stored = await self.store.update_organisation(organisation_id, apply, correlation_id)
        if stored is None:
            raise organisation_not_found()
        return stored
