"""The Kubernetes deployment (deploy/kubernetes), checked without a cluster.

* Both overlays are rendered by the real `kubectl kustomize`; every object is validated
  offline: Kubernetes' own kinds against the schemas `kubernetes-validate` ships (strict: an
  unknown field is an error), the custom resources against the CRD schemas in
  tests/data/k8s-crds.
* The drift tests hold the rendered Deployments against the services' settings classes and
  docker-compose.yml, so the three ways of running the platform (make up, compose, Kubernetes)
  cannot drift apart: env names, ports, probes, accounts, queue names, images.
* The NetworkPolicies are read by tests/support/network_policies.py: who may reach whom.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import tomllib
import urllib.parse
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml
from pydantic_settings import BaseSettings

from scripts import k8s_topology
from shared.settings import WebSettings
from tests.deploy.test_compose import compose_json, services_of
from tests.support.kubernetes import (
    NAMESPACE,
    OVERLAYS,
    ROOT,
    Object,
    SecretRef,
    caddy_sites,
    consumer_queues,
    container_env,
    crd_documents,
    crd_schemas,
    created_secret_documents,
    created_secrets,
    find,
    main_container,
    of_kind,
    pod_spec,
    render,
)
from tests.support.network_policies import Address, Peer, Pod, allowed

APP_SERVICES = ("directory", "calendar", "exchange", "notifier", "concept")
PORTAL = "portal"
WEB = (*APP_SERVICES, PORTAL)
#: The Kubernetes versions the manifests are validated for (the oldest still supported upstream
#: when they were written, and a newer one).
KUBERNETES_VERSIONS = ("1.31", "1.33")
#: Variables a Deployment may set that are not settings, and who reads them.
NOT_SETTINGS = {
    "SERVICE": "deploy/Dockerfile's CMD chooses the app with it",
    "FORWARDED_ALLOW_IPS": "uvicorn (the portal behind the ingress controller)",
}
#: Settings Kubernetes sets that compose leaves at their defaults, and why.
KUBERNETES_ONLY = {
    ("notifier", "SMTP_STARTTLS"): "a mail relay outside the cluster, not Mailpit next door",
}
DEFINITIONS = json.loads((ROOT / "deploy/rabbitmq/definitions.json").read_text(encoding="utf-8"))
DEFINED_QUEUES = {q["name"] for q in DEFINITIONS["queues"]}
VHOST = "integrationsnetz"
MIN_SECRET = {"SIGNING_SECRET": 32, "MATCH_FEEDBACK_SECRET": 32}
URL_SAFE = re.compile(r"^[A-Za-z0-9._~-]+$")
#: How the operators label the pods they create (selected by the NetworkPolicies).
RABBITMQ_POD = {"app.kubernetes.io/name": "rabbitmq", "app.kubernetes.io/component": "rabbitmq"}
MONGODB_POD = {"app": "mongodb-svc"}


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module", params=OVERLAYS)
def overlay(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture(scope="module")
def objects(overlay: str) -> tuple[Object, ...]:
    return render(overlay)


@pytest.fixture(scope="module")
def compose(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return compose_json(home=tmp_path_factory.mktemp("compose-home"))


@pytest.fixture(scope="module")
def secrets() -> dict[str, dict[str, str]]:
    return created_secrets()


def settings_class(service: str) -> type[WebSettings]:
    module = importlib.import_module(f"services.{service}.settings")
    classes = [
        c
        for _, c in inspect.getmembers(module, inspect.isclass)
        if issubclass(c, WebSettings) and c.__module__ == module.__name__
    ]
    assert len(classes) == 1, f"services/{service}/settings.py: one settings class"
    return classes[0]


def env_names(settings: type[BaseSettings]) -> set[str]:
    assert not settings.model_config.get("env_prefix"), "env names are the field names"
    for name, info in settings.model_fields.items():
        assert info.alias is None, name
        assert info.validation_alias is None, name
    return {name.upper() for name in settings.model_fields}


def deployment_env(objects: tuple[Object, ...], service: str) -> dict[str, str | SecretRef]:
    return container_env(objects, main_container(find(objects, "Deployment", service)))


def port_of(container: Object) -> int:
    ports = container["ports"]
    assert len(ports) == 1, ports
    port: int = ports[0]["containerPort"]
    return port


# -------------------------------------------------------------------- render and validate


def test_the_overlay_renders_into_the_namespace(objects: tuple[Object, ...]) -> None:
    assert objects
    for o in objects:
        if o["kind"] != "Namespace":
            assert o["metadata"].get("namespace") == NAMESPACE, (o["kind"], o["metadata"]["name"])
    assert [n["metadata"]["name"] for n in of_kind(objects, "Namespace")] == [NAMESPACE]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_object_validates_against_its_schema(
    objects: tuple[Object, ...], version: str
) -> None:
    custom = crd_schemas()
    errors = []
    for o in objects:
        label = f"{o['kind']}/{o['metadata']['name']}"
        schema = custom.get((o["apiVersion"], o["kind"]))
        try:
            if schema is not None:
                jsonschema.validate(o, schema)
            else:
                kubernetes_validate.validate(o, version, strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            errors.append(f"{label}: no schema (a custom resource needs one in tests/data)")
        except jsonschema.ValidationError as error:
            path = "/".join(str(p) for p in error.absolute_path)
            errors.append(f"{label}: {path}: {error.message}")
    assert not errors, "\n".join(errors)


def test_the_vendored_crd_schemas_are_crds_and_catch_a_misspelt_field() -> None:
    for path, document in crd_documents():
        kubernetes_validate.validate(document, KUBERNETES_VERSIONS[0], strict=True)
        assert path.name.startswith(document["spec"]["group"] + "_"), path.name
    queue = find(render("production"), "Queue", "queue-notifier-commands")
    misspelt = {**queue, "spec": {**queue["spec"], "durabel": True}}
    with pytest.raises(jsonschema.ValidationError, match="durabel"):
        jsonschema.validate(misspelt, crd_schemas()[("rabbitmq.com/v1beta1", "Queue")])


def test_the_secrets_of_create_secrets_validate() -> None:
    for secret in created_secret_documents():
        kubernetes_validate.validate(secret, KUBERNETES_VERSIONS[0], strict=True)


# --------------------------------------------------------------- the services' Deployments


def test_every_service_and_the_portal_has_a_deployment_service_and_budget(
    objects: tuple[Object, ...],
) -> None:
    deployments = {d["metadata"]["name"] for d in of_kind(objects, "Deployment")}
    apps = {p.parent.name for p in (ROOT / "services").glob("*/app.py")}
    assert apps <= deployments, f"services/<name>/app.py without a Deployment: {apps - deployments}"
    for name in WEB:
        deployment = find(objects, "Deployment", name)
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        service = find(objects, "Service", name)
        assert service["spec"]["selector"].items() <= labels.items(), name
        [service_port] = service["spec"]["ports"]
        assert service_port["port"] == port_of(main_container(deployment)), name
        assert service_port["targetPort"] == main_container(deployment)["ports"][0]["name"]
        budget = find(objects, "PodDisruptionBudget", name)
        assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items(), name
        assert budget["spec"].get("maxUnavailable") == 1, "one replica at a time may go"


@pytest.mark.parametrize("service", WEB)
def test_env_names_are_settings_of_the_service(objects: tuple[Object, ...], service: str) -> None:
    env = deployment_env(objects, service)
    unknown = set(env) - env_names(settings_class(service)) - set(NOT_SETTINGS)
    assert not unknown, f"{service} sets what its settings class does not read: {unknown}"
    assert env["SERVICE"] == service
    assert env["ENVIRONMENT"] == "production"


@pytest.mark.parametrize("service", WEB)
def test_env_names_and_ports_agree_with_compose(
    objects: tuple[Object, ...], compose: dict[str, Any], service: str
) -> None:
    env = deployment_env(objects, service)
    composed: dict[str, str] = services_of(compose)[service]["environment"]
    fields = env_names(settings_class(service)) | set(NOT_SETTINGS)
    # compose gives every service the same block (SMTP_HOST too): only what this one reads
    expected = {name for name in composed if name in fields}
    assert expected - set(env) == set(), f"{service}: compose sets it, Kubernetes does not"
    extra = {name for name in set(env) - expected if (service, name) not in KUBERNETES_ONLY}
    assert not extra, f"{service}: Kubernetes sets it, compose does not: {extra}"
    container = main_container(find(objects, "Deployment", service))
    assert env["PORT"] == composed["PORT"]
    assert port_of(container) == int(composed["PORT"])
    # the other services by the same names and ports (DIRECTORY_URL, CALENDAR_URL, …)
    service_urls = {n for n in composed if n.removesuffix("_URL").lower() in caddy_sites()}
    for name in service_urls:
        assert env[name] == composed[name], f"{service}: {name}"


@pytest.mark.parametrize("service", WEB)
def test_probes_ask_readyz_and_healthz_on_the_service_port(
    objects: tuple[Object, ...], service: str
) -> None:
    container = main_container(find(objects, "Deployment", service))
    port_name = container["ports"][0]["name"]
    readiness = container["readinessProbe"]["httpGet"]
    liveness = container["livenessProbe"]["httpGet"]
    assert (readiness["path"], readiness["port"]) == ("/readyz", port_name)
    assert (liveness["path"], liveness["port"]) == ("/healthz", port_name)


def strong_value(secret: SecretRef, secrets: dict[str, dict[str, str]]) -> str:
    """The value a Secret will hold: from create-secrets.sh, or as the MongoDB operator
    writes a connection string."""
    if secret.secret in secrets:
        assert secret.key in secrets[secret.secret], secret
        return secrets[secret.secret][secret.key]
    assert secret.key == "connectionString.standard", secret
    user = secret.secret.removeprefix("mongodb-")
    password = secrets[f"mongodb-{user}-password"]["password"]
    hosts = ",".join(
        f"mongodb-{i}.mongodb-svc.{NAMESPACE}.svc.cluster.local:27017" for i in range(3)
    )
    return f"mongodb://{user}:{password}@{hosts}/admin?replicaSet=mongodb&ssl=false"


@pytest.mark.parametrize("service", WEB)
def test_the_rendered_environment_passes_the_production_settings(
    objects: tuple[Object, ...],
    secrets: dict[str, dict[str, str]],
    service: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every required setting is set, and the settings class accepts what the Deployment gives
    it in production (no development secret, public link bases, secure cookies …)."""
    settings = settings_class(service)
    env = deployment_env(objects, service)
    for name in env_names(settings):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, strong_value(value, secrets) if isinstance(value, SecretRef)
                           else value)  # fmt: skip
    required = {n.upper() for n, info in settings.model_fields.items() if info.is_required()}
    assert required <= set(env), f"{service}: required settings not set: {required - set(env)}"
    loaded = settings(_env_file=None)
    assert loaded.environment == "production"
    assert loaded.port == port_of(main_container(find(objects, "Deployment", service)))
    assert loaded.weak_secrets() == []


