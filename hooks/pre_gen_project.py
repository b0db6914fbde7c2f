"""Reject answers that would give a broken project, before any file is written.

Cookiecutter renders this file with Jinja, runs it inside the new (still empty)
project folder, and deletes that folder when the script exits non-zero.
Standard library only: it runs in the user's cookiecutter environment.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections.abc import Callable, Mapping

SLUG_PATTERN = re.compile(r"[a-z_][a-z0-9_]*")
# An apostrophe is fine before the @ (o'brien@example.com), quotes are not.
EMAIL_PATTERN = re.compile(r"[^@\s\"\\]+@[^@\s\"'\\]+\.[A-Za-z]{2,}")
# Quotes, `&`, `<`, accents and emoji are fine: each generated file escapes
# the answers for its own syntax (local_extensions.py). What no one-line field
# can hold is a control character or a line break.
UNSAFE_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


class InvalidAnswer(ValueError):
    """An answer that cannot produce a working project."""

    field: str

    def __init__(self, field: str, value: str, reason: str, example: str) -> None:
        super().__init__(
            f"ERROR: {field}={value!r} is invalid: {reason}. Example of a valid value: "
            f"{example}"
        )
        self.field = field


class InvalidAnswers(ValueError):
    """Every bad answer of one bake, one line each."""

    def __init__(self, errors: list[InvalidAnswer]) -> None:
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


def _check_text(field: str, value: str, example: str, *, required: bool) -> None:
    if required and not value:
        raise InvalidAnswer(field, value, "it must not be empty", example)
    if any(unicodedata.category(c) in UNSAFE_CATEGORIES for c in value):
        raise InvalidAnswer(
            field,
            value,
            "it must be one line, without control characters such as tabs",
            example,
        )


def check_project_name(value: str) -> None:
    _check_text("project_name", value, "Blog API", required=True)


def check_project_slug(value: str) -> None:
    # The slug names the folder, the distribution and the development database;
    # the code package is always `app`, so no slug can shadow an import.
    if not re.search(r"[A-Za-z0-9]", value):
        raise InvalidAnswer(
            "project_slug",
            value,
            "it has no letter or digit (nor has the project name it is made "
            "from); give the slug yourself",
            "blog_api",
        )
    if not SLUG_PATTERN.fullmatch(value):
        raise InvalidAnswer(
            "project_slug",
            value,
            "it must be lowercase letters, digits and underscores, starting with a "
            "letter or underscore",
            "blog_api",
        )


def check_description(value: str) -> None:
    _check_text("description", value, "A blogging back end.", required=False)


def check_author_name(value: str) -> None:
    _check_text("author_name", value, "Ada Lovelace", required=True)


def check_author_email(value: str) -> None:
    if not EMAIL_PATTERN.fullmatch(value):
        raise InvalidAnswer(
            "author_email", value, "it is not an email address", "ada@example.com"
        )


CHECKS: dict[str, Callable[[str], None]] = {
    "project_name": check_project_name,
    "project_slug": check_project_slug,
    "description": check_description,
    "author_name": check_author_name,
    "author_email": check_author_email,
}


def validate(answers: Mapping[str, object]) -> None:
    """Raise InvalidAnswers naming every answer that cannot work, in one pass.

    Values are trimmed first: the template trims them too (local_extensions.py),
    so surrounding whitespace is never an error. The choice answers are not
    checked here: cookiecutter refuses a choice that cookiecutter.json does not
    offer before this hook runs, so the choices live in that one file.
    """
    errors: list[InvalidAnswer] = []
    for field, check in CHECKS.items():
        try:
            check(str(answers.get(field, "")).strip())
        except InvalidAnswer as error:
            errors.append(error)
    if errors:
        raise InvalidAnswers(errors)


def main(answers_json: str) -> int:
    try:
        validate(json.loads(answers_json))
    except InvalidAnswers as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    # Cookiecutter renders the answers into this raw string as JSON. JSON escapes
    # quotes and newlines, so no answer can end the string early.
    sys.exit(main(r"""{{ cookiecutter | jsonify }}"""))
