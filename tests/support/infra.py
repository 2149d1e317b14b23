"""The real parts the tests run against: RabbitMQ (a vhost per run), the MongoDB-protocol
server (nx-27017 started per run unless MONGODB_URL is given) and an SMTP server."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


class MissingServerError(RuntimeError):
    """A server the suite needs is not there; the run fails and says which."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout):
        return True
    return False


@dataclass(frozen=True)
class RabbitVhost:
    base_url: str
    name: str

    @property
    def url(self) -> str:
        parts = urllib.parse.urlsplit(self.base_url)
        return urllib.parse.urlunsplit(
            (parts.scheme, parts.netloc, "/" + urllib.parse.quote(self.name, safe=""), "", "")
        )


def _rabbit_user(url: str) -> str:
    return urllib.parse.urlsplit(url).username or "guest"


def _management_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    port = os.environ.get("RABBITMQ_MANAGEMENT_PORT", "15672")
    return f"http://{parts.hostname}:{port}/api"


def create_vhost(base_url: str, name: str) -> RabbitVhost:
    """A vhost of our own, so two runs (or tests) never see each other's queues."""
    parts = urllib.parse.urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5672
    if not port_open(host, port, timeout=2.0):
        raise MissingServerError(
            f"RabbitMQ is not reachable at {host}:{port}. Run `make rabbitmq` "
            "(or `make test`, which starts it), or point RABBITMQ_URL at a broker."
        )
    user = _rabbit_user(base_url)
    if shutil.which("rabbitmqctl") and host in ("127.0.0.1", "localhost"):
        for args in (
            ["add_vhost", name],
            ["set_permissions", "-p", name, user, ".*", ".*", ".*"],
        ):
            subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True)
    else:
        auth = (user, urllib.parse.unquote(parts.password or "guest"))
        api = _management_url(base_url)
        quoted = urllib.parse.quote(name, safe="")
        try:
            httpx.put(f"{api}/vhosts/{quoted}", auth=auth, timeout=10).raise_for_status()
            httpx.put(
                f"{api}/permissions/{quoted}/{user}",
                json={"configure": ".*", "write": ".*", "read": ".*"},
                auth=auth,
                timeout=10,
            ).raise_for_status()
        except httpx.HTTPError as exc:
            raise MissingServerError(
                "cannot create a test vhost: no local rabbitmqctl and the management API at "
                f"{api} failed ({exc})"
            ) from exc
    return RabbitVhost(base_url, name)


def delete_vhost(vhost: RabbitVhost) -> None:
    parts = urllib.parse.urlsplit(vhost.base_url)
    if shutil.which("rabbitmqctl") and parts.hostname in ("127.0.0.1", "localhost"):
        subprocess.run(
            ["rabbitmqctl", "-q", "delete_vhost", vhost.name], check=False, capture_output=True
        )
        return
    auth = (_rabbit_user(vhost.base_url), urllib.parse.unquote(parts.password or "guest"))
    with contextlib.suppress(httpx.HTTPError):
        httpx.delete(
            f"{_management_url(vhost.base_url)}/vhosts/{urllib.parse.quote(vhost.name, safe='')}",
            auth=auth,
            timeout=10,
        )


@dataclass
class MongoServer:
    """An nx-27017 process of the tests' own; `kill` stops it the hard way (an outage)."""

    url: str
    process: subprocess.Popen[bytes]

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


@contextlib.contextmanager
def embedded_mongo(data_dir: Path) -> Iterator[str]:
    """Start nx-27017 on a free port; yields its URL."""
    with embedded_mongo_server(data_dir) as server:
        yield server.url


@contextlib.contextmanager
def embedded_mongo_server(data_dir: Path) -> Iterator[MongoServer]:
    """Start nx-27017 on a free port; yields the running server."""
    server = Path(sys.executable).with_name("nx-27017")
    if not server.exists():
        raise MissingServerError(f"{server} is missing: run `make install`")
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_file = data_dir / "nx-27017.log"
    process = subprocess.Popen(
        [
            str(server),
            "--data-dir",
            str(data_dir / "data"),
            "--host",
            "127.0.0.1",
            "-p",
            str(port),
            "--log-file",
            str(log_file),
            "--pid-file",
            str(data_dir / "nx-27017.pid"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while not port_open("127.0.0.1", port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise MissingServerError(f"nx-27017 did not start; see {log_file}")
            time.sleep(0.1)
        yield MongoServer(f"mongodb://127.0.0.1:{port}", process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