@pytest.mark.parametrize("service", APP_SERVICES)
def test_each_service_logs_in_with_its_own_accounts(
    objects: tuple[Object, ...], secrets: dict[str, dict[str, str]], service: str
) -> None:
    env = deployment_env(objects, service)
    mongodb_url = env["MONGODB_URL"]
    assert isinstance(mongodb_url, SecretRef)
    mongodb = find(objects, "MongoDBCommunity", "mongodb")
    users = {u["name"]: u for u in mongodb["spec"]["users"]}
    user = users[service]
    assert user["connectionStringSecretName"] == mongodb_url.secret
    assert user["roles"] == [{"name": "readWrite", "db": f"integrationsnetz_{service}"}]
    assert user["passwordSecretRef"]["name"] in secrets
    assert env["MONGODB_DATABASE"] == f"integrationsnetz_{service}"
    rabbitmq_url = env["RABBITMQ_URL"]
    assert isinstance(rabbitmq_url, SecretRef)
    credentials = secrets[rabbitmq_url.secret]
    url = urllib.parse.urlsplit(credentials[rabbitmq_url.key])
    assert (url.username, url.password) == (service, credentials["password"])
    assert credentials["username"] == service
    assert url.hostname == f"rabbitmq.{NAMESPACE}.svc", "KEDA, in its own namespace, reads it too"
    assert urllib.parse.unquote(url.path.lstrip("/")) == VHOST
    broker_user = find(objects, "User", service)
    assert broker_user["spec"]["importCredentialsSecret"]["name"] == rabbitmq_url.secret


