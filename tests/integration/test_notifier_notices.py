"""An organisation's editors see which default notices an unsubscribe link switched off, and
switch them on again: the next match reaches the contact address once more."""

from __future__ import annotations

import httpx

from tests.integration.notifier_fixtures import ServedDirectory, ServedNotifier
from tests.support.amqp import publish
from tests.support.events import match_found
from tests.support.mail import MailServer, tagged
from tests.support.problems import assert_problem


async def test_an_editor_switches_match_emails_on_again_after_a_colleague_unsubscribed(
    served_directory: ServedDirectory,
    notifier: ServedNotifier,
    mail_server: MailServer,
) -> None:
    inbox = tagged("info-linde")
    linde = await served_directory.register(
        "Nachbarschaftstreff Linde", email=inbox, preferred_language="de"
    )
    other = await served_directory.register("FC Anadolu Nordstadt 1987")
    await notifier.knows_organisations(linde["id"], other["id"])
    editor = served_directory.editor_of(linde["id"])
    notices_url = f"/organisations/{linde['id']}/notices"

    untouched = await notifier.client.get(notices_url, headers=editor)
    assert untouched.status_code == 200, untouched.text
    assert untouched.json() == {
        "organisation_id": linde["id"],
        "contact_email": inbox,
        "notices": [
            {
                "notice": "match_found",
                "enabled": True,
                "disabled_at": None,
                "cadence": "immediate",
            },
            {
                "notice": "conflict_detected",
                "enabled": True,
                "disabled_at": None,
                "cadence": "immediate",
            },
        ],
    }

    # someone reading the shared inbox clicks "unsubscribe" under a match email
    [first] = await publish(notifier.amqp_url, [match_found(other["id"], linde["id"])])
    [mail] = await mail_server.wait_for(lambda m: m.cause == first.id and m.to == inbox)
    unsubscribe_url = mail.header("List-Unsubscribe").strip("<>")
    async with httpx.AsyncClient() as browser:
        clicked = await browser.post(unsubscribe_url, data={"List-Unsubscribe": "One-Click"})
        assert clicked.status_code == 200, clicked.text
        # the page says how it comes back
        assert "unter „Mein Bereich“ wieder" in clicked.text

    switched_off = (await notifier.client.get(notices_url, headers=editor)).json()
    match_notice, conflict_notice = switched_off["notices"]
    assert match_notice["notice"] == "match_found"
    assert match_notice["enabled"] is False
    assert match_notice["disabled_at"] is not None
    assert conflict_notice == {
        "notice": "conflict_detected",
        "enabled": True,
        "disabled_at": None,
        "cadence": "immediate",
    }

    # the editor switches it on again: the next match is emailed
    on = await notifier.client.put(
        f"{notices_url}/match_found", json={"enabled": True}, headers=editor
    )
    assert on.status_code == 200, on.text
    assert on.json() == {
        "notice": "match_found",
        "enabled": True,
        "disabled_at": None,
        "cadence": "immediate",
    }
    [second] = await publish(notifier.amqp_url, [match_found(other["id"], linde["id"])])
    await mail_server.wait_for(lambda m: m.cause == second.id and m.to == inbox)

    # and off without waiting for an email; switching off twice keeps the first moment
    off = await notifier.client.put(
        f"{notices_url}/conflict_detected", json={"enabled": False}, headers=editor
    )
    assert off.status_code == 200, off.text
    again = await notifier.client.put(
        f"{notices_url}/conflict_detected",
        json={"enabled": False},
        headers=served_directory.admin,
    )
    assert again.json() == off.json()
    assert off.json()["enabled"] is False


async def test_notices_are_only_for_the_organisations_own_editors_and_bad_input_gets_4xx(
    served_directory: ServedDirectory, notifier: ServedNotifier
) -> None:
    linde = await served_directory.register("Nachbarschaftstreff Linde")
    other = await served_directory.register("FC Anadolu Nordstadt 1987")
    await notifier.knows_organisations(linde["id"], other["id"])
    client = notifier.client
    notices_url = f"/organisations/{linde['id']}/notices"
    stranger = served_directory.editor_of(other["id"])

    assert_problem(await client.get(notices_url), 401)
    assert_problem(await client.get(notices_url, headers=stranger), 403)
    assert_problem(
        await client.put(f"{notices_url}/match_found", json={"enabled": False}, headers=stranger),
        403,
    )
    admin = served_directory.admin
    assert (await client.get(notices_url, headers=admin)).json()["contact_email"] is None
    assert_problem(await client.get("/organisations/unbekannt/notices", headers=admin), 404)
    bad_bodies: list[object] = [{}, {"enabled": "vielleicht"}, {"enabled": True, "x": 1}, []]
    for body in bad_bodies:
        assert_problem(
            await client.put(f"{notices_url}/match_found", json=body, headers=admin), 422
        )
    assert_problem(
        await client.put(f"{notices_url}/newsletter", json={"enabled": True}, headers=admin),
        422,
    )
    # nothing above changed a thing
    notices = (await client.get(notices_url, headers=admin)).json()["notices"]
    assert all(n["enabled"] for n in notices)


async def test_match_notices_can_come_as_a_weekly_summary_and_clash_notices_cannot(
    served_directory: ServedDirectory, notifier: ServedNotifier
) -> None:
    linde = await served_directory.register("Nachbarschaftstreff Linde")
    await notifier.knows_organisations(linde["id"])
    editor = served_directory.editor_of(linde["id"])
    notices_url = f"/organisations/{linde['id']}/notices"

    weekly = await notifier.client.put(
        f"{notices_url}/match_found", json={"cadence": "weekly"}, headers=editor
    )
    assert weekly.status_code == 200, weekly.text
    assert weekly.json()["cadence"] == "weekly"
    assert weekly.json()["enabled"] is True
    refused = assert_problem(
        await notifier.client.put(
            f"{notices_url}/conflict_detected", json={"cadence": "daily"}, headers=editor
        ),
        422,
    )
    assert refused["type"].endswith("cadence-not-offered")
    assert_problem(
        await notifier.client.put(
            f"{notices_url}/match_found", json={"cadence": "hourly"}, headers=editor
        ),
        422,
    )
    shown = (await notifier.client.get(notices_url, headers=editor)).json()["notices"]
    assert [(n["notice"], n["cadence"]) for n in shown] == [
        ("match_found", "weekly"),
        ("conflict_detected", "immediate"),
    ]
