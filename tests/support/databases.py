"""Fresh migrated databases for tests: SQLite, and PostgreSQL when GOVBOT_TEST_DATABASE_URL is set.

Each backend is migrated once per session into a template; every test gets its own copy, so
tests are isolated without paying for a migration each.
"""

from __future__ import annotations

import itertools
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from storage.migrate import upgrade

POSTGRES_ENV = "GOVBOT_TEST_DATABASE_URL"


def backends() -> list[str]:
    """The database kinds this run tests against."""
    return ["sqlite", "postgresql"] if os.environ.get(POSTGRES_ENV) else ["sqlite"]


@dataclass
class SqliteTemplates:
    """One migrated SQLite file, copied per test."""

    directory: Path
    _counter: itertools.count = field(default_factory=itertools.count)
    _template: Path | None = None

    def new_url(self) -> str:
        if self._template is None:
            self._template = self.directory / "template.db"
            upgrade(f"sqlite+aiosqlite:///{self._template}")
        target = self.directory / f"test-{next(self._counter)}.db"
        shutil.copyfile(self._template, target)
        return f"sqlite+aiosqlite:///{target}"

    def cleanup(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


@dataclass
class PostgresTemplates:
    """One migrated PostgreSQL template, cloned per test with CREATE DATABASE … TEMPLATE."""

    admin_url: str
    _counter: itertools.count = field(default_factory=itertools.count)
    _template: str | None = None
    _created: list[str] = field(default_factory=list)

    def _admin(self) -> psycopg.Connection:
        url = make_url(self.admin_url)
        return psycopg.connect(
            host=url.host or "127.0.0.1",
            port=url.port or 5432,
            user=url.username or "postgres",
            password=url.password or None,
            dbname=url.database or "postgres",
            autocommit=True,
        )

    def _url_for(self, database: str) -> str:
        return make_url(self.admin_url).set(database=database).render_as_string(hide_password=False)

    def new_url(self) -> str:
        prefix = f"govbot_test_{os.getpid()}"
        with self._admin() as admin:
            if self._template is None:
                self._template = f"{prefix}_template"
                admin.execute(f'DROP DATABASE IF EXISTS "{self._template}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{self._template}"')
                upgrade(self._url_for(self._template))
            name = f"{prefix}_{next(self._counter)}"
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"')
        self._created.append(name)
        return self._url_for(name)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if name in self._created:
            self._created.remove(name)

    def cleanup(self) -> None:
        with self._admin() as admin:
            for name in [*self._created, self._template]:
                if name:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
