"""Which database the tests use; imported by conftest before the app.

- TEST_DATABASE_URL, when set, names it (its tables are dropped and recreated);
- otherwise a fresh SQLite file in a temporary folder, which `database()`
  removes after the tests.

Either way DATABASE_URL is set for the app before it reads its settings.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from app.driver import DRIVER

os.environ["ENVIRONMENT"] = "test"
os.environ.setdefault("SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789")

_given = os.environ.get("TEST_DATABASE_URL")
folder: Path | None = None
if _given:
    url = make_url(_given).set(drivername=DRIVER)
else:
    folder = Path(tempfile.mkdtemp())
    url = make_url(f"{DRIVER}:///{folder / 'test.db'}")

DATABASE_URL = url.render_as_string(hide_password=False)
os.environ["DATABASE_URL"] = DATABASE_URL


@contextmanager
def database() -> Iterator[None]:
    """The test database, for as long as the tests run.

    A temporary file is removed, with its folder, after.
    """
    try:
        yield
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