def test_the_mongodb_users_are_those_of_compose(
    objects: tuple[Object, ...], compose: dict[str, Any]
) -> None:
    mongo_init = services_of(compose)["mongo-init"]["environment"]
    users = {u["name"] for u in find(objects, "MongoDBCommunity", "mongodb")["spec"]["users"]}
    assert users == {*mongo_init["MONGO_SERVICES"].split(), "backup"}


def test_every_secret_a_manifest_names_is_created_or_written_by_an_operator(
    objects: tuple[Object, ...], secrets: dict[str, dict[str, str]]
) -> None:
    mongodb = find(objects, "MongoDBCommunity", "mongodb")
    from_operator = {u["connectionStringSecretName"] for u in mongodb["spec"]["users"]}
    named: set[tuple[str, str | None]] = set()
    for deployment in of_kind(objects, "Deployment"):
        spec = pod_spec(deployment)
        for container in [*spec.get("initContainers", []), *spec["containers"]]:
            for value in container_env(objects, container).values():
                if isinstance(value, SecretRef):
                    named.add((value.secret, value.key))
        for volume in spec.get("volumes", []):
            if "secret" in volume:
                named.add((volume["secret"]["secretName"], None))
    for auth in of_kind(objects, "TriggerAuthentication"):
        named |= {(ref["name"], ref["key"]) for ref in auth["spec"]["secretTargetRef"]}
    for user in of_kind(objects, "User"):
        named.add((user["spec"]["importCredentialsSecret"]["name"], "password"))
    for user in mongodb["spec"]["users"]:
        named.add((user["passwordSecretRef"]["name"], "password"))
    for name, key in named:
        if name in from_operator:
            assert key == "connectionString.standard", name
            continue
        assert name in secrets, f"{name}: neither create-secrets.sh nor an operator makes it"
        assert key is None or key in secrets[name], f"{name} has no key {key}"


