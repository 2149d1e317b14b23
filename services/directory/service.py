"""The directory's use cases: what happens when someone registers, invites, logs in."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pymongo.errors import DuplicateKeyError

from services.directory.domain import (
    Organisation,
    OrganisationCreate,
    OrganisationPatch,
    PatchRejectedError,
    ThrottleRule,
    archive_organisation,
    password_problem,
    register_organisation,
    update_organisation,
)
from services.directory.settings import DirectorySettings
from services.directory.store import ORGANISATIONS, PEOPLE, DirectoryStore, organisation_document
from services.directory.tokens import TokenIssuer, hash_one_time_token, new_one_time_token
from shared.auth import Principal, Role
from shared.clock import utc_now
from shared.contracts.base import Payload
from shared.contracts.directory import MemberJoined, MemberLeft, MemberRole, OrganisationStatus
from shared.contracts.notifier import EmailTemplate, SendEmail
from shared.errors import (
    ApplicationError,
    ConflictError,
    ForbiddenError,
    MalformedError,
    NotFoundError,
    RateLimitedError,
    RejectedError,
    UnauthenticatedError,
)
from shared.ids import new_id
from shared.mongo import Document

log = logging.getLogger("integrationsnetz.directory")

_hasher = PasswordHasher()
# Verified against when the address is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("not a real password, only for constant timing")


def _not_found(what: str) -> ApplicationError:
    return NotFoundError(f"No {what} with this id.")


@dataclass(frozen=True)
class Invitation:
    person_id: str
    organisation_id: str
    invited: bool


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


class Directory:
    def __init__(
        self,
        store: DirectoryStore,
        issuer: TokenIssuer,
        settings: DirectorySettings,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.issuer = issuer
        self.settings = settings
        #: epoch seconds; throttling windows and expiry follow it (tests move it by hand)
        self.clock = clock
        self._reset_tasks: set[asyncio.Task[None]] = set()
        self.login_rules = (
            ThrottleRule(
                "login-address-client", settings.login_max_failures, settings.login_lock_seconds
            ),
            ThrottleRule(
                "login-client",
                settings.login_client_max_failures,
                settings.login_client_window_seconds,
            ),
            ThrottleRule(
                "login-address",
                settings.login_address_max_failures,
                settings.login_address_window_seconds,
            ),
        )
        self.reset_rules = (
            ThrottleRule(
                "reset-client", settings.reset_max_per_client, settings.reset_window_seconds
            ),
            ThrottleRule(
                "reset-address", settings.reset_max_per_address, settings.reset_window_seconds
            ),
        )

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(int(self.clock()), dt.UTC)

    async def _count_attempts(
        self, counted: list[tuple[ThrottleRule, str]], now_ms: int, refusal: str
    ) -> list[str]:
        """Count one attempt against each rule in turn, before any work is done; refuse with 429
        at the first rule over its limit (later, wider counters are then left alone, so one
        client hammering an address does not use up the address's shared allowance)."""
        keys = []
        for rule, subject in counted:
            key = rule.key(subject, now_ms)
            count = await self.store.count_attempt(key, rule.window(now_ms)[1])
            keys.append(key)
            wait = rule.wait_seconds(count, now_ms)
            if wait:
                raise RateLimitedError(
                    refusal, headers={"Retry-After": str(wait)}, retry_after_seconds=wait
                )
        return keys

    # organisations -----------------------------------------------------------------------

    async def register(self, data: OrganisationCreate, correlation_id: str | None) -> Organisation:
        organisation, event = register_organisation(new_id(), data, utc_now())
        await self.store.add_organisation(organisation, [event], correlation_id)
        return organisation

    async def visible_organisation(
        self, organisation_id: str, user: Principal | None
    ) -> Organisation:
        organisation = await self.store.get_organisation(organisation_id)
        if organisation is None:
            raise _not_found("organisation")
        if organisation.status is OrganisationStatus.ARCHIVED and not (
            user and user.may_edit(organisation_id)
        ):
            raise _not_found("organisation")
        return organisation

    async def change(
        self,
        organisation_id: str,
        patch: OrganisationPatch,
        user: Principal,
        correlation_id: str | None,
    ) -> Organisation:
        self._require_editor(organisation_id, user)
        now = utc_now()

        async def apply(doc: Document) -> tuple[Document, list[Payload]] | None:
            current = _organisation(doc)
            try:
                updated, event = update_organisation(current, patch, now)
            except PatchRejectedError as exc:
                raise ConflictError(str(exc), slug=exc.slug, fields=exc.fields) from exc
            if event is None:
                return None
            return {**doc, **organisation_document(updated)}, [event]

        stored = await self.store.writer.update(
            ORGANISATIONS, organisation_id, apply, correlation_id=correlation_id
        )
        if stored is None:
            raise _not_found("organisation")
        return _organisation(stored)

    async def archive(self, organisation_id: str, correlation_id: str | None) -> Organisation:
        now = utc_now()

        async def apply(doc: Document) -> tuple[Document, list[Payload]] | None:
            archived, event = archive_organisation(_organisation(doc), now)
            if event is None:
                return None
            return {**doc, **organisation_document(archived)}, [event]

        stored = await self.store.writer.update(
            ORGANISATIONS, organisation_id, apply, correlation_id=correlation_id
        )
        if stored is None:
            raise _not_found("organisation")
        return _organisation(stored)

    @staticmethod
    def _require_editor(organisation_id: str, user: Principal) -> None:
        if not user.may_edit(organisation_id):
            raise ForbiddenError("Only office staff or members of this organisation may change it.")

    # members -----------------------------------------------------------------------------

    async def members(self, organisation_id: str, user: Principal) -> list[Document]:
        self._require_editor(organisation_id, user)
        if await self.store.get_organisation(organisation_id) is None:
            raise _not_found("organisation")
        members = await self.store.members_of(organisation_id)
        pending = [
            {"_id": i["_id"], "email": i["email"], "name": i["name"], "password_hash": None}
            for i in await self.store.invitations_to(organisation_id)
        ]
        return sorted(members + pending, key=lambda doc: str(doc["email"]))

    async def invite(
        self,
        organisation_id: str,
        email: str,
        name: str,
        user: Principal,
        correlation_id: str | None,
    ) -> Invitation:
        self._require_editor(organisation_id, user)
        organisation = await self.store.get_organisation(organisation_id)
        if organisation is None:
            raise _not_found("organisation")
        if organisation.status is not OrganisationStatus.ACTIVE:
            raise ConflictError(
                "Nobody can join an archived organisation.", slug="organisation-archived"
            )
        now = utc_now()
        for _ in range(5):
            existing = await self.store.find_person_by_email(email)
            try:
                if existing is None:
                    return await self._invite_new_person(
                        organisation, email, name, now, correlation_id
                    )
                if existing.get("password_hash"):
                    return await self._invite_existing_account(
                        organisation, existing, name, now, correlation_id
                    )
                return await self._add_existing_person(organisation, existing, now, correlation_id)
            except DuplicateKeyError:
                continue  # invited twice at the same moment: the other won, use that person
        raise ConflictError(
            "This address is being invited right now; try again.", slug="invitation-in-progress"
        )

    def _invitation_email(
        self, organisation: Organisation, to: str, name: str | None, token: str, now: dt.datetime
    ) -> SendEmail:
        expires = now + dt.timedelta(days=self.settings.invitation_ttl_days)
        return SendEmail(
            command_id=new_id(),
            template=EmailTemplate.INVITATION,
            to=to,
            recipient_name=name,
            language=organisation.preferred_language,
            params={
                "organisation_name": organisation.name,
                "link": self._password_link(token),
                "expires_at": expires.isoformat(),
            },
            requested_by_service="directory",
        )

    def _password_link(self, token: str) -> str:
        return f"{self.settings.public_base_url.rstrip('/')}/set-password?token={token}"

    async def _new_token(self, person_id: str, purpose: str, now: dt.datetime) -> str:
        token, token_hash = new_one_time_token()
        ttl = dt.timedelta(days=self.settings.invitation_ttl_days)
        if purpose == "password_reset":
            ttl = dt.timedelta(hours=24)
        await self.store.add_one_time_token(token_hash, person_id, purpose, now + ttl)
        return token

    async def _invite_new_person(
        self,
        organisation: Organisation,
        email: str,
        name: str,
        now: dt.datetime,
        correlation_id: str | None,
    ) -> Invitation:
        person_id = new_id()
        token = await self._new_token(person_id, "invitation", now)
        person = {
            "_id": person_id,
            "email": email,
            "name": name,
            "password_hash": None,
            "is_admin": False,
            "organisation_ids": [organisation.id],
            "created_at": now,
            "updated_at": now,
        }
        messages: list[Payload] = [
            MemberJoined(
                organisation_id=organisation.id,
                person_id=person_id,
                role=MemberRole.EDITOR,
                occurred_at=now,
            ),
            self._invitation_email(organisation, email, name, token, now),
        ]
        await self.store.writer.insert(PEOPLE, person, messages, correlation_id=correlation_id)
        return Invitation(person_id, organisation.id, invited=True)

    async def _invite_existing_account(
        self,
        organisation: Organisation,
        person: Document,
        name: str,
        now: dt.datetime,
        correlation_id: str | None,
    ) -> Invitation:
        """Someone who can log in joins only by accepting: until then the organisation sees a
        pending invitation under the name it typed, exactly like one of a new address."""
        if organisation.id in (person.get("organisation_ids") or []):
            raise ConflictError(
                "This person is already a member of the organisation.", slug="already-a-member"
            )
        invitation_id = new_id()
        token, token_hash = new_one_time_token()
        expires = now + dt.timedelta(days=self.settings.invitation_ttl_days)
        await self.store.add_one_time_token_for_invitation(
            token_hash, person["_id"], invitation_id, expires
        )
        await self.store.replace_invitation(
            {
                "_id": invitation_id,
                "organisation_id": organisation.id,
                "person_id": person["_id"],
                "email": person["email"],
                "name": name,
                "expires_at": expires,
                "created_at": now,
            }
        )
        command = SendEmail(
            command_id=new_id(),
            template=EmailTemplate.MEMBERSHIP_INVITATION,
            to=person["email"],
            recipient_name=name,
            language=organisation.preferred_language,
            params={
                "organisation_name": organisation.name,
                "link": f"{self.settings.public_base_url.rstrip('/')}/einladung?token={token}",
                "expires_at": expires.isoformat(),
            },
            requested_by_service="directory",
        )

        async def apply(doc: Document) -> tuple[Document, list[Payload]]:
            return doc, [command]

        await self.store.writer.update(PEOPLE, person["_id"], apply, correlation_id=correlation_id)
        return Invitation(invitation_id, organisation.id, invited=True)

    async def accept_invitation(
        self, token: str, user: Principal, correlation_id: str | None
    ) -> Organisation:
        """The invited account agrees to join; only then it becomes a member."""
        token_hash = hash_one_time_token(token)
        record = await self.store.use_one_time_token(token_hash)
        if record is None or record.get("purpose") != "membership":
            if record is not None:
                await self.store.reopen_one_time_token(token_hash)
            raise MalformedError("This link is not valid or was already used.", slug="bad-token")
        if record["expires_at"] <= self._now():
            raise MalformedError(
                "This invitation has expired; ask for a new one.", slug="expired-token"
            )
        if record["person_id"] != user.person_id:
            await self.store.reopen_one_time_token(token_hash)
            raise ForbiddenError(
                "This invitation is for another account: log in with the invited address."
            )
        invitation = await self.store.get_invitation(record["invitation_id"])
        if invitation is None:
            await self.store.forget_one_time_token(token_hash)
            raise MalformedError("This invitation was withdrawn or replaced.", slug="bad-token")
        organisation = await self.store.get_organisation(invitation["organisation_id"])
        if organisation is None or organisation.status is not OrganisationStatus.ACTIVE:
            raise ConflictError(
                "Nobody can join an archived organisation.", slug="organisation-archived"
            )
        now = utc_now()

        async def apply(doc: Document) -> tuple[Document, list[Payload]] | None:
            orgs = list(doc.get("organisation_ids") or [])
            if organisation.id in orgs:
                return None
            joined = MemberJoined(
                organisation_id=organisation.id,
                person_id=doc["_id"],
                role=MemberRole.EDITOR,
                occurred_at=now,
            )
            return {**doc, "organisation_ids": [*orgs, organisation.id], "updated_at": now}, [
                joined
            ]

        await self.store.writer.update(PEOPLE, user.person_id, apply, correlation_id=correlation_id)
        await self.store.forget_invitation(invitation["_id"])
        await self.store.forget_one_time_token(token_hash)
        return organisation

    async def _add_existing_person(
        self,
        organisation: Organisation,
        person: Document,
        now: dt.datetime,
        correlation_id: str | None,
    ) -> Invitation:
        person_id = person["_id"]
        already_member = organisation.id in (person.get("organisation_ids") or [])
        has_password = bool(person.get("password_hash"))
        if already_member and has_password:
            raise ConflictError(
                "This person is already a member of the organisation.", slug="already-a-member"
            )
        token = None if has_password else await self._new_token(person_id, "invitation", now)

        async def apply(doc: Document) -> tuple[Document, list[Payload]]:
            messages: list[Payload] = []
            orgs = list(doc.get("organisation_ids") or [])
            if organisation.id not in orgs:
                orgs.append(organisation.id)
                messages.append(
                    MemberJoined(
                        organisation_id=organisation.id,
                        person_id=person_id,
                        role=MemberRole.EDITOR,
                        occurred_at=now,
                    )
                )
            if token is not None:
                messages.append(
                    self._invitation_email(organisation, doc["email"], doc.get("name"), token, now)
                )
            else:
                messages.append(
                    SendEmail(
                        command_id=new_id(),
                        template=EmailTemplate.MEMBERSHIP_ADDED,
                        to=doc["email"],
                        recipient_name=doc.get("name"),
                        language=organisation.preferred_language,
                        params={
                            "organisation_name": organisation.name,
                            "link": self.settings.public_base_url,
                        },
                        requested_by_service="directory",
                    )
                )
            return {**doc, "organisation_ids": orgs, "updated_at": now}, messages

        await self.store.writer.update(PEOPLE, person_id, apply, correlation_id=correlation_id)
        return Invitation(person_id, organisation.id, invited=token is not None)

    async def remove_member(
        self, organisation_id: str, person_id: str, user: Principal, correlation_id: str | None
    ) -> None:
        self._require_editor(organisation_id, user)
        now = utc_now()

        async def apply(doc: Document) -> tuple[Document, list[Payload]] | None:
            orgs = list(doc.get("organisation_ids") or [])
            if organisation_id not in orgs:
                return None
            orgs.remove(organisation_id)
            left = MemberLeft(
                organisation_id=organisation_id,
                person_id=person_id,
                role=MemberRole.EDITOR,
                occurred_at=now,
            )
            return {**doc, "organisation_ids": orgs, "updated_at": now}, [left]

        invitation = await self.store.get_invitation(person_id)
        if invitation is not None and invitation["organisation_id"] == organisation_id:
            await self.store.forget_invitation(person_id)  # withdrawn before it was accepted
            return
        person = await self.store.get_person(person_id)
        if person is None or organisation_id not in (person.get("organisation_ids") or []):
            raise NotFoundError("This person is not a member of the organisation.")
        await self.store.writer.update(PEOPLE, person_id, apply, correlation_id=correlation_id)

    # log-in and passwords ----------------------------------------------------------------

    async def ensure_first_admin(self) -> None:
        if await self.store.any_admin():
            return
        email = self.settings.admin_email.strip().lower()
        password_hash = await asyncio.to_thread(
            _hasher.hash, self.settings.admin_password.get_secret_value()
        )
        now = utc_now()
        existing = await self.store.find_person_by_email(email)
        if existing is not None:

            async def promote(doc: Document) -> tuple[Document, list[Payload]]:
                return {**doc, "is_admin": True, "updated_at": now}, []

            await self.store.writer.update(PEOPLE, existing["_id"], promote)
            return
        admin = {
            "_id": new_id(),
            "email": email,
            "name": "Office staff",
            "password_hash": password_hash,
            "is_admin": True,
            "organisation_ids": [],
            "created_at": now,
            "updated_at": now,
        }
        with contextlib.suppress(DuplicateKeyError):  # another replica created it first
            await self.store.writer.insert(PEOPLE, admin)

    async def log_in(self, email: str, password: str, client: str = "unknown") -> tuple[str, int]:
        email = email.strip().lower()
        address, source = _digest(email), _digest(client)
        address_client, client_only, address_only = self.login_rules
        keys = await self._count_attempts(
            [
                (address_client, f"{address}:{source}"),
                (client_only, source),
                (address_only, address),
            ],
            self._now_ms(),
            "Too many failed log-ins; try again later.",
        )
        person = await self.store.find_person_by_email(email)
        stored_hash = (person or {}).get("password_hash") or _DUMMY_HASH
        if (
            not await asyncio.to_thread(_verify, stored_hash, password)
            or not person
            or not (person.get("password_hash"))
        ):
            raise UnauthenticatedError(
                "The email address or the password is wrong.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        for key in keys:  # only failures use up the allowance
            await self.store.uncount_attempt(key)
        role: Role = "admin" if person.get("is_admin") else "editor"
        token = self.issuer.issue(person["_id"], role, list(person.get("organisation_ids") or []))
        return token, self.issuer.ttl_seconds

    async def set_password(self, token: str, password: str) -> None:
        token_hash = hash_one_time_token(token)
        record = await self.store.use_one_time_token(token_hash)
        if record is None or record.get("purpose") == "membership":
            if record is not None:  # a link to join an organisation never sets a password
                await self.store.reopen_one_time_token(token_hash)
            raise MalformedError("This link is not valid or was already used.", slug="bad-token")
        if record["expires_at"] <= self._now():
            raise MalformedError("This link has expired; ask for a new one.", slug="expired-token")
        person = await self.store.get_person(record["person_id"])
        if person is None:
            raise MalformedError("This link is not valid.", slug="bad-token")
        problem = password_problem(password, person["email"])
        if problem:
            # Let the person try again with the same link.
            await self.store.reopen_one_time_token(token_hash)
            raise RejectedError(problem, slug="weak-password")
        password_hash = await asyncio.to_thread(_hasher.hash, password)
        now = utc_now()

        async def apply(doc: Document) -> tuple[Document, list[Payload]]:
            return {**doc, "password_hash": password_hash, "updated_at": now}, []

        await self.store.writer.update(PEOPLE, person["_id"], apply)
        # a new password voids every link sent before it (other resets, old invitations)
        await self.store.forget_tokens_of(person["_id"])

    async def request_password_reset(
        self, email: str, correlation_id: str | None, client: str = "unknown"
    ) -> None:
        """Send a reset link if the address is known; say nothing either way.

        The request itself does the same for every address (count, hand over); looking the
        address up and sending happen after the answer, so its timing tells nothing."""
        email = email.strip().lower()
        client_only, address_only = self.reset_rules
        await self._count_attempts(
            [(client_only, _digest(client)), (address_only, _digest(email))],
            self._now_ms(),
            "Too many password-reset requests; try again later.",
        )
        task = asyncio.create_task(self._send_reset_link(email, correlation_id))
        self._reset_tasks.add(task)
        task.add_done_callback(self._reset_tasks.discard)

    async def reset_requests_handled(self) -> None:
        """Wait until every accepted reset request has been handled (tests, shutdown)."""
        while self._reset_tasks:
            await asyncio.gather(*self._reset_tasks, return_exceptions=True)

    async def _send_reset_link(self, email: str, correlation_id: str | None) -> None:
        try:
            await self._reset_link(email, correlation_id)
        except Exception:  # the caller has its answer already; the person may ask again
            log.exception("a password-reset request could not be handled")

    async def _reset_link(self, email: str, correlation_id: str | None) -> None:
        person = await self.store.find_person_by_email(email)
        if person is None:
            return
        now = utc_now()
        token = await self._new_token(person["_id"], "password_reset", now)
        language = "de"
        org_ids = person.get("organisation_ids") or []
        if org_ids:
            organisation = await self.store.get_organisation(org_ids[0])
            if organisation is not None:
                language = organisation.preferred_language
        command = SendEmail(
            command_id=new_id(),
            template=EmailTemplate.PASSWORD_RESET,
            to=person["email"],
            recipient_name=person.get("name"),
            language=language,
            params={
                "link": self._password_link(token),
                "expires_at": (now + dt.timedelta(hours=24)).isoformat(),
            },
            requested_by_service="directory",
        )

        async def apply(doc: Document) -> tuple[Document, list[Payload]]:
            return doc, [command]

        await self.store.writer.update(PEOPLE, person["_id"], apply, correlation_id=correlation_id)

    async def sweep(self) -> int:
        """Delete expired attempt counters and one-time tokens."""
        return await self.store.sweep(self._now(), self._now_ms())

    async def sweep_pass(self) -> None:
        """One `sweep` of the collections that would otherwise only grow (the runtime runs it
        every `sweep_seconds`)."""
        removed = await self.sweep()
        if removed:
            log.info("swept %d expired counters and one-time tokens", removed)

    async def me(self, user: Principal) -> dict[str, Any]:
        person = await self.store.get_person(user.person_id)
        if person is None:
            raise UnauthenticatedError("This account no longer exists.")
        organisations = []
        for org_id in person.get("organisation_ids") or []:
            organisation = await self.store.get_organisation(org_id)
            if organisation is not None:
                organisations.append({"id": organisation.id, "name": organisation.name})
        return {
            "person_id": person["_id"],
            "email": person["email"],
            "name": person.get("name"),
            "role": "admin" if person.get("is_admin") else "editor",
            "organisations": organisations,
        }


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _organisation(doc: Document) -> Organisation:
    from services.directory.store import organisation_from_document

    return organisation_from_document(doc)
