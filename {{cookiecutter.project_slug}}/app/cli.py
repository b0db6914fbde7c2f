"""Management commands: `python -m app --help`."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from alembic import command
from alembic.config import Config
from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from app import models  # noqa: F401  (every mapper known before use)
from app.database import SessionLocal, engine
from app.seed import DEMO_PASSWORD, SeedReport
from app.seed import seed as seed_rows
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


async def _seed(users: int, posts: int, comments: int, batch_size: int) -> SeedReport:
    columns = (TextColumn("{task.description:>9}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns) as bar:
        tasks = {
            "users": bar.add_task("users", total=users),
            "posts": bar.add_task("posts", total=posts),
            "comments": bar.add_task("comments", total=comments),
        }
        report = await seed_rows(
            session_factory=SessionLocal,
            users=users,
            posts=posts,
            comments=comments,
            batch_size=batch_size,
            progress=lambda table, rows: bar.advance(tasks[table], rows),
        )
    await engine.dispose()
    return report


@cli.command()
def seed(
    users: Annotated[int, typer.Option(min=0, help="Users to add")] = 10,
    posts: Annotated[int, typer.Option(min=0, help="Posts to add (3 tags each)")] = 30,
    comments: Annotated[int, typer.Option(min=0, help="Comments to add")] = 60,
    batch_size: Annotated[int, typer.Option(min=1, max=50_000)] = 5_000,
) -> None:
    """Add demo data, in bulk: `seed --users 10000 --posts 100000 --comments 200000`."""
    # unasync: report = _seed(users, posts, comments, batch_size)
    report = asyncio.run(_seed(users, posts, comments, batch_size))
    counts = ", ".join(f"{rows} {table}" for table, rows in report.rows.items())
    typer.echo(
        f"Seeded {counts} in {report.seconds:.1f} s "
        f"({report.rows_per_second:,.0f} rows/s). "
        f"Seeded users log in with password {DEMO_PASSWORD!r}."
    )
