"""The sync twins are generated from the async sources and never drift."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import unasync


def test_committed_twins_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/unasync.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_every_async_module_has_a_twin() -> None:
    sources = unasync.sources()

    assert len(sources) > 10
    assert all(unasync.twin_of(p).exists() for p in sources)


def test_rewrite_drops_async_and_moves_imports(tmp_path: Path) -> None:
    source = '''"""Doc."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload


async def load(session: AsyncSession) -> int:
    async with session.begin():
        # unasync: value = 1
        value = await other()
        return await session.scalar(select(1).options(selectinload("x"))) + value
'''
    twin = unasync.unasync(source, "mod.py", tmp_path / "mod_sync.py")

    code = "\n".join(line for line in twin.splitlines() if "# unasync:" not in line)
    assert "async" not in code
    assert "await" not in code
    assert "from sqlalchemy.orm import Session, selectinload" in twin
    assert "def load(session: Session) -> int:" in twin
    assert "with session.begin():" in twin
    assert "value = 1\n" in twin
    assert twin.startswith("# unasync: generated from mod.py")


def test_template_tooling_is_lint_clean() -> None:
    paths = ["hooks", "scripts", "tests", "local_extensions.py"]
    check = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    fmt = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--no-cache", "--check", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )

    assert check.returncode == 0, check.stdout
    assert fmt.returncode == 0, fmt.stdout
