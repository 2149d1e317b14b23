"""The directory's use-case rules, on the in-memory repository: who may register, change and
invite, what an archived organisation refuses, how invitations become memberships, and how
log-in and passwords answer."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.directory.domain import OrganisationCreate, OrganisationPatch
from services.directory.repository import OrganisationQuery
from services.directory.service import Directory
from services.directory.settings import DirectorySettings
from services.directory.tokens import SigningKey, TokenIssuer
from shared.contracts.directory import (
    MemberJoined,
    MemberLeft,
    OrganisationKind,
    OrganisationRegistered,
    OrganisationStatus,
    OrganisationUpdated,
)
from shared.contracts.notifier import EmailTemplate, SendEmail
from shared.errors import (
    ApplicationError,
    ConflictError,
    ForbiddenError,
    MalformedError,
    RateLimitedError,
    RejectedError,
    UnauthenticatedError,
)
from shared.ids import new_id
from shared.pages import Paging
from tests.support.in_memory_directory import InMemoryDirectoryStore
from tests.support.principals import OFFICE, member_of

PASSWORD = "Sonnenblume-im-Mai"


class FakeClock:
    """Epoch seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def a_directory(store: InMemoryDirectoryStore, clock: FakeClock | None = None) -> Directory:
    issuer = TokenIssuer(SigningKey("test", Ed25519PrivateKey.generate()), [], 3600)
    return Directory(
        store,
        issuer,
        DirectorySettings(_env_file=None),
        clock=clock or FakeClock(),
        hasher=PasswordHasher(time_cost=1, memory_cost=64, parallelism=1),  # fast, still argon2
    )


async def registered(directory: Directory, name: str = "Verein Mriya e.V.") -> str:
    data = OrganisationCreate(
        name=name, kind=OrganisationKind.MIGRANT_ORGANISATION, description="Beratung"
    )
    return (await directory.organisations.register(data, OFFICE, None)).id


def emails(store: InMemoryDirectoryStore, to: str) -> list[SendEmail]:
    return [m for m in store.published if isinstance(m, SendEmail) and m.to == to]


def token_of(email: SendEmail) -> str:
    return email.params["link"].rsplit("token=", 1)[1]


async def an_account(directory: Directory, store: InMemoryDirectoryStore, org: str) -> str:
    """Invite a new address to `org` and set its password with the link; its person id."""
    invited = await directory.members.invite(org, "ayse@example.org", "Ayşe", OFFICE, None)
    await directory.accounts.set_password(token_of(emails(store, "ayse@example.org")[-1]), PASSWORD)
    return invited.person_id


async def test_only_office_staff_register_organisations() -> None:
    store = InMemoryDirectoryStore()
    directory = a_directory(store)
    data = OrganisationCreate(name="Treff Linde", kind=OrganisationKind.ASSOCIATION)
    with pytest.raises(ForbiddenError) as refused:
        await directory.organisations.register(data, member_of(new_id()), None)
    assert refused.value.slug == "staff-only"
    assert store.organisations == {}
    assert store.published == []

    organisation = await directory.organisations.register(data, OFFICE, None)

    assert [type(e) for e in store.published] == [OrganisationRegistered]
    assert isinstance(store.published[0], OrganisationRegistered)
    assert store.published[0].organisation_id == organisation.id
    assert store.published[0].name == "Treff Linde"


async def test_only_members_or_office_staff_change_an_organisation() -> None:
    store = InMemoryDirectoryStore()
    directory = a_directory(store)
    mriya = await registered(directory)
    patch = OrganisationPatch(district="Nordstadt")
    with pytest.raises(ForbiddenError) as refused:
        await directory.organisations.change(mriya, patch, member_of(new_id()), None)
    assert refused.value.slug == "members-only"

    changed = await directory.organisations.change(mriya, patch, member_of(mriya), None)

    assert changed.district == "Nordstadt"
    assert changed.revision == 2
    updated = store.published[-1]
    assert isinstance(updated, OrganisationUpdated)
    assert updated.changed_fields == ["district"]
    assert updated.revision == 2


async def test_a_patch_that_changes_nothing_announces_nothing() -> None:
    store = InMemoryDirectoryStore()
    directory = a_directory(store)
    mriya = await registered(directory)
    published = len(store.published)

    same = await directory.organisations.change(
        mriya, OrganisationPatch(description="Beratung"), OFFICE, None
    )

    assert same.revision == 1
    assert len(store.published) == published


async def test_clearing_a_required_field_is_refused_with_the_fields() -> None:
    directory = a_directory(InMemoryDirectoryStore())
    mriya = await registered(directory)
    patch = OrganisationPatch.model_validate({"name": None, "description": None})
    with pytest.raises(ConflictError) as refused:
        await directory.organisations.change(mriya, patch, OFFICE, None)
    assert refused.value.slug == "cannot-clear"
    assert refused.value.extensions["fields"] == ["description", "name"]


