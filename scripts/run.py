"""Development supervisor: runs the whole platform on one machine (``make up``).

    python -m scripts.run [--services name:port:module[:factory],...] [--scale name=N,...]

Starts, as child processes, what the environment does not already provide:

* ``nx-27017`` (a MongoDB-protocol server, data in ``var/mongo``) unless ``MONGODB_URL`` is set;
* a mail catcher (``scripts/mailcatcher.py``, mails in ``var/mail``) unless ``SMTP_HOST`` is set;
* every service whose ``services/<name>/app.py`` exists, under uvicorn – the directory first,
  because the others fetch its JWKS;
* once all answer ``/readyz``: ``scripts/demo.py`` (if present and ``DEMO`` is not ``0``).

``--scale exchange=2,notifier=2`` runs more replicas of a service (``make up
RUN_ARGS='--scale exchange=2'``): replica *k* is named ``<name>-<k>`` and listens on the
service's port + 100·(k−1). Replicas compete for their service's queues and share its database
(the outbox relay, the sender and the periodic jobs claim their work with leases); HTTP clients
reach the first unless they are pointed at another.

RabbitMQ is not started here (``make rabbitmq`` does that). Every child's output is shown with
its name in front and kept in ``var/log/<name>.log``. Ctrl-C or SIGTERM stops everything; a
child that dies on its own stops everything too, with exit code 1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import signal
import socket
import sys
import time
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit, urlunsplit

import httpx
import pymongo
import pymongo.errors

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
#: Where a run keeps its logs, pid files, mails and data: relative to ROOT (the children's
#: working directory) unless absolute; RUN_STATE_DIR moves it (a benchmark's scratch stack).
VAR = Path(os.environ.get("RUN_STATE_DIR", "var"))
LOG_DIR = VAR / "log"
RUN_DIR = VAR / "run"
MAIL_DIR = VAR / "mail"
MONGO_DIR = VAR / "mongo"

DEFAULT_SERVICES: list[tuple[str, int]] = [
    ("directory", 8001),
    ("calendar", 8002),
    ("exchange", 8003),
    ("notifier", 8004),
    ("concept", 8005),
    ("portal", 8000),
]
FIRST_SERVICE = "directory"  # the others fetch its JWKS at start-up
DEFAULT_FACTORY = "create_app"

SETTINGS_DEFAULTS: dict[str, str] = {
    "RABBITMQ_URL": "amqp://guest:guest@127.0.0.1:5672/",
    "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
    "ENVIRONMENT": "development",
    "ADMIN_EMAIL": "admin@integrationsnetz.local",
    "ADMIN_PASSWORD": "integrationsnetz-dev",
    "LOG_LEVEL": "info",
    # the portal logs people in on their behalf from loopback and names them in X-Forwarded-For
    "TRUSTED_PROXIES": '["127.0.0.1/32", "::1/128"]',
}

MONGO_PORTS = (27017, range(27018, 27101))
MAIL_PORTS = (1025, range(1026, 1101))
INFRA_TIMEOUT = 30.0  # seconds for nx-27017 / the mail catcher to accept connections
READY_TIMEOUT = 60.0  # seconds for a service's /readyz to answer 200
STOP_TIMEOUT = 10.0  # seconds between SIGTERM and SIGKILL
LINE_LIMIT = 4 * 1024 * 1024
UVICORN_LOG_LEVELS = {"critical", "error", "warning", "info", "debug", "trace"}
SUPERVISOR = "run"
# nx-27017's routine log lines ("2026-01-01 10:00:00,000 - nx_27017 - INFO - ...").
NX_QUIET = re.compile(r"^\d{4}-\d\d-\d\d [\d:,.]+ - \S+ - (DEBUG|INFO) - (?!.*Listening on )")


class StartupError(Exception):
    """Start-up cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    port: int
    app: str  # "package.module:factory" for uvicorn --factory

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


# --------------------------------------------------------------------------------------------
# Output


