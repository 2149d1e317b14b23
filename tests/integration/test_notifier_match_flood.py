"""One offer that fits fifty open requests does not flood the city with emails: the offering
organisation hears once, and only the requests of the best three matches are told — on the
real broker and SMTP server."""

from __future__ import annotations

import datetime as dt
import uuid

from tests.integration.notifier_fixtures import ServedDirectory, ServedNotifier
from tests.support.amqp import publish
from tests.support.events import match_found
from tests.support.mail import MailServer, tagged
from tests.support.waiting import eventually as wait_until

REQUESTS = 50
EMAILED_PER_LISTING = 3  # the notifier's default MATCH_EMAILS_PER_LISTING


async def test_one_offer_fitting_fifty_requests_sends_at_most_k_plus_one_emails(
    served_directory: ServedDirectory,
    notifier: ServedNotifier,
    mail_server: MailServer,
) -> None:
    offering = await served_directory.register("Seniorentreff Westend", email=tagged("senioren"))
    requesting = [
        await served_directory.register(f"Elterninitiative {n}", email=tagged(f"eltern-{n}"))
        for n in range(REQUESTS)
    ]
    await notifier.knows_organisations(offering["id"], *(org["id"] for org in requesting))

    offer_id = str(uuid.uuid4())
    matches = [
        match_found(
            offering["id"],
            org["id"],
            offer_id=offer_id,
            offer_title="Gesprächsrunde auf Deutsch",
            request_title=f"Deutsch üben, Gruppe {n}",
            rank=n + 1,
        )
        for n, org in enumerate(requesting)
    ]
    events = await publish(notifier.amqp_url, matches)
    causes = {event.id for event in events}

    async def all_handled() -> bool:
        inbox = notifier.app.state.runtime.db["inbox"]
        done = await inbox.count_documents({"event_id": {"$in": list(causes)}, "state": "done"})
        return bool(done == REQUESTS)

    await wait_until(all_handled)
    emailed = await mail_server.wait_for(lambda m: m.cause in causes, count=EMAILED_PER_LISTING + 1)
    deliveries = notifier.app.state.runtime.db["deliveries"]
    planned = await deliveries.count_documents(
        {"cause_event_id": {"$in": list(causes)}, "template": "match_found"}
    )

    assert planned == EMAILED_PER_LISTING + 1
    assert len([m for m in mail_server.mails if m.cause in causes]) == EMAILED_PER_LISTING + 1
    told = {m.to for m in emailed}
    assert offering["email"] in told
    # the offering organisation hears of the first of its best matches handled (matches are
    # handled concurrently: which one that is may vary), the summary of the other two
    [first_told] = [m.cause for m in emailed if m.to == offering["email"]]
    titles = {event.id: match.request_title for match, event in zip(matches, events, strict=True)}
    best = [f"Deutsch üben, Gruppe {n}" for n in range(EMAILED_PER_LISTING)]
    assert titles[first_told] in best
    assert told - {offering["email"]} == {org["email"] for org in requesting[:EMAILED_PER_LISTING]}
    # the two further matches of the offer on the same day wait for the morning's summary
    held = notifier.app.state.runtime.db["held_match_notices"]
    assert await held.count_documents({"organisation_id": offering["id"]}) == 2

    # held once, however often a match is planned again (a redelivery after a crash)
    for match, event in zip(matches[1:EMAILED_PER_LISTING], events[1:], strict=False):
        await notifier.service.match_notices.plan_match(match, event)
    assert await held.count_documents({"organisation_id": offering["id"]}) == 2

    # the next morning one summary lists both, and nothing is held any more
    next_morning = matches[0].found_at + dt.timedelta(days=1, hours=1)
    assert await notifier.service.match_notices.run_summaries(next_morning) == 1
    [summary] = await deliveries.find({"template": "match_summary"}).to_list(None)
    assert summary["organisation_id"] == offering["id"]
    assert [m["other_title"] for m in summary["params"]["matches"]] == [
        title for title in best if title != titles[first_told]
    ]
    assert await held.count_documents({}) == 0
    assert await notifier.service.match_notices.run_summaries(next_morning) == 0
