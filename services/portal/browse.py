"""What the browsing pages (calendar, "Suchen und Bieten", the directory) share: reading their
GET filters and page numbers from the address, each value checked before a service is asked,
and the addresses of their links that keep the other filters.

A filter form sends every field, empty ones as `name=`: an empty value means "any". A value
that cannot be right (a category the exchange does not have, page 0, a month 13) raises
`BadFilterError` naming the parameter; the page answers it with the German 400 page
(`bad_filter.html`), never a 500 and never a service's English."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi.responses import HTMLResponse
from pydantic import TypeAdapter, ValidationError
from starlette.datastructures import QueryParams

from services.portal.clients.base import Page
from services.portal.clients.directory import Organisation
from services.portal.i18n import N_
from services.portal.web import PortalRequest
from shared.contracts.vocabulary import LanguageTag
from shared.ids import ENTITY_ID_PATTERN

#: Page sizes a list page offers; the first is the default.
PAGE_SIZES = (20, 10, 50)
#: The last page number a list page accepts (the services page at most 100,000 deep).
MOST_PAGES = 1000
#: The longest free text a filter takes (the services' own limit for `q` is 200).
MOST_TEXT = 100

_LANGUAGE: TypeAdapter[str] = TypeAdapter(LanguageTag)
_ENTITY_ID = re.compile(ENTITY_ID_PATTERN)


class BadFilterError(ValueError):
    """A filter or page parameter with a value that cannot be right; `args[0]` names it."""

    @property
    def parameter(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Asked:
    """The query parameters of a browsing page, read one by one."""

    params: QueryParams

    def text(self, name: str, most: int = MOST_TEXT) -> str | None:
        value = self.params.get(name, "").strip()
        if len(value) > most:
            raise BadFilterError(name)
        return value or None

    def choice(self, name: str, allowed: Collection[str]) -> str | None:
        value = self.text(name)
        if value is not None and value not in allowed:
            raise BadFilterError(name)
        return value

    def language(self, name: str) -> str | None:
        value = self.text(name, most=35)
        if value is None:
            return None
        try:
            return _LANGUAGE.validate_python(value)
        except ValidationError as exc:
            raise BadFilterError(name) from exc

    def entity_id(self, name: str) -> str | None:
        value = self.text(name)
        if value is not None and not _ENTITY_ID.match(value):
            raise BadFilterError(name)
        return value

    def page_number(self, name: str = "seite") -> int:
        value = self.text(name) or "1"
        if not value.isdigit() or not 1 <= int(value) <= MOST_PAGES:
            raise BadFilterError(name)
        return int(value)

    def page_size(self, name: str = "pro_seite") -> int:
        value = self.text(name)
        if value is None:
            return PAGE_SIZES[0]
        if not value.isdigit() or int(value) not in PAGE_SIZES:
            raise BadFilterError(name)
        return int(value)


@dataclass(frozen=True)
class Pages:
    """Page `number` of `size` items out of `total`: what the page links show."""

    number: int
    size: int
    total: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def count(self) -> int:
        """How many pages there are (at least one, if empty)."""
        return max(1, -(-self.total // self.size))

    @property
    def beyond_the_last(self) -> bool:
        return self.number > self.count

    def around(self, reach: int = 3) -> list[int]:
        """The page numbers linked: the first, the last, and `reach` either side of this one."""
        near = range(max(1, self.number - reach), min(self.count, self.number + reach) + 1)
        return sorted({1, self.count, *near})


def address(path: str, chosen: Mapping[str, str | int | None], **changes: str | int | None) -> str:
    """`path` with the chosen filters and `changes` as its query (empty ones left out)."""
    merged = {**chosen, **changes}
    query = urlencode([(k, str(v)) for k, v in merged.items() if v not in (None, "")])
    return f"{path}?{query}" if query else path


def organisation_names(found: Page[Organisation] | None) -> dict[str, str]:
    """The organisations' names by id, in the order of the names: the choices of a page's
    "Organisation" filter, and whose each entry is (none while the directory cannot say)."""
    if found is None:
        return {}
    return {o.id: o.name for o in sorted(found.items, key=lambda o: o.name)}


def bad_filter(portal: PortalRequest, problem: BadFilterError) -> HTMLResponse:
    """The German 400 page naming the filter that cannot be right."""
    return portal.page("bad_filter.html", 400, parameter=problem.parameter)


def beyond_the_last_page(portal: PortalRequest, first: str) -> HTMLResponse:
    """The 404 for a page number past the last, linking the list's `first` page."""
    return portal.message(
        404,
        title=N_("Diese Seite gibt es nicht"),
        message=N_("So viele Seiten hat die Liste nicht (mehr)."),
        link=(first, N_("Zur ersten Seite")),
    )


