"""What every client of a service shares: the view-model base, the typed `Problem` a service's
4xx becomes, and the calls over the portal's HTTP transport (`backends.py`).

A client method returns a view model on 2xx and raises `Problem` on 4xx; a service that is down
(or answers 5xx, or answers something no view model can read) raises `BackendUnavailableError`,
which the app turns into the German 503 page unless a form catches it to keep what was typed.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from services.portal.backends import BackendAnswer, Backends, BackendUnavailableError

T = TypeVar("T")

#: The generic slug of each status (as `shared.http` names them), for a problem without `type`.
GENERIC_SLUGS = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    409: "conflict",
    410: "gone",
    422: "validation-error",
    429: "rate-limited",
}


class View(BaseModel):
    """A service's answer as far as the portal uses it: a field a service adds is ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Published(View):
    """Something an organisation puts before the network (an event, an offer, a request), as
    far as every one of them is shown: whose it is, what it is called, where, and its state."""

    id: str = ""
    organisation_id: str = ""
    title: str = ""
    description: str = ""
    district: str | None = None
    status: str = ""


class Page(View, Generic[T]):
    """One page of a service's list."""

    items: list[T] = Field(default_factory=list)
    total: int = 0
    next_offset: int | None = None


class Download(View):
    """A file a service hands out: its bytes, its media type and its `Content-Disposition`
    as the service wrote them (the portal decides what it passes on)."""

    content: bytes
    media_type: str = "application/octet-stream"
    disposition: str = ""


class FieldError(View):
    """One entry of a validation problem's `errors`, as `shared.http` writes it."""

    location: str = ""
    message: str = ""
    type: str = ""

    @property
    def path(self) -> list[str]:
        """The location without its leading "body": "body.venue.name" → ["venue", "name"]."""
        parts = [part for part in self.location.split(".") if part]
        return parts[1:] if parts[:1] == ["body"] else []


class Clash(View):
    """An event that has the room, in a calendar `room-clash` problem."""

    event_id: str = ""
    title: str = ""
    overlap_starts_at: str = ""
    overlap_ends_at: str = ""


class _ProblemBody(View):
    type: str = ""
    fields: list[str] = Field(default_factory=list)
    errors: list[FieldError] = Field(default_factory=list)
    clashes: list[Clash] = Field(default_factory=list)


class Problem(Exception):  # noqa: N818 - a service's problem document, not a portal error
    """A service's 4xx (RFC 9457 problem details), reduced to what decisions are taken on:
    the status, the slug (last part of `type`), the `fields` a rule names, the validation
    `errors`. Its English `detail` is deliberately not kept: no page shows it."""

    def __init__(
        self,
        status: int,
        slug: str = "",
        *,
        fields: list[str] | None = None,
        errors: list[FieldError] | None = None,
        clashes: list[Clash] | None = None,
    ) -> None:
        self.status = status
        self.slug = slug or GENERIC_SLUGS.get(status, "error")
        self.fields = list(fields or [])
        self.errors = list(errors or [])
        self.clashes = list(clashes or [])
        super().__init__(f"{status} {self.slug}")

    @classmethod
    def of(cls, status: int, body: Any) -> Problem:
        """The problem a service answered; a body that is no problem document gives the
        generic slug of the status."""
        try:
            parsed = _ProblemBody.model_validate(body if isinstance(body, dict) else {})
        except ValidationError:
            parsed = _ProblemBody()
        slug = parsed.type.rstrip("/").rsplit("/", 1)[-1] if parsed.type else ""
        return cls(status, slug, fields=parsed.fields, errors=parsed.errors, clashes=parsed.clashes)

    @property
    def generic(self) -> str:
        """The slug every problem of this status shares ("forbidden", "not-found", …)."""
        return GENERIC_SLUGS.get(self.status, "error")


class SignedOutError(Exception):
    """The session is missing or no longer valid (expired, or the person is gone); the app
    sends the browser to the log-in page."""


class ServiceClient:
    """The calls of one service. Subclasses name what each call does."""

    service: ClassVar[str]

    def __init__(self, backends: Backends) -> None:
        self._backends = backends

    async def _answer(self, method: str, path: str, **kwargs: Any) -> BackendAnswer:
        """A 2xx answer; raises `Problem` for a 4xx, and `SignedOutError` when the service does
        not accept the session's token (401)."""
        answer = await self._backends.call(self.service, method, path, **kwargs)
        if answer.status == 401 and kwargs.get("token"):
            raise SignedOutError
        if not answer.ok:
            raise Problem.of(answer.status, answer.body)
        return answer

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """The JSON (or text) body of a 2xx (see `_answer`)."""
        return (await self._answer(method, path, **kwargs)).body

    async def _download(self, path: str, **kwargs: Any) -> Download:
        """The file at `path` (GET) with its type and disposition (see `_answer`)."""
        answer = await self._answer("GET", path, raw=True, **kwargs)
        headers = {name.lower(): value for name, value in answer.headers.items()}
        return Download(
            content=answer.body,
            media_type=headers.get("content-type", "application/octet-stream"),
            disposition=headers.get("content-disposition", ""),
        )

    async def _read(self, shape: type[T], method: str, path: str, **kwargs: Any) -> T:
        """The 2xx body read as `shape`; a body that does not fit counts as a broken service."""
        body = await self._call(method, path, **kwargs)
        try:
            return TypeAdapter(shape).validate_python(body)
        except ValidationError as exc:
            raise BackendUnavailableError(self.service) from exc

    async def _page(self, item: type[T], path: str, **kwargs: Any) -> Page[T]:
        """One page of the service's list at `path` (GET), its items read as `item`."""
        return await self._read(Page[item], "GET", path, **kwargs)  # type: ignore[valid-type]


async def optional(call: Awaitable[T]) -> T | None:
    """What a call gives, or None when the service refuses (the session included) or is down:
    for the parts of a page that say "not reachable" on their own."""
    try:
        return await call
    except (Problem, SignedOutError, BackendUnavailableError):
        return None


async def unless_refused(call: Awaitable[T]) -> T | None:
    """What a call gives, or None when the service refuses (the session included); a service
    that is down leaves `BackendUnavailableError` to the app's 503 page (for what a page is
    about)."""
    try:
        return await call
    except (Problem, SignedOutError):
        return None