async def test_an_archived_organisation_cannot_be_changed_or_joined() -> None:
    store = InMemoryDirectoryStore()
    directory = a_directory(store)
    mriya = await registered(directory)
    archived = await directory.organisations.archive(mriya, OFFICE, None)
    assert archived.status is OrganisationStatus.ARCHIVED

    with pytest.raises(ConflictError) as unchanged:
        await directory.organisations.change(mriya, OrganisationPatch(district="Süd"), OFFICE, None)
    with pytest.raises(ConflictError) as unjoined:
        await directory.members.invite(mriya, "ali@example.org", "Ali", OFFICE, None)

    assert unchanged.value.slug == unjoined.value.slug == "organisation-archived"
    assert store.people == {}


ARCHIVED = OrganisationQuery(status=OrganisationStatus.ARCHIVED)


async def mriya_archived_beside_linde() -> tuple[Directory, str]:
    """A directory with "Verein Mriya e.V." archived and "Treff Linde" active; Mriya's id."""
    directory = a_directory(InMemoryDirectoryStore())
    mriya = await registered(directory)
    await registered(directory, "Treff Linde")
    await directory.organisations.archive(mriya, OFFICE, None)
    return directory, mriya


async def test_archived_organisations_are_found_only_by_office_staff() -> None:
    directory, mriya = await mriya_archived_beside_linde()
    with pytest.raises(ForbiddenError):
        await directory.organisations.find(ARCHIVED, member_of(mriya), Paging(limit=10, offset=0))

    found, total = await directory.organisations.find(ARCHIVED, OFFICE, Paging(limit=10, offset=0))

    assert [o.id for o in found] == [mriya]
    assert total == 1


async def test_facets_count_what_a_search_finds_and_archived_ones_only_for_staff() -> None:
    directory, mriya = await mriya_archived_beside_linde()
    with pytest.raises(ForbiddenError):
        await directory.organisations.facets(ARCHIVED, member_of(mriya))

    active = await directory.organisations.facets(OrganisationQuery(), None)
    narrowed = await directory.organisations.facets(OrganisationQuery(text="linde"), None)
    nobody = await directory.organisations.facets(OrganisationQuery(community="Ukrainian"), None)

    assert (active.total, active.kind) == (1, {"migrant_organisation": 1})
    assert narrowed.total == 1
    assert (nobody.total, nobody.kind) == (0, {})
    assert (await directory.organisations.facets(ARCHIVED, OFFICE)).total == 1


async def test_only_members_or_office_staff_invite() -> None:
    store = InMemoryDirectoryStore()
    directory = a_directory(store)
    mriya = await registered(directory)
    with pytest.raises(ForbiddenError):
        await directory.members.invite(mriya, "ali@example.org", "Ali", member_of(new_id()), None)
    assert store.people == {}
    assert emails(store, "ali@example.org") == []


async def test_a_new_address_becomes_a_member_and_gets_a_link_to_set_its_password() -> None:
    store = InMemoryDirectoryStore()
    directory = a_directory(store)
    mriya = await registered(directory)

    invited = await directory.members.invite(
        mriya, "ali@example.org", "Ali", member_of(mriya), None
    )

    joined = [e for e in store.published if isinstance(e, MemberJoined)]
    assert [(e.organisation_id, e.person_id) for e in joined] == [(mriya, invited.person_id)]
    [email] = emails(store, "ali@example.org")
    assert email.template is EmailTemplate.INVITATION
    assert "/set-password?token=" in email.params["link"]
    [member] = await directory.members.of(mriya, OFFICE)
    assert (member.person_id, member.has_password) == (invited.person_id, False)


async def test_inviting_an_existing_member_is_refused_with_already_a_member() -> None:
    store = InMemoryDirectoryStore()
    directory = a_directory(store)
    mriya = await registered(directory)
    await an_account(directory, store, mriya)
    with pytest.raises(ConflictError) as refused:
        await directory.members.invite(mriya, "ayse@example.org", "Ayşe", OFFICE, None)
    assert refused.value.slug == "already-a-member"


async def test_an_accepted_invitation_makes_a_membership_and_announces_it() -> None:
    store = InMemoryDirectoryStore()
    directory = a_directory(store)
    mriya, linde = await registered(directory), await registered(directory, "Treff Linde")
    ayse = await an_account(directory, store, mriya)
    invited = await directory.members.invite(linde, "ayse@example.org", "Ayşe A.", OFFICE, None)
    [pending] = await directory.members.of(linde, OFFICE)
    assert (pending.person_id, pending.name) == (invited.person_id, "Ayşe A.")
    assert not store.people[ayse].is_member_of(linde)  # only by accepting
    published = len(store.published)

    organisation = await directory.members.accept(
        token_of(emails(store, "ayse@example.org")[-1]), member_of(mriya, person_id=ayse), None
    )

    assert organisation.id == linde
    assert store.people[ayse].is_member_of(linde)
    [event] = store.published[published:]
    assert isinstance(event, MemberJoined)
    assert (event.organisation_id, event.person_id) == (linde, ayse)
    assert store.invitations == {}
    assert [m.person_id for m in await directory.members.of(linde, OFFICE)] == [ayse]


