"""Run a service in-process (its real lifespan, real broker and database) for a test."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from shared.ids import new_id

ADMIN_EMAIL = "office@integrationsnetz.test"
#: Seconds a served app may take to stop (its lifespan's shutdown included).
STOP_TIMEOUT = 60.0
ADMIN_PASSWORD = "office-password-for-tests"


@dataclass
class RunningService:
    app: FastAPI
    client: httpx.AsyncClient

    @property
    def runtime(self) -> Any:
        return self.app.state.runtime


@dataclass
class BehindTheDirectory:
    """A test's view of a service that follows the directory: the directory's app and a client
    of it, and members' tokens signed by its real key (the log-in flow itself is the directory's
    own tests' business)."""

    directory_app: FastAPI
    directory: httpx.AsyncClient

    def editor_of(self, *organisation_ids: str) -> dict[str, str]:
        """Authorization headers of a new member of the organisations."""
        token = self.directory_app.state.directory.issuer.issue(
            new_id(), "editor", list(organisation_ids)
        )
        return {"Authorization": f"Bearer {token}"}


@contextlib.asynccontextmanager
async def running(
    app: FastAPI, *, base_url: str = "http://testserver"
) -> AsyncIterator[RunningService]:
    """Enter the app's lifespan, wait until it is ready, and hand out an HTTP client."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            deadline = asyncio.get_running_loop().time() + 30
            while True:
                response = await client.get("/readyz")
                if response.status_code == 200:
                    break
                if asyncio.get_running_loop().time() > deadline:
                    raise AssertionError(f"service not ready: {response.text}")
                await asyncio.sleep(0.05)
            yield RunningService(app, client)


async def log_in(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    response = await client.post("/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@contextlib.asynccontextmanager
async def serving(app: FastAPI, port: int | None = None) -> AsyncIterator[str]:
    """Serve the app over real HTTP on a loopback port (for service-to-service calls); give
    `port` when the app's public URL must be known before it starts."""
    import uvicorn

    from tests.support.infra import free_port

    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
            # a connection a client left open must not hold the test's teardown
            timeout_graceful_shutdown=5,
            # nor may the server close an idle connection just as a slow test reuses it
            timeout_keep_alive=120,
        )
    )
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        try:
            await asyncio.wait_for(asyncio.shield(task), STOP_TIMEOUT)
        except TimeoutError:
            # say what the stop waits for before the test fails on it
            for pending in asyncio.all_tasks():
                pending.print_stack(limit=6, file=sys.stderr)
            raise AssertionError(f"{app.title} did not stop within {STOP_TIMEOUT}s") from None


@contextlib.asynccontextmanager
async def serving_with_admin(
    directory: FastAPI,
) -> AsyncIterator[tuple[str, httpx.AsyncClient, dict[str, str]]]:
    """Serve the directory's app over real HTTP (the other services fetch its JWKS); yields its
    URL, a client of it and office staff's authorization headers, once it is ready."""
    from tests.support.waiting import until_ready

    async with serving(directory) as url, httpx.AsyncClient(base_url=url) as client:
        await until_ready(client)
        yield url, client, await log_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
