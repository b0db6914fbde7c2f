"""What a bake may not name: the options that were not chosen.

A bake is read as code written by hand for its one combination. `leaks()`
walks every file of a bake and reports each word that belongs to an option the
user did not choose, as `path:line: word`. In Python files it looks at what the
code names (identifiers, attribute names, strings, docstrings and comments,
through `tokenize`); in every other file, at each line.

The vocabulary of an option is the words that only make sense with it. Words
that FastAPI itself needs in every project are not in it: `async def` on a
lifespan, an exception handler or an ASGI middleware is how Starlette is
written, whichever way the database is reached. Prose is held to a stricter
rule than code: no comment, docstring or string of a sync bake says "async".

One place may name another option on purpose: the README's section headed
`SWITCHING_HEADING`, a pointer for a user who may change their mind later.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SKIP_DIRS = frozenset(
    {
        ".git",
        ".venv",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "__pycache__",
        ".hypothesis",
    }
)
# `.env` is written by the hook from `.env.example`, which is checked.
SKIP_FILES = frozenset({".env", "uv.lock"})
SWITCHING_HEADING = "## Changing a choice later"


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(
        r"(?<![A-Za-z0-9])(" + "|".join(patterns) + r")(?![A-Za-z0-9])", re.IGNORECASE
    )


# The words of each option, found in code and prose alike.
VOCABULARY: dict[str, re.Pattern[str]] = {
    "sqlite": _words(
        r"sqlite\w*",
        r"aiosqlite",
        r"pysqlite",
        r"pragma",
        r"WAL",
        r"busy[ _]?timeout",
        r"busy handler",
        r"check_same_thread",
        r"begin[ _]immediate",
        r"(?-i:IMMEDIATE)",
        r"WRITE_INTENT",
        r"write_engine",
        r"write lock",
        r"render_as_batch",
        r"batch mode",
        r"page cache",
        # Not asyncpg's `statement_cache_size`.
        r"(?<!statement_)cache_size",
        r"journal_mode",
        r"file database",
    ),
    "postgresql": _words(
        r"postgres\w*",
        r"psql",
        r"psycopg\w*",
        r"asyncpg",
        r"libpq",
        r"pgbouncer",
        r"pg_\w+",
        r"initdb",
        r"pool_pre_ping",
        r"pre[ _-]?ping",
        r"connect_timeout\w*",
        r"tsvector",
        r"trigram",
    ),
    "async": _words(
        r"asyncio",
        r"aiosqlite",
        r"asyncpg",
        r"Async(Session|Engine|Connection|Client|Attrs)\w*",
        r"async_(session\w*|engine\w*|scoped_session)",
        r"create_async_engine",
        r"ext\.asyncio",
        r"ASGITransport",
        r"greenlet",
        r"run_sync",
        r"sync_engine",
        r"event loop",
        r"unasync\w*",
        r"anyio",
        r"pytest[-_]asyncio",
        r"awaitable",
    ),
    "sync": _words(
        # Not the async API's own names (`run_sync`, `sync_engine`), nor
        # `uv sync`, nor initdb's `--no-sync`.
        r"(?<!run_)(?<!uv )(?<!no-)sync(?!_engine)",
        r"TestClient",
        r"testclient",
        r"thread ?pool",
        r"run_in_threadpool",
        r"unasync\w*",
        r"twins?",
        r"psycopg\w*",
        r"pysqlite",
        r"plain def",
    ),
    "soft": _words(
        r"soft\w*",
        r"restor\w*",
        r"undelet\w*",
        r"deleted_at",
        r"is_deleted",
        r"include_deleted",
        r"DeletionMixin",
        r"unique_among_live",
        r"among live",
        r"live rows?",
        r"live users?",
        r"live posts?",
        r"live comments?",
        r"loader_criteria",
        r"tombstone\w*",
        r"stamp\w*",
        r"hidden rows?",
    ),
    "hard": _words(
        r"hard[ _-]?delet\w*",
        r"hard",
        r"purg\w*",
    ),
}
# Prose only (comments, docstrings, strings, non-Python files): a sync bake's
# words may not speak of async, though its ASGI code uses `async def`.
PROSE_VOCABULARY: dict[str, re.Pattern[str]] = {
    "async": _words(r"async", r"await\w*", r"coroutines?"),
}
OTHER = {
    "sync": "async",
    "async": "sync",
    "sqlite": "postgresql",
    "postgresql": "sqlite",
    "soft": "hard",
    "hard": "soft",
}


@dataclass(frozen=True)
class Leak:
    path: str
    line: int
    word: str
    option: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.word!r} (names {self.option})"


def unchosen(combination: dict[str, str]) -> list[str]:
    return [
        OTHER[combination[key]]
        for key in ("database_access", "database", "delete_mode")
    ]


def bake_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if (
            path.is_file()
            and not SKIP_DIRS.intersection(parts)
            and (path.name not in SKIP_FILES)
        ):
            yield path


def _python_pieces(text: str) -> Iterator[tuple[int, str, bool]]:
    """(line, text, is_prose) for each name, string and comment of the source."""
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    for token in tokens:
        if token.type == tokenize.NAME:
            yield token.start[0], token.string, False
        elif token.type in (tokenize.STRING, tokenize.COMMENT):
            for offset, line in enumerate(token.string.splitlines()):
                yield token.start[0] + offset, line, True
        elif token.type == getattr(tokenize, "FSTRING_MIDDLE", -1):
            yield token.start[0], token.string, True


def _text_pieces(path: Path, text: str) -> Iterator[tuple[int, str, bool]]:
    in_switching = False
    for number, line in enumerate(text.splitlines(), start=1):
        if path.name == "README.md" and line.startswith("#"):
            in_switching = line.strip() == SWITCHING_HEADING
        if not in_switching:
            yield number, line, True


def leaks(root: Path, combination: dict[str, str]) -> list[Leak]:
    """Every word in the bake at `root` that names an option not chosen."""
    options = unchosen(combination)
    found: list[Leak] = []
    for path in bake_files(root):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        name = path.relative_to(root).as_posix()
        pieces = (
            _python_pieces(text) if path.suffix == ".py" else _text_pieces(path, text)
        )
        for line, piece, prose in pieces:
            for option in options:
                patterns = [VOCABULARY[option]]
                if prose and option in PROSE_VOCABULARY:
                    patterns.append(PROSE_VOCABULARY[option])
                found.extend(
                    Leak(name, line, match.group(0), option)
                    for pattern in patterns
                    for match in pattern.finditer(piece)
                )
    return found
