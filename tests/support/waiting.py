"""Waiting for things that happen asynchronously (a consumer handled a message, a service is
ready), with a deadline instead of a fixed sleep."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx


async def eventually(condition: Callable[[], Awaitable[bool]], timeout: float = 15.0) -> None:
    """Poll `condition` until it holds; fail the test when `timeout` seconds pass first."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await condition():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


async def until_ready(client: httpx.AsyncClient, timeout: float = 30.0) -> None:
    """Wait until the service behind `client` answers /readyz with 200."""
    deadline = asyncio.get_running_loop().time() + timeout
    while (response := await client.get("/readyz")).status_code != 200:
        assert asyncio.get_running_loop().time() < deadline, f"not ready: {response.text}"
        await asyncio.sleep(0.05)