def test_create_secrets_makes_strong_random_values(secrets: dict[str, dict[str, str]]) -> None:
    again = created_secrets()
    for name, data in secrets.items():
        for key, value in data.items():
            if key == "username":
                continue
            assert value != again[name][key], f"{name}.{key} is not random"
            if key in ("password", "ADMIN_PASSWORD", *MIN_SECRET):
                assert len(value) >= MIN_SECRET.get(key, 16), f"{name}.{key} is too short"
                assert URL_SAFE.match(value), f"{name}.{key} goes into URLs unencoded"
    assert "BEGIN PRIVATE KEY" in secrets["directory-signing-key"]["directory-ed25519.pem"]


def test_the_directory_reads_its_signing_key_from_the_secret(objects: tuple[Object, ...]) -> None:
    deployment = find(objects, "Deployment", "directory")
    env = deployment_env(objects, "directory")
    key_file = Path(str(env["SIGNING_KEY_FILE"]))
    mounts = {m["mountPath"]: m for m in main_container(deployment)["volumeMounts"]}
    assert str(key_file.parent) in mounts, "the key's directory is a volume"
    volumes = {v["name"]: v for v in pod_spec(deployment)["volumes"]}
    keys = volumes[mounts[str(key_file.parent)]["name"]]
    assert keys["emptyDir"]["medium"] == "Memory", "the copy of the key never touches a disk"
    [copy] = pod_spec(deployment)["initContainers"]
    copy_mounts = {m["name"]: m["mountPath"] for m in copy["volumeMounts"]}
    assert copy_mounts[mounts[str(key_file.parent)]["name"]] == str(key_file.parent)
    source = next(v for v in volumes.values() if "secret" in v)
    assert source["secret"]["secretName"] == "directory-signing-key"
    assert "umask 077" in " ".join(copy["command"]), "the directory refuses a key others may read"
    assert copy["image"] == main_container(deployment)["image"], "the service's own image"


