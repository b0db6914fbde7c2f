"""Jinja extensions that cookiecutter loads for this template (see `_extensions`).

Standard library and Jinja only: this runs inside the user's cookiecutter.
"""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

from jinja2 import Environment
from jinja2.ext import Extension


def _trim(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class TrimAnswers(Extension):
    """Trim surrounding whitespace from every answer that reaches a file.

    `finalize` runs on the result of each `{{ ... }}` expression, so names,
    paths and file contents all see the trimmed answer, and the folder name
    does too. The pre-generation hook trims before it validates, so the two
    agree on what the user meant.
    """

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        previous = environment.finalize
        if previous is None:
            environment.finalize = _trim
        else:
            environment.finalize = lambda value: _trim(previous(value))


# The filters below turn an answer into a literal of one file's syntax, quotes
# included. Each trims first, as `TrimAnswers` would: once quoted, the
# whitespace is inside the literal, out of `finalize`'s reach.


def toml_string(value: Any) -> str:
    """A TOML basic string. JSON's escapes are TOML's; non-ASCII stays as is."""
    return json.dumps(str(value).strip(), ensure_ascii=False)


def py_string(value: Any) -> str:
    """A Python string literal, quoted the way `ruff format` leaves it.

    Double quotes, unless the text holds more double quotes than single ones;
    letters of any script stay as they are, anything unprintable is escaped.
    """
    text = str(value).strip()
    quote = "'" if text.count('"') > text.count("'") else '"'
    body = text.replace("\\", "\\\\").replace(quote, "\\" + quote)
    body = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in body)
    return quote + body + quote


# CommonMark: these characters can start markup anywhere in a line (`&` only
# as an entity such as `&amp;`), and a backslash before one makes it literal.
_MARKDOWN_INLINE = re.compile(r"[\\`*_\[\]<~#]|&(?=#?\w+;)")
# These only at the start of a line: a list item, a quote, a heading rule.
_MARKDOWN_LINE_START = re.compile(r"^(\d+)([.)])|^([-+=>])")


def markdown_text(value: Any) -> str:
    """Text that renders in Markdown as written, with no markup of its own."""
    text = _MARKDOWN_INLINE.sub(lambda m: "\\" + m[0], str(value).strip())
    return _MARKDOWN_LINE_START.sub(
        lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", text
    )


def shell_word(value: Any) -> str:
    """One shell word, quoted only when it needs to be."""
    return shlex.quote(str(value).strip())


class Escaping(Extension):
    """Filters that write an answer safely into each kind of generated file."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters.update(
            toml_string=toml_string,
            py_string=py_string,
            markdown_text=markdown_text,
            shell_word=shell_word,
        )
