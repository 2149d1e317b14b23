"""Who calls a use case in the unit tests: office staff, or a member (editor) of some
organisations."""

from __future__ import annotations

from shared.auth import Principal
from shared.ids import new_id

OFFICE = Principal(person_id=new_id(), role="admin")


def member_of(*organisations: str, person_id: str | None = None) -> Principal:
    """An editor of `organisations`; a new person unless `person_id` names one."""
    return Principal(
        person_id=person_id or new_id(), role="editor", organisation_ids=frozenset(organisations)
    )
