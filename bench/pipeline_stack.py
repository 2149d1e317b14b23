"""The parts `bench/pipeline.py` runs the platform with: a `make up`-style stack of its own
(`scripts.run` on free ports, in a scratch state directory, with its own nx-27017, RabbitMQ vhost
and SMTP server), an `ext.` queue on the public stream, and CPU accounting of the processes."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aio_pika
import httpx

from scripts.run import REPLICA_PORT_STEP, port_free
from shared.contracts.base import EVENTS_EXCHANGE
from tests.support.infra import (
    create_vhost,
    delete_vhost,
    embedded_mongo_server,
    free_port,
)
from tests.support.mail import MailServer

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("directory", "calendar", "exchange", "notifier", "concept", "portal")
#: Services with a consumer queue and a parking queue.
CONSUMERS = ("directory", "calendar", "exchange", "notifier", "concept")
ADMIN_EMAIL = "admin@bench.example"
ADMIN_PASSWORD = "bench-admin-password-1"  # noqa: S105 (a scratch stack's admin)
READY_TIMEOUT = 120.0
#: Recipients of the raw SMTP baseline's mails, which the sink does not keep.
RAW_PREFIX = "raw"


@dataclass(frozen=True)
class Mail:
    """One accepted message: when it arrived, to whom, and its raw bytes (parsed on demand)."""

    arrived: float
    rcpt_tos: tuple[str, ...]
    raw: bytes

    def headers(self) -> dict[str, str]:
        message = email.message_from_bytes(self.raw, policy=email.policy.default)
        return {key.lower(): str(value) for key, value in message.items()}


@dataclass
class MailSink(MailServer):
    """The tests' SMTP server, keeping only a timestamp, the recipients and the raw bytes of each
    message (parsed on demand), safely for the thread it runs in."""

    port: int = field(default_factory=free_port)
    received: list[Mail] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        mail = Mail(time.monotonic(), tuple(envelope.rcpt_tos), bytes(envelope.content))
        if all(to.startswith(RAW_PREFIX) for to in mail.rcpt_tos):
            return "250 Message accepted for delivery"  # a raw baseline's mail: not kept
        with self._lock:
            self.received.append(mail)
        return "250 Message accepted for delivery"

    def snapshot(self) -> list[Mail]:
        with self._lock:
            return list(self.received)

    def count(self) -> int:
        with self._lock:
            return len(self.received)


@dataclass(frozen=True)
class Seen:
    """One event as it came out of the public stream."""

    arrived: float
    id: str
    data: dict[str, Any]


class StreamWatch:
    """An `ext.` queue bound to every event of the public stream, consumed while the bench
    runs; what it sees is timestamped on arrival."""

    def __init__(self, amqp_url: str, name: str = "ext.bench.all") -> None:
        self.amqp_url = amqp_url
        self.name = name
        self.by_type: dict[str, list[Seen]] = {}
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None

    async def start(self) -> None:
        self._connection = await aio_pika.connect_robust(self.amqp_url)
        channel = await self._connection.channel()
        await channel.set_qos(prefetch_count=500)
        exchange = await channel.declare_exchange(
            EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True, passive=True
        )
        queue = await channel.declare_queue(self.name, durable=False, auto_delete=True)
        await queue.bind(exchange, routing_key="#")
        await queue.consume(self._on_message)

    async def _on_message(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        arrived = time.monotonic()
        body = json.loads(message.body)
        seen = Seen(arrived, str(body.get("id", "")), body["data"])
        # published under the payload's routing key (`exchange.match.found`)
        self.by_type.setdefault(message.routing_key or "", []).append(seen)
        await message.ack()

    def of(self, short_type: str) -> list[Seen]:
        return self.by_type.get(short_type, [])

    async def stop(self) -> None:
        if self._connection is not None:
            await self._connection.close()


async def parked_messages(amqp_url: str) -> dict[str, int]:
    """Messages in each service's parking queue."""
    counts: dict[str, int] = {}
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        for service in CONSUMERS:
            channel = await connection.channel()
            try:
                queue = await channel.declare_queue(f"{service}.parked", passive=True)
                counts[service] = queue.declaration_result.message_count or 0
            except aio_pika.exceptions.ChannelClosed:
                counts[service] = 0  # never declared: nothing was ever parked
    return counts