# ----------------------------------------------------------------------- hardening


def test_every_pod_runs_hardened_with_requests_and_limits(objects: tuple[Object, ...]) -> None:
    for deployment in of_kind(objects, "Deployment"):
        name = deployment["metadata"]["name"]
        spec = pod_spec(deployment)
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        assert spec.get("automountServiceAccountToken") is False, name
        for container in [*spec.get("initContainers", []), *spec["containers"]]:
            label = f"{name}/{container['name']}"
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, label
            assert context["readOnlyRootFilesystem"] is True, label
            assert context["capabilities"]["drop"] == ["ALL"], label
            assert "add" not in context["capabilities"], label
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][kind]), (label, kind)
        if name in WEB:
            mounts = {m["mountPath"] for m in main_container(deployment)["volumeMounts"]}
            writable = "/tmp"  # noqa: S108 (an emptyDir of the pod's own)
            assert writable in mounts, f"{name}: a writable /tmp on a read-only root"


def test_the_images_are_those_of_compose(
    objects: tuple[Object, ...], compose: dict[str, Any]
) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    for name in WEB:
        image = main_container(find(objects, "Deployment", name))["image"]
        assert image.rpartition(":")[2] == version, f"{name}: {image} is the project's version"
        assert image.rpartition(":")[0].endswith("integrationsnetz"), image
    services = services_of(compose)
    assert (
        find(objects, "RabbitmqCluster", "rabbitmq")["spec"]["image"]
        == (services["rabbitmq"]["image"])
    )
    mongo_tag = services["mongo"]["image"].rpartition(":")[2]
    assert find(objects, "MongoDBCommunity", "mongodb")["spec"]["version"] == mongo_tag


# --------------------------------------------------------------------- broker and database


def test_the_topology_resources_are_generated_from_the_definitions() -> None:
    assert k8s_topology.TOPOLOGY.read_text(encoding="utf-8") == k8s_topology.render(DEFINITIONS), (
        "deploy/kubernetes/base/rabbitmq/topology.yaml is out of date: "
        ".venv/bin/python -m scripts.k8s_topology"
    )


def test_the_topology_resources_hold_every_definition(objects: tuple[Object, ...]) -> None:
    def names(kind: str) -> set[str]:
        return {o["spec"].get("name", o["metadata"]["name"]) for o in of_kind(objects, kind)}

    assert names("Queue") == DEFINED_QUEUES
    assert names("Exchange") == {x["name"] for x in DEFINITIONS["exchanges"]}
    assert names("Vhost") == {VHOST}
    assert {o["metadata"]["name"] for o in of_kind(objects, "User")} == {
        u["name"] for u in DEFINITIONS["users"]
    }
    assert len(of_kind(objects, "Permission")) == len(DEFINITIONS["permissions"])
    assert len(of_kind(objects, "TopicPermission")) == len(DEFINITIONS["topic_permissions"])
    assert len(of_kind(objects, "Binding")) == len(DEFINITIONS["bindings"])
    for queue in of_kind(objects, "Queue"):
        assert queue["spec"]["type"] == "quorum", queue["spec"]["name"]
    for o in objects:
        if o["apiVersion"] == "rabbitmq.com/v1beta1" and o["kind"] != "RabbitmqCluster":
            assert o["spec"]["rabbitmqClusterReference"] == {"name": "rabbitmq"}


def test_production_survives_the_loss_of_a_broker_or_database_node() -> None:
    objects = render("production")
    cluster = find(objects, "RabbitmqCluster", "rabbitmq")
    assert cluster["spec"]["replicas"] == 3
    assert (
        "quorum_queue.initial_cluster_size = 3" in cluster["spec"]["rabbitmq"]["additionalConfig"]
    )
    mongodb = find(objects, "MongoDBCommunity", "mongodb")
    assert (mongodb["spec"]["type"], mongodb["spec"]["members"]) == ("ReplicaSet", 3)


# ------------------------------------------------------------------------- autoscaling


