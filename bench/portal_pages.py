"""How heavy the portal's list pages are: starts the platform as `make up` does (the pipeline
bench's scratch stack: its own nx-27017, RabbitMQ vhost and SMTP server), loads the demo
network (`scripts.demo`), and fetches each list page signed out, as a browser would.

Prints per page the bytes of HTML transferred, what gzip would make of them (the portal itself
does not compress; a proxy in front of it may), whether the page stays under the 100 KB budget,
and the median time to answer; writes `var/bench/portal_pages.json`.

    .venv/bin/python -m bench.portal_pages            # about a minute
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gzip
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

import httpx

from bench.pipeline_stack import ADMIN_EMAIL, ADMIN_PASSWORD, Stack, running_stack
from scripts import demo
from shared.clock import BERLIN

#: The most a list page may weigh on the wire.
BUDGET_BYTES = 100 * 1024
RESULT = Path("var/bench/portal_pages.json")


def pages() -> dict[str, str]:
    """The list pages, by what they show."""
    today = dt.datetime.now(BERLIN).date()
    week = today.isocalendar()
    return {
        "home": "/",
        "calendar, month": f"/kalender?ansicht=monat&monat={today:%Y-%m}",
        "calendar, week": f"/kalender?ansicht=woche&woche={week[0]}-W{week[1]:02d}",
        "calendar, list": "/kalender?ansicht=liste",
        "calendar, month filtered": "/kalender?zielgruppe=newcomers&sprache=uk",
        "Suchen und Bieten": "/suchen-bieten",
        "Suchen und Bieten, 50 per page": "/suchen-bieten?pro_seite=50",
        "Suchen und Bieten, Sprachpartner": "/suchen-bieten?kategorie=language_partner",
        "organisations": "/organisations",
        "organisations, language uk": "/organisations?sprache=uk",
    }


def load_demo(stack: Stack) -> None:
    """The demo network, as `make up` loads it (without the concept, which this stack lacks)."""
    os.environ.update(
        {
            "DEMO": "1",
            "ADMIN_EMAIL": ADMIN_EMAIL,
            "ADMIN_PASSWORD": ADMIN_PASSWORD,
            "DIRECTORY_URL": stack.url("directory"),
            "CALENDAR_URL": stack.url("calendar"),
            "EXCHANGE_URL": stack.url("exchange"),
            "CONCEPT_URL": "http://127.0.0.1:9",  # none: the demo skips the concept
        }
    )
    if demo.main() != 0:
        raise RuntimeError("the demo network could not be loaded")


async def measure(portal_url: str, runs: int) -> list[dict[str, Any]]:
    rows = []
    async with httpx.AsyncClient(base_url=portal_url, timeout=30, trust_env=False) as client:
        for name, path in pages().items():
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                response = await client.get(path, headers={"Accept-Encoding": "gzip"})
                times.append((time.perf_counter() - started) * 1000)
            wire = len(response.content)
            encoding = response.headers.get("content-encoding", "")
            html = response.content if encoding != "gzip" else gzip.decompress(response.content)
            rows.append(
                {
                    "page": name,
                    "path": path,
                    "status": response.status_code,
                    "html_bytes": len(html),
                    "transferred_bytes": wire,
                    "compressed_by_portal": encoding == "gzip",
                    "gzip_bytes": len(gzip.compress(html)),
                    "under_budget": wire <= BUDGET_BYTES,
                    "median_ms": round(statistics.median(times), 1),
                }
            )
    return rows


async def run(runs: int) -> list[dict[str, Any]]:
    async with running_stack() as stack:
        await asyncio.to_thread(load_demo, stack)
        return await measure(stack.url("portal"), runs)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.portal_pages", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="requests per page (median time)")
    args = parser.parse_args()
    rows = asyncio.run(run(args.runs))
    print("| page | status | HTML (bytes) | transferred | gzip would be | ≤ 100 KB | median (ms) |")
    print("|---|---:|---:|---:|---:|:-:|---:|")
    for row in rows:
        print(
            f"| {row['page']} | {row['status']} | {row['html_bytes']:,} | "
            f"{row['transferred_bytes']:,} | {row['gzip_bytes']:,} | "
            f"{'yes' if row['under_budget'] else 'NO'} | {row['median_ms']:.1f} |"
        )
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(rows, indent=2) + "\n")
    print(f"written: {RESULT}")
    return 0 if all(row["under_budget"] and row["status"] == 200 for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
