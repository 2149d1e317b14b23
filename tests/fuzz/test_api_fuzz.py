"""Every route of every service, fuzzed from its own OpenAPI document on the running platform:
no answer is a 5xx, every 4xx of an API is problem+json with type, title and status, and every
2xx body fits the schema the route declares.

Generation is schemathesis (valid and invalid inputs) driven by hypothesis with a seed fixed per
run date, so a CI run is reproducible and each day still explores new inputs. Calls are made as
office staff, as an editor of the owning organisation or anonymously; path parameters are drawn
from the ids the platform handed out (the fixtures' resources and every 201 seen so far), so
created things are then read, changed and deleted: the create → read → update → delete flows.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jsonschema
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.result import Ok

from tests.fuzz.stack import SERVICES, SERVICES_IN_THIS_PROCESS, Stack

pytestmark = SERVICES_IN_THIS_PROCESS

#: Examples per operation; with about 130 operations this keeps the suite to a few minutes.
EXAMPLES = {
    "directory": 25,
    "calendar": 25,
    "exchange": 25,
    "notifier": 25,
    "concept": 25,
    "portal": 12,
}
RUN_SEED = int(dt.date.today().strftime("%Y%m%d"))
#: Which path parameter a 201 of a route hands out, read from the answer's body.
CREATED = {
    ("directory", "/organisations"): ("organisation_id", "id"),
    ("directory", "/organisations/{organisation_id}/members"): ("person_id", "person_id"),
    ("calendar", "/events"): ("event_id", "event.id"),
    ("calendar", "/groups"): ("group_id", "id"),
    ("exchange", "/offers"): ("listing_id", "id"),
    ("exchange", "/requests"): ("listing_id", "id"),
    ("notifier", "/subscriptions"): ("subscription_id", "id"),
    ("concept", "/measures"): ("measure_id", "id"),
    ("concept", "/reports"): ("report_id", "id"),
}
#: Never fuzzed: what only reports on the process itself.
OPERATIONS_ROUTES = {"/healthz", "/readyz", "/metrics"}
# creating first, deleting last: what is made is then read and changed before it goes
METHOD_ORDER = {"post": 0, "put": 1, "get": 2, "patch": 3, "delete": 4}


@dataclass
class Findings:
    seen: dict[str, str] = field(default_factory=dict)

    def add(self, key: str, text: str) -> None:
        self.seen.setdefault(key, text)


def _pick(body: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(body, dict):
            return None
        body = body.get(part)
    return body


def check_answer(
    service: str,
    spec: dict[str, Any],
    path: str,
    method: str,
    response: schemathesis.Response,
    findings: Findings,
    reproduce: str,
) -> None:
    status = response.status_code
    where = f"{service} {method.upper()} {path}"
    if status >= 500:
        findings.add(f"{where} {status}", f"{where} answered {status}: {reproduce}")
        return
    if 400 <= status < 500 and service != "portal":
        kind = content_type(response)
        body = _json(response)
        fine = (
            kind.startswith("application/problem+json")
            and isinstance(body, dict)
            and {"type", "title", "status"} <= body.keys()
            and body["status"] == status
        )
        if not fine:
            findings.add(
                f"{where} {status} not a problem",
                f"{where} answered {status} as {kind!r}, not a problem document: "
                f"{response.content[:200]!r} ← {reproduce}",
            )
        return
    if 200 <= status < 300 and service != "portal":
        declared = spec["paths"][path][method]["responses"].get(str(status), {})
        schema = declared.get("content", {}).get("application/json", {}).get("schema")
        kind = content_type(response)
        if not schema or not kind.startswith("application/json"):
            return
        whole = {**schema, "components": spec.get("components", {})}
        try:
            jsonschema.validate(_json(response), whole)
        except jsonschema.ValidationError as exc:
            findings.add(
                f"{where} {status} schema",
                f"{where} answered {status} off its schema: {exc.message[:200]} ← {reproduce}",
            )


def fuzz_service(stack: Stack, service: str, owner: str, pool: dict[str, list[str]]) -> Findings:
    """Runs in a worker thread: the services answer on the test's event loop meanwhile."""
    spec = {**stack.apps[service].openapi(), "x-base-url": stack.urls[service]}
    schema = schemathesis.openapi.from_dict(spec)
    findings = Findings()
    office_token = stack.admin["Authorization"].removeprefix("Bearer ")
    roles: dict[str, str | None] = {
        "office": office_token,
        "owner": stack.token_of(owner),
        "anonymous": None,
    }
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"{service}: the OpenAPI document is broken: {result}"
        if result.ok().path not in OPERATIONS_ROUTES:
            operations.append(result.ok())
    operations.sort(key=lambda op: (METHOD_ORDER.get(op.method.lower(), 9), op.path))
    session = requests.Session()
    for operation in operations:
        fuzz_operation(operation, service, spec, roles, pool, session, findings)
    return findings


