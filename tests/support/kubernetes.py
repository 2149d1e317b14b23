"""The Kubernetes manifests as the tests see them: rendered by `kubectl kustomize`, looked up by
kind and name, a container's environment resolved from its ConfigMaps and Secrets, and the
Secrets that `deploy/kubernetes/create-secrets.sh --dry-run` would create."""

from __future__ import annotations

import ast
import base64
import functools
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"
OVERLAYS = ("dev", "production")
CRD_SCHEMAS = ROOT / "tests" / "data" / "k8s-crds"
CREATE_SECRETS = KUBERNETES / "create-secrets.sh"
NAMESPACE = "integrationsnetz"
#: kustomize v5 (kubectl 1.27 and newer) reads the `labels:` and `patches:` fields used here.
KUSTOMIZE_MAJOR = 5

Object = dict[str, Any]


def kubectl() -> str:
    """The kubectl binary; a clear failure when it is not there (no skip: the check counts)."""
    found = shutil.which("kubectl")
    if found is None:
        pytest.fail(
            "kubectl is missing: the Kubernetes tests render deploy/kubernetes with "
            f"`kubectl kustomize` (kubectl 1.27 or newer, kustomize v{KUSTOMIZE_MAJOR}). Install "
            "kubectl and run the tests again; `make test` checks for it first."
        )
    return found


def _offline_env() -> dict[str, str]:
    """No kubeconfig, no cluster: rendering and client-side dry runs only."""
    home = os.environ.get("TMPDIR") or tempfile.gettempdir()
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": home,
        "KUBECONFIG": "/dev/null",
    }


@functools.cache
def render(overlay: str) -> tuple[Object, ...]:
    """The objects of `deploy/kubernetes/overlays/<overlay>` as kustomize builds them."""
    result = subprocess.run(
        [kubectl(), "kustomize", str(KUBERNETES / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=_offline_env(),
    )
    assert result.returncode == 0, f"kubectl kustomize overlays/{overlay} failed:\n{result.stderr}"
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def find(objects: tuple[Object, ...], kind: str, name: str) -> Object:
    matches = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind} {name}: {len(matches)} objects"
    return matches[0]


def of_kind(objects: tuple[Object, ...], kind: str) -> list[Object]:
    return [o for o in objects if o["kind"] == kind]


def pod_spec(deployment: Object) -> Object:
    spec: Object = deployment["spec"]["template"]["spec"]
    return spec


def main_container(deployment: Object) -> Object:
    name = deployment["metadata"]["name"]
    containers = [c for c in pod_spec(deployment)["containers"] if c["name"] == name]
    assert len(containers) == 1, f"{name}: one container named like its Deployment"
    container: Object = containers[0]
    return container


@dataclass(frozen=True)
class SecretRef:
    """An environment variable whose value comes from a Secret."""

    secret: str
    key: str


EnvValue = str | SecretRef


def container_env(objects: tuple[Object, ...], container: Object) -> dict[str, EnvValue]:
    """Every variable the container gets, from `envFrom` ConfigMaps then `env` (which wins)."""
    env: dict[str, EnvValue] = {}
    for source in container.get("envFrom", []):
        assert set(source) == {"configMapRef"}, f"only ConfigMaps in envFrom: {source}"
        config = find(objects, "ConfigMap", source["configMapRef"]["name"])
        for key, value in config.get("data", {}).items():
            assert key not in env, f"{key} comes from two ConfigMaps"
            env[key] = value
    for variable in container.get("env", []):
        name = variable["name"]
        if "value" in variable:
            env[name] = variable["value"]
            continue
        reference = variable["valueFrom"]
        assert set(reference) == {"secretKeyRef"}, f"{name}: a literal or a secretKeyRef"
        env[name] = SecretRef(reference["secretKeyRef"]["name"], reference["secretKeyRef"]["key"])
    return env


def crd_schemas() -> dict[tuple[str, str], Object]:
    """The vendored schemas, by (apiVersion, kind)."""
    schemas: dict[tuple[str, str], Object] = {}
    for path in sorted(CRD_SCHEMAS.glob("*.yaml")):
        crd = yaml.safe_load(path.read_text(encoding="utf-8"))
        for version in crd["spec"]["versions"]:
            key = (f"{crd['spec']['group']}/{version['name']}", crd["spec"]["names"]["kind"])
            schema: Object = version["schema"]["openAPIV3Schema"]
            schemas[key] = schema
    return schemas


def crd_documents() -> list[tuple[Path, Object]]:
    return [
        (path, yaml.safe_load(path.read_text(encoding="utf-8")))
        for path in sorted(CRD_SCHEMAS.glob("*.yaml"))
    ]


def created_secrets() -> dict[str, dict[str, str]]:
    """What `create-secrets.sh --dry-run` prints: Secret name → decoded data."""
    result = subprocess.run(
        ["bash", str(CREATE_SECRETS), "--dry-run"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**_offline_env(), "PATH": f"{Path(kubectl()).parent}:/usr/bin:/bin"},
    )
    assert result.returncode == 0, f"create-secrets.sh --dry-run failed:\n{result.stderr}"
    secrets: dict[str, dict[str, str]] = {}
    for document in yaml.safe_load_all(result.stdout):
        if not document:
            continue
        assert document["kind"] == "Secret"
        assert document["metadata"]["namespace"] == NAMESPACE
        name = document["metadata"]["name"]
        assert name not in secrets, f"{name} is created twice"
        secrets[name] = {
            key: base64.b64decode(value).decode("utf-8")
            for key, value in document.get("data", {}).items()
        }
    return secrets


def created_secret_documents() -> list[Object]:
    """The same Secrets as Kubernetes objects (for the schema check)."""
    return [
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": name, "namespace": NAMESPACE},
            "data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()},
        }
        for name, data in created_secrets().items()
    ]


def consumer_queues(service: str) -> set[str]:
    """The queues `<service>.<purpose>` that a service's runtime declares: every
    `runtime.queue("<purpose>")` in services/<service>/."""
    queues = set()
    for path in (ROOT / "services" / service).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "queue"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "runtime"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                queues.add(f"{service}.{node.args[0].value}")
    return queues


def caddy_sites() -> dict[str, int]:
    """What the compose edge publishes: `import service NAME PORT` → {NAME: PORT}."""
    text = (ROOT / "deploy" / "edge" / "Caddyfile").read_text(encoding="utf-8")
    return {m[1]: int(m[2]) for m in re.finditer(r"import service (\S+) (\d+)", text)}
