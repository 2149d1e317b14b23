"""The composition of one service process: database, broker, outbox relay, consumers, the
lifespan that starts and stops them, and the FastAPI app around them. A service's `app.py`
builds one, hands it its parts and wires its consumers onto the queues it creates.

Neither the broker nor the database has to be up for the process to start: both are connected
in the background with backoff, `/readyz` says what is missing, and the outbox keeps every
event until the broker is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any

from fastapi import APIRouter, FastAPI
from faststream.rabbit import RabbitBroker
from pymongo.asynchronous.database import AsyncDatabase

from shared.dispatch import register_consumer
from shared.http import create_api, install_health_routes
from shared.messaging import (
    INBOX,
    INBOX_DONE_FIELD,
    Inbox,
    Subscriptions,
    create_broker,
    outbox_publisher,
)
from shared.metrics import PARKED_MESSAGES
from shared.mongo import (
    OUTBOX_INDEXES,
    CollectionIndexes,
    Document,
    ascending_indexes,
    create_mongo_client,
    ensure_indexes,
    ping,
)
from shared.outbox import OutboxWriter
from shared.outbox_relay import OutboxRelay
from shared.settings import ServiceSettings
from shared.telemetry import install_tracing
from shared.topology import declare_topology, parking_queue

log = logging.getLogger("integrationsnetz.runtime")

#: The version every service's HTTP API announces.
API_VERSION = "1.0.0"

StartupHook = Callable[[], Awaitable[None]]
BackgroundLoop = Callable[[], Awaitable[None]]
PeriodicJob = Callable[[], Awaitable[object]]


class ServiceRuntime:
    """Owns the process-wide resources of one service."""

    def __init__(
        self,
        settings: ServiceSettings,
        *,
        outbox_collections: Sequence[str] = (),
        indexes: Sequence[CollectionIndexes] = (),
    ) -> None:
        self.settings = settings
        self.service = settings.service_name
        self.mongo = create_mongo_client(
            settings.mongodb_url, app_name=self.service, timeout_ms=settings.mongodb_timeout_ms
        )
        self.db: AsyncDatabase[Document] = self.mongo[settings.database_name]
        self.broker: RabbitBroker = create_broker(
            settings.rabbitmq_url,
            service=self.service,
            prefetch_count=settings.prefetch_count,
            on_reconnected=self._broker_reconnected,
        )
        self.outbox_collections = tuple(outbox_collections)
        self.relay = OutboxRelay(
            self.db,
            self.outbox_collections,
            outbox_publisher(self.broker),
            service=self.service,
            lease_seconds=settings.outbox_lease_seconds,
            poll_seconds=settings.outbox_poll_seconds,
        )
        self.writer = OutboxWriter(self.db, on_written=self.relay.wake, handover=self.relay)
        self.inbox = Inbox(self.db)
        self._indexes = list(indexes) + [
            CollectionIndexes(name, OUTBOX_INDEXES) for name in self.outbox_collections
        ]
        self._queues: dict[str, Subscriptions] = {}
        self._consumers_registered = False
        self._database_hooks: list[StartupHook] = []
        self._background: list[tuple[str, BackgroundLoop, bool]] = [
            ("parking-watch", self._watch_parking_queue, True)
        ]
        self._tasks: list[asyncio.Task[Any]] = []
        self.database_ready = asyncio.Event()
        self.broker_ready = asyncio.Event()

    def queue(self, purpose: str) -> Subscriptions:
        """The service's consumer queue `<service>.<purpose>`, created on first use: a
        service's `handlers.py` registers its handlers on it before the service starts. The
        runtime declares it, binds it to what its handlers consume and feeds it to them."""
        if self._consumers_registered:
            raise RuntimeError(f"{self.service}.{purpose}: the consumers are already running")
        if not self._queues:  # the first consumer brings the inbox and its sweep
            self._indexes.append(CollectionIndexes(INBOX, ascending_indexes(INBOX_DONE_FIELD)))
            self.add_periodic("inbox-sweep", self.settings.inbox_sweep_seconds, self._sweep_inbox)
        return self._queues.setdefault(purpose, Subscriptions(self.service, purpose))

    @property
    def subscriptions(self) -> tuple[Subscriptions, ...]:
        return tuple(self._queues.values())

    def register_consumers(self) -> None:
        """Attach the queues' consumers to the broker (once, when the service starts)."""
        if self._consumers_registered:
            return
        for subscription in self.subscriptions:
            register_consumer(
                self.broker,
                subscription,
                self.inbox,
                prefetch_count=self.settings.prefetch_count,
                concurrency=min(self.settings.consumer_concurrency, self.settings.prefetch_count),
                delivery_limit=self.settings.delivery_limit,
            )
        self._consumers_registered = True

    def on_database_ready(self, hook: StartupHook) -> StartupHook:
        """Run `hook` once the database is reachable and indexed (e.g. seed the first admin)."""
        self._database_hooks.append(hook)
        return hook

    def add_background_loop(
        self, name: str, loop: BackgroundLoop, *, needs_broker: bool = False
    ) -> None:
        """Run `loop` (a coroutine that runs until cancelled) once the database is ready (and
        the broker, if asked), for the lifetime of the process: sweepers, senders, fetchers."""
        self._background.append((name, loop, needs_broker))

    def add_periodic(
        self,
        name: str,
        every_seconds: float,
        job: PeriodicJob,
        *,
        needs_broker: bool = False,
    ) -> None:
        """Run `job` every `every_seconds` once the database is ready (and the broker, if asked):
        expiry, sweeps, digests, imports. A pass that fails is logged and the next one catches
        up; the job itself only does one pass."""

        async def every() -> None:
            while True:
                try:
                    await job()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # database away: the next pass catches up
                    log.warning("%s pass failed: %r", name, exc)
                await asyncio.sleep(every_seconds)

        self.add_background_loop(name, every, needs_broker=needs_broker)

    async def _run_background(self, name: str, loop: BackgroundLoop, needs_broker: bool) -> None:
        await self.database_ready.wait()
        if needs_broker:
            await self.broker_ready.wait()
        backoff = 1.0
        while True:
            try:
                await loop()
                return
            except asyncio.CancelledError:
                raise
            except Exception:  # a crashed loop restarts instead of silently ending
                log.exception("%s stopped with an error; restarting in %.0fs", name, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 60.0)

    async def _prepare_database(self) -> None:
        backoff = 0.5
        while True:
            try:
                await ensure_indexes(self.db, self._indexes)
                for hook in self._database_hooks:
                    await hook()
            except Exception as exc:
                log.warning("database not ready (%s); retrying in %.1fs", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 15.0)
                continue
            self.database_ready.set()
            log.info("database ready: %s", self.settings.database_name)
            return

    async def _connect_broker(self) -> None:
        backoff = 0.5
        services = {self.service}
        bindings = [s.binding() for s in self.subscriptions]
        while True:
            try:
                await self.broker.connect()
                await declare_topology(
                    self.broker,
                    bindings,
                    services,
                    shared_queues=self.settings.declare_shared_queues,
                )
                await self.broker.start()
            except Exception as exc:
                log.warning("broker not ready (%s); retrying in %.1fs", exc, backoff)
                with contextlib.suppress(Exception):
                    await self.broker.stop()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 15.0)
                continue
            self.broker_ready.set()
            log.info("broker ready")
            return

    def _broker_reconnected(self) -> None:
        log.info("broker connection restored")
        self.relay.broker_reconnected()

    async def _sweep_inbox(self) -> None:
        """Forget handled event ids after the retention (the inbox would grow forever)."""
        removed = await self.inbox.sweep(int(self.settings.inbox_retention_hours * 3600 * 1000))
        if removed:
            log.info("inbox: forgot %d handled events", removed)

    async def _watch_parking_queue(self) -> None:
        """Keep the parked-messages gauge current (operators alert on it)."""
        while True:
            try:
                queue = await self.broker.declare_queue(parking_queue(self.service))
                # a passive re-declare reports the current depth (the declared object is cached)
                channel = await queue.channel.get_underlay_channel()
                current = await channel.queue_declare(queue.name, passive=True)
                depth = current.message_count or 0
                PARKED_MESSAGES.labels(self.service).set(depth)
            except Exception as exc:  # broker away: the gauge keeps its last value
                log.debug("cannot read the parking queue's depth: %r", exc)
            await asyncio.sleep(self.settings.parking_check_seconds)

    async def _run_relay(self) -> None:
        await self.database_ready.wait()
        await self.broker_ready.wait()
        await self.relay.run()

    async def start(self) -> None:
        self.register_consumers()
        self._tasks = [
            asyncio.create_task(self._prepare_database(), name=f"{self.service}-database"),
            asyncio.create_task(self._connect_broker(), name=f"{self.service}-broker"),
        ]
        if self.outbox_collections:
            self._tasks.append(
                asyncio.create_task(self._run_relay(), name=f"{self.service}-outbox-relay")
            )
        for name, loop, needs_broker in self._background:
            self._tasks.append(
                asyncio.create_task(
                    self._run_background(name, loop, needs_broker), name=f"{self.service}-{name}"
                )
            )

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        with contextlib.suppress(Exception):
            await self.broker.stop()
        await self.mongo.close()

    async def readiness(self) -> dict[str, bool]:
        database = self.database_ready.is_set() and await ping(self.db)
        broker = self.broker_ready.is_set() and await self.broker.ping(timeout=1.0)
        return {"database": database, "broker": broker}

    @contextlib.asynccontextmanager
    async def lifespan(self, _app: FastAPI) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.stop()


def create_service_app(
    runtime: ServiceRuntime,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    larger_bodies: Mapping[str, int] | None = None,
    **state: object,
) -> FastAPI:
    """The service's FastAPI app: problem details, request ids and the body limit, the runtime's
    lifespan, the routers, the health routes and tracing. `larger_bodies` lets a route's path
    (e.g. `/events/{event_id}/documents`) take more than the body limit. `app.state` holds the
    runtime, its settings and each keyword given (the use cases the routes ask for, the token
    verifier)."""
    app = create_api(
        title=title,
        description=description,
        version=API_VERSION,
        max_body_bytes=runtime.settings.max_body_bytes,
        larger_bodies=larger_bodies,
    )
    app.router.lifespan_context = runtime.lifespan
    app.state.runtime = runtime
    app.state.settings = runtime.settings
    for name, value in state.items():
        setattr(app.state, name, value)
    for router in routers:
        app.include_router(router)
    install_health_routes(app, runtime.readiness)
    install_tracing(runtime.service, app, runtime.broker)
    return app
