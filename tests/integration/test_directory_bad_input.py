"""Bad input never breaks the directory: every refusal is a 4xx problem-details document
(RFC 9457) that says what was wrong, and nothing a client sends leads to a 5xx."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from services.directory.domain import OrganisationCreate
from services.directory.tokens import SigningKey, TokenIssuer
from shared.auth import ALGORITHM, AUDIENCE, ISSUER
from shared.contracts.directory import OrganisationKind
from shared.contracts.vocabulary import FieldOfAction
from shared.ids import new_id
from tests.support.services import ADMIN_EMAIL, ADMIN_PASSWORD, RunningService, log_in

Headers = dict[str, str]
MAX_BODY = 256 * 1024
VALID = {"name": "Treff am See", "kind": "association"}
UNSET: Any = object()


@dataclass(frozen=True)
class Api:
    """A running directory, shared by the tests of this module (they change nothing that the
    others rely on), with an organisation to aim at and tokens of every kind."""

    client: httpx.AsyncClient
    organisation_id: str
    authorizations: dict[str, str]


def claims_for(person_id: str, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": person_id,
        "role": "admin",
        "orgs": [],
        "iat": now,
        "nbf": now - 5,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
        **changes,
    }
    return {name: value for name, value in claims.items() if value is not UNSET}


def authorizations(key: SigningKey, admin: Headers, person_id: str) -> dict[str, str]:
    """Authorization headers by name: the real one and every way of faking or spoiling it."""

    def signed(**changes: Any) -> str:
        token = jwt.encode(
            claims_for(person_id, **changes),
            key.private,
            algorithm=ALGORITHM,
            headers={"kid": key.kid},
        )
        return f"Bearer {token}"

    stranger = Ed25519PrivateKey.generate()
    public_raw = key.public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    expired = TokenIssuer(key, [], ttl_seconds=-10).issue(person_id, "admin", [])
    return {
        "admin": admin["Authorization"],
        "signed-here-with-the-real-key": signed(),
        "garbage": "Bearer not-a-token",
        "garbage-in-three-parts": "Bearer aaaa.bbbb.cccc",
        "basic-credentials": "Basic b2ZmaWNlOnBhc3N3b3Jk",
        "forged-with-the-same-kid": "Bearer "
        + jwt.encode(claims_for(person_id), stranger, algorithm="EdDSA", headers={"kid": key.kid}),
        "unknown-kid": "Bearer "
        + jwt.encode(claims_for(person_id), stranger, algorithm="EdDSA", headers={"kid": "other"}),
        "expired": f"Bearer {expired}",
        "alg-none": "Bearer "
        + jwt.encode(claims_for(person_id), "", algorithm="none", headers={"kid": key.kid}),
        "hs256-keyed-with-the-public-key": "Bearer "
        + jwt.encode(
            claims_for(person_id), public_raw, algorithm="HS256", headers={"kid": key.kid}
        ),
        "wrong-audience": signed(aud="another-system"),
        "wrong-issuer": signed(iss="someone-else"),
        "without-expiry": signed(exp=UNSET),
        "not-yet-valid": signed(nbf=int(time.time()) + 3600),
        "unknown-role": signed(role="superuser"),
        "malformed-organisations": signed(orgs="all"),
    }


@pytest.fixture(scope="module")
async def api(module_directory: RunningService) -> Api:
    service = module_directory
    admin = await log_in(service.client, ADMIN_EMAIL, ADMIN_PASSWORD)
    me = (await service.client.get("/me", headers=admin)).json()
    created = await service.client.post("/organisations", json=VALID, headers=admin)
    assert created.status_code == 201, created.text
    key: SigningKey = service.app.state.directory.issuer.current
    return Api(service.client, created.json()["id"], authorizations(key, admin, me["person_id"]))


def assert_problem(response: httpx.Response) -> dict[str, Any]:
    """A 4xx answer in problem-details form."""
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code
    assert str(body["type"]).startswith("https://")
    assert isinstance(body["title"], str)
    assert isinstance(body["detail"], str)
    assert body["title"]
    assert body["detail"]
    return body


# --- the cases ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BadRequest:
    method: str
    path: str  # "{org}": the module's organisation; "{unknown}": an id nobody has
    expected: tuple[int, ...]
    json: Any = UNSET
    content: bytes | None = None
    content_type: str | None = None
    data: dict[str, str] | None = None
    params: dict[str, str] = field(default_factory=dict)
    streamed_bytes: int = 0  # send this many bytes chunked, without a Content-Length
    auth: str | None = "admin"
    location: str | None = None  # where `errors` must point for a 422

    async def send(self, api: Api) -> httpx.Response:
        path = self.path.format(org=api.organisation_id, unknown=new_id())
        headers: Headers = {}
        if self.auth is not None:
            headers["Authorization"] = api.authorizations[self.auth]
        if self.content_type is not None:
            headers["Content-Type"] = self.content_type
        kwargs: dict[str, Any] = {"headers": headers, "params": self.params}
        if self.json is not UNSET:
            kwargs["json"] = self.json
        if self.content is not None:
            kwargs["content"] = self.content
        if self.data is not None:
            kwargs["data"] = self.data
        if self.streamed_bytes:
            kwargs["content"] = chunks(self.streamed_bytes)
        return await api.client.request(self.method, path, **kwargs)


async def chunks(total: int, size: int = 16 * 1024) -> AsyncIterator[bytes]:
    sent = 0
    while sent < total:
        piece = min(size, total - sent)
        sent += piece
        yield b" " * piece


def create(body: Any, *expected: int, location: str | None = None) -> BadRequest:
    return BadRequest("POST", "/organisations", expected or (422,), json=body, location=location)


def patch(body: Any, *expected: int, location: str | None = None) -> BadRequest:
    return BadRequest(
        "PATCH", "/organisations/{org}", expected or (422,), json=body, location=location
    )


def raw(
    method: str, path: str, content: bytes, *expected: int, ctype: str = "application/json"
) -> BadRequest:
    return BadRequest(method, path, expected, content=content, content_type=ctype)


def case(request: BadRequest, name: str) -> Any:
    return pytest.param(request, id=name)


JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
INVITE = "/organisations/{org}/members"

MALFORMED_BODIES = [
    case(raw("POST", "/organisations", b'{"name": "Treff",', 400), "create-truncated-json"),
    case(raw("PATCH", "/organisations/{org}", b"not json at all", 400), "patch-not-json"),
    case(raw("POST", "/auth/password", b"{'token': 'x'}", 400), "password-single-quotes"),
    case(
        raw("POST", INVITE, b'{"email": "a@example.org" "name": "A"}', 400), "invite-missing-comma"
    ),
    case(raw("POST", "/organisations", b"[" * 50_000 + b"]" * 50_000, 400, 422), "deeply-nested"),
    case(
        raw(
            "POST", "/organisations", b'{"name": 1' + b"0" * 5000 + b', "kind": "other"}', 400, 422
        ),
        "number-with-5000-digits",
    ),
    case(
        raw("POST", "/organisations", b'{"name": "Caf\\ud800", "kind": "other"}', 422),
        "lone-surrogate-in-name",
    ),
    case(
        raw(
            "POST", "/organisations", b'{"name": "Treff", "kind": "other", "description": NaN}', 422
        ),
        "nan-as-description",
    ),
    case(raw("POST", "/organisations", b"", 422), "empty-body"),
    case(create(None), "null-body"),
    case(create([VALID]), "array-body"),
    case(create("Treff am See"), "string-body"),
]

WRONG_TYPES = [
    case(create({"name": 42, "kind": "other"}, location="body.name"), "name-is-a-number"),
    case(
        create({"name": {"de": "Treff"}, "kind": "other"}, location="body.name"),
        "name-is-an-object",
    ),
    case(create({"name": "Treff", "kind": ["other"]}, location="body.kind"), "kind-is-a-list"),
    case(create({**VALID, "languages": "de"}, location="body.languages"), "languages-is-a-string"),
    case(
        create({**VALID, "fields": {"work": True}}, location="body.fields"), "fields-is-an-object"
    ),
    case(create({**VALID, "district": True}, location="body.district"), "district-is-a-boolean"),
    case(create({**VALID, "website": 80}, location="body.website"), "website-is-a-number"),
    case(create({"name": "Treff"}, location="body.kind"), "kind-missing"),
    case(create({"kind": "other"}, location="body.name"), "name-missing"),
    case(patch({"description": ["a", "b"]}, location="body.description"), "patch-description-list"),
    case(
        BadRequest(
            "POST", "/auth/password", (422,), json={"token": 1234567890123, "password": "x"}
        ),
        "password-token-is-a-number",
    ),
]

UNKNOWN_FIELDS = [
    case(create({**VALID, "founded": 1999}, location="body.founded"), "create-unknown-field"),
    case(create({**VALID, "status": "archived"}, location="body.status"), "create-with-status"),
    case(create({**VALID, "id": new_id()}, location="body.id"), "create-with-id"),
    case(patch({"revision": 7}, location="body.revision"), "patch-revision"),
    case(patch({"status": "archived"}, location="body.status"), "patch-status"),
    case(
        BadRequest(
            "POST", INVITE, (422,), json={"email": "a@example.org", "name": "A", "role": "admin"}
        ),
        "invite-with-role",
    ),
    case(
        BadRequest(
            "POST",
            "/auth/password",
            (422,),
            json={"token": "x" * 43, "password": "Sonnenblume-im-Mai", "email": "a@example.org"},
        ),
        "password-set-with-email",
    ),
    case(
        BadRequest(
            "POST", "/auth/password-reset", (422,), json={"email": "a@example.org", "admin": True}
        ),
        "reset-with-extra",
    ),
]

TOO_LONG = [
    case(create({**VALID, "name": "N" * 201}, location="body.name"), "name-201-characters"),
    case(create({**VALID, "name": "   x   "}, location="body.name"), "name-one-character-padded"),
    case(create({**VALID, "description": "d" * 5001}), "description-5001-characters"),
    case(create({**VALID, "district": "D" * 101}), "district-101-characters"),
    case(create({**VALID, "address": "A" * 301}), "address-301-characters"),
    case(create({**VALID, "communities": ["C" * 101]}), "community-101-characters"),
    case(create({**VALID, "communities": [f"c{i}" for i in range(31)]}), "31-communities"),
    case(create({**VALID, "languages": ["de"] * 31}), "31-languages"),
    case(patch({"name": "N" * 201}), "patch-name-201-characters"),
    case(patch({"description": "d" * 5001}), "patch-description-5001-characters"),
    case(
        BadRequest(
            "POST", "/auth/password", (422,), json={"token": "t" * 201, "password": "p" * 12}
        ),
        "password-token-201-characters",
    ),
    case(
        BadRequest(
            "POST", "/auth/password", (422,), json={"token": "t" * 43, "password": "p" * 1001}
        ),
        "password-1001-characters",
    ),
    case(
        BadRequest("POST", INVITE, (422,), json={"email": "a@example.org", "name": "N" * 201}),
        "invitee-name-201-characters",
    ),
]

INVALID_VALUES = [
    case(create({**VALID, "kind": "party"}, location="body.kind"), "kind-unknown"),
    case(create({**VALID, "kind": "Association"}, location="body.kind"), "kind-capitalised"),
    case(create({**VALID, "fields": ["politics"]}), "field-unknown"),
    case(patch({"kind": "club"}), "patch-kind-unknown"),
    case(create({**VALID, "languages": ["deutsch!"]}), "language-tag-with-punctuation"),
    case(create({**VALID, "languages": ["d"]}), "language-tag-one-letter"),
    case(create({**VALID, "languages": ["de_DE"]}), "language-tag-underscore"),
    case(create({**VALID, "languages": [""]}), "language-tag-empty"),
    case(create({**VALID, "preferred_language": "12"}), "preferred-language-digits"),
    case(patch({"languages": ["x" * 40]}), "patch-language-tag-too-long"),
    case(create({**VALID, "email": "not-an-address"}, location="body.email"), "email-no-at"),
    case(create({**VALID, "email": "jana@"}), "email-no-domain"),
    case(create({**VALID, "email": "@example.org"}), "email-no-local-part"),
    case(create({**VALID, "email": "jana@example..org"}), "email-double-dot"),
    case(patch({"email": "jana at example.org"}), "patch-email-malformed"),
    case(
        BadRequest("POST", INVITE, (422,), json={"email": "jana@", "name": "Jana"}),
        "invite-email-malformed",
    ),
    case(
        BadRequest("POST", "/auth/password-reset", (422,), json={"email": "nobody"}),
        "reset-email-malformed",
    ),
    case(create({**VALID, "website": "javascript:alert(1)"}), "website-javascript"),
    case(create({**VALID, "website": "not a url"}), "website-not-a-url"),
    case(create({**VALID, "phone": "call me maybe"}), "phone-words"),
    case(patch({"name": None}, 409, 422), "patch-clears-the-name"),
    case(patch({"kind": None}, 409, 422), "patch-clears-the-kind"),
    case(patch({"languages": None}, 409, 422), "patch-clears-the-languages"),
    case(
        BadRequest(
            "POST", "/auth/password", (400,), json={"token": "x" * 43, "password": "p" * 12}
        ),
        "password-with-an-unknown-token",
    ),
    case(
        BadRequest("POST", "/auth/password", (422,), json={"token": "short", "password": "p" * 12}),
        "password-token-too-short",
    ),
]

OVERSIZE = [
    case(raw("POST", "/organisations", b" " * (MAX_BODY + 1), 413), "create-with-content-length"),
    case(
        raw("PATCH", "/organisations/{org}", b" " * (MAX_BODY * 4), 413),
        "patch-with-content-length",
    ),
    case(
        raw("POST", "/auth/token", b"a" * (MAX_BODY + 1), 413, ctype=FORM),
        "log-in-with-content-length",
    ),
    case(
        BadRequest(
            "POST", "/organisations", (413,), content_type=JSON, streamed_bytes=MAX_BODY + 1
        ),
        "create-streamed",
    ),
    case(
        BadRequest(
            "PATCH", "/organisations/{org}", (413,), content_type=JSON, streamed_bytes=MAX_BODY * 4
        ),
        "patch-streamed",
    ),
    case(
        BadRequest(
            "POST", "/auth/token", (413,), content_type=FORM, streamed_bytes=MAX_BODY + 1, auth=None
        ),
        "log-in-streamed",
    ),
]

BAD_PATHS = [
    case(BadRequest("GET", "/organisations/not-an-id", (404, 422)), "get-word"),
    case(
        BadRequest("GET", "/organisations/01A20175-6DAD-718F-A12C-C0B9A10EB02C", (404, 422)),
        "get-upper-case-id",
    ),
    case(BadRequest("GET", "/organisations/" + "-" * 36, (404, 422)), "get-36-dashes"),
    case(BadRequest("GET", "/organisations/%00", (404, 422)), "get-nul"),
    case(BadRequest("GET", "/organisations/" + "a" * 5000, (404, 414, 422)), "get-5000-characters"),
    case(
        BadRequest("PATCH", "/organisations/1%20OR%201=1", (404, 422), json={"name": "X Y"}),
        "patch-sql-ish",
    ),
    case(BadRequest("DELETE", "/organisations/{org}x", (404, 422)), "delete-id-with-suffix"),
    case(BadRequest("GET", "/organisations/$where/members", (404, 422)), "members-operator-name"),
    case(
        BadRequest("DELETE", "/organisations/{org}/members/nobody", (404, 422)),
        "remove-malformed-person",
    ),
    case(BadRequest("GET", "/organisations/{unknown}", (404,)), "get-unknown"),
    case(
        BadRequest("PATCH", "/organisations/{unknown}", (404,), json={"name": "X Y"}),
        "patch-unknown",
    ),
    case(BadRequest("DELETE", "/organisations/{unknown}", (404,)), "delete-unknown"),
    case(
        BadRequest(
            "POST",
            "/organisations/{unknown}/members",
            (404,),
            json={"email": "a@example.org", "name": "A B"},
        ),
        "invite-to-unknown",
    ),
    case(BadRequest("GET", "/organisations/{unknown}/members", (404,)), "members-of-unknown"),
    case(
        BadRequest("DELETE", "/organisations/{org}/members/{unknown}", (404,)),
        "remove-unknown-person",
    ),
    case(BadRequest("GET", "/nowhere", (404,)), "unknown-route"),
    case(BadRequest("PUT", "/organisations/{org}", (405,), json=VALID), "put-not-allowed"),
]

BAD_QUERIES = [
    case(BadRequest("GET", "/organisations", (422,), params={"limit": "0"}), "limit-0"),
    case(BadRequest("GET", "/organisations", (422,), params={"limit": "101"}), "limit-101"),
    case(BadRequest("GET", "/organisations", (422,), params={"limit": "many"}), "limit-word"),
    case(BadRequest("GET", "/organisations", (422,), params={"offset": "-1"}), "offset-negative"),
    case(BadRequest("GET", "/organisations", (422,), params={"offset": "1e9"}), "offset-huge"),
    case(BadRequest("GET", "/organisations", (422,), params={"kind": "party"}), "kind-unknown"),
    case(
        BadRequest("GET", "/organisations", (422,), params={"language": "123!"}), "language-invalid"
    ),
    case(
        BadRequest("GET", "/organisations", (422,), params={"field": "politics"}), "field-unknown"
    ),
    case(
        BadRequest("GET", "/organisations", (422,), params={"status": "deleted"}), "status-unknown"
    ),
    case(BadRequest("GET", "/organisations", (422,), params={"q": "q" * 201}), "q-201-characters"),
    case(
        BadRequest("GET", "/organisations", (422,), params={"district": "d" * 101}), "district-101"
    ),
]

BAD_CREDENTIALS = [
    case(BadRequest("POST", "/organisations", (401,), json=VALID, auth=kind), f"token-{kind}")
    for kind in (
        "garbage",
        "garbage-in-three-parts",
        "basic-credentials",
        "forged-with-the-same-kid",
        "unknown-kid",
        "expired",
        "alg-none",
        "hs256-keyed-with-the-public-key",
        "wrong-audience",
        "wrong-issuer",
        "without-expiry",
        "not-yet-valid",
        "unknown-role",
        "malformed-organisations",
    )
] + [
    case(BadRequest("POST", "/organisations", (401,), json=VALID, auth=None), "no-token-create"),
    case(
        BadRequest("PATCH", "/organisations/{org}", (401,), json={"name": "X Y"}, auth=None),
        "no-token-patch",
    ),
    case(BadRequest("DELETE", "/organisations/{org}", (401,), auth=None), "no-token-archive"),
    case(BadRequest("GET", "/organisations/{org}/members", (401,), auth=None), "no-token-members"),
    case(BadRequest("GET", "/me", (401,), auth=None), "no-token-me"),
]

BAD_FORMS = [
    case(
        BadRequest("POST", "/auth/token", (422,), data={"username": ADMIN_EMAIL}, auth=None),
        "log-in-without-password",
    ),
    case(
        BadRequest("POST", "/auth/token", (422,), data={"password": "x"}, auth=None),
        "log-in-without-username",
    ),
    case(
        BadRequest(
            "POST",
            "/auth/token",
            (422,),
            json={"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
            auth=None,
        ),
        "log-in-as-json",
    ),
    case(
        BadRequest(
            "POST", "/auth/token", (422,), data={"username": "u" * 321, "password": "x"}, auth=None
        ),
        "log-in-username-321-characters",
    ),
    case(
        BadRequest(
            "POST",
            "/auth/token",
            (422,),
            data={"username": ADMIN_EMAIL, "password": "p" * 1001},
            auth=None,
        ),
        "log-in-password-1001-characters",
    ),
    case(BadRequest("POST", "/organisations", (422,), data=VALID), "create-as-form"),
    case(
        raw("POST", "/organisations", json.dumps(VALID).encode(), 422, ctype="text/plain"),
        "create-as-text",
    ),
    case(
        BadRequest("POST", "/organisations", (422,), content=json.dumps(VALID).encode()),
        "create-without-content-type",
    ),
    case(
        BadRequest(
            "POST",
            "/auth/password",
            (422,),
            data={"token": "x" * 43, "password": "p" * 12},
            auth=None,
        ),
        "password-as-form",
    ),
]


@pytest.mark.parametrize(
    "request_",
    MALFORMED_BODIES
    + WRONG_TYPES
    + UNKNOWN_FIELDS
    + TOO_LONG
    + INVALID_VALUES
    + OVERSIZE
    + BAD_PATHS
    + BAD_QUERIES
    + BAD_CREDENTIALS
    + BAD_FORMS,
)
async def test_bad_input_is_refused_with_a_problem_document_that_says_why(
    api: Api, request_: BadRequest
) -> None:
    response = await request_.send(api)

    assert response.status_code in request_.expected, response.text
    body = assert_problem(response)
    if response.status_code == 422:
        assert body["errors"], body
        assert all(e["location"] and e["message"] for e in body["errors"]), body
    if request_.location is not None:
        assert request_.location in [e["location"] for e in body["errors"]], body
    if response.status_code == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_an_expired_token_is_refused_with_a_hint_to_log_in_again(api: Api) -> None:
    response = await api.client.get("/me", headers={"Authorization": api.authorizations["expired"]})

    assert "expired" in assert_problem(response)["detail"]


@pytest.mark.parametrize("kind", ["admin", "signed-here-with-the-real-key"])
async def test_a_genuine_token_is_accepted_where_the_fakes_were_not(api: Api, kind: str) -> None:
    response = await api.client.get("/me", headers={"Authorization": api.authorizations[kind]})

    assert response.status_code == 200, response.text
    assert response.json()["role"] == "admin"


async def test_a_refused_patch_leaves_the_organisation_as_it_was(api: Api) -> None:
    path = f"/organisations/{api.organisation_id}"
    before = (await api.client.get(path)).json()
    admin = {"Authorization": api.authorizations["admin"]}

    refused = await api.client.patch(
        path, json={"description": "Neu", "kind": "party"}, headers=admin
    )

    assert_problem(refused)
    assert (await api.client.get(path)).json() == before


# --- random bodies ------------------------------------------------------------------------

#: The keys a new organisation's body may hold.
ORGANISATION_KEYS = list(OrganisationCreate.model_fields)
#: Any character, lone surrogates included (the body is sent as ASCII JSON with \u escapes).
any_text = st.text(st.characters(exclude_categories=()), max_size=40)
plausible_text = st.sampled_from(
    [
        "Treff",
        "Café Ölçü",
        "de",
        "uk",
        "es-419",
        "work",
        "association",
        "https://example.org",
        "jana@example.org",
        "+49 231 1234",
        "",
        " ",
        "x" * 300,
        "null",
        "\u0000",
    ]
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | any_text
    | plausible_text
    | st.sampled_from([k.value for k in OrganisationKind] + [f.value for f in FieldOfAction])
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(any_text, children, max_size=4)
    ),
    max_leaves=12,
)
keys = st.sampled_from(ORGANISATION_KEYS) | any_text
random_objects = st.dictionaries(keys, json_values, max_size=8)

readable_text = st.text(max_size=60)
language_tags = st.sampled_from(["de", "uk", "AR", "es-419", "zh-Hant-TW", "tr", "x", "de_DE"])
#: Per field, values that are mostly valid and sometimes subtly wrong.
field_values: dict[str, st.SearchStrategy[Any]] = {
    "name": st.text(min_size=1, max_size=80) | any_text,
    "kind": st.sampled_from([k.value for k in OrganisationKind] + ["party"]),
    "description": readable_text | any_text,
    "languages": st.lists(language_tags, max_size=5),
    "communities": st.lists(readable_text, max_size=5),
    "fields": st.lists(st.sampled_from([f.value for f in FieldOfAction] + ["x"]), max_size=5),
    "district": readable_text,
    "address": readable_text,
    "website": st.sampled_from(["https://example.org/a?b=c", "http://xn--caf-dma.de", "ftp://x"]),
    "email": st.sampled_from(["info@example.org", "Info@Example.ORG", "a@b", "@"]),
    "phone": st.sampled_from(["+49 231 1234-56", "(0231) 12 34", "12", "☎"]),
    "preferred_language": language_tags,
}
#: Bodies close enough to valid that many get past validation and into storage.
nearly_valid = st.fixed_dictionaries(
    {"name": field_values["name"], "kind": field_values["kind"]},
    optional={k: v for k, v in field_values.items() if k not in ("name", "kind")},
)
create_bodies = nearly_valid | random_objects | json_values
patch_bodies = st.fixed_dictionaries({}, optional=field_values) | random_objects | json_values


#: How many random bodies a property sends (a fixture serves them all).
RANDOM_BODIES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def as_json(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=True).encode()


async def sent_as_staff(api: Api, method: str, path: str, body: Any) -> httpx.Response:
    """The directory's answer to office staff sending `body` as JSON; never a server error
    (the status is noted for the statistics of the property)."""
    admin = {"Authorization": api.authorizations["admin"], "Content-Type": JSON}
    response = await api.client.request(method, path, content=as_json(body), headers=admin)
    assert response.status_code < 500, response.text
    event(f"status {response.status_code}")
    return response


@RANDOM_BODIES
@given(body=create_bodies)
async def test_random_json_posted_as_a_new_organisation_never_breaks_the_directory(
    api: Api, body: Any
) -> None:
    response = await sent_as_staff(api, "POST", "/organisations", body)

    if response.status_code == 201:
        shown = await api.client.get(f"/organisations/{response.json()['id']}")
        assert shown.status_code == 200, shown.text
    else:
        assert_problem(response)


@RANDOM_BODIES
@given(body=patch_bodies)
async def test_random_json_patched_onto_an_organisation_never_breaks_the_directory(
    api: Api, body: Any
) -> None:
    path = f"/organisations/{api.organisation_id}"

    response = await sent_as_staff(api, "PATCH", path, body)

    if response.status_code == 200:
        shown = await api.client.get(path)
        assert shown.json() == response.json()
    else:
        assert_problem(response)
