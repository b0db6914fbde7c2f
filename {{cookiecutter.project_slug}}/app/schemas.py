"""Types shared by the request and response schemas of every domain."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import AfterValidator, ConfigDict, StringConstraints, field_validator
from pydantic import BaseModel as PydanticBaseModel

# Ids are 32-bit on every database here: bigger ones are a 422, not a crash.
MAX_ID = 2**31 - 1


def no_nul(value: str) -> str:
    # only: postgresql
    # PostgreSQL cannot store NUL in text: refuse it up front, as a 422.
    # end: postgresql
    # only: sqlite
    # SQLite stores NUL in text, but its text functions and LIKE may stop at
    # it: refuse it up front, as a 422.
    # end: sqlite
    if "\x00" in value:
        msg = "must not contain NUL characters"
        raise ValueError(msg)
    return value


def stripped(value: str) -> str:
    """The text without surrounding whitespace; refused if nothing is left.

    Used after the length checks, so that the limits the schema documents
    hold for the text as sent.
    """
    value = value.strip()
    if not value:
        msg = "must not be blank"
        raise ValueError(msg)
    return value


Text = Annotated[str, AfterValidator(no_nul)]
Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100),
    AfterValidator(no_nul),
    AfterValidator(stripped),
]
SearchQuery = Annotated[
    str | None,
    Query(max_length=100, description="Case-insensitive substring to search for"),
    AfterValidator(lambda v: no_nul(v) if v is not None else v),
]
# The `responses=` of a route: its documented error statuses.
Responses = dict[int | str, dict[str, Any]]
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]


class Schema(PydanticBaseModel):
    """Base of the API schemas: read from ORM objects, refuse unknown fields."""

    model_config = ConfigDict(from_attributes=True, extra="forbid")


class PartialUpdate(Schema):
    """A partial update: a field left out keeps its value.

    Its fields are typed `X | SkipJsonSchema[None] = None`, where None stands
    for "not sent" only: an explicit null is a 422, not silently ignored.
    """

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Runs only for the fields that were sent: defaults are not validated.
        if value is None:
            msg = "may be left out, but not null"
            raise ValueError(msg)
        return value