Read = TypeVar("Read")


def reading(portal: PortalRequest, read: Callable[[Asked], Read]) -> Read | HTMLResponse:
    """What `read` makes of the page's address, or the German 400 page naming the parameter
    that cannot be right."""
    try:
        return read(Asked(portal.request.query_params))
    except BadFilterError as problem:
        return bad_filter(portal, problem)


#: How a filter's value is read from the address: `(asked, parameter) → value or None`.
Reader = Callable[[Asked, str], "str | None"]


def text(most: int = MOST_TEXT) -> Reader:
    return lambda asked, name: asked.text(name, most)


def choice(allowed: Collection[str]) -> Reader:
    return lambda asked, name: asked.choice(name, allowed)


@dataclass(frozen=True)
class Filter:
    """One filter of a browsing page: how its value is read, and the name the API of the
    service behind the page gives it (None: the portal's own, e.g. which lists the wall
    shows)."""

    read: Reader
    api: str | None = None


@dataclass(frozen=True)
class Filters:
    """A browsing page's filters as asked, by the names of its form fields (None: any)."""

    chosen: dict[str, str | None]
    api_names: Mapping[str, str]

    @classmethod
    def read(cls, declared: Mapping[str, Filter], asked: Asked) -> Filters:
        """Each declared filter read from the address; `BadFilterError` for a wrong one."""
        return cls(
            {name: spec.read(asked, name) for name, spec in declared.items()},
            {name: spec.api for name, spec in declared.items() if spec.api},
        )

    def __getitem__(self, name: str) -> str | None:
        return self.chosen[name]

    @property
    def any(self) -> bool:
        return any(self.chosen.values())

    def for_service(self) -> dict[str, str]:
        """The chosen filters by the names of the service's API."""
        return {
            self.api_names[name]: value
            for name, value in self.chosen.items()
            if value and name in self.api_names
        }


@dataclass(frozen=True)
class Listed:
    """A paged list page as asked: its address, its filters, the page number and size."""

    path: str
    filters: Filters
    number: int
    size: int

    @classmethod
    def read(
        cls, portal: PortalRequest, path: str, declared: Mapping[str, Filter]
    ) -> Listed | HTMLResponse:
        """The page's filters, number and size from its address (or the German 400 page)."""
        return reading(
            portal,
            lambda asked: cls(
                path, Filters.read(declared, asked), asked.page_number(), asked.page_size()
            ),
        )

    @property
    def paging(self) -> dict[str, Any]:
        """The `limit` and `offset` the services' lists take."""
        return {"limit": self.size, "offset": (self.number - 1) * self.size}

    @property
    def chosen(self) -> dict[str, str | int | None]:
        """What the page's links keep: the filters and a page size other than the default."""
        return {
            **self.filters.chosen,
            "pro_seite": self.size if self.size != PAGE_SIZES[0] else None,
        }

    def page(
        self, portal: PortalRequest, template: str, total: int, **context: Any
    ) -> HTMLResponse:
        """The list page with its page links (`pages`, `page_link`) for `total` items; for a
        page number past the last, the 404 page linking the first page."""
        pages = Pages(self.number, self.size, total)
        if pages.beyond_the_last and self.number > 1:
            return beyond_the_last_page(portal, self.link())
        return portal.page(template, pages=pages, page_link=self.page_link, **context)

    def link(self, **changes: str | int | None) -> str:
        """The page's address with the chosen filters and `changes`."""
        return address(self.path, self.chosen, **changes)

    def page_link(self, number: int) -> str:
        return self.link(seite=number)
