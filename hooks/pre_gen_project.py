"""Reject answers that would give a broken project, before any file is written.

Cookiecutter renders this file with Jinja, runs it inside the new (still empty)
project folder, and deletes that folder when the script exits non-zero.
Standard library only: it runs in the user's cookiecutter environment.
"""

from __future__ import annotations

import json
import keyword
import re
import sys
from collections.abc import Callable, Mapping

# Imports a bake needs, or names its tooling uses: a slug equal to one of them
# would shadow it when the project folder is on sys.path.
SHADOWED_NAMES = frozenset(
    {
        "alembic",
        "app",
        "asyncpg",
        "aiosqlite",
        "conftest",
        "email_validator",
        "fastapi",
        "httpx",
        "jwt",
        "migrations",
        "mypy",
        "psycopg",
        "pwdlib",
        "pydantic",
        "pydantic_settings",
        "pytest",
        "rich",
        "ruff",
        "schemathesis",
        "sqlalchemy",
        "starlette",
        "test",
        "tests",
        "typer",
        "uvicorn",
    }
)
SLUG_PATTERN = re.compile(r"[a-z_][a-z0-9_]*")
EMAIL_PATTERN = re.compile(r"[^@\s\"'\\]+@[^@\s\"'\\]+\.[A-Za-z]{2,}")
# Characters that would end a string early in TOML, YAML or Python, or break a line.
UNSAFE_TEXT = re.compile(r"[\"'\\`\x00-\x1f\x7f]")

CHOICES = {
    "python_version": ("3.11", "3.12", "3.13"),
    "database_access": ("sync", "async"),
    "database": ("sqlite", "postgresql"),
    "delete_mode": ("soft", "hard"),
}


class InvalidAnswer(ValueError):
    """An answer that cannot produce a working project."""

    def __init__(self, field: str, value: str, reason: str, example: str) -> None:
        super().__init__(
            f"ERROR: {field}={value!r} is invalid: {reason}. Example of a valid value: "
            f"{example}"
        )


def _check_text(field: str, value: str, example: str, *, required: bool) -> None:
    if required and not value:
        raise InvalidAnswer(field, value, "it must not be empty", example)
    if UNSAFE_TEXT.search(value):
        raise InvalidAnswer(
            field,
            value,
            "quotes, backslashes, backticks and control characters are not allowed",
            example,
        )


def check_project_name(value: str) -> None:
    _check_text("project_name", value, "Blog API", required=True)


def check_project_slug(value: str) -> None:
    example = "blog_api"
    if not SLUG_PATTERN.fullmatch(value):
        raise InvalidAnswer(
            "project_slug",
            value,
            "it must be a lowercase Python identifier (a-z, 0-9, _; not starting "
            "with a digit)",
            example,
        )
    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        raise InvalidAnswer("project_slug", value, "it is a Python keyword", example)
    if value in SHADOWED_NAMES or value in sys.stdlib_module_names:
        raise InvalidAnswer(
            "project_slug",
            value,
            "it would shadow a module that the project imports",
            example,
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
    """Raise InvalidAnswer for the first answer that cannot work.

    Values are trimmed first: the template trims them too (local_extensions.py),
    so surrounding whitespace is never an error.
    """
    for field, check in CHECKS.items():
        check(str(answers.get(field, "")).strip())
    for field, allowed in CHOICES.items():
        value = str(answers.get(field, ""))
        if value not in allowed:
            raise InvalidAnswer(
                field, value, f"it must be one of {', '.join(allowed)}", allowed[0]
            )


def main(answers_json: str) -> int:
    try:
        validate(json.loads(answers_json))
    except InvalidAnswer as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    # Cookiecutter renders the answers into this raw string as JSON. JSON escapes
    # quotes and newlines, so no answer can end the string early.
    sys.exit(main(r"""{{ cookiecutter | jsonify }}"""))
