"""An id in a portal address that cannot be put into a URL at all is simply not found."""

from __future__ import annotations

import pytest

from tests.support.portal import portal_client


@pytest.mark.parametrize("page", ["organisations", "events", "offers", "requests"])
async def test_a_page_for_an_id_with_a_control_character_is_not_found_instead_of_a_500(
    page: str,
) -> None:
    async with portal_client() as portal:
        portal.cookies.set("inx_session", "t")
        response = await portal.get(f"/{page}/%C2%AC4%13E2")
    assert response.status_code == 404, response.text
