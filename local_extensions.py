"""Jinja extensions that cookiecutter loads for this template (see `_extensions`).

Standard library and Jinja only: this runs inside the user's cookiecutter.
"""

from __future__ import annotations

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
