"""A member of an organisation who can log in: invited through the directory's API, with the
password set through the link of the invitation the directory asked the notifier to send."""

from __future__ import annotations

from typing import Any

import httpx

from shared.contracts.base import COMMANDS_EXCHANGE
from tests.support.amqp import StreamTap
from tests.support.mail import link_token
from tests.support.waiting import eventually

SEND_EMAIL = "notifier.email.send"


async def member_with_password(
    directory: httpx.AsyncClient,
    admin: dict[str, str],
    rabbit_url: str,
    organisation_id: str,
    *,
    email: str,
    name: str,
    password: str,
) -> None:
    """Invite `email` to the organisation and set `password`; afterwards they log in with it
    (in the portal as anywhere). `directory` talks to the directory, `admin` holds office
    staff's token, `rabbit_url` is the broker (vhost) the directory publishes to."""
    async with StreamTap(rabbit_url, COMMANDS_EXCHANGE, (SEND_EMAIL,)) as tap:
        invited = await directory.post(
            f"/organisations/{organisation_id}/members",
            json={"email": email, "name": name},
            headers=admin,
        )
        assert invited.status_code == 201, invited.text

        def invitations() -> list[dict[str, Any]]:
            return [c for c in tap.of_type(SEND_EMAIL) if c["data"]["to"] == email]

        async def invited_by_email() -> bool:
            return bool(invitations())

        await eventually(invited_by_email)
    [command] = invitations()
    token = link_token(command["data"]["params"]["link"])
    password_set = await directory.post(
        "/auth/password", json={"token": token, "password": password}
    )
    assert password_set.is_success, password_set.text


async def member_session(
    directory: httpx.AsyncClient,
    admin: dict[str, str],
    rabbit_url: str,
    organisation_id: str,
    **person: str,
) -> str:
    """`member_with_password` (`person`: its email, name and password), then logged in:
    returns the access token (the portal's session)."""
    await member_with_password(directory, admin, rabbit_url, organisation_id, **person)
    logged_in = await directory.post(
        "/auth/token", data={"username": person["email"], "password": person["password"]}
    )
    assert logged_in.status_code == 200, logged_in.text
    token: str = logged_in.json()["access_token"]
    return token
