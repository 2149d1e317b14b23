"""deploy/rabbitmq/definitions.json on a real broker: the file, its renderer, and a fixture that
imports the rendered definitions into a vhost of one test with users unique to the run. Used by
the deployment checks and by the end-to-end story of an external subscriber."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.infra import ROOT, RabbitVhost

DEFINITIONS = ROOT / "deploy" / "rabbitmq" / "definitions.json"
RENDERER = ROOT / "deploy" / "rabbitmq" / "render_definitions.py"


@cache
def definitions() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DEFINITIONS.read_text(encoding="utf-8"))
    return loaded


def placeholder_of(value: str) -> str:
    match = re.fullmatch(r"\$\{([A-Z][A-Z0-9_]*)\}", value)
    assert match, f"{value!r} is not a ${{NAME}} placeholder"
    return match.group(1)


def definition_passwords() -> dict[str, str]:
    """RabbitMQ user → the environment variable its password comes from."""
    return {user["name"]: placeholder_of(user["password"]) for user in definitions()["users"]}


def secret_env() -> dict[str, str]:
    return {name: secrets.token_hex(16) for name in definition_passwords().values()}


def render(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            str(RENDERER),
            "--template",
            str(DEFINITIONS),
            "--output",
            str(tmp_path / "out" / "definitions.json"),
        ],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@dataclass(frozen=True)
class BrokerAccounts:
    vhost: RabbitVhost
    names: dict[str, str]  # definitions user → the user created for this test
    passwords: dict[str, str]

    def url(self, user: str) -> str:
        parts = urllib.parse.urlsplit(self.vhost.base_url)
        login = f"{urllib.parse.quote(self.names[user], safe='')}:{self.passwords[user]}"
        netloc = f"{login}@{parts.hostname}:{parts.port or 5672}"
        return f"amqp://{netloc}/{urllib.parse.quote(self.vhost.name, safe='')}"


def _local_rabbitmqctl(base_url: str) -> bool:
    host = urllib.parse.urlsplit(base_url).hostname
    return shutil.which("rabbitmqctl") is not None and host in ("127.0.0.1", "localhost")


def _management(base_url: str) -> tuple[str, tuple[str, str]]:
    parts = urllib.parse.urlsplit(base_url)
    port = os.environ.get("RABBITMQ_MANAGEMENT_PORT", "15672")
    auth = (parts.username or "guest", urllib.parse.unquote(parts.password or "guest"))
    return f"http://{parts.hostname}:{port}/api", auth


def import_definitions(base_url: str, path: Path) -> None:
    if _local_rabbitmqctl(base_url):
        # rabbitmqctl runs as the rabbitmq user, who cannot enter pytest's private tmp dirs:
        # hand it a copy in a directory of its own for the moment of the import
        with tempfile.TemporaryDirectory(prefix="inx-deploy-") as directory:
            os.chmod(directory, 0o711)  # noqa: S103 (enter only; the file name is known)
            copy = Path(directory) / "definitions.json"
            copy.write_bytes(path.read_bytes())
            copy.chmod(0o644)
            subprocess.run(
                ["rabbitmqctl", "-q", "import_definitions", str(copy)],
                check=True,
                capture_output=True,
                timeout=60,
            )
        return
    api, auth = _management(base_url)
    response = httpx.post(
        f"{api}/definitions",
        content=path.read_bytes(),
        headers={"content-type": "application/json"},
        auth=auth,
        timeout=30,
    )
    response.raise_for_status()


def delete_users(base_url: str, users: list[str]) -> None:
    if _local_rabbitmqctl(base_url):
        processes = [
            subprocess.Popen(
                ["rabbitmqctl", "-q", "delete_user", user],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for user in users
        ]
        for process in processes:
            process.wait(timeout=60)
        return
    api, auth = _management(base_url)
    for user in users:
        httpx.delete(f"{api}/users/{urllib.parse.quote(user, safe='')}", auth=auth, timeout=10)


@pytest.fixture
def broker_accounts(fresh_vhost: RabbitVhost, tmp_path: Path) -> Iterator[BrokerAccounts]:
    """deploy/rabbitmq/definitions.json, rendered by the renderer and imported into a vhost of
    this test, its users renamed to be unique to this run."""
    env = secret_env()
    result = render(tmp_path, env)
    assert result.returncode == 0, result.stderr
    rendered = json.loads((tmp_path / "out" / "definitions.json").read_text(encoding="utf-8"))
    prefix = f"inx-deploy-{uuid.uuid4().hex[:8]}-"
    names = {user["name"]: prefix + user["name"] for user in rendered["users"]}
    passwords = {user["name"]: user["password"] for user in rendered["users"]}
    for user in rendered["users"]:
        user["name"] = names[user["name"]]
    rendered["vhosts"] = [{"name": fresh_vhost.name}]
    for section in ("permissions", "topic_permissions"):
        for entry in rendered[section]:
            entry["user"] = names[entry["user"]]
    for section in ("permissions", "topic_permissions", "policies", "exchanges", "queues"):
        for entry in rendered[section]:
            entry["vhost"] = fresh_vhost.name
    for entry in rendered["bindings"]:
        entry["vhost"] = fresh_vhost.name
    path = tmp_path / "import.json"
    path.write_text(json.dumps(rendered), encoding="utf-8")
    import_definitions(fresh_vhost.base_url, path)
    try:
        yield BrokerAccounts(fresh_vhost, names, passwords)
    finally:
        delete_users(fresh_vhost.base_url, list(names.values()))
