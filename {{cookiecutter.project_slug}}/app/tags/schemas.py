"""Tag schemas and the types a tag name is checked with."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator, StringConstraints

from app.schemas import Schema, no_nul, stripped

# Tag names are stored trimmed and lowercased, so "Python " and "python" are one tag.
TagName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=50),
    AfterValidator(no_nul),
    AfterValidator(lambda v: stripped(v).lower()),
]
# A filter on a list, normalised like a stored name when it is applied.
TagQuery = Annotated[
    str | None,
    Query(max_length=50, description="Only posts with this tag"),
    AfterValidator(lambda v: no_nul(v) if v is not None else v),
]


class TagCount(Schema):
    name: str
    post_count: int
