from __future__ import annotations

from tests.support.services import RunningService


async def test_office_staff_can_register_an_organisation(
    directory: RunningService, admin: dict[str, str]
) -> None:
    response = await directory.client.post(
        "/organisations",
        json={"name": "Seniorenhaus Lindenhof", "kind": "association", "district": "Südstadt"},
        headers=admin,
    )
    assert response.status_code == 201, response.text
    listed = await directory.client.get("/organisations", params={"q": "linden"})
    assert [o["name"] for o in listed.json()["items"]] == ["Seniorenhaus Lindenhof"]
