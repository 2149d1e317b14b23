"""Public views of domain objects: an answer's model, filled from the object it shows."""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel


class View(BaseModel):
    """A model an API answers with, showing a domain object (a model, dataclass or any object
    with attributes) under the same field names."""

    @classmethod
    def read(cls, source: object, /, **given: Any) -> Self:
        """The view of `source`: each field its attribute of the same name, unless `given`.
        Nested views are read the same way from the objects they show."""
        fields = {
            name: given[name] if name in given else getattr(source, name)
            for name in cls.model_fields
        }
        return cls.model_validate(fields, from_attributes=True)
