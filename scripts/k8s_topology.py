"""Write the RabbitMQ definitions of compose as messaging topology resources for Kubernetes.

    .venv/bin/python -m scripts.k8s_topology           # rewrites the file below
    .venv/bin/python -m scripts.k8s_topology --check   # exit 1 when it is out of date

`deploy/rabbitmq/definitions.json` stays the one place where the vhost, the accounts, their
permissions and the shared exchanges, queues and bindings are written down; this turns it into
`deploy/kubernetes/base/rabbitmq/topology.yaml` for the RabbitMQ Messaging Topology Operator
(one `Vhost`, `User`, `Permission`, `TopicPermission`, `Policy`, `Exchange`, `Queue`, `Binding`
each). Passwords are not in the definitions' place: each `User` imports its credentials from
the Secret `<user>-rabbitmq` that `deploy/kubernetes/create-secrets.sh` creates.
`tests/deploy/test_kubernetes.py` fails when the committed file differs from what this writes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from tools.generated_file import write_or_check

ROOT = Path(__file__).resolve().parents[1]
DEFINITIONS = ROOT / "deploy" / "rabbitmq" / "definitions.json"
TOPOLOGY = ROOT / "deploy" / "kubernetes" / "base" / "rabbitmq" / "topology.yaml"
API_VERSION = "rabbitmq.com/v1beta1"
CLUSTER = {"name": "rabbitmq"}
HEADER = (
    "# Generated from deploy/rabbitmq/definitions.json by `python -m scripts.k8s_topology`;\n"
    "# do not edit (tests/deploy/test_kubernetes.py checks that it is up to date).\n"
)


def resource_name(*parts: str) -> str:
    """A Kubernetes object name (DNS-1123) for a broker object: `notifier.commands` →
    `notifier-commands`."""
    name = "-".join(parts).lower()
    return re.sub(r"[^a-z0-9-]+", "-", name).strip("-")


def credentials_secret(user: str) -> str:
    return f"{user}-rabbitmq"


def resource(kind: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": kind,
        "metadata": {"name": name},
        "spec": {**spec, "rabbitmqClusterReference": dict(CLUSTER)},
    }


def operator_fields(definition: dict[str, Any], *fields: str) -> dict[str, Any]:
    """The named fields of a broker object's definition, spelt as the operator's resources
    spell them (`auto_delete`, `apply-to` → `autoDelete`, `applyTo`)."""
    return {camel_case(field): definition[field] for field in fields}


def camel_case(field: str) -> str:
    first, *rest = re.split(r"[-_]", field)
    return first + "".join(word.capitalize() for word in rest)


def with_arguments(spec: dict[str, Any], arguments: dict[str, Any]) -> dict[str, Any]:
    """`spec` with the object's optional arguments, which the operator takes only when there
    are any."""
    return {**spec, "arguments": dict(arguments)} if arguments else spec


def topology(definitions: dict[str, Any]) -> list[dict[str, Any]]:
    """The topology resources for `definitions` (the parsed definitions.json), in its order."""
    objects = [resource("Vhost", resource_name(v["name"]), {"name": v["name"]}) for v in
               definitions["vhosts"]]  # fmt: skip
    for user in definitions["users"]:
        objects.append(
            resource(
                "User",
                resource_name(user["name"]),
                {
                    "tags": list(user["tags"]),
                    "importCredentialsSecret": {"name": credentials_secret(user["name"])},
                },
            )
        )
    for p in definitions["permissions"]:
        permissions = {kind: p[kind] for kind in ("configure", "write", "read")}
        spec = {"vhost": p["vhost"], "user": p["user"], "permissions": permissions}
        objects.append(resource("Permission", resource_name(p["user"], p["vhost"]), spec))
    for p in definitions["topic_permissions"]:
        permissions = {"exchange": p["exchange"], "write": p["write"], "read": p["read"]}
        spec = {"vhost": p["vhost"], "user": p["user"], "permissions": permissions}
        name = resource_name(p["user"], "topic", p["exchange"])
        objects.append(resource("TopicPermission", name, spec))
    for p in definitions["policies"]:
        spec = operator_fields(p, "name", "vhost", "pattern", "apply-to", "priority", "definition")
        objects.append(resource("Policy", resource_name(p["name"]), spec))
    for x in definitions["exchanges"]:
        spec = operator_fields(x, "name", "vhost", "type", "durable", "auto_delete")
        name = resource_name("exchange", x["name"])
        objects.append(resource("Exchange", name, with_arguments(spec, x["arguments"])))
    for q in definitions["queues"]:
        arguments = dict(q["arguments"])
        spec = {
            **operator_fields(q, "name", "vhost"),
            # the operator sets x-queue-type from `type`; the other arguments go as they are
            "type": arguments.pop("x-queue-type", "classic"),
            **operator_fields(q, "durable", "auto_delete"),
        }
        name = resource_name("queue", q["name"])
        objects.append(resource("Queue", name, with_arguments(spec, arguments)))
    for b in definitions["bindings"]:
        spec = operator_fields(
            b, "vhost", "source", "destination", "destination_type", "routing_key"
        )
        name = resource_name("binding", b["source"], b["destination"], b["routing_key"])
        objects.append(resource("Binding", name, with_arguments(spec, b["arguments"])))
    return objects


def render(definitions: dict[str, Any]) -> str:
    documents = yaml.safe_dump_all(topology(definitions), sort_keys=False, width=100)
    return HEADER + documents


def main(argv: list[str] | None = None) -> int:
    return write_or_check(
        TOPOLOGY,
        lambda: render(json.loads(DEFINITIONS.read_text(encoding="utf-8"))),
        description=__doc__.splitlines()[0] if __doc__ else "",
        command="python -m scripts.k8s_topology",
        argv=argv,
    )


if __name__ == "__main__":
    raise SystemExit(main())