class Console:
    """Writes children's lines with a coloured ``name |`` prefix to the terminal."""

    _PALETTE = ("36", "33", "32", "35", "34", "96", "93", "92", "95", "94")

    def __init__(self, stream: TextIO, names: Iterable[str]) -> None:
        self.stream = stream
        self.width = max((len(n) for n in names), default=len(SUPERVISOR))
        self.use_color = _isatty(stream) and "NO_COLOR" not in os.environ
        self._colors: dict[str, str] = {SUPERVISOR: "1"}

    def _paint(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.use_color else text

    def _prefix(self, name: str) -> str:
        if name not in self._colors:
            self._colors[name] = self._PALETTE[(len(self._colors) - 1) % len(self._PALETTE)]
        return self._paint(self._colors[name], f"{name:<{self.width}} |")

    def write(self, text: str) -> None:
        with contextlib.suppress(OSError, ValueError):  # terminal gone: keep supervising
            self.stream.write(text)
            self.stream.flush()

    def line(self, name: str, text: str) -> None:
        self.write(f"{self._prefix(name)} {text}\n")

    def info(self, text: str) -> None:
        self.line(SUPERVISOR, text)

    def error(self, text: str) -> None:
        self.line(SUPERVISOR, self._paint("1;31", f"!! {text}"))


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


# --------------------------------------------------------------------------------------------
# Children


class Child:
    """One child process in its own process group, its output pumped to console and log."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        env: dict[str, str],
        console: Console,
        log_path: Path | None,
        *,
        essential: bool = True,
        quiet: re.Pattern[str] | None = None,
        pid_file: Path | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.env = env
        self.console = console
        self.log_path = log_path
        self.essential = essential  # its exit before shutdown is a failure
        self.quiet = quiet  # lines matching it go to the log only, not to the terminal
        self.pid_file = pid_file  # for finding it as an orphan if the supervisor is killed
        self.proc: asyncio.subprocess.Process | None = None
        self.watcher: asyncio.Task[int] | None = None
        self._log: TextIO | None = None
        self._pump: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    @property
    def log_hint(self) -> str:
        return str(self.log_path) if self.log_path else "the output above"

    async def start(self) -> None:
        if self.log_path is not None:
            path = ROOT / self.log_path
            path.parent.mkdir(parents=True, exist_ok=True)
            self._log = path.open("a", encoding="utf-8")
            started = datetime.now().astimezone().isoformat(timespec="seconds")
            self._log.write(f"----- {started} started by scripts.run: {' '.join(self.argv)}\n")
            self._log.flush()
        self.proc = await asyncio.create_subprocess_exec(
            *self.argv,
            cwd=ROOT,
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the supervisor only; it stops children
            limit=LINE_LIMIT,
        )
        if self.pid_file is not None:
            # pid, then the part of the command line that identifies it
            marker = " ".join(self.argv)[:300]
            (ROOT / self.pid_file).write_text(f"{self.proc.pid}\n{marker}\n")
        assert self.proc.stdout is not None
        self._pump = asyncio.create_task(self._pump_output(self.proc.stdout))

    async def _pump_output(self, stream: asyncio.StreamReader) -> None:
        while True:
            try:
                raw = await stream.readline()
            except ValueError:  # a line longer than LINE_LIMIT: dropped by readline
                raw = b"[scripts.run: an overlong output line was dropped]\n"
            if not raw:
                break
            text = raw.decode("utf-8", "replace").rstrip("\r\n")
            if self.quiet is None or not self.quiet.search(text):
                self.console.line(self.name, text)
            if self._log is not None:
                with contextlib.suppress(OSError):
                    self._log.write(text + "\n")
                    self._log.flush()

    async def wait(self) -> int:
        """Wait for the exit, then for the last output lines."""
        assert self.proc is not None
        code = await self.proc.wait()
        if self.pid_file is not None:
            (ROOT / self.pid_file).unlink(missing_ok=True)
        if self._pump is not None:
            # A grandchild may hold the pipe open; do not wait for it forever.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._pump), timeout=2)
        if self._log is not None:
            self._log.close()
            self._log = None
        return code

    def signal(self, sig: signal.Signals) -> None:
        """Signal the child's whole process group (it leads its own session)."""
        if not self.running:
            return
        assert self.proc is not None
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass
        except PermissionError:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(sig)


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


# --------------------------------------------------------------------------------------------
# Helpers


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def pick_port(preferred: int, fallbacks: Iterable[int]) -> int:
    for port in (preferred, *fallbacks):
        if port_free(port):
            return port
    raise StartupError(f"no free port found from {preferred} on")


async def port_accepts(port: int, host: str = "127.0.0.1") -> bool:
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout=1)
    except (TimeoutError, OSError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


def mask_url(url: str) -> str:
    """The URL with its password replaced by ***, for printing."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
        return urlunsplit(parts._replace(netloc=netloc))
    except ValueError:
        return url


def ping_mongo(url: str) -> None:
    client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(
        url, serverSelectionTimeoutMS=1000, connectTimeoutMS=1000
    )
    try:
        client.admin.command("ping")
    finally:
        client.close()


def venv_executable(name: str) -> str:
    candidate = VENV_BIN / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise StartupError(f"{name} not found in .venv/bin or on PATH; run 'make install'")
    return found


def python_executable() -> str:
    candidate = VENV_BIN / "python"
    return str(candidate) if candidate.exists() else sys.executable


def _proc_cmdline(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return None


def _proc_ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat.rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


# --------------------------------------------------------------------------------------------
# Supervisor


class Supervisor:
    def __init__(self, services: Sequence[ServiceSpec], console: Console) -> None:
        self.services = list(services)
        self.console = console
        self.infra: list[Child] = []  # stopped last
        self.apps: list[Child] = []  # services and the demo, stopped first
        self.stopping = asyncio.Event()
        self.force = asyncio.Event()
        self.exit_code = 0
        self.env: dict[str, str] = {}
        self.mongo_note = ""
        self.mail_note = ""

    # -- signals and failures --

    def on_signal(self, sig: signal.Signals) -> None:
        if self.stopping.is_set():
            self.console.info(f"{sig.name} again: killing everything now")
            self.force.set()
            return
        self.console.info(f"{sig.name} received: stopping everything")
        self.stopping.set()

    def fail(self, message: str) -> None:
        if self.stopping.is_set():
            return
        self.console.error(message)
        self.exit_code = 1
        self.stopping.set()

    async def _watch(self, child: Child) -> int:
        code = await child.wait()
        if child.essential and not self.stopping.is_set():
            self.fail(
                f"{child.name} exited unexpectedly ({describe_exit(code)}); "
                f"see {child.log_hint}. Stopping everything."
            )
        return code

    async def spawn(
        self,
        name: str,
        argv: Sequence[str],
        env: dict[str, str],
        *,
        log: bool = True,
        essential: bool = True,
        infra: bool = False,
        quiet: re.Pattern[str] | None = None,
        own_pid_file: bool = False,
    ) -> Child:
        child = Child(
            name,
            argv,
            env,
            self.console,
            LOG_DIR / f"{name}.log" if log else None,
            essential=essential,
            quiet=quiet,
            pid_file=None if own_pid_file else RUN_DIR / f"{name}.pid",
        )
        (self.infra if infra else self.apps).append(child)
        await child.start()
        child.watcher = asyncio.create_task(self._watch(child))
        return child

    # -- start-up --

    async def start(self) -> None:
        for directory in (LOG_DIR, RUN_DIR):
            (ROOT / directory).mkdir(parents=True, exist_ok=True)
        self.clear_leftovers()
        busy = [s for s in self.services if not port_free(s.port)]
        if busy:
            names = ", ".join(f"{s.name} ({s.port})" for s in busy)
            raise StartupError(
                f"port(s) already in use: {names}. Is another 'make up' running? "
                "Stop it, or free the port(s)."
            )
        env = dict(os.environ)
        for key, value in SETTINGS_DEFAULTS.items():
            env.setdefault(key, value)
        env["PYTHONUNBUFFERED"] = "1"
        self.env = env

        if env.get("MONGODB_URL"):
            self.mongo_note = f"{mask_url(env['MONGODB_URL'])} (from MONGODB_URL)"
        else:
            await self.start_mongo()
        if env.get("SMTP_HOST"):
            port = env.get("SMTP_PORT", "its default port")
            self.mail_note = f"sent to {env['SMTP_HOST']}:{port} (from SMTP_HOST)"
        else:
            await self.start_mail()

        if not self.services:
            self.console.info("no services/<name>/app.py found: running the infrastructure only")
        first = [s for s in self.services if s.name == FIRST_SERVICE]
        rest = [s for s in self.services if s.name != FIRST_SERVICE]
        for group in (first, rest):
            children = [await self.start_service(spec) for spec in group]
            waits = [
                asyncio.create_task(self.wait_ready(spec, child))
                for spec, child in zip(group, children, strict=True)
            ]
            try:
                await asyncio.gather(*waits)
            finally:
                for wait in waits:
                    wait.cancel()

        await self.run_demo()
        self.print_banner()

    async def start_mongo(self) -> None:
        pid_file = RUN_DIR / "nx-27017.pid"
        port = pick_port(MONGO_PORTS[0], MONGO_PORTS[1])
        (ROOT / MONGO_DIR).mkdir(parents=True, exist_ok=True)
        argv = [
            venv_executable("nx-27017"),
            "--data-dir",
            str(MONGO_DIR),
            "-p",
            str(port),
            "--log-file",
            str(LOG_DIR / "nx-27017.log"),
            "--pid-file",
            str(pid_file),
        ]
        self.console.info(f"starting nx-27017 (MongoDB protocol) on 127.0.0.1:{port}")
        # nx-27017 writes var/log/nx-27017.log itself, and logs every command at INFO level:
        # the terminal gets its warnings and errors only.
        child = await self.spawn(
            "nx-27017", argv, self.env, log=False, infra=True, quiet=NX_QUIET, own_pid_file=True
        )
        await self.wait_port(child, port)
        url = f"mongodb://127.0.0.1:{port}"
        deadline = time.monotonic() + INFRA_TIMEOUT
        while True:
            try:
                await asyncio.to_thread(ping_mongo, url)
                break
            except pymongo.errors.PyMongoError as exc:
                if time.monotonic() > deadline:
                    raise StartupError(
                        f"nx-27017 on port {port} does not answer ping: {exc}"
                    ) from None
                await asyncio.sleep(0.3)
        self.env["MONGODB_URL"] = url
        self.mongo_note = f"{url} (nx-27017, data in {MONGO_DIR}/)"

    def clear_leftovers(self) -> None:
        """Stop children orphaned by an earlier run that was killed (SIGKILL, out of memory).

        Each child has a pid file in var/run (nx-27017 writes its own). A live process that
        still matches it and whose parent is not a running supervisor is such an orphan.
        """
        for pid_file in sorted((ROOT / RUN_DIR).glob("*.pid")):
            try:
                lines = pid_file.read_text().splitlines()
                pid = int(lines[0])
            except (OSError, ValueError, IndexError):
                continue
            cmdline = _proc_cmdline(pid)
            expected = lines[1] if len(lines) > 1 else "nx-27017"
            if cmdline is None or expected not in cmdline:
                pid_file.unlink(missing_ok=True)  # stale file, the process is gone
                continue
            ppid = _proc_ppid(pid)
            parent = _proc_cmdline(ppid) if ppid else None
            if parent is not None and "scripts.run" in parent:
                raise StartupError(
                    f"another 'make up' (pid {ppid}) is running in this tree; stop that one first"
                )
            self.console.info(f"stopping {pid_file.stem} left over from an earlier run (pid {pid})")
            for sig in (signal.SIGTERM, signal.SIGKILL):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, sig)
                deadline = time.monotonic() + 5
                while _proc_cmdline(pid) is not None and time.monotonic() < deadline:
                    time.sleep(0.1)  # once, before anything else runs
                if _proc_cmdline(pid) is None:
                    break
            pid_file.unlink(missing_ok=True)

    async def start_mail(self) -> None:
        port = pick_port(MAIL_PORTS[0], MAIL_PORTS[1])
        argv = [
            python_executable(),
            "-m",
            "scripts.mailcatcher",
            "--port",
            str(port),
            "--dir",
            str(MAIL_DIR),
        ]
        child = await self.spawn("mail", argv, self.env, infra=True)
        await self.wait_port(child, port)
        self.env["SMTP_HOST"] = "127.0.0.1"
        self.env["SMTP_PORT"] = str(port)
        self.mail_note = f"caught by the mail catcher on 127.0.0.1:{port}, saved in {MAIL_DIR}/"

    async def wait_port(self, child: Child, port: int) -> None:
        deadline = time.monotonic() + INFRA_TIMEOUT
        while not await port_accepts(port):
            if not child.running:
                raise StartupError(f"{child.name} exited during start-up; see {child.log_hint}")
            if time.monotonic() > deadline:
                raise StartupError(
                    f"{child.name} did not accept connections on port {port} within "
                    f"{INFRA_TIMEOUT:.0f} s; see {child.log_hint}"
                )
            await asyncio.sleep(0.1)

    async def start_service(self, spec: ServiceSpec) -> Child:
        argv = [
            python_executable(),
            "-m",
            "uvicorn",
            "--factory",
            spec.app,
            "--host",
            "127.0.0.1",
            "--port",
            str(spec.port),
            "--no-access-log",
            "--timeout-graceful-shutdown",
            "5",
        ]
        level = self.env["LOG_LEVEL"].lower()
        if level in UVICORN_LOG_LEVELS:
            argv += ["--log-level", level]
        env = dict(self.env, PORT=str(spec.port))
        self.console.info(f"starting {spec.name} on {spec.url}")
        return await self.spawn(spec.name, argv, env)

    async def wait_ready(self, spec: ServiceSpec, child: Child) -> None:
        url = f"{spec.url}/readyz"
        deadline = time.monotonic() + READY_TIMEOUT
        last = "no answer"
        async with httpx.AsyncClient(timeout=2.0, trust_env=False) as client:
            while True:
                if not child.running:
                    raise StartupError(f"{spec.name} exited during start-up; see {child.log_hint}")
                try:
                    response = await client.get(url)
                    if response.status_code == 200:
                        self.console.info(f"{spec.name} is ready")
                        return
                    last = f"HTTP {response.status_code} {response.text[:200]!r}"
                except httpx.HTTPError as exc:
                    last = f"{type(exc).__name__}"
                if time.monotonic() > deadline:
                    raise StartupError(
                        f"{spec.name} did not become ready within {READY_TIMEOUT:.0f} s "
                        f"(last GET /readyz: {last}); see {child.log_hint}"
                    )
                await asyncio.sleep(0.25)

    async def run_demo(self) -> None:
        if self.env.get("DEMO", "1") == "0" or not (ROOT / "scripts" / "demo.py").exists():
            return
        self.console.info("loading demo data (scripts.demo; DEMO=0 skips it)")
        child = await self.spawn(
            "demo", [python_executable(), "-m", "scripts.demo"], self.env, essential=False
        )
        assert child.watcher is not None
        code = await child.watcher
        if code != 0:
            self.console.error(
                f"demo data failed ({describe_exit(code)}; see {child.log_hint}); "
                "the services keep running"
            )

    def print_banner(self) -> None:
        env = self.env
        development = env["ENVIRONMENT"] == "development"
        lines = [
            "",
            "=" * 78,
            f"Integrationsnetz is running (ENVIRONMENT={env['ENVIRONMENT']})",
            "",
        ]
        for spec in self.services:
            if spec.name == "portal":
                continue
            lines.append(f"  {spec.name:<10} {spec.url:<24} API docs: {spec.url}/docs")
        portal = next((s for s in self.services if s.name == "portal"), None)
        if portal is not None:
            public = env["PUBLIC_BASE_URL"].rstrip("/")
            lines.append(f"  {'portal':<10} {public:<24} <- open this in a browser")
            if public != portal.url:
                lines.append(f"  {'':<10} (listening on {portal.url})")
        lines += [
            "",
            f"  RabbitMQ   {mask_url(env['RABBITMQ_URL'])}",
            f"  MongoDB    {self.mongo_note}",
            f"  Mail       {self.mail_note}",
            f"  Logs       {LOG_DIR}/<name>.log",
        ]
        if development:
            lines += ["", f"  Log in as  {env['ADMIN_EMAIL']} / {env['ADMIN_PASSWORD']}"]
        lines += ["", "Ctrl-C stops everything.", "=" * 78, ""]
        self.console.write("\n".join(lines) + "\n")

    # -- shutdown --

    async def shutdown(self) -> None:
        for group in (list(reversed(self.apps)), list(reversed(self.infra))):
            await self._terminate(group)

    async def _terminate(self, children: list[Child]) -> None:
        alive = [c for c in children if c.running and c.watcher is not None]
        if not alive:
            return
        for child in alive:
            child.signal(signal.SIGTERM)
        watchers = [c.watcher for c in alive if c.watcher is not None]
        all_done = asyncio.ensure_future(asyncio.gather(*watchers, return_exceptions=True))
        forced = asyncio.ensure_future(self.force.wait())
        either: list[asyncio.Future[Any]] = [all_done, forced]
        await asyncio.wait(either, timeout=STOP_TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
        forced.cancel()
        for child in alive:
            if child.running:
                self.console.error(f"{child.name} did not stop in time; killing it")
                child.signal(signal.SIGKILL)
        await all_done
        for child in alive:
            assert child.proc is not None
            assert child.proc.returncode is not None
            code = child.proc.returncode
            if code in (0, -signal.SIGTERM, -signal.SIGINT):
                self.console.info(f"{child.name} stopped")
            else:
                self.console.info(f"{child.name} stopped ({describe_exit(code)})")


# --------------------------------------------------------------------------------------------
# Entry point


def parse_services(value: str) -> list[ServiceSpec]:
    specs: list[ServiceSpec] = []
    for item in filter(None, (part.strip() for part in value.split(","))):
        try:
            name, port_text, app = item.split(":", 2)
            port = int(port_text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{item!r}: expected name:port:module[:factory]"
            ) from None
        if not name or not app:
            raise argparse.ArgumentTypeError(f"{item!r}: expected name:port:module[:factory]")
        if ":" not in app:
            app = f"{app}:{DEFAULT_FACTORY}"
        specs.append(ServiceSpec(name, port, app))
    return specs


#: Replica k of a service listens on the service's port + REPLICA_PORT_STEP·(k−1).
REPLICA_PORT_STEP = 100


def parse_scale(value: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        name, _, number = item.partition("=")
        try:
            count = int(number)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{item!r}: expected name=N") from None
        if not name or not 1 <= count <= 16:
            raise argparse.ArgumentTypeError(f"{item!r}: expected name=N with N from 1 to 16")
        counts[name] = count
    return counts


def scaled(services: Sequence[ServiceSpec], counts: dict[str, int]) -> list[ServiceSpec]:
    """The services with their extra replicas (`exchange-2` on the exchange's port + 100 …)."""
    unknown = sorted(set(counts) - {s.name for s in services})
    if unknown:
        raise argparse.ArgumentTypeError(f"--scale: no such service: {', '.join(unknown)}")
    result: list[ServiceSpec] = []
    for spec in services:
        result.append(spec)
        for k in range(2, counts.get(spec.name, 1) + 1):
            port = spec.port + REPLICA_PORT_STEP * (k - 1)
            result.append(ServiceSpec(f"{spec.name}-{k}", port, spec.app))
    return result


def default_services() -> list[ServiceSpec]:
    return [
        ServiceSpec(name, port, f"services.{name}.app:{DEFAULT_FACTORY}")
        for name, port in DEFAULT_SERVICES
        if (ROOT / "services" / name / "app.py").exists()
    ]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.run",
        description="Run the whole platform locally (see the module docstring).",
    )
    parser.add_argument(
        "--services",
        type=parse_services,
        default=None,
        metavar="NAME:PORT:MODULE[:FACTORY],...",
        help="run these apps instead of services/<name>/app.py (factory defaults to create_app)",
    )
    parser.add_argument(
        "--scale",
        type=parse_scale,
        default={},
        metavar="NAME=N,...",
        help="run N replicas of a service (replica k on the service's port + 100*(k-1))",
    )
    return parser.parse_args(argv)


async def amain(services: Sequence[ServiceSpec]) -> int:
    names = [SUPERVISOR, "nx-27017", "mail", "demo", *(s.name for s in services)]
    console = Console(sys.stdout, names)
    supervisor = Supervisor(services, console)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, supervisor.on_signal, sig)

    startup = asyncio.create_task(supervisor.start())
    stop = asyncio.create_task(supervisor.stopping.wait())
    try:
        await asyncio.wait({startup, stop}, return_when=asyncio.FIRST_COMPLETED)
        if startup.done() and not startup.cancelled():
            exc = startup.exception()
            if isinstance(exc, StartupError):
                supervisor.fail(f"start-up failed: {exc}")
            elif exc is not None:
                supervisor.fail(f"start-up failed: {type(exc).__name__}: {exc}")
                console.write("".join(traceback.format_exception(exc)))
            await stop  # running: until Ctrl-C, SIGTERM or a child's death
    finally:
        stop.cancel()
        if not startup.done():
            startup.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await startup
        await supervisor.shutdown()
    console.info("all stopped" + (" (after a failure)" if supervisor.exit_code else ""))
    return supervisor.exit_code


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    services: list[ServiceSpec] = args.services if args.services is not None else default_services()
    try:
        services = scaled(services, args.scale)
    except argparse.ArgumentTypeError as exc:
        print(f"scripts.run: {exc}", file=sys.stderr)
        return 2
    return asyncio.run(amain(services))


if __name__ == "__main__":
    sys.exit(main())
