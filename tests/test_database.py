"""The suite runs on the database the environment names: PostgreSQL in CI's second run, never silently SQLite."""

import os

from django.db import connection


def test_the_suite_uses_the_database_the_environment_names(db):
    expected = "postgresql" if os.environ.get("MSOKO_DATABASE_URL") else "sqlite"
    assert connection.vendor == expected