def test_each_service_has_one_autoscaler(objects: tuple[Object, ...]) -> None:
    targets = [
        h["spec"]["scaleTargetRef"]["name"] for h in of_kind(objects, "HorizontalPodAutoscaler")
    ]
    targets += [s["spec"]["scaleTargetRef"]["name"] for s in of_kind(objects, "ScaledObject")]
    assert sorted(targets) == sorted(WEB), "exactly one HPA or ScaledObject per Deployment"
    scaled = {s["spec"]["scaleTargetRef"]["name"] for s in of_kind(objects, "ScaledObject")}
    assert scaled == {"exchange", "notifier"}, "the consumers of a burst scale on queue depth"


def test_keda_watches_queues_that_exist_with_the_services_own_account(
    objects: tuple[Object, ...],
) -> None:
    for scaled in of_kind(objects, "ScaledObject"):
        service = scaled["spec"]["scaleTargetRef"]["name"]
        declared = DEFINED_QUEUES | consumer_queues(service)
        assert scaled["spec"]["minReplicaCount"] >= 1
        kinds = {t["type"] for t in scaled["spec"]["triggers"]}
        assert kinds == {"rabbitmq", "cpu"}, service
        for trigger in scaled["spec"]["triggers"]:
            if trigger["type"] != "rabbitmq":
                continue
            queue = trigger["metadata"]["queueName"]
            assert queue in declared, f"{service}: {queue} is neither defined nor declared by it"
            assert queue.startswith(f"{service}."), f"{service} scales on its own queues: {queue}"
            assert trigger["metadata"]["mode"] == "QueueLength"
            assert int(trigger["metadata"]["value"]) > 0
            auth = find(objects, "TriggerAuthentication", trigger["authenticationRef"]["name"])
            [ref] = auth["spec"]["secretTargetRef"]
            assert (ref["parameter"], ref["name"]) == ("host", f"{service}-rabbitmq")
        # the consumers of a burst start with two replicas in compose; so in production
    production = render("production")
    for name in ("exchange", "notifier"):
        assert find(production, "ScaledObject", name)["spec"]["minReplicaCount"] == 2


# ---------------------------------------------------------------------------- ingress


def ingress_backends(objects: tuple[Object, ...]) -> dict[str, tuple[str, int]]:
    [ingress] = of_kind(objects, "Ingress")
    backends = {}
    for rule in ingress["spec"]["rules"]:
        paths = {p["path"]: p["backend"]["service"] for p in rule["http"]["paths"]}
        assert paths["/metrics"]["name"] == "no-public-metrics", "/metrics stays internal"
        root = paths["/"]
        backends[rule["host"]] = (root["name"], root["port"]["number"])
    return backends


def test_the_ingress_publishes_what_the_compose_edge_publishes(
    objects: tuple[Object, ...],
) -> None:
    backends = ingress_backends(objects)
    assert sorted(backends.values()) == sorted(caddy_sites().items())
    assert find(objects, "Service", "no-public-metrics")["spec"].get("selector") is None
    [ingress] = of_kind(objects, "Ingress")
    hosts = {host for tls in ingress["spec"]["tls"] for host in tls["hosts"]}
    assert hosts == set(backends), "TLS for every host"


def test_the_link_bases_are_the_ingress_hosts(objects: tuple[Object, ...]) -> None:
    by_service = {service: host for host, (service, _) in ingress_backends(objects).items()}
    for service, setting in ((PORTAL, "PUBLIC_BASE_URL"), ("notifier", "NOTIFIER_PUBLIC_URL")):
        url = urllib.parse.urlsplit(str(deployment_env(objects, "notifier")[setting]))
        assert url.scheme == "https"
        assert url.hostname == by_service[service], setting


def test_production_ingress_has_a_certificate() -> None:
    [ingress] = of_kind(render("production"), "Ingress")
    assert all(tls.get("secretName") for tls in ingress["spec"]["tls"])


# --------------------------------------------------------------------------- network


