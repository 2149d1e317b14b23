"""What `bench/pipeline.py` makes of a run: percentiles, the correctness figures checked
against what was posted, and the printed report."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bench.pipeline_stack import parked_messages
from bench.support import percentile

if TYPE_CHECKING:
    from bench.pipeline import Run

MATCH = "exchange.match.found"


def pct(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 0.5) * 1000, 1),
        "p95_ms": round(percentile(values, 0.95) * 1000, 1),
        "p99_ms": round(percentile(values, 0.99) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
    }


async def correctness(bench: Run) -> dict[str, Any]:
    by_pair: dict[tuple[str, str], int] = {}
    for match in bench.watch.of(MATCH):
        key = (match.data["offer_id"], match.data["request_id"])
        by_pair[key] = by_pair.get(key, 0) + 1
    expected = {(p.offer_id, p.request_id) for p in bench.pairs}
    match_ids = {m.id: m for m in bench.watch.of(MATCH)}
    mails = bench.stack.mail.snapshot()
    per_match: dict[str, list[str]] = {}
    message_ids: dict[str, int] = {}
    for mail in mails:
        headers = mail.headers()
        message_ids[headers.get("message-id", "")] = (
            message_ids.get(headers.get("message-id", ""), 0) + 1
        )
        cause = headers.get("x-integrationsnetz-cause", "")
        per_match.setdefault(cause, []).extend(mail.rcpt_tos)
    wrong_recipients = 0
    for event_id, match in match_ids.items():
        want = sorted(
            bench.organisations.get(match.data[side], "?")
            for side in ("offer_organisation_id", "request_organisation_id")
        )
        if sorted(per_match.get(event_id, [])) != want:
            wrong_recipients += 1
    parked = await parked_messages(bench.stack.amqp_url)
    problems = bench.stack.log_problems()
    return {
        "pairs": len(expected),
        "pairs_matched_once": sum(1 for k in expected if by_pair.get(k) == 1),
        "pairs_matched_twice_or_more": sum(1 for k in expected if by_pair.get(k, 0) > 1),
        "pairs_not_matched": sum(1 for k in expected if k not in by_pair),
        "unexpected_matches": sum(n for k, n in by_pair.items() if k not in expected),
        "matches_without_exactly_2_emails_to_both": wrong_recipients,
        "emails": len(mails),
        "emails_not_caused_by_a_match": sum(
            len(v) for k, v in per_match.items() if k not in match_ids
        ),
        "duplicate_message_ids": sum(n - 1 for n in message_ids.values() if n > 1),
        "parked": parked,
        "error_lines_in_logs": problems,
    }


def correct(figures: dict[str, Any]) -> bool:
    return (
        figures["pairs_matched_once"] == figures["pairs"]
        and figures["unexpected_matches"] == 0
        and figures["matches_without_exactly_2_emails_to_both"] == 0
        and figures["emails_not_caused_by_a_match"] == 0
        and figures["duplicate_message_ids"] == 0
        and not any(figures["parked"].values())
        and not any(figures["error_lines_in_logs"].values())
    )


def cpu_cost(used: dict[str, float], postings: int) -> dict[str, Any]:
    """CPU per posting of each process (ms) and the rates the machine could carry at that cost:
    nx-27017 is single-threaded, so one core is its ceiling whatever else is idle; the stack,
    and the stack with the benchmark's clients, share all the machine's cores."""
    cores = os.cpu_count() or 1
    per_posting = {name: 1000 * seconds / max(1, postings) for name, seconds in used.items()}
    stack = sum(ms for name, ms in per_posting.items() if name != "bench")
    return {
        "cpu_ms_per_posting": {k: round(v, 2) for k, v in per_posting.items()},
        "ceiling_postings_per_s": {
            "nx-27017 on its one core": round(1000 / max(0.01, per_posting.get("nx-27017", 0))),
            f"the stack on {cores} cores": round(cores * 1000 / max(0.01, stack)),
            f"stack and clients on {cores} cores": round(
                cores * 1000 / max(0.01, stack + per_posting.get("bench", 0))
            ),
        },
    }


def cost_line(cost: dict[str, Any]) -> str:
    return (
        "CPU ms per posting: "
        + ", ".join(f"{k} {v:.1f}" for k, v in cost["cpu_ms_per_posting"].items())
        + "; ceilings at that cost: "
        + ", ".join(f"{k} {v}/s" for k, v in cost["ceiling_postings_per_s"].items())
    )


def ratio(part: float | None, whole: float | None) -> str:
    if not part or not whole:
        return "–"
    return f"{part / whole:.2f}×"


def print_report(results: dict[str, Any]) -> None:
    raw, api, burst, half = results["raw"], results["api"], results["burst"], results["half_rate"]
    lines = [
        f"replicas: {results['scale'] or 'one of each service'}",
        f"stored before the run: {results['stored']['listings']} listings, "
        f"{results['stored']['deliveries']} deliveries",
        "raw baselines (same machine, same run):",
        f"  aio-pika publish with confirms {raw['publish_per_s']:>8.0f} msg/s, "
        f"consume {raw['consume_per_s']:.0f} msg/s",
        f"  aiosmtplib sequential {raw['smtp_sequential_per_s']:.0f} mails/s, "
        f"10 concurrent {raw['smtp_concurrent_per_s']:.0f} mails/s",
        "API, POST /offers|/requests accepted:",
    ]
    for clients in ("1", "8", "32"):
        row = api[clients]
        lines.append(
            f"  {clients:>2} clients {row['postings_per_s']:>7.1f} postings/s "
            f"p50 {row.get('p50_ms', 0):.0f} ms p99 {row.get('p99_ms', 0):.0f} ms "
            f"errors {row['errors'] or 0}"
        )
    lines.append(f"  at 32 clients, {cost_line(api['32']['cpu'])}")
    sustained = burst["sustained_postings_per_s"]
    lines += [
        f"burst of {burst['postings']} postings (32 clients): accepted "
        f"{burst['accepted_per_s']}/s, {burst['matches_during_load']} matches during the load",
        f"  last posted event +{burst['last_posted_event_after_load_s']} s, "
        f"last match +{burst['last_match_after_load_s']} s, last email "
        f"+{burst['last_email_after_load_s']} s after the last POST",
        f"  second POST of a pair sent → its match: {fmt(burst['second_post_to_match'])}",
        f"  second POST accepted (201) → its match: {fmt(burst['second_post_accepted_to_match'])}",
        f"  sustained end to end {sustained} postings/s "
        f"({ratio(sustained, api['32']['postings_per_s'])} the API at 32 clients)",
        f"  emails {burst['emails']}; email rate vs raw SMTP: "
        f"{burst['email_rate_per_s']}/s = "
        f"{ratio(burst['email_rate_per_s'], raw['smtp_sequential_per_s'])} raw sequential, "
        f"{ratio(burst['email_rate_per_s'], raw['smtp_concurrent_per_s'])} raw concurrent",
        "  database commands per posting: "
        + ", ".join(
            f"{service} {counts['total']}"
            for service, counts in burst["database_commands_per_posting"].items()
        ),
        f"  messages consumed: {burst['messages_consumed_by_outcome']}",
        "  CPU (cores busy, burst to last email): "
        + ", ".join(f"{k} {v:.2f}" for k, v in burst["cpu_cores_used"].items()),
        f"  {cost_line(burst['cpu'])}",
        f"half rate ({half['rate_postings_per_s']} postings/s, open loop, {half['pairs']} pairs):",
        f"  POST → match.found  {fmt(half['post_to_match'])}",
        f"  POST → both emails  {fmt(half['post_to_both_emails'])}",
        f"  p99 by minute (ms): {half['post_to_both_emails_p99_by_minute_ms']}",
        f"idle CPU of the stack: {results['idle_cpu_share']['total'] * 100:.1f} % of the machine "
        f"({', '.join(f'{k} {v * 100:.1f}' for k, v in results['idle_cpu_share'].items())})",
    ]
    sender = results["sender"]
    lines.append(
        f"sender alone: {sender['emails']} transactional emails asked for at once, "
        f"{sender['emails_per_s']}/s = "
        f"{ratio(sender['emails_per_s'], raw['smtp_sequential_per_s'])} raw sequential, "
        f"{ratio(sender['emails_per_s'], raw['smtp_concurrent_per_s'])} raw concurrent"
    )
    figures = results["correctness"]
    verdict = "OK" if correct(figures) else "FAIL"
    lines.append(f"correctness {verdict}: " + json.dumps(figures, ensure_ascii=False))
    print("\n".join(lines))


def fmt(figures: dict[str, float]) -> str:
    if not figures.get("n"):
        return "no samples"
    return (
        f"p50 {figures['p50_ms']:.0f} ms, p95 {figures['p95_ms']:.0f} ms, "
        f"p99 {figures['p99_ms']:.0f} ms (n={figures['n']:.0f})"
    )
