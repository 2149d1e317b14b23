"""A small reading of Kubernetes NetworkPolicies: may this pod open a connection to that pod or
address on this port? Enough of the semantics for the manifests of deploy/kubernetes: pod and
namespace selectors (matchLabels, matchExpressions), ipBlock with except, numbered and named
ports. A connection is allowed when the source's egress policies and the destination's ingress
policies both allow it; a pod no policy of a kind selects is not restricted in that direction.
Pods outside the namespace are not restricted by the manifests (their own namespace's policies
are not ours)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

Object = dict[str, Any]


@dataclass(frozen=True)
class Pod:
    name: str
    namespace: str
    labels: dict[str, str]
    ports: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Address:
    """Somewhere outside the cluster (a mail relay, a calendar feed's server)."""

    ip: str


Peer = Pod | Address


def selects(selector: Object | None, labels: dict[str, str]) -> bool:
    """Label selector semantics; an empty selector selects everything."""
    selector = selector or {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator = expression["key"], expression["operator"]
        values = expression.get("values") or []
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def namespace_labels(namespace: str) -> dict[str, str]:
    return {"kubernetes.io/metadata.name": namespace}


def peer_matches(rule_peer: Object, peer: Peer, policy_namespace: str) -> bool:
    if "ipBlock" in rule_peer:
        if not isinstance(peer, Address):
            return False
        ip = ipaddress.ip_address(peer.ip)
        block = rule_peer["ipBlock"]
        network = ipaddress.ip_network(block["cidr"])
        if ip.version != network.version or ip not in network:
            return False
        return not any(
            ip in ipaddress.ip_network(cidr)
            for cidr in block.get("except", [])
            if ipaddress.ip_network(cidr).version == ip.version
        )
    if not isinstance(peer, Pod):
        return False
    if "namespaceSelector" in rule_peer:
        if not selects(rule_peer["namespaceSelector"], namespace_labels(peer.namespace)):
            return False
    elif peer.namespace != policy_namespace:
        return False
    return selects(rule_peer.get("podSelector"), peer.labels)


def port_matches(rule_ports: list[Object] | None, destination: Peer, port: int) -> bool:
    if not rule_ports:
        return True
    for entry in rule_ports:
        if entry.get("protocol", "TCP") != "TCP":
            continue
        allowed = entry.get("port")
        if allowed is None:
            return True
        if isinstance(allowed, str):
            if isinstance(destination, Pod) and destination.ports.get(allowed) == port:
                return True
            continue
        if isinstance(allowed, int) and allowed <= port <= int(entry.get("endPort", allowed)):
            return True
    return False


def _direction_allows(
    policies: list[Object], pod: Pod, kind: str, other: Peer, destination: Peer, port: int
) -> bool:
    relevant = [
        p
        for p in policies
        if p["metadata"].get("namespace") == pod.namespace
        and kind in p["spec"].get("policyTypes", ["Ingress"])
        and selects(p["spec"]["podSelector"], pod.labels)
    ]
    if not relevant:
        return True
    key, peers_key = ("egress", "to") if kind == "Egress" else ("ingress", "from")
    for policy in relevant:
        for rule in policy["spec"].get(key) or []:
            peers = rule.get(peers_key)
            if peers and not any(
                peer_matches(p, other, policy["metadata"]["namespace"]) for p in peers
            ):
                continue
            if port_matches(rule.get("ports"), destination, port):
                return True
    return False


def allowed(policies: list[Object], source: Peer, destination: Peer, port: int) -> bool:
    """May `source` connect to `destination` on TCP `port`?"""
    namespaces = {p["metadata"].get("namespace") for p in policies}
    if (
        isinstance(source, Pod)
        and source.namespace in namespaces
        and not _direction_allows(policies, source, "Egress", destination, destination, port)
    ):
        return False
    return not (
        isinstance(destination, Pod)
        and destination.namespace in namespaces
        and not _direction_allows(policies, destination, "Ingress", source, destination, port)
    )
