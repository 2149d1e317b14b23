"""The matching pipeline end to end, black-box: how fast postings become matches and emails.

    .venv/bin/python -m bench.pipeline [--quick] [--json var/bench/pipeline.json]

Starts the platform as `make up` does (`scripts.run`, every service, on free ports) against a
scratch nx-27017, a RabbitMQ vhost and an SMTP server of its own, binds an `ext.` queue to the
public stream, stores what a city has after months (closed and open listings, sent emails), then
measures in one run:

1. raw baselines of the same machine: aio-pika publish with confirms and consume, aiosmtplib
   sequential (a connection each) and 10 concurrent;
2. the API's accepted rate of `POST /offers|/requests` at 1, 8 and 32 clients;
3. a burst of request/offer pairs posted by 32 clients as fast as the API takes them: when the
   matches reach the stream and the emails the SMTP server, the sustained end-to-end rate and
   the drain time after the last POST;
4. an open-loop run at half the sustained rate: POST → `exchange.match.found` and POST → both
   emails, percentiles per minute;
5. the CPU the stack uses at idle afterwards;
6. the sender alone: transactional emails asked for at once, sent per second (the burst's
   email rate is bounded by how fast matches come);

and checks correctness on the way: every pair matched exactly once and nothing else matched,
exactly 2 emails per match to the two organisations, no Message-ID twice, nothing parked, no
errors in the services' logs. Prints a table and writes the figures as JSON. Not a test: it
asserts nothing, but says FAIL next to a broken correctness figure (and exits 1).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.pipeline_load import (
    Numbers,
    Pair,
    Poster,
    admin_token,
    filler_body,
    make_pairs,
    prefill,
    register_organisations,
)
from bench.pipeline_raw import raw_baselines
from bench.pipeline_report import MATCH, correct, correctness, cpu_cost, pct, print_report
from bench.pipeline_stack import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    CpuWindow,
    Stack,
    StreamWatch,
    consumed,
    cpu_share,
    database_commands,
    per_posting,
    running_stack,
    until,
)
from scripts.run import parse_scale
from shared.contracts.exchange import ListingKind
from shared.contracts.notifier import EmailTemplate, SendEmail
from shared.ids import new_id
from tests.support.amqp import publish

POSTED = ("exchange.offer.posted", "exchange.request.posted")
POSTED_TYPES = tuple(f"integrationsnetz.{t}.v1" for t in POSTED)


@dataclass(frozen=True)
class Options:
    api_seconds: float
    burst_pairs: int
    latency_seconds: float
    latency_rate: float | None
    drain_timeout: float
    stored_listings: int
    stored_deliveries: int
    idle_seconds: float
    #: Transactional emails asked for at once to measure the sender alone.
    sender_emails: int = 2000


FULL = Options(10.0, 1500, 300.0, None, 900.0, 10_000, 20_000, 20.0)
QUICK = Options(3.0, 100, 20.0, None, 300.0, 500, 1_000, 5.0, sender_emails=200)


class Run:
    """One bench run against one stack."""

    def __init__(self, stack: Stack, watch: StreamWatch, options: Options) -> None:
        self.stack = stack
        self.watch = watch
        self.options = options
        self.numbers = Numbers(seed=7)
        self.organisations: dict[str, str] = {}
        self.token = ""
        self.pairs: list[Pair] = []
        self.filler_ids: set[str] = set()

    @contextlib.asynccontextmanager
    async def posters(self, clients: int) -> AsyncIterator[list[Poster]]:
        """`clients` posters spread over the exchange's replicas, sharing one tally."""
        latencies: list[float] = []
        errors: dict[int, int] = {}
        async with contextlib.AsyncExitStack() as stack:
            replicas = [
                await stack.enter_async_context(self.client(clients, r))
                for r in range(len(self.stack.urls("exchange")))
            ]
            yield [Poster(replicas[n % len(replicas)], latencies, errors) for n in range(clients)]

    def client(self, connections: int, replica: int = 0) -> httpx.AsyncClient:
        urls = self.stack.urls("exchange")
        return httpx.AsyncClient(
            base_url=urls[replica % len(urls)],
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
            limits=httpx.Limits(max_connections=connections),
            trust_env=False,
        )

    async def setup(self) -> None:
        self.token = await admin_token(self.stack.url("directory"), ADMIN_EMAIL, ADMIN_PASSWORD)
        self.organisations = await register_organisations(self.stack.url("directory"), self.token)
        async with self.client(1) as client:
            poster = Poster(client)
            for organisation in self.organisations:  # waits until the exchange knows each
                body = filler_body(self.numbers.take(), organisation)
                self.filler_ids.add(await poster.post_when_known(ListingKind.OFFER, body))
        await self.wait_posted()

    async def wait_posted(self) -> float:
        """Until every posted listing has come out on the stream and the exchange has matched
        it (so that what follows starts on an empty pipeline); returns the seconds waited."""
        started = time.monotonic()
        expected = self.filler_ids | {p.offer_id for p in self.pairs if p.offer_id}
        expected |= {p.request_id for p in self.pairs if p.request_id}
        await until(lambda: expected <= self.posted_ids(), self.options.drain_timeout)
        deadline = time.monotonic() + self.options.drain_timeout
        while time.monotonic() < deadline:
            handled = (await consumed(self.stack, by="type"))["exchange"]
            if sum(handled.get(t, 0) for t in POSTED_TYPES) >= len(expected):
                break
            await asyncio.sleep(0.2)
        return time.monotonic() - started

    @staticmethod
    def burst_ids(pairs: Sequence[Pair]) -> set[str]:
        return {i for p in pairs for i in (p.offer_id, p.request_id) if i}

    def posted_ids(self) -> set[str]:
        return {str(s.data.get("listing_id")) for t in POSTED for s in self.watch.of(t)}

    async def api_rates(self) -> dict[str, Any]:
        """Postings accepted per second by N clients posting back to back."""
        results: dict[str, Any] = {}
        for clients in (1, 8, 32):
            async with self.posters(clients) as posters:
                poster = posters[0]
                stop = time.monotonic() + self.options.api_seconds
                organisations = list(self.organisations)

                async def worker(
                    offset: int,
                    posters: list[Poster] = posters,
                    stop: float = stop,
                    organisations: list[str] = organisations,
                ) -> None:
                    n, poster = offset, posters[offset]
                    while time.monotonic() < stop:
                        n += 1
                        body = filler_body(self.numbers.take(), organisations[n % 24])
                        kind = ListingKind.OFFER if n % 2 else ListingKind.REQUEST
                        listing_id = await poster.post(kind, body)
                        if listing_id:
                            self.filler_ids.add(listing_id)

                started, cpu = time.monotonic(), CpuWindow(self.stack)
                await asyncio.gather(*(worker(i) for i in range(clients)))
                elapsed = time.monotonic() - started
            results[str(clients)] = {
                "postings_per_s": round(len(poster.latencies) / elapsed, 1),
                "errors": poster.errors,
                **pct(poster.latencies),
                "cpu": cpu_cost(cpu.seconds(), len(poster.latencies)),
            }
        results["drain_after_s"] = round(await self.wait_posted(), 1)
        return results

    async def sender_capacity(self) -> dict[str, Any]:
        """How fast the notifier sends, apart from how fast matches come: `sender_emails`
        transactional emails asked for at once (invitations, as the directory asks for them),
        from the first command published to the last email at the SMTP server."""
        count = self.options.sender_emails
        commands = [
            SendEmail(
                command_id=new_id(),
                template=EmailTemplate.INVITATION,
                to=f"bench-{n}@example.org",
                recipient_name=f"Bench {n}",
                params={"organisation_name": "Bench e.V.", "link": "https://example.org/x"},
                requested_by_service="directory",
            )
            for n in range(count)
        ]
        before = self.stack.mail.count()
        started = time.monotonic()
        await publish(self.stack.amqp_url, commands)
        await until(lambda: self.stack.mail.count() >= before + count, self.options.drain_timeout)
        mails = self.stack.mail.snapshot()[before:]
        last = max((m.arrived for m in mails), default=float("nan"))
        return {"emails": len(mails), "emails_per_s": round(len(mails) / (last - started), 1)}

    async def post_pair(self, poster: Poster, pair: Pair) -> None:
        pair.offer_id = await poster.post(ListingKind.OFFER, pair.body(ListingKind.OFFER)) or ""
        pair.completed_at = time.monotonic()
        pair.request_id = (
            await poster.post(ListingKind.REQUEST, pair.body(ListingKind.REQUEST)) or ""
        )
        pair.accepted_at = time.monotonic()

    async def burst(self) -> dict[str, Any]:
        pairs = make_pairs(self.options.burst_pairs, list(self.organisations), self.numbers)
        self.pairs += pairs
        await self.wait_posted()  # the pipeline is empty when the burst starts
        matches_before = len(self.watch.of(MATCH))
        mails_before = self.stack.mail.count()
        commands_before = await database_commands(self.stack)
        targets_before = await database_commands(self.stack, "collection")
        cpu = CpuWindow(self.stack)
        queue: asyncio.Queue[Pair] = asyncio.Queue()
        for pair in pairs:
            queue.put_nowait(pair)
        async with self.posters(32) as posters:
            poster = posters[0]

            async def worker(poster: Poster) -> None:
                while not queue.empty():
                    await self.post_pair(poster, queue.get_nowait())

            first = time.monotonic()
            await asyncio.gather(*(worker(p) for p in posters))
            last_post = time.monotonic()
        matches_during = len(self.watch.of(MATCH)) - matches_before
        want_matches = matches_before + len(pairs)
        want_mails = mails_before + 2 * len(pairs)
        await until(
            lambda: (
                len(self.watch.of(MATCH)) >= want_matches and self.stack.mail.count() >= want_mails
            ),
            self.options.drain_timeout,
        )
        await until(lambda: self.burst_ids(pairs) <= self.posted_ids(), 30)
        posted_last = max(
            (
                s.arrived
                for t in POSTED
                for s in self.watch.of(t)
                if s.data.get("listing_id") in self.burst_ids(pairs)
            ),
            default=float("nan"),
        )
        matches = self.watch.of(MATCH)[matches_before:]
        mails = self.stack.mail.snapshot()[mails_before:]
        cpu_cores, cpu_seconds = cpu.shares(), cpu.seconds()
        commands = per_posting(commands_before, await database_commands(self.stack), 2 * len(pairs))
        targets = per_posting(
            targets_before, await database_commands(self.stack, "collection"), 2 * len(pairs)
        )
        last_match = max((m.arrived for m in matches), default=float("nan"))
        last_mail = max((m.arrived for m in mails), default=float("nan"))
        postings = 2 * len(pairs)
        complete = len(matches) >= len(pairs) and len(mails) >= 2 * len(pairs)
        first_mail = min((m.arrived for m in mails), default=float("nan"))
        # the second posting of a pair (its request) sent, and accepted → its match on the stream
        to_match, _ = self._latencies(pairs)
        matched_at = {m.data["offer_id"]: m.arrived for m in matches}
        accepted_to_match = [
            matched_at[p.offer_id] - p.accepted_at for p in pairs if p.offer_id in matched_at
        ]
        return {
            "postings": postings,
            "second_post_to_match": pct(to_match),
            "second_post_accepted_to_match": pct(accepted_to_match),
            "accepted_per_s": round(postings / (last_post - first), 1),
            "errors": poster.errors,
            "matches_during_load": matches_during,
            "matches": len(matches),
            "emails": len(mails),
            "complete": complete,
            "last_posted_event_after_load_s": round(posted_last - last_post, 1),
            "last_match_after_load_s": round(last_match - last_post, 1),
            "last_email_after_load_s": round(last_mail - last_post, 1),
            "email_rate_per_s": round(len(mails) / max(0.001, last_mail - first_mail), 1),
            "sustained_postings_per_s": (
                round(postings / (last_mail - first), 1) if complete else None
            ),
            "database_commands_per_posting": commands,
            "database_commands_per_posting_by_collection": targets,
            "messages_consumed_by_outcome": await consumed(self.stack),
            "cpu_cores_used": cpu_cores,
            "cpu": cpu_cost(cpu_seconds, postings),
        }

    async def latency(self, rate: float) -> dict[str, Any]:
        """Open loop: a posting every 1/rate s (an offer, then its request), whatever the answers
        take; latency is from sending the request to the match and to both emails."""
        seconds = self.options.latency_seconds
        count = max(1, int(rate * seconds / 2))
        pairs = make_pairs(count, list(self.organisations), self.numbers)
        self.pairs += pairs
        async with self.posters(64) as posters:
            poster = posters[0]
            start = time.monotonic()
            tasks = []
            for n, pair in enumerate(pairs):
                at = start + 2 * n / rate
                chosen = posters[n % len(posters)]
                tasks.append(asyncio.create_task(self._open_loop_pair(chosen, pair, at, rate)))
            await asyncio.gather(*tasks)
        wanted = {p.offer_id for p in pairs}
        await until(
            lambda: wanted <= {m.data["offer_id"] for m in self.watch.of(MATCH)},
            self.options.drain_timeout,
        )
        await asyncio.sleep(2)  # the last emails
        to_match, to_mails = self._latencies(pairs)
        minutes: dict[str, Any] = {}
        for pair, value in zip(pairs, to_mails, strict=False):
            minute = str(int((pair.completed_at - start) // 60))
            minutes.setdefault(minute, []).append(value)
        return {
            "rate_postings_per_s": round(rate, 1),
            "pairs": len(pairs),
            "post_errors": poster.errors,
            "post_to_match": pct(to_match),
            "post_to_both_emails": pct(to_mails),
            "post_to_both_emails_p99_by_minute_ms": {
                k: pct(v).get("p99_ms") for k, v in sorted(minutes.items(), key=lambda i: int(i[0]))
            },
        }

    async def _open_loop_pair(self, poster: Poster, pair: Pair, at: float, rate: float) -> None:
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        pair.offer_id = await poster.post(ListingKind.OFFER, pair.body(ListingKind.OFFER)) or ""
        await asyncio.sleep(max(0.0, at + 1 / rate - time.monotonic()))
        pair.completed_at = time.monotonic()
        pair.request_id = (
            await poster.post(ListingKind.REQUEST, pair.body(ListingKind.REQUEST)) or ""
        )

    def _latencies(self, pairs: Sequence[Pair]) -> tuple[list[float], list[float]]:
        matches = {m.data["offer_id"]: m for m in self.watch.of(MATCH)}
        mails_by_cause: dict[str, list[float]] = {}
        for mail in self.stack.mail.snapshot():
            cause = mail.headers().get("x-integrationsnetz-cause", "")
            mails_by_cause.setdefault(cause, []).append(mail.arrived)
        to_match, to_mails = [], []
        for pair in pairs:
            match = matches.get(pair.offer_id)
            if match is None:
                continue
            to_match.append(match.arrived - pair.completed_at)
            arrivals = sorted(mails_by_cause.get(match.id, []))
            if len(arrivals) >= 2:
                to_mails.append(arrivals[1] - pair.completed_at)
        return to_match, to_mails


async def run(options: Options, scale: dict[str, int]) -> dict[str, Any]:
    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count()},
        "options": vars_of(options),
        "scale": scale,
    }
    async with running_stack(scale) as stack:
        watch = StreamWatch(stack.amqp_url)
        await watch.start()
        try:
            bench = Run(stack, watch, options)
            await bench.setup()
            await prefill(
                stack.mongo_url,
                list(bench.organisations),
                options.stored_listings,
                options.stored_deliveries,
            )
            results["stored"] = {
                "listings": options.stored_listings,
                "deliveries": options.stored_deliveries,
            }
            results["raw"] = await raw_baselines(stack.amqp_url, stack.mail.port)
            results["api"] = await bench.api_rates()
            results["burst"] = await bench.burst()
            sustained = results["burst"]["sustained_postings_per_s"] or 2.0
            rate = options.latency_rate or max(1.0, sustained / 2)
            results["half_rate"] = await bench.latency(rate)
            await asyncio.sleep(5)
            results["idle_cpu_share"] = {
                k: round(v, 4) for k, v in (await cpu_share(stack, options.idle_seconds)).items()
            }
            results["correctness"] = await correctness(bench)
            # after the correctness figures, which count every email as a match's
            results["sender"] = await bench.sender_capacity()
        finally:
            await watch.stop()
    return results


def vars_of(options: Options) -> dict[str, Any]:
    return dict(options.__dict__)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pipeline", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short run, to try the bench")
    parser.add_argument("--json", default="var/bench/pipeline.json", help="where to write")
    parser.add_argument("--latency-rate", type=float, help="postings/s of the open-loop run")
    parser.add_argument(
        "--scale", type=parse_scale, default={}, help="replicas, as make up takes them: exchange=2"
    )
    args = parser.parse_args(argv)
    options = QUICK if args.quick else FULL
    if args.latency_rate:
        options = Options(**{**vars_of(options), "latency_rate": args.latency_rate})
    results = asyncio.run(run(options, args.scale))
    print_report(results)
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"written: {path}")
    return 0 if correct(results["correctness"]) else 1


if __name__ == "__main__":
    sys.exit(main())