async def scrape(stack: Stack, metric: str, label: str) -> dict[str, dict[str, float]]:
    """Each service's counter `metric` so far, summed by one of its labels (from /metrics)."""
    found: dict[str, dict[str, float]] = {}
    async with httpx.AsyncClient(timeout=10, trust_env=False) as client:
        for service in CONSUMERS:
            lines = []
            for url in stack.urls(service):
                lines += (await client.get(f"{url}/metrics")).text.splitlines()
            counts: dict[str, float] = {}
            for line in lines:
                if line.startswith(metric + "{"):
                    labels, value = line.rsplit(" ", 1)
                    key = labels.split(f'{label}="', 1)[1].split('"', 1)[0]
                    counts[key] = counts.get(key, 0) + float(value)
            found[service] = counts
    return found


async def database_commands(stack: Stack, by: str = "command") -> dict[str, dict[str, float]]:
    """Each service's database commands so far, by command name (or by collection)."""
    return await scrape(stack, "integrationsnetz_database_commands_total", by)


async def consumed(stack: Stack, by: str = "outcome") -> dict[str, dict[str, float]]:
    """Each service's consumed messages so far, by outcome (processed, duplicate, retried …)
    or by event type."""
    return await scrape(stack, "integrationsnetz_messages_consumed_total", by)


def per_posting(
    before: dict[str, dict[str, float]], after: dict[str, dict[str, float]], postings: int
) -> dict[str, dict[str, float]]:
    """Commands per posting between two readings, per service and command (and in total)."""
    result: dict[str, dict[str, float]] = {}
    for service, counts in after.items():
        diff = {
            command: round((value - before.get(service, {}).get(command, 0)) / postings, 2)
            for command, value in sorted(counts.items())
        }
        diff = {command: value for command, value in diff.items() if value}
        diff["total"] = round(sum(diff.values()), 2)
        result[service] = diff
    return result


async def until(done: Callable[[], bool], timeout: float) -> bool:
    """Wait until `done()` holds (checked every 0.1 s) or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True


def _cpu_ticks(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])  # utime + stime


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


def _process_name(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return str(pid)
    text = " ".join(part.decode(errors="replace") for part in argv)
    for name in SERVICES:
        if f"services.{name}.app" in text:
            return name
    return "nx-27017" if "nx-27017" in text else "supervisor"


@dataclass
class Stack:
    """A running stack: its URLs and the processes that make it up."""

    state_dir: Path
    mongo_url: str
    amqp_url: str
    mail: MailSink
    ports: dict[str, int]
    supervisor: asyncio.subprocess.Process
    mongo_pid: int
    scale: dict[str, int]

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def urls(self, service: str) -> list[str]:
        """Every replica's address (scripts.run puts replica k 100·(k−1) ports higher)."""
        return [
            f"http://127.0.0.1:{self.ports[service] + REPLICA_PORT_STEP * k}"
            for k in range(self.scale.get(service, 1))
        ]

    def processes(self) -> dict[int, str]:
        """pid → name of the supervisor, every service process and nx-27017."""
        found = {self.supervisor.pid: "supervisor", self.mongo_pid: "nx-27017"}
        todo = [self.supervisor.pid]
        while todo:
            for child in _children(todo.pop()):
                found[child] = _process_name(child)
                todo.append(child)
        return found

    def cpu_ticks(self) -> dict[str, int]:
        ticks: dict[str, int] = {}
        for pid, name in self.processes().items():
            value = _cpu_ticks(pid)
            if value is not None:
                ticks[name] = ticks.get(name, 0) + value
        return ticks

    def log_problems(self) -> dict[str, int]:
        """Lines at ERROR level or with a traceback, per service log."""
        counts: dict[str, int] = {}
        for log in sorted((self.state_dir / "log").glob("*.log")):
            text = log.read_text(errors="replace")
            bad = sum(1 for line in text.splitlines() if " ERROR " in line or "Traceback" in line)
            counts[log.stem] = bad
        return counts


class CpuWindow:
    """CPU each part of the stack used between `CpuWindow(stack)` and `.shares()`, as a share
    of one core (1.0 = one core busy all the time), or in seconds (`.seconds()`, with the
    benchmark's own process as "bench")."""

    def __init__(self, stack: Stack) -> None:
        self._stack = stack
        self._before = self._ticks()
        self._started = time.monotonic()

    def _ticks(self) -> dict[str, int]:
        return {**self._stack.cpu_ticks(), "bench": _cpu_ticks(os.getpid()) or 0}

    def seconds(self) -> dict[str, float]:
        hertz = os.sysconf("SC_CLK_TCK")
        after = self._ticks()
        return {name: (after[name] - self._before.get(name, 0)) / hertz for name in after}

    def shares(self) -> dict[str, float]:
        wall = time.monotonic() - self._started
        shares = {
            name: round(used / wall, 3) for name, used in self.seconds().items() if name != "bench"
        }
        shares["total"] = round(sum(shares.values()), 3)
        return shares