async def test_an_invitation_for_another_account_is_refused_and_stays_usable() -> None:
    store = InMemoryDirectoryStore()
    directory = a_directory(store)
    mriya, linde = await registered(directory), await registered(directory, "Treff Linde")
    ayse = await an_account(directory, store, mriya)
    await directory.members.invite(linde, "ayse@example.org", "Ayşe", OFFICE, None)
    token = token_of(emails(store, "ayse@example.org")[-1])

    with pytest.raises(ForbiddenError):
        await directory.members.accept(token, member_of(), None)
    assert not store.people[ayse].is_member_of(linde)

    await directory.members.accept(token, member_of(person_id=ayse), None)
    assert store.people[ayse].is_member_of(linde)
    with pytest.raises(MalformedError) as used:
        await directory.members.accept(token, member_of(person_id=ayse), None)
    assert used.value.slug == "bad-token"


async def test_removing_a_member_announces_that_they_left() -> None:
    store = InMemoryDirectoryStore()
    directory = a_directory(store)
    mriya = await registered(directory)
    ayse = await an_account(directory, store, mriya)

    await directory.members.remove(mriya, ayse, member_of(mriya), None)

    event = store.published[-1]
    assert isinstance(event, MemberLeft)
    assert (event.organisation_id, event.person_id) == (
        mriya,
        ayse,
    )
    assert await directory.members.of(mriya, OFFICE) == []


async def test_log_in_with_a_wrong_password_fails_the_same_way_as_an_unknown_address() -> None:
    store = InMemoryDirectoryStore()
    directory = a_directory(store)
    await an_account(directory, store, await registered(directory))

    refusals: list[ApplicationError] = []
    for email, password in (
        ("ayse@example.org", "falsch-geraten"),
        ("nobody@example.org", PASSWORD),
    ):
        with pytest.raises(UnauthenticatedError) as refused:
            await directory.accounts.log_in(email, password, "198.51.100.7")
        refusals.append(refused.value)

    wrong, unknown = refusals
    assert (wrong.detail, wrong.slug, wrong.headers) == (
        unknown.detail,
        unknown.slug,
        unknown.headers,
    )
    token, _ = await directory.accounts.log_in(" AYSE@example.org", PASSWORD, "198.51.100.7")
    assert (await directory.issuer.verifier().verify(token)).role == "editor"


async def test_too_many_failed_log_ins_are_refused_until_the_window_ends() -> None:
    store = InMemoryDirectoryStore()
    clock = FakeClock()
    directory = a_directory(store, clock)
    await an_account(directory, store, await registered(directory))
    for _ in range(directory.settings.login_max_failures):
        with pytest.raises(UnauthenticatedError):
            await directory.accounts.log_in("ayse@example.org", "falsch", "198.51.100.7")

    with pytest.raises(RateLimitedError) as locked:
        await directory.accounts.log_in("ayse@example.org", PASSWORD, "198.51.100.7")

    assert locked.value.slug == "rate-limited"
    clock.now += int(locked.value.headers["Retry-After"])
    assert await directory.accounts.log_in("ayse@example.org", PASSWORD, "198.51.100.7")


async def test_a_weak_password_is_refused_with_a_reason_and_the_link_stays_usable() -> None:
    store = InMemoryDirectoryStore()
    directory = a_directory(store)
    await directory.members.invite(
        await registered(directory), "ali@example.org", "Ali", OFFICE, None
    )
    token = token_of(emails(store, "ali@example.org")[-1])

    with pytest.raises(RejectedError) as refused:
        await directory.accounts.set_password(token, "kurz")

    assert refused.value.slug == "weak-password"
    assert refused.value.extensions == {"reason": "too-short"}
    assert "at least 10 characters" in refused.value.detail
    await directory.accounts.set_password(token, PASSWORD)
    assert await directory.accounts.log_in("ali@example.org", PASSWORD)


async def test_an_expired_link_sets_no_password() -> None:
    store = InMemoryDirectoryStore()
    clock = FakeClock()
    directory = a_directory(store, clock)
    await directory.members.invite(
        await registered(directory), "ali@example.org", "Ali", OFFICE, None
    )
    clock.now += directory.settings.invitation_ttl_days * 86400

    with pytest.raises(MalformedError) as refused:
        await directory.accounts.set_password(
            token_of(emails(store, "ali@example.org")[-1]), PASSWORD
        )

    assert refused.value.slug == "expired-token"
    assert not next(iter(store.people.values())).has_password


async def test_a_new_password_voids_every_other_link_of_the_account() -> None:
    store = InMemoryDirectoryStore()
    directory = a_directory(store)
    await an_account(directory, store, await registered(directory))
    await directory.accounts.request_password_reset("ayse@example.org", None)
    await directory.accounts.request_password_reset("ayse@example.org", None)
    await directory.accounts.reset_requests_handled()
    first, second = [token_of(e) for e in emails(store, "ayse@example.org")[-2:]]

    await directory.accounts.set_password(second, "Ein-neues-Passwort")

    with pytest.raises(MalformedError) as refused:
        await directory.accounts.set_password(first, "Noch-ein-Passwort")
    assert refused.value.slug == "bad-token"
