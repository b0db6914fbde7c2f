"""Generate the sync twin of every hand-written async module in the template.

    python scripts/unasync.py          # write the twins
    python scripts/unasync.py --check  # fail if a twin is missing or stale

For `app/users/service.py` (async, hand-written) it writes
`app/users/service_sync.py`; the post-generation hook moves it over
`service.py` in a sync bake. The rewrite is mechanical:

- `async def/with/for` lose `async`, `await` disappears;
- async names become their sync names (`AsyncSession` -> `Session`, ...), and
  their imports move to the sync module;
- where the two differ in shape rather than in names, a comment line
  `# unasync: <code>` replaces the statement below it with `<code>`,
  `# unasync: delete` drops it, and `# unasync: keep` leaves it as it is
  (for a compound statement, only its header line). The post-generation hook
  removes these comment lines from async bakes.

Then ruff sorts the imports and formats the file with the bake's own settings,
so a twin is lint-clean as committed. Files whose first line is
`# unasync: skip` are left alone.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "{{cookiecutter.project_slug}}"
TWIN_SUFFIX = "_sync"

# async name -> (module of the sync name, sync name)
IMPORTS: dict[str, tuple[str, str]] = {
    "AsyncSession": ("sqlalchemy.orm", "Session"),
    "async_sessionmaker": ("sqlalchemy.orm", "sessionmaker"),
    "AsyncEngine": ("sqlalchemy", "Engine"),
    "AsyncConnection": ("sqlalchemy", "Connection"),
    "create_async_engine": ("sqlalchemy", "create_engine"),
    "AsyncIterator": ("collections.abc", "Iterator"),
    "AsyncGenerator": ("collections.abc", "Generator"),
    "asynccontextmanager": ("contextlib", "contextmanager"),
    "AsyncClient": ("fastapi.testclient", "TestClient"),
    "ASGITransport": ("", ""),  # no sync counterpart: the import is dropped
}
NAMES = {name: sync for name, (_, sync) in IMPORTS.items() if sync}
WORDS = re.compile(r"\b(" + "|".join(map(re.escape, NAMES)) + r")\b")
KEYWORDS = [
    (re.compile(r"\basync (def|with|for)\b"), r"\1"),
    (re.compile(r"\bawait "), ""),
    (re.compile(r"\b__aenter__\b"), "__enter__"),
    (re.compile(r"\b__aexit__\b"), "__exit__"),
    (re.compile(r"\baclose\b"), "close"),
]
RUFF_SETTINGS = [
    "--isolated",
    "--line-length=88",
    "--target-version=py311",
    "--config=lint.isort.known-first-party=['app', 'tests']",
]


PRAGMA = re.compile(r"^\s*# unasync: (?P<code>.+?)\s*$")


def _pragmas(source: str) -> dict[int, tuple[str, int, int]]:
    """Map each pragma's line (0-based) to (code, first, last) lines it governs."""
    lines = source.splitlines()
    starts: dict[int, tuple[int, int]] = {}
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.stmt):
            continue
        first = min(
            [node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]
        )
        last = node.end_lineno or node.lineno
        body = getattr(node, "body", None)
        if isinstance(body, list) and body:
            last = body[0].lineno - 1  # a compound statement: its header only
        starts.setdefault(first - 1, (node.lineno - 1, last - 1))
    found = {}
    for number, line in enumerate(lines):
        match = PRAGMA.match(line)
        if not match or match["code"] == "skip":
            continue
        target = starts.get(number + 1)
        if target is None:
            raise SystemExit(
                f"line {number + 1}: '# unasync:' must precede a statement"
            )
        found[number] = (match["code"], number + 1, target[1])
    return found


def _kept(pragmas: dict[int, tuple[str, int, int]]) -> set[int]:
    return {
        line
        for code, first, last in pragmas.values()
        if code == "keep"
        for line in range(first, last + 1)
    }


def _rewrite_imports(source: str, kept: set[int]) -> str:
    """Point imports of async names at the modules of their sync names.

    An async name still used on a kept line keeps its import as well.
    """
    lines = source.splitlines(keepends=True)
    kept_text = "".join(lines[n] for n in kept)
    for node in sorted(
        (n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ImportFrom)),
        key=lambda n: n.lineno,
        reverse=True,
    ):
        if node.lineno - 1 in kept or not any(a.name in IMPORTS for a in node.names):
            continue
        names: list[str] = []
        moved: list[str] = []
        for alias in node.names:
            if alias.name in IMPORTS and re.search(rf"\b{alias.name}\b", kept_text):
                names.append(alias.name)
            if alias.name in IMPORTS:
                module, name = IMPORTS[alias.name]
                if name:
                    moved.append(f"from {module} import {name}\n")
            else:
                names.append(alias.name)
        replacement = moved
        if names:
            replacement = [f"from {node.module} import {', '.join(names)}\n", *moved]
        indent = lines[node.lineno - 1][: -len(lines[node.lineno - 1].lstrip())]
        lines[node.lineno - 1 : node.end_lineno] = [indent + r for r in replacement]
    return "".join(lines)


