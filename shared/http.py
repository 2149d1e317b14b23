"""HTTP plumbing for every service: RFC 9457 problem details, body limits, request ids,
metrics, and the /healthz, /readyz and /metrics endpoints.

No `from __future__ import annotations` here: `paging` builds its query parameters' bounds
per route, and FastAPI reads them from the annotations of a nested function."""

import contextvars
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.context import correlation_id_var
from shared.errors import (
    ApplicationError,
    ConflictError,
    ForbiddenError,
    GoneError,
    MalformedError,
    NotFoundError,
    RateLimitedError,
    RejectedError,
    TooLargeError,
    UnauthenticatedError,
    UnavailableError,
    UnsupportedTypeError,
)
from shared.ids import new_id
from shared.metrics import HTTP_DURATION, HTTP_REQUESTS
from shared.mongo import DATABASE_UNAVAILABLE
from shared.pages import Paging

log = logging.getLogger("integrationsnetz.http")

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://integrationsnetz.de/problems/"
#: What a 503 tells clients to wait before trying again (seconds).
RETRY_AFTER_SECONDS = 5

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)

_TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "ForbiddenError",
    404: "Not found",
    405: "Method not allowed",
    409: "ConflictError",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}
_SLUGS = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-error",
    429: "rate-limited",
    500: "internal-error",
    503: "unavailable",
}


#: The status code of each kind of application error, at the one place that knows HTTP.
APPLICATION_STATUS: dict[type[ApplicationError], int] = {
    MalformedError: 400,
    UnauthenticatedError: 401,
    ForbiddenError: 403,
    NotFoundError: 404,
    ConflictError: 409,
    GoneError: 410,
    TooLargeError: 413,
    UnsupportedTypeError: 415,
    RejectedError: 422,
    RateLimitedError: 429,
    UnavailableError: 503,
}


