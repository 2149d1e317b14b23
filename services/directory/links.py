"""One-time links and the emails that carry them: invitations, membership notices and
password resets, sent as commands to the notifier."""

from __future__ import annotations

import datetime as dt

from services.directory.domain import Organisation
from services.directory.people import OneTimeToken, TokenPurpose
from services.directory.repository import DirectoryRepository
from services.directory.settings import DirectorySettings
from shared.contracts.notifier import EmailTemplate, SendEmail
from shared.errors import MalformedError
from shared.ids import new_id
from shared.link_tokens import hash_one_time_token, new_one_time_token

#: How long a password-reset link is good for (invitations: `invitation_ttl_days`).
RESET_LINK_TTL = dt.timedelta(hours=24)


class OneTimeLinks:
    def __init__(self, store: DirectoryRepository, settings: DirectorySettings) -> None:
        self.store = store
        self.settings = settings

    async def new(
        self,
        person_id: str,
        purpose: TokenPurpose,
        now: dt.datetime,
        *,
        invitation_id: str | None = None,
    ) -> tuple[str, dt.datetime]:
        """Store a new link's hash; returns the token for the email and when it expires."""
        token, token_hash = new_one_time_token()
        if purpose is TokenPurpose.PASSWORD_RESET:
            expires = now + RESET_LINK_TTL
        else:
            expires = now + dt.timedelta(days=self.settings.invitation_ttl_days)
        await self.store.add_one_time_token(
            OneTimeToken(token_hash, person_id, purpose, expires, invitation_id)
        )
        return token, expires

    def _url(self, path: str, token: str) -> str:
        return f"{self.settings.public_base_url.rstrip('/')}/{path}?token={token}"

    @staticmethod
    def _email(
        template: EmailTemplate,
        to: str,
        name: str | None,
        language: str,
        params: dict[str, str],
    ) -> SendEmail:
        return SendEmail(
            command_id=new_id(),
            template=template,
            to=to,
            recipient_name=name,
            language=language,
            params=params,
            requested_by_service="directory",
        )

    def invitation(
        self,
        organisation: Organisation,
        to: str,
        name: str | None,
        token: str,
        expires: dt.datetime,
    ) -> SendEmail:
        """A new address is asked to set its password (and with it join the organisation)."""
        return self._email(
            EmailTemplate.INVITATION,
            to,
            name,
            organisation.preferred_language,
            {
                "organisation_name": organisation.name,
                "link": self._url("set-password", token),
                "expires_at": expires.isoformat(),
            },
        )

    def membership_invitation(
        self, organisation: Organisation, to: str, name: str, token: str, expires: dt.datetime
    ) -> SendEmail:
        """An existing account is asked to accept joining the organisation."""
        return self._email(
            EmailTemplate.MEMBERSHIP_INVITATION,
            to,
            name,
            organisation.preferred_language,
            {
                "organisation_name": organisation.name,
                "link": self._url("einladung", token),
                "expires_at": expires.isoformat(),
            },
        )

    def password_reset(
        self, to: str, name: str | None, language: str, token: str, expires: dt.datetime
    ) -> SendEmail:
        return self._email(
            EmailTemplate.PASSWORD_RESET,
            to,
            name,
            language,
            {"link": self._url("set-password", token), "expires_at": expires.isoformat()},
        )

    async def redeem(
        self, token: str, now: dt.datetime, *, sets_password: bool, expired: str
    ) -> OneTimeToken:
        """Use a link once: the stored token, if it is one of the kind asked for and still good.
        A link of the other kind stays usable; an expired one is used up."""
        token_hash = hash_one_time_token(token)
        record = await self.store.use_one_time_token(token_hash)
        if record is None or record.purpose.sets_password is not sets_password:
            if record is not None:
                await self.store.reopen_one_time_token(token_hash)
            raise MalformedError("This link is not valid or was already used.", slug="bad-token")
        if record.expired(now):
            raise MalformedError(expired, slug="expired-token")
        return record

    async def send(self, person_id: str, email: SendEmail, correlation_id: str | None) -> None:
        """Hand an email to a person over to the notifier, through the person's outbox."""
        await self.store.update_person(person_id, lambda person: (person, [email]), correlation_id)
