"""Which database the tests use; imported by conftest before the app.

- TEST_DATABASE_URL, when set, names it (its tables are dropped and recreated);
- otherwise a fresh SQLite file in a temporary folder.

Either way DATABASE_URL is set for the app before it reads its settings.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

from app.driver import DRIVER

os.environ["ENVIRONMENT"] = "test"
os.environ.setdefault("SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789")

_given = os.environ.get("TEST_DATABASE_URL")
if _given:
    url = make_url(_given).set(drivername=DRIVER)
else:
    url = make_url(f"{DRIVER}:///{Path(tempfile.mkdtemp()) / 'test.db'}")

# SQLite needs no server; conftest checks this the same way for both databases.
server = None
DATABASE_URL = url.render_as_string(hide_password=False)
os.environ["DATABASE_URL"] = DATABASE_URL