def pods(objects: tuple[Object, ...]) -> dict[str, Pod]:
    found = {}
    for deployment in of_kind(objects, "Deployment"):
        template = deployment["spec"]["template"]
        ports = {
            p["name"]: p["containerPort"]
            for c in template["spec"]["containers"]
            for p in c.get("ports", [])
        }
        name = deployment["metadata"]["name"]
        found[name] = Pod(name, NAMESPACE, template["metadata"]["labels"], ports)
    found["rabbitmq"] = Pod("rabbitmq", NAMESPACE, RABBITMQ_POD)
    found["mongodb"] = Pod("mongodb", NAMESPACE, MONGODB_POD)
    return found


def test_network_policies_let_each_pod_reach_only_what_it_needs(
    objects: tuple[Object, ...],
) -> None:
    policies = of_kind(objects, "NetworkPolicy")
    known = pods(objects)
    dns = Pod("coredns", "kube-system", {"k8s-app": "kube-dns"})
    controller = Pod("controller", "ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"})
    stranger = Pod("stranger", "default", {"app": "curious"})
    keda = Pod("keda-operator", "keda", {"app": "keda-operator"})
    internet = Address("93.184.215.14")
    ports = {name: caddy_sites()[name] for name in WEB}
    notifier_env = deployment_env(objects, "notifier")
    smtp_host = str(notifier_env["SMTP_HOST"])
    smtp_port = int(str(notifier_env["SMTP_PORT"]))
    smtp: Peer = known[smtp_host] if smtp_host in known else Address("198.51.100.25")
    verifies_tokens = {"calendar", "exchange", "notifier", "concept"}

    def may(source: Peer, destination: Peer, port: int) -> bool:
        return allowed(policies, source, destination, port)

    assert any(p["metadata"]["name"] == "default-deny" for p in policies)
    wrong = []

    def expect(what: str, actual: bool, expected: bool) -> None:
        if actual != expected:
            wrong.append(f"{what}: {'allowed' if actual else 'denied'}")

    for name in APP_SERVICES:
        pod = known[name]
        expect(f"{name} → DNS", may(pod, dns, 53), True)
        expect(f"{name} → MongoDB", may(pod, known["mongodb"], 27017), True)
        expect(f"{name} → RabbitMQ", may(pod, known["rabbitmq"], 5672), True)
        expect(f"{name} → RabbitMQ management", may(pod, known["rabbitmq"], 15672), False)
        expect(f"{name} → JWKS", may(pod, known["directory"], 8001), name in verifies_tokens)
        expect(f"{name} → SMTP", may(pod, smtp, smtp_port), name == "notifier")
        expect(f"{name} → internet https", may(pod, internet, 443), name == "calendar")
        expect(f"{name} → portal", may(pod, known[PORTAL], 8000), False)
        for other in APP_SERVICES:
            if other not in (name, "directory"):
                expect(f"{name} → {other}", may(pod, known[other], ports[other]), False)
    for name in WEB:
        expect(f"ingress controller → {name}", may(controller, known[name], ports[name]), True)
        expect(f"stranger → {name}", may(stranger, known[name], ports[name]), False)
        if name != PORTAL:
            expect(f"portal → {name}", may(known[PORTAL], known[name], ports[name]), True)
    for infrastructure, port in (("mongodb", 27017), ("rabbitmq", 5672)):
        expect(f"portal → {infrastructure}", may(known[PORTAL], known[infrastructure], port), False)
        expect(f"stranger → {infrastructure}", may(stranger, known[infrastructure], port), False)
    expect("KEDA → RabbitMQ", may(keda, known["rabbitmq"], 5672), True)
    expect("KEDA → MongoDB", may(keda, known["mongodb"], 27017), False)
    expect("calendar → a private address", may(known["calendar"], Address("10.1.2.3"), 443), False)
    assert not wrong, "\n".join(wrong)


# ------------------------------------------------------------------ the rendered YAML itself


def test_no_secret_value_is_committed() -> None:
    for path in (ROOT / "deploy" / "kubernetes").rglob("*.yaml"):
        documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        for document in documents:
            if isinstance(document, dict):
                assert document.get("kind") != "Secret", f"{path}: no Secret in git"
    kustomizations = (ROOT / "deploy" / "kubernetes").rglob("kustomization.yaml")
    for path in kustomizations:
        assert "secretGenerator" not in path.read_text(encoding="utf-8"), path
