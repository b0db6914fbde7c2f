"""`python -m app ...`: the management CLI."""

from app.cli import cli

cli()
