"""The "Trägt bei zu Maßnahme(n)" field of the event and listing forms: the concept's measures
the person may see, to choose from (the portal sends no scripts, so a choice list rather than
a live search), and the chosen ones as the `measure_ids` the calendar and the exchange take."""

from __future__ import annotations

from starlette.datastructures import FormData

from services.portal import forms
from services.portal.clients.base import optional
from services.portal.web import PortalRequest
from shared.ids import is_entity_id

#: As many as the calendar and the exchange take per event or listing.
MOST_CHOSEN = 20
#: A concept has some hundred measures; more are not offered in one list.
MOST_OFFERED = 500

MeasureChoices = list[tuple[str, str]]


async def measure_choices(portal: PortalRequest, token: str) -> MeasureChoices | None:
    """(id, "3.2.4 Sprachcafés …") of every measure the person sees, in the order of their
    numbers; None when the concept cannot say (the form works without the field)."""
    found = await optional(portal.concept.measures(token, limit=MOST_OFFERED))
    if found is None:
        return None
    return [(m.id, f"{m.number} {m.title}") for m in found.items]


def chosen_measures(form: FormData) -> list[str]:
    """The measures ticked in the form (ids only; the service checks the rest)."""
    return [value for value in forms.ticked(form, "measure_ids") if is_entity_id(value)][
        :MOST_CHOSEN
    ]