def fuzz_operation(
    operation: schemathesis.APIOperation[Any, Any, Any, Any],
    service: str,
    spec: dict[str, Any],
    roles: dict[str, str | None],
    pool: dict[str, list[str]],
    session: requests.Session,
    findings: Findings,
) -> None:
    base_url = str(spec["x-base-url"])
    path, method = operation.path, operation.method.lower()
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @seed(RUN_SEED)
    @settings(
        max_examples=EXAMPLES[service],
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, data=st.data())
    def run(case: schemathesis.Case[Any], data: st.DataObject) -> None:
        for name in list(case.path_parameters or {}):
            known: list[str] = pool.get(name) or []
            use_known: bool = bool(known) and data.draw(st.booleans(), label=f"known {name}")
            if use_known:
                case.path_parameters[name] = data.draw(st.sampled_from(known), label=name)
        role = data.draw(st.sampled_from(sorted(roles)), label="role")
        token = roles[role]
        headers: dict[str, str] = {}
        cookies: dict[str, str] = {}
        if token is not None and service == "portal":
            cookies["inx_session"] = token
        elif token is not None:
            headers["Authorization"] = f"Bearer {token}"
        try:
            response = case.call(
                base_url=base_url,
                session=session,
                headers=headers,
                cookies=cookies,
                timeout=30,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            findings.add(f"{service} {method} {path} transport", f"{path}: {exc!r}")
            return
        reproduce = f"as {role}: {case.as_curl_command()}"[:600]
        check_answer(service, spec, path, method, response, findings, reproduce)
        made = CREATED.get((service, path))
        if response.status_code == 201 and made is not None:
            name, dotted = made
            with_id = _pick(_json(response), dotted)
            if isinstance(with_id, str):
                pool.setdefault(name, []).append(with_id)

    run()


def _json(response: schemathesis.Response) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def content_type(response: schemathesis.Response) -> str:
    for name, values in response.headers.items():
        if name.lower() == "content-type" and values:
            return values[0]
    return ""


async def known_ids(stack: Stack, owner: str) -> dict[str, list[str]]:
    """The owning organisation's resources: what path parameters start from."""
    concept = await stack.concept(owner)
    return {
        "measure_id": [concept["measure_id"]],
        "report_id": [concept["report_id"]],
        "key": ["einwohner"],
        "organisation_id": [owner],
        "event_id": [await stack.event(owner)],
        "listing_id": [
            await stack.listing("offers", owner),
            await stack.listing("requests", owner),
        ],
        "subscription_id": [await stack.subscription(owner)],
        "person_id": [await stack.member(owner)],
    }


@pytest.mark.parametrize("service", SERVICES)
async def test_no_route_answers_fuzzed_input_with_a_server_error_or_an_undocumented_shape(
    stack: Stack, service: str
) -> None:
    owner = await stack.organisation(f"Fuzz-Verein {service}")
    pool = await known_ids(stack, owner)
    work: Callable[[], Findings] = lambda: fuzz_service(stack, service, owner, pool)  # noqa: E731
    findings = await asyncio.to_thread(work)
    report = json.dumps(sorted(findings.seen.values()), indent=1, ensure_ascii=False)
    assert not findings.seen, f"seed {RUN_SEED}: {len(findings.seen)} findings:\n{report}"