async def cpu_share(stack: Stack, seconds: float) -> dict[str, float]:
    """Share of the whole machine (all cores) each part of the stack used over `seconds`."""
    window = CpuWindow(stack)
    await asyncio.sleep(seconds)
    cores = os.cpu_count() or 1
    return {name: share / cores for name, share in window.shares().items()}


def _free_ports(scale: dict[str, int]) -> dict[str, int]:
    """A free port per service whose replicas' ports (+100, +200 …) are free as well."""
    ports: dict[str, int] = {}
    for name in SERVICES:
        while True:
            port = free_port()
            replicas = [port + REPLICA_PORT_STEP * k for k in range(1, scale.get(name, 1))]
            if all(port_free(p) for p in replicas):
                ports[name] = port
                break
    return ports


def _services_argument(ports: dict[str, int]) -> str:
    return ",".join(f"{name}:{port}:services.{name}.app" for name, port in ports.items())


async def _wait_ready(stack: Stack) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    supervisor = stack.supervisor
    async with httpx.AsyncClient(timeout=2.0, trust_env=False) as client:
        for url in (url for service in SERVICES for url in stack.urls(service)):
            while True:
                if supervisor.returncode is not None:
                    raise RuntimeError("the stack stopped during start-up; see its log")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"{url}/readyz")).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{url} not ready within {READY_TIMEOUT:.0f} s")
                await asyncio.sleep(0.25)


@contextlib.contextmanager
def _scratch_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="integrationsnetz-pipeline-"))
    try:
        yield path
    finally:
        if os.environ.get("BENCH_KEEP") != "1":
            shutil.rmtree(path, ignore_errors=True)


@contextlib.asynccontextmanager
async def running_stack(scale: dict[str, int] | None = None) -> AsyncIterator[Stack]:
    """Start the platform as `make up` does (scripts.run), on scratch state; stop it after."""
    base_amqp = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
    vhost = create_vhost(base_amqp, f"bench-pipeline-{os.getpid()}-{int(time.time())}")
    mail = MailSink()
    mail.start()
    try:
        with _scratch_dir() as state_dir, embedded_mongo_server(state_dir / "mongo") as mongo:
            scale = scale or {}
            ports = _free_ports(scale)
            env = {
                **os.environ,
                "RUN_STATE_DIR": str(state_dir),
                "MONGODB_URL": mongo.url,
                "RABBITMQ_URL": vhost.url,
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": str(mail.port),
                "DEMO": "0",
                "ADMIN_EMAIL": ADMIN_EMAIL,
                "ADMIN_PASSWORD": ADMIN_PASSWORD,
                "LOG_LEVEL": "warning",
                "PUBLIC_BASE_URL": f"http://127.0.0.1:{ports['portal']}",
                "DIRECTORY_URL": f"http://127.0.0.1:{ports['directory']}",
                "CALENDAR_URL": f"http://127.0.0.1:{ports['calendar']}",
                "EXCHANGE_URL": f"http://127.0.0.1:{ports['exchange']}",
                "NOTIFIER_URL": f"http://127.0.0.1:{ports['notifier']}",
                "NOTIFIER_PUBLIC_URL": f"http://127.0.0.1:{ports['notifier']}",
                "CONCEPT_URL": f"http://127.0.0.1:{ports['concept']}",
            }
            log = (state_dir / "supervisor.log").open("wb")
            supervisor = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "scripts.run",
                "--services",
                _services_argument(ports),
                *(["--scale", ",".join(f"{k}={v}" for k, v in scale.items())] if scale else []),
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            stack = Stack(
                state_dir, mongo.url, vhost.url, mail, ports, supervisor, mongo.process.pid, scale
            )
            try:
                await _wait_ready(stack)
                yield stack
            finally:
                supervisor.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(supervisor.wait(), 30)
                except TimeoutError:
                    supervisor.kill()
                log.close()
    finally:
        mail.stop()
        delete_vhost(vhost)
