"""Application errors: what a use case says went wrong, in words and a stable slug, without
knowing about HTTP. The HTTP edge (`shared.http`) turns each kind into its status code once;
a consumer that runs the same use case treats them as a handler failure.

    raise ConflictError("The room is taken.", slug="room-clash")
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ApplicationError(Exception):
    """Base of every error a use case raises on purpose."""

    def __init__(
        self,
        detail: str,
        *,
        slug: str | None = None,
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.slug = slug
        self.title = title
        #: What the answer should carry besides the problem (e.g. how long to wait).
        self.headers = dict(headers or {})
        self.extensions = extensions


class MalformedError(ApplicationError):
    """The request cannot be read at all (a token that is no token, a broken form)."""


class UnauthenticatedError(ApplicationError):
    """Nobody is signed in, or the sign-in is no longer good."""


class ForbiddenError(ApplicationError):
    """The caller is known but may not do this."""


class NotFoundError(ApplicationError):
    """What was asked for does not exist (or is not for this caller to know of)."""


class ConflictError(ApplicationError):
    """It cannot be done in the state things are in (the room is taken, already closed)."""


class GoneError(ApplicationError):
    """It existed, but is over for good (an expired link)."""


class TooLargeError(ApplicationError):
    """What was sent is larger than taken (an uploaded document)."""


class UnsupportedTypeError(ApplicationError):
    """What was sent is of a kind that is not taken (a document neither PDF nor ODT)."""


class RejectedError(ApplicationError):
    """The input is well-formed but not acceptable (a rule of the domain says no)."""


class RateLimitedError(ApplicationError):
    """Too many attempts; `headers` say when to try again."""


class UnavailableError(ApplicationError):
    """Something this depends on is not reachable right now."""
