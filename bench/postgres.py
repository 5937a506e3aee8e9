"""A fresh PostgreSQL database for the bench's PostgreSQL turns, dropped afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy.engine import make_url

# The server to create the bench's database on (the test suite's PostgreSQL by default).
ADMIN_URL_ENV = "GOVBOT_BENCH_POSTGRES_URL"
DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def admin_connection(url: str) -> psycopg.Connection:
    """An autocommit connection to the server of `url`, for CREATE and DROP DATABASE."""
    parsed = make_url(url)
    return psycopg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password or None,
        dbname=parsed.database or "postgres",
        autocommit=True,
        connect_timeout=5,
    )


@contextmanager
def fresh_database() -> Iterator[str]:
    """The URL of a new, empty database; raises when the server cannot be reached."""
    admin_url = os.environ.get(ADMIN_URL_ENV) or DEFAULT_ADMIN_URL
    name = f"govbot_bench_{os.getpid()}"
    with admin_connection(admin_url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin_connection(admin_url) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
