"""What the portal's forms share: reading what was typed, splitting lists, and turning a
service's `Problem` into German words per field, in the order of the form.

Every form works the same way: the service decides who may do what and what is valid; the
portal turns the form into the service's JSON and the service's answer into German, and never
loses what was typed (a refused or unreachable service shows the form again, as typed)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from services.portal import refusals
from services.portal.backends import BackendUnavailableError
from services.portal.clients.base import Problem
from services.portal.i18n import _
from services.portal.web import PortalRequest

#: A model rule over several fields is reported at location "body" alone; only its message
#: names the fields, in backticks ("`available_from` must be before `available_until`").
_FIELD_IN_MESSAGE = re.compile(r"`([a-z_]+)`")


def text_of(form: FormData, name: str, *, strip: bool = False) -> str:
    """A text field as typed ("" for a missing field or a file)."""
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    return value.strip() if strip else value


def ticked(form: FormData, name: str) -> list[str]:
    """The values of a group of check boxes (or a multiple choice), each once."""
    return list(dict.fromkeys(value for value in form.getlist(name) if isinstance(value, str)))


Typed = TypeVar("Typed")


def read_form(
    cls: type[Typed],
    form: FormData,
    *,
    prefix: str = "",
    strip: bool = True,
    defaults: bool = True,
    **given: Any,
) -> Typed:
    """A form dataclass filled in with what was typed into the fields named `prefix + name`:
    text as typed (stripped with `strip`), lists as what was ticked, a flag as "true". With
    `defaults`, a text left empty keeps the dataclass's default. The fields in `given` are
    read by the caller (rows, choices of their own) and taken as they are."""
    values: dict[str, Any] = dict(given)
    for spec in dataclasses.fields(cls):  # type: ignore[arg-type]
        if spec.name in given:
            continue
        name = prefix + spec.name
        if spec.type == "list[str]":
            values[spec.name] = ticked(form, name)
        elif spec.type == "bool":
            values[spec.name] = text_of(form, name, strip=True) == "true"
        else:
            text = text_of(form, name, strip=strip)
            use_default = defaults and not text and spec.default is not dataclasses.MISSING
            values[spec.name] = spec.default if use_default else text
    return cls(**values)


def whole_number(text: str, least: int, most: int) -> int | None:
    """The whole number typed, if it lies within [least, most]; else None."""
    try:
        number = int(text)
    except ValueError:
        return None
    return number if least <= number <= most else None


def split_list(text: str, separators: str = ",") -> list[str]:
    return [part.strip() for part in re.split(f"[{separators}]", text) if part.strip()]


def languages_of(text: str) -> list[str]:
    # people write "de, uk", "de uk" or "de; uk"
    return split_list(text, r",;\s")


def in_form_order(problems: Mapping[str, str], labels: Mapping[str, str]) -> dict[str, str]:
    return {name: problems[name] for name in labels if name in problems}


def please_check(problems: Mapping[str, str], labels: Mapping[str, str]) -> str:
    fields = ", ".join(labels[n] for n in in_form_order(problems, labels))
    return _("Bitte prüfen Sie: %(fields)s.") % {"fields": fields}


def field_problems(
    problem: Problem,
    hints: Mapping[str, str],
    *,
    typed_languages: list[str] | None = None,
    nested_in: str | None = None,
    fields_say: str | None = None,
    rules_in_messages: bool = False,
) -> dict[str, str]:
    """Which fields `problem` objects to, said in German (the hint of each field), in the order
    of `hints`. The validation `errors` point at fields by their location ("body.languages.1";
    with `nested_in`, also "body.<nested_in>.languages.1"); a refused language is named as
    typed. A rule's `fields` extension is said with `fields_say`, else with the field's hint.
    `rules_in_messages`: read the fields a model rule names in backticks (see above)."""
    problems: dict[str, str] = {}
    for error in problem.errors:
        path = error.path
        if nested_in and path[:1] == [nested_in]:
            path = path[1:]
        if path and path[0] in hints:
            problems.setdefault(path[0], _hint(path, hints, typed_languages or []))
        elif rules_in_messages and error.location == "body":
            for name in _FIELD_IN_MESSAGE.findall(error.message):
                if name in hints:
                    problems.setdefault(name, hints[name])
    for name in problem.fields:
        if name in hints:
            problems.setdefault(name, fields_say or hints[name])
    return in_form_order(problems, hints)


def _hint(path: list[str], hints: Mapping[str, str], typed_languages: list[str]) -> str:
    name = path[0]
    if name == "languages" and len(path) > 1 and path[1].isdigit():
        index = int(path[1])
        if index < len(typed_languages):
            not_a_tag = _("„%(typed)s“ ist kein Sprachkürzel.") % {"typed": typed_languages[index]}
            return f"{not_a_tag} {hints[name]}"
    return hints[name]


def refused_fields(
    action: str,
    problem: Problem,
    problems: dict[str, str],
    labels: Mapping[str, str],
    *,
    said: bool = False,
    keep_marks: bool = False,
) -> tuple[str, dict[str, str]]:
    """The message for a service refusing `action` (a key of `refusals.REFUSALS`), and the
    fields concerned: "please check" with the fields `problems` names; the action's own
    sentence where it says the problem itself (`said`) or no field is named. With
    `keep_marks`, the fields stay marked beside the action's sentence."""
    if problems and not said:
        return please_check(problems, labels), problems
    return refusals.refusal(action, problem), problems if keep_marks else {}


@dataclasses.dataclass
class Refused:
    """Why a form is shown again, as typed: the status, the German message, the fields."""

    status: int
    message: str
    problems: dict[str, str] = dataclasses.field(default_factory=dict)


def checked(problems: Mapping[str, str], labels: Mapping[str, str]) -> Refused | None:
    """The 422 for what the portal refuses without asking the service (None: nothing), the
    fields in the order of the form."""
    if not problems:
        return None
    ordered = in_form_order(problems, labels)
    return Refused(422, please_check(ordered, labels), ordered)


Sent = TypeVar("Sent")


async def submit(
    call: Awaitable[Sent],
    *,
    unreachable: str,
    refusal: Callable[[Problem], tuple[str, dict[str, str]]],
) -> Sent | Refused:
    """What the service answered to a form, or why the form is to be shown again: the
    service is down (503, `unreachable`) or refused it (its 4xx, said by `refusal`)."""
    try:
        return await call
    except BackendUnavailableError:
        return Refused(503, unreachable)
    except Problem as problem:
        message, problems = refusal(problem)
        return Refused(problem.status, message, problems)


def form_page(
    portal: PortalRequest, template: str, refused: Refused | None = None, **context: Any
) -> HTMLResponse:
    """A form's page: as first shown (200), or once more as typed with why it was not taken
    (the refusal's status, its message as `error`, the fields concerned as `problems`)."""
    if refused is None:
        return portal.page(template, 200, error=None, problems={}, **context)
    return portal.page(
        template, refused.status, error=refused.message, problems=refused.problems, **context
    )
