"""Every model of the app, found by itself, so that `Base.metadata` knows
every table.

Each `app/<domain>/models.py` is imported here: a new domain's models are seen
by Alembic's autogenerate (migrations/env.py imports this module), by the app
and by the tests as soon as the file exists, with no list to keep in step.
Import a model from its own module (`from app.users.models import User`).

The mappers are then configured at once, so that a mistake in a relationship
fails at start-up rather than at the first request.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from types import ModuleType

from sqlalchemy.orm import configure_mappers

from app.database import Base

APP = Path(__file__).parent


def _import_all() -> tuple[ModuleType, ...]:
    return tuple(
        import_module(f"app.{path.parent.name}.models")
        for path in sorted(APP.glob("*/models.py"))
    )


MODULES = _import_all()
configure_mappers()

__all__ = ["MODULES", "Base"]