def _rewrite_names(line: str) -> str:
    for pattern, replacement in KEYWORDS:
        line = pattern.sub(replacement, line)
    return WORDS.sub(lambda m: NAMES[m.group(1)], line)


def _rewrite(source: str) -> str:
    text = _rewrite_imports(source, _kept(_pragmas(source)))
    lines = text.splitlines()
    pragmas = _pragmas(text)
    # Imports are already rewritten; kept lines stay as they are.
    kept = _kept(pragmas) | {
        number
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for number in range(node.lineno - 1, node.end_lineno or node.lineno)
    }
    out: list[str] = []
    skip_until = -1
    for number, line in enumerate(lines):
        if number <= skip_until:
            continue
        if number in pragmas:
            code, first, last = pragmas[number]
            indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
            if code == "keep":
                out.extend(lines[first : last + 1])
            elif code != "delete":
                out.append(indent + code)
            skip_until = last
            continue
        out.append(line if number in kept else _rewrite_names(line))
    return "\n".join(out) + "\n"


def _ruff_command() -> list[str]:
    """ruff from PATH, else the template's .venv, else this interpreter's."""
    for candidate in (shutil.which("ruff"), ROOT / ".venv" / "bin" / "ruff"):
        if candidate and Path(candidate).exists():
            return [str(candidate)]
    probe = subprocess.run(
        [sys.executable, "-m", "ruff", "--version"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        raise SystemExit(
            "scripts/unasync.py needs ruff: install the dev group "
            "(pip install --group dev) or put ruff on PATH"
        )
    return [sys.executable, "-m", "ruff"]


def _ruff(*args: str, source: str, filename: Path) -> str:
    command = _ruff_command()
    result = subprocess.run(
        [*command, *args, *RUFF_SETTINGS, f"--stdin-filename={filename}", "-"],
        input=source,
        capture_output=True,
        text=True,
        check=False,
        cwd=TEMPLATE,
    )
    # Both calls exit 0 on success (`check` runs with --exit-zero): anything
    # else is a failure, never an empty twin.
    if result.returncode != 0:
        raise SystemExit(f"ruff failed on the twin of {filename}:\n{result.stderr}")
    return result.stdout


def unasync(source: str, name: str, filename: Path) -> str:
    """Return the sync twin of an async module's source."""
    text = _rewrite(source)
    text = (
        # `# unasync:` lines are dropped from bakes: the user owns the code there.
        f"# unasync: generated from {name} by scripts/unasync.py. Do not edit:\n"
        f"# unasync: edit {name}, then run `python scripts/unasync.py`.\n" + text
    )
    text = _ruff(
        "check",
        "--select=I,F401",
        "--fix-only",
        "--exit-zero",
        source=text,
        filename=filename,
    )
    return _ruff("format", source=text, filename=filename)


def sources() -> list[Path]:
    """The hand-written async modules: every template module that awaits."""
    found = []
    for path in sorted(TEMPLATE.rglob("*.py")):
        if path.stem.endswith(TWIN_SUFFIX):
            continue
        text = path.read_text(encoding="utf-8")
        if text.startswith("# unasync: skip"):
            continue
        if re.search(r"\basync (def|with|for)\b", text):
            found.append(path)
    return found


def twin_of(path: Path) -> Path:
    return path.with_name(f"{path.stem}{TWIN_SUFFIX}.py")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail on a stale twin")
    args = parser.parse_args(argv)
    stale = []
    expected = set()
    for path in sources():
        twin = twin_of(path)
        expected.add(twin)
        wanted = unasync(path.read_text(encoding="utf-8"), path.name, twin)
        current = twin.read_text(encoding="utf-8") if twin.exists() else ""
        if current == wanted:
            continue
        stale.append(twin)
        if args.check:
            sys.stdout.writelines(
                difflib.unified_diff(
                    current.splitlines(keepends=True),
                    wanted.splitlines(keepends=True),
                    str(twin.relative_to(ROOT)),
                    "regenerated",
                )
            )
        else:
            twin.write_text(wanted, encoding="utf-8")
            print(f"wrote {twin.relative_to(ROOT)}")
    orphans = [
        p
        for p in TEMPLATE.rglob(f"*{TWIN_SUFFIX}.py")
        if p not in expected
        and p.read_text(encoding="utf-8").startswith("# unasync: generated")
    ]
    for orphan in orphans:
        stale.append(orphan)
        if not args.check:
            orphan.unlink()
            print(f"removed {orphan.relative_to(ROOT)}, whose async source is gone")
    if args.check and stale:
        names = ", ".join(str(p.relative_to(ROOT)) for p in stale)
        print(
            f"stale sync twins: {names}. Run `python scripts/unasync.py`.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
