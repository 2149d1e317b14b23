"""Which language each answer is in, and the switcher on every page (`POST /sprache`).

`LanguageMiddleware` negotiates the language of a request before any route or error page runs
(`i18n.negotiate`) and keeps it for the templates and labels. The switcher is a small form, no
script: it remembers the choice in the `lang` cookie (and, for someone signed in, in their
profile in the directory) and sends the browser back to the page it came from — only ever a
path of the portal itself, never another site. At log-in, the language saved in the profile
becomes the cookie unless the visitor already chose one (`remember_saved_language`).
"""

from __future__ import annotations

import contextlib
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from services.portal import i18n
from services.portal.backends import BackendUnavailableError
from services.portal.clients.base import Problem, SignedOutError
from services.portal.clients.directory import DirectoryClient
from services.portal.web import SESSION_COOKIE

router = APIRouter()


class LanguageMiddleware:
    """Sets the request's language (cookie, then `Accept-Language`, then German)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope)
            locale = i18n.negotiate(
                chosen=request.cookies.get(i18n.LANGUAGE_COOKIE),
                accept_language=request.headers.get("accept-language"),
            )
            i18n.set_locale(locale)
            scope.setdefault("state", {})["locale"] = locale
        await self.app(scope, receive, send)


def same_site_path(target: str | None) -> str:
    """`target` when it is a path of the portal itself (with its query), else the home page:
    no scheme, no host, no `//host` or `/\\host` a browser would take for another site."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if any(ord(char) < 0x20 or char == "\\" for char in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def remember_language(request: Request, response: Response, locale: str) -> None:
    response.set_cookie(
        i18n.LANGUAGE_COOKIE,
        locale,
        max_age=i18n.LANGUAGE_COOKIE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.cookie_secure,
    )


async def remember_saved_language(
    request: Request, response: Response, directory: DirectoryClient, token: str
) -> None:
    """At log-in: the language saved in the person's profile, unless the visitor chose one
    here already. A directory that cannot say leaves the language as it is."""
    if i18n.supported(request.cookies.get(i18n.LANGUAGE_COOKIE)) is not None:
        return
    try:
        saved = i18n.supported((await directory.me(token)).language)
    except (Problem, BackendUnavailableError, SignedOutError):
        return
    if saved is not None:
        remember_language(request, response, saved)


@router.post("/sprache")
async def choose_language(
    request: Request,
    lang: Annotated[str, Form(max_length=20)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> RedirectResponse:
    """Remembers the chosen language and goes back to the same page, in that language."""
    response = RedirectResponse(same_site_path(next), status_code=303)
    locale = i18n.supported(lang)
    if locale is None:
        return response
    remember_language(request, response, locale)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        directory: DirectoryClient = request.app.state.clients.directory
        # the cookie alone still switches when the directory cannot save it now
        with contextlib.suppress(Problem, BackendUnavailableError, SignedOutError):
            await directory.choose_language(locale, token)
    return response
