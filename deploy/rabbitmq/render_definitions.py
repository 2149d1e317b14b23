"""Render RabbitMQ definitions: fill the `${NAME}` password placeholders from the environment.

    python render_definitions.py --template definitions.json --output /out/definitions.json
                                 [--owner UID:GID]

`definitions.json` beside this file is committed with placeholders (`"password":
"${RABBITMQ_EXCHANGE_PASSWORD}"`); RabbitMQ cannot read environment variables inside a
definitions file, so the one-shot `rabbitmq-init` service of docker-compose.yml runs this script
(standard library only, any Python 3.11+) and writes the filled-in copy into a volume that the
broker loads at boot. RabbitMQ hashes the plain-text passwords on import.

A value is refused, and nothing is written, when it is missing, still a placeholder or a
development default, shorter than MIN_LENGTH, or holds a character that is not URL-safe (the
same passwords go into the services' `amqp://user:password@…` URLs unencoded). A placeholder
must be a whole JSON string; anything else containing `${` is an error too.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PLACEHOLDER = re.compile(r"^\$\{([A-Z][A-Z0-9_]*)\}$")
#: RFC 3986 "unreserved" characters: safe inside a URL's userinfo without encoding.
URL_SAFE = re.compile(r"^[A-Za-z0-9._~-]+$")
MIN_LENGTH = 16
#: Placeholders and development defaults that must never reach a broker.
WEAK = frozenset({"", "change-me", "changeme", "guest", "integrationsnetz-dev", "password"})


class RenderError(ValueError):
    """The template or the environment is not fit for a production broker."""


def check_secret(name: str, value: str | None) -> str:
    if value is None:
        raise RenderError(f"{name} is not set")
    if value.strip().lower() in WEAK:
        raise RenderError(f"{name} still has a placeholder or development value")
    if len(value) < MIN_LENGTH:
        raise RenderError(f"{name} is shorter than {MIN_LENGTH} characters")
    if not URL_SAFE.match(value):
        raise RenderError(
            f"{name} may only hold letters, digits and . _ ~ - (it is used in URLs unencoded); "
            "generate one with `openssl rand -hex 24`"
        )
    return value


def render(template: Any, env: Mapping[str, str]) -> tuple[Any, set[str]]:
    """The template with every placeholder replaced, and the names of the variables used."""
    used: set[str] = set()

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        if isinstance(node, str):
            match = PLACEHOLDER.match(node)
            if match:
                name = match.group(1)
                used.add(name)
                return check_secret(name, env.get(name))
            if "${" in node:
                raise RenderError(f"placeholder inside a longer string is not supported: {node!r}")
        return node

    return walk(template), used


def write_private(path: Path, text: str, owner: tuple[int, int] | None) -> None:
    """Write `text` to `path` atomically, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".definitions-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        if owner is not None:
            os.chown(tmp_name, *owner)
        os.chmod(tmp_name, 0o400)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def parse_owner(value: str) -> tuple[int, int]:
    try:
        uid, gid = (int(part) for part in value.split(":", 1))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r}: expected UID:GID") from None
    return uid, gid


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fill RabbitMQ definitions from the environment.")
    parser.add_argument("--template", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument(
        "--owner", type=parse_owner, default=None, help="UID:GID of the written file"
    )
    args = parser.parse_args(argv)
    try:
        template = json.loads(args.template.read_text(encoding="utf-8"))
        rendered, used = render(template, os.environ)
    except (OSError, json.JSONDecodeError, RenderError) as exc:
        print(f"render_definitions: {exc}", file=sys.stderr)
        return 1
    write_private(args.output, json.dumps(rendered, indent=2) + "\n", args.owner)
    users = ", ".join(user["name"] for user in rendered.get("users", []))
    print(f"render_definitions: wrote {args.output} (users: {users}; {len(used)} secrets)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
