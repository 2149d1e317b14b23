"""What every page and form of the portal shares: rendering a template, the typed clients, who
is signed in (`SignedIn`), and the app-wide answers to a signed-out session, a refusal nobody
handled and a service that is down.

Same-origin forms are not a dependency here: `security.PortalSecurityMiddleware` refuses every
cross-site or origin-less POST (PUT, PATCH, DELETE) before any route runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.portal import i18n, labels, refusals
from services.portal.backends import BackendUnavailableError
from services.portal.clients import Clients
from services.portal.clients.base import Problem, SignedOutError
from services.portal.clients.calendar import CalendarClient
from services.portal.clients.concept import ConceptClient
from services.portal.clients.directory import DirectoryClient, Person
from services.portal.clients.exchange import ExchangeClient
from services.portal.clients.notifier import NotifierClient
from services.portal.i18n import N_, _
from shared.http import RETRY_AFTER_SECONDS
from shared.ids import ENTITY_ID_PATTERN

SESSION_COOKIE = "inx_session"
#: `?organisation=…`: the organisation a form or page is opened for (the links on /me).
ChosenOrganisation = Annotated[str | None, Query(max_length=100)]
#: An id in the path (an organisation, a listing, a match …): anything else is refused before
#: a backend is asked.
EntityPath = Annotated[str, Path(pattern=ENTITY_ID_PATTERN)]
Link = tuple[str, str]
#: Said in the request's language where it is shown (`message.html` translates link texts).
BACK_TO_ME: Link = ("/me", N_("Zurück zu Mein Bereich"))


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE)


@dataclass
class Session:
    """The signed-in session: its token, and the person (asked of the directory once, only
    when a page needs it)."""

    token: str
    directory: DirectoryClient = field(repr=False)
    _person: Person | None = field(default=None, repr=False)

    async def person(self) -> Person:
        """Raises SignedOutError when the directory no longer accepts the session."""
        if self._person is None:
            self._person = await self.directory.me(self.token)
        return self._person


@dataclass
class PortalRequest:
    """One request to the portal as its routes see it: the typed clients of the services, and
    rendering its answer in German."""

    request: Request
    engine: Jinja2Templates
    directory: DirectoryClient
    calendar: CalendarClient
    exchange: ExchangeClient
    notifier: NotifierClient
    concept: ConceptClient

    @property
    def token(self) -> str | None:
        """The session's token, if someone is signed in (`SignedIn` for pages that need it)."""
        return session_token(self.request)

    async def form(self) -> FormData:
        return await self.request.form()

    def page(self, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        return page(self.engine, self.request, name, status_code, **context)

    def message(
        self, status_code: int = 200, *, title: str, message: str, link: Link | None = None
    ) -> HTMLResponse:
        """A page that only says something: done, refused, unreachable."""
        return message_page(
            self.engine, self.request, status_code, title=title, message=message, link=link
        )

    def not_found(self, message: str, link: Link | None = None) -> HTMLResponse:
        """The 404 page: "Nicht gefunden", and what was not found (or may not be seen)."""
        return self.message(404, title=N_("Nicht gefunden"), message=message, link=link)

    def refused(
        self, problem: Problem, action: str, *, title: str, link: Link | None = None, **words: str
    ) -> HTMLResponse:
        """A service's refusal of `action` said in German (`refusals.refusal`), with the
        service's 4xx status."""
        message = refusals.refusal(action, problem, **words)
        status = problem.status if 400 <= problem.status < 500 else 502
        return self.message(status, title=title, message=message, link=link)


def portal_request(request: Request) -> PortalRequest:
    state = request.app.state
    clients: Clients = state.clients
    return PortalRequest(request, state.templates, **vars(clients))


Portal = Annotated[PortalRequest, Depends(portal_request)]


def signed_in(portal: Portal) -> Session:
    """The session; without one, `SignedOutError` sends the browser to the log-in page."""
    if portal.token is None:
        raise SignedOutError
    return Session(portal.token, portal.directory)


SignedIn = Annotated[Session, Depends(signed_in)]


def to_login() -> RedirectResponse:
    """Back to the log-in page, forgetting a session the directory no longer accepts."""
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def page(
    engine: Jinja2Templates, request: Request, name: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    context.setdefault("signed_in", session_token(request) is not None)
    return engine.TemplateResponse(request, name, context, status_code=status_code)


def message_page(
    engine: Jinja2Templates,
    request: Request,
    status_code: int = 200,
    *,
    title: str,
    message: str,
    link: Link | None = None,
) -> HTMLResponse:
    """A page that only says something: done, refused, unreachable. Texts still in German
    (constants marked with `N_`) are said in the request's language here."""
    if link is not None:
        link = (link[0], _(link[1]))
    return page(
        engine, request, "message.html", status_code, title=_(title), message=_(message), link=link
    )


def install_template_helpers(engine: Jinja2Templates) -> None:
    """gettext (`_`, `gettext`, `ngettext`, `{% trans %}`) in the request's language, Babel's
    dates and numbers, and the labels of the services' values."""
    env = engine.env
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext
    )
    env.filters["berlin"] = i18n.berlin_datetime
    env.filters["day"] = i18n.local_date
    env.filters["clock"] = i18n.berlin_clock
    env.globals["number"] = i18n.number
    env.globals["german_number"] = i18n.number  # the earlier name, in the request's language
    env.globals["current_locale"] = i18n.current_locale
    env.globals["text_direction"] = i18n.text_direction
    env.globals["languages"] = i18n.AUTONYMS
    env.globals["language_name"] = lambda tag: labels.PREFERRED_LANGUAGES.get(tag, tag)
    env.globals["category_label"] = lambda c: labels.CATEGORIES.get(c, c)
    env.globals["kind_label"] = lambda k: labels.ORGANISATION_KINDS.get(k, k)
    env.globals["field_label"] = lambda f: labels.FIELDS_OF_ACTION.get(f, f)
    env.globals["status_label"] = lambda s: labels.LISTING_STATUSES.get(s, s)
    env.globals["conflict_label"] = lambda k: labels.CONFLICT_KINDS.get(k, k)
    env.globals["role_label"] = lambda r: labels.ROLES.get(r, labels.ROLES["editor"])
    env.globals["measure_status"] = lambda s: labels.MEASURE_STATUSES.get(s, s)
    env.globals["measure_statuses"] = labels.MEASURE_STATUSES


def install_error_pages(app: FastAPI, engine: Jinja2Templates) -> None:
    """The answers no route gives itself: a signed-out session goes to the log-in page, a
    refusal no form handled gets a German page, a service that is down the 503 page."""

    def say(request: Request, status: int, title: str, message: str, **kw: Any) -> HTMLResponse:
        return message_page(engine, request, status, title=title, message=message, **kw)

    async def html_error(request: Request, exc: Exception) -> HTMLResponse:
        status = exc.status_code if isinstance(exc, StarletteHTTPException) else 422
        message = _("Diese Seite gibt es nicht oder die Eingabe war ungültig.")
        return say(request, status, _("Das ging nicht"), message)

    async def signed_out(_request: Request, _exc: Exception) -> Response:
        return to_login()

    async def unhandled_refusal(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        if exc.status == 401:
            return to_login()
        return say(request, exc.status, _("Das ging nicht"), _(refusals.NOT_DONE))

    async def unavailable_page(request: Request, exc: Exception) -> HTMLResponse:
        service = str(exc.args[0]) if exc.args else ""
        response = say(
            request, 503, _("Vorübergehend nicht erreichbar"), labels.unreachable(service)
        )
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    app.add_exception_handler(StarletteHTTPException, html_error)
    app.add_exception_handler(RequestValidationError, html_error)
    app.add_exception_handler(SignedOutError, signed_out)
    app.add_exception_handler(Problem, unhandled_refusal)
    app.add_exception_handler(BackendUnavailableError, unavailable_page)