class ProblemError(ApplicationError):
    """Raise at the HTTP edge to answer with a problem-details document of this status."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        slug: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(
            detail,
            title=title or _TITLES.get(status, "Error"),
            slug=slug or _SLUGS.get(status, "error"),
            **options,
        )
        self.status = status


def status_of(exc: ApplicationError) -> int:
    """The HTTP status an application error answers with."""
    if isinstance(exc, ProblemError):
        return exc.status
    return next((code for kind, code in APPLICATION_STATUS.items() if isinstance(exc, kind)), 400)


def problem_response(
    request: Request | None,
    status: int,
    detail: str,
    *,
    title: str | None = None,
    slug: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + (slug or _SLUGS.get(status, "error")),
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.url.path
    rid = request_id_var.get()
    if rid:
        body["request_id"] = rid
    body.update(extensions)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _validation_errors(exc: RequestValidationError) -> tuple[int, str, list[dict[str, Any]]]:
    errors = []
    malformed_json = False
    for error in exc.errors():
        if error.get("type") == "json_invalid":
            malformed_json = True
        loc = [str(part) for part in error.get("loc", ())]
        errors.append(
            {
                "location": ".".join(loc),
                "message": str(error.get("msg", "")),
                "type": str(error.get("type", "")),
            }
        )
    if malformed_json:
        return 400, "The request body is not valid JSON.", errors
    return 422, "The request did not pass validation; see `errors`.", errors


def install_problem_handlers(app: FastAPI) -> None:
    """Every error leaves as application/problem+json."""

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "")
        return problem_response(
            request,
            exc.status_code,
            detail or _TITLES.get(exc.status_code, "Error"),
            headers=getattr(exc, "headers", None),
        )

    async def on_application_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApplicationError)
        return problem_response(
            request,
            status_of(exc),
            exc.detail,
            title=exc.title,
            slug=exc.slug,
            headers=exc.headers,
            **exc.extensions,
        )

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        status, detail, errors = _validation_errors(exc)
        return problem_response(request, status, detail, errors=errors)

    async def on_database_unavailable(request: Request, exc: Exception) -> Response:
        # an outage of a dependency, not a bug: no traceback, and the client may retry
        log.warning(
            "database unavailable on %s %s: %s: %s",
            request.method,
            request.url.path,
            type(exc).__name__,
            str(exc)[:300],
        )
        return problem_response(
            request,
            503,
            "The service is temporarily unavailable (its database cannot be reached); "
            "please try again shortly.",
            title="Service temporarily unavailable",
            slug="unavailable",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    async def on_overflow(request: Request, exc: Exception) -> Response:
        # a date or number at the edge of what Python can represent came in: the input's fault
        log.warning("value out of range on %s %s: %s", request.method, request.url.path, exc)
        return problem_response(
            request,
            422,
            "A date or number in the request is out of the range this service handles.",
            slug="out-of-range",
        )

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(request, 500, "Something went wrong on our side.")

    app.add_exception_handler(ApplicationError, on_application_error)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    for unavailable in DATABASE_UNAVAILABLE:
        app.add_exception_handler(unavailable, on_database_unavailable)
    app.add_exception_handler(OverflowError, on_overflow)
    app.add_exception_handler(Exception, on_unexpected)


class BodyLimitMiddleware:
    """Refuses bodies over `max_bytes` with 413, whether announced or streamed.

    The body is read up front (it is small by definition) and replayed to the app: an error
    raised while the app reads would be wrapped and turned into a 400 further in.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        larger: Mapping[str, int] | None = None,
        refusal: Callable[[Request], Response] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = [(_path_pattern(path), most) for path, most in (larger or {}).items()]
        self.refusal = refusal

    def limit_of(self, path: str) -> int:
        """The largest body the path takes: its own limit, else the general one."""
        for pattern, most in self.larger:
            if pattern.fullmatch(path):
                return most
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.limit_of(scope.get("path", ""))
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay([], message, receive), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(chunks, None, receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.refusal is not None:
            response = self.refusal(Request(scope))
        else:
            response = problem_response(
                None, 413, f"The request body is larger than {self.max_bytes} bytes."
            )
        await response(scope, receive, send)


def _path_pattern(path: str) -> re.Pattern[str]:
    """A route's path as a pattern: each `{parameter}` stands for one path segment."""
    parts = re.split(r"(\{[^/{}]+\})", path)
    return re.compile(
        "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)
    )


def _replay(chunks: list[bytes], pending: Message | None, receive: Receive) -> Receive:
    """A `receive` that hands out the buffered body once, then defers to the real one."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            if pending is not None:
                return pending
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        return await receive()

    return replay


_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")


class RequestContextMiddleware:
    """Request id (X-Request-ID, echoed back) and HTTP metrics per route template; a plain ASGI
    middleware (no response buffering, no extra task per request)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get("x-request-id", "")
        rid = incoming if _SAFE_REQUEST_ID.match(incoming) else new_id()
        token = request_id_var.set(rid)
        correlation = correlation_id_var.set(rid)
        started = time.perf_counter()
        status = 500  # what the client gets when the app fails before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = rid
                if status == 503 and "retry-after" not in headers:
                    headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            correlation_id_var.reset(correlation)
            request_id_var.reset(token)
            template = getattr(scope.get("route"), "path", "unmatched")
            HTTP_REQUESTS.labels(scope["method"], template, str(status)).inc()
            HTTP_DURATION.labels(scope["method"], template).observe(time.perf_counter() - started)


def install_request_context(app: FastAPI) -> None:
    """Request id (X-Request-ID, echoed back) and HTTP metrics per route template."""
    app.add_middleware(RequestContextMiddleware)


def state_dependency(name: str) -> Any:
    """A route's dependency on what the app keeps in `app.state.<name>` (a use case):

    DirectoryService = Annotated[Directory, state_dependency("directory")]
    """

    def from_state(request: Request) -> Any:
        return getattr(request.app.state, name)

    return Depends(from_state)


#: How far into a list a request may page.
MAX_OFFSET = 100_000


def paging(*, default: int, most: int) -> Any:
    """A list route's dependency on its `limit` (1 to `most`, else `default`) and `offset`
    query parameters:

    AskedPage = Annotated[Paging, paging(default=20, most=100)]
    """

    def asked_page(
        limit: Annotated[int, Query(ge=1, le=most)] = default,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> Paging:
        return Paging(limit=limit, offset=offset)

    return Depends(asked_page)


Readiness = Callable[[], Awaitable[dict[str, bool]]]


def install_health_routes(app: FastAPI, readiness: Readiness) -> None:
    @app.get("/healthz", tags=["operations"], summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], summary="Broker and database are reachable")
    async def readyz() -> JSONResponse:
        checks = await readiness()
        ready = all(checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics")
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def create_api(
    *,
    title: str,
    description: str,
    version: str,
    max_body_bytes: int,
    larger_bodies: Mapping[str, int] | None = None,
    too_large: Callable[[Request], Response] | None = None,
) -> FastAPI:
    """A FastAPI app with problem details, request ids, metrics and the body limit installed.
    `larger_bodies` lets a path (an upload) take more; `too_large` answers a refused body
    (default: problem details)."""
    app = FastAPI(title=title, description=description, version=version)
    install_problem_handlers(app)
    install_request_context(app)
    app.add_middleware(
        BodyLimitMiddleware, max_bytes=max_body_bytes, larger=larger_bodies, refusal=too_large
    )
    return app
