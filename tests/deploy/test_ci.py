"""The public CI definitions (.gitlab-ci.yml for openCoDE, .github/workflows/ci.yml): both run
the whole suite through `.ci/run` (`make test`) on the MongoDB 8 and RabbitMQ 4 images that
docker-compose.yml runs, MongoDB as a replica set, with MONGODB_URL and RABBITMQ_URL pointing at
them. Checked by reading the files; the runs themselves happen on those platforms."""

from __future__ import annotations

import re
import shlex
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.test_compose import compose_json, services_of

ROOT = Path(__file__).resolve().parents[2]
GITLAB = ROOT / ".gitlab-ci.yml"
GITHUB = ROOT / ".github" / "workflows" / "ci.yml"
PYTHON_IMAGE = re.compile(r"^python:3\.11\.\d+-slim-[a-z]+$")
REPLICA_SET_INIT = "scripts.mongo_replica_set"


@pytest.fixture(scope="module")
def compose_images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    services = services_of(compose_json(home=tmp_path_factory.mktemp("compose-home")))
    return {name: services[name]["image"] for name in ("mongo", "rabbitmq")}


def load(path: Path) -> dict[Any, Any]:
    assert path.exists(), f"{path.relative_to(ROOT)} is missing"
    document: dict[Any, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return document


def commands(lines: list[str] | str) -> list[str]:
    if isinstance(lines, str):
        lines = [lines]
    return [line.strip() for block in lines for line in block.splitlines() if line.strip()]


def dockerfile_python() -> str:
    text = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    bases = re.findall(r"^FROM (python:\S+)", text, re.M)
    assert bases
    base: str = bases[-1]
    return base


def check_urls(env: dict[str, str], mongo_host: str, rabbitmq_host: str) -> None:
    mongo = urllib.parse.urlsplit(env["MONGODB_URL"])
    assert mongo.scheme == "mongodb"
    assert mongo.hostname == mongo_host, "MONGODB_URL points at the MongoDB service"
    # the member of the single-node set is `localhost` (scripts/mongo_replica_set.py)
    assert "directConnection=true" in mongo.query
    rabbit = urllib.parse.urlsplit(env["RABBITMQ_URL"])
    assert rabbit.scheme == "amqp"
    assert rabbit.hostname == rabbitmq_host, "RABBITMQ_URL points at the RabbitMQ service"


def check_replica_set(arguments: str | list[str], steps: list[str], url_variable: str) -> None:
    words = shlex.split(arguments) if isinstance(arguments, str) else list(arguments)
    assert "--replSet" in words, "mongod runs as a replica set"
    replica_set = words[words.index("--replSet") + 1]
    assert "--bind_ip_all" in words, "reachable from the job's container"
    inits = [s for s in steps if REPLICA_SET_INIT in s]
    assert inits, "an init step initiates the replica set before the suite"
    assert f'"${url_variable}"' in inits[0]
    if "--replica-set" in inits[0]:
        assert f"--replica-set {replica_set}" in inits[0]
    else:
        assert replica_set == "rs0", "scripts.mongo_replica_set names the set rs0"


def check_runs_the_suite(steps: list[str]) -> None:
    assert "bash .ci/run" in steps, "the suite runs through .ci/run"
    init = next(i for i, s in enumerate(steps) if REPLICA_SET_INIT in s)
    assert init < steps.index("bash .ci/run"), "the replica set is initiated first"
    assert "bash .ci/install-kubectl" in steps, "the Kubernetes tests need kubectl"


def test_ci_run_runs_make_test() -> None:
    text = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test\b", text, re.M)
    for path in (ROOT / ".ci" / "install-kubectl", ROOT / "scripts" / "mongo_replica_set.py"):
        assert path.exists(), path


def test_gitlab_runs_the_suite_on_mongodb_8_and_rabbitmq_4(compose_images: dict[str, str]) -> None:
    pipeline = load(GITLAB)
    jobs = {
        name: job
        for name, job in pipeline.items()
        if isinstance(job, dict) and "script" in job and not name.startswith(".")
    }
    assert jobs, "a job"
    suites = [job for job in jobs.values() if "bash .ci/run" in commands(job["script"])]
    assert len(suites) == 1, "one job runs .ci/run"
    [job] = suites
    assert job["image"] == dockerfile_python(), "the Python of the image the project ships"
    services = {s["name"]: s for s in job["services"]}
    mongo = services[compose_images["mongo"]]
    rabbitmq = services[compose_images["rabbitmq"]]
    steps = commands(job.get("before_script", [])) + commands(job["script"])
    check_urls(job["variables"], mongo["alias"], rabbitmq["alias"])
    check_replica_set(mongo["command"], steps, "MONGODB_URL")
    check_runs_the_suite(steps)
    assert int(str(job["timeout"]).removesuffix("m")) <= 90


def test_github_runs_the_suite_on_mongodb_8_and_rabbitmq_4(compose_images: dict[str, str]) -> None:
    workflow = load(GITHUB)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert isinstance(triggers, dict)
    assert {"push", "pull_request"} <= set(triggers), "every push and pull request, forks too"
    suites = [
        job
        for job in workflow["jobs"].values()
        if "bash .ci/run" in [s for step in job["steps"] for s in commands(step.get("run", ""))]
    ]
    assert len(suites) == 1, "one job runs .ci/run"
    [job] = suites
    assert job["container"]["image"] == dockerfile_python()
    images = {spec["image"]: name for name, spec in job["services"].items()}
    mongo_name = images[compose_images["mongo"]]
    rabbitmq_name = images[compose_images["rabbitmq"]]
    steps = [s for step in job["steps"] for s in commands(step.get("run", ""))]
    check_urls(job["env"], mongo_name, rabbitmq_name)
    check_replica_set(job["services"][mongo_name]["command"], steps, "MONGODB_URL")
    check_runs_the_suite(steps)
    assert job["timeout-minutes"] <= 90
    assert workflow["permissions"] == {"contents": "read"}, "a fork's run may only read"


def test_the_ci_python_is_that_of_the_image() -> None:
    assert PYTHON_IMAGE.match(dockerfile_python())
