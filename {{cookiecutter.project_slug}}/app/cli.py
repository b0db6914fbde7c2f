"""Management commands: `python -m app --help`."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from alembic import command
from alembic.config import Config
from pydantic import ValidationError

from app import models  # noqa: F401  (every mapper known before use)
from app.database import SessionLocal, engine
from app.users import service as users
from app.users.exceptions import EmailTakenError
from app.users.schemas import UserCreate

cli = typer.Typer(help="Manage the application.", no_args_is_help=True)
ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"


def alembic_config() -> Config:
    return Config(str(ALEMBIC_INI))


@cli.command()
def migrate(revision: str = "head") -> None:
    """Bring the database schema up to date (alembic upgrade)."""
    command.upgrade(alembic_config(), revision)
    typer.echo(f"Database migrated to {revision}.")


async def _create_superuser(data: UserCreate) -> int:
    async with SessionLocal() as session:
        user = await users.create_user(session=session, data=data, is_superuser=True)
    await engine.dispose()
    return user.id


@cli.command("create-superuser")
def create_superuser(
    email: Annotated[str, typer.Option(prompt=True)],
    name: Annotated[str, typer.Option(prompt=True)],
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ],
) -> None:
    """Create a user who may manage every account."""
    try:
        data = UserCreate(name=name, email=email, password=password)
        # unasync: user_id = _create_superuser(data)
        user_id = asyncio.run(_create_superuser(data))
    except ValidationError as error:
        problems = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in error.errors())
        raise typer.BadParameter(problems) from None
    except EmailTakenError:
        typer.echo(f"A user with email {email} already exists.", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Superuser {email} created with id {user_id}.")
