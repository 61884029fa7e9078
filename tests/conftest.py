"""Fixtures and markers shared by every test folder.

`database` (a marker set here, never by hand): the test uses Django's database in this process — it asks,
directly or through its fixtures, for one of pytest-django's database fixtures. pytest-django refuses the
database to every other test, so the rest cannot depend on which database runs; CI's PostgreSQL pass runs
only these (tests that start `msoko` in a subprocess give it SQLite explicitly).

`spark` (marker `spark`): a local Spark session. The Spark tests need the optional extra
(`uv sync --extra spark`) and Java 17; without them they are skipped — unless MSOKO_TEST_SPARK=required (the
CI step that installs both sets it), where a missing piece fails them instead of hiding behind a skip.
"""

from __future__ import annotations

import os
import shutil

import pytest


def _missing() -> str | None:
    from msoko.engine.spark import spark_available

    if not spark_available():
        return "PySpark не установлен (python3 -m uv sync --extra spark)"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "нет Java 17 (apt-get install openjdk-17-jre-headless)"
    return None


@pytest.fixture(scope="session")
def spark():
    missing = _missing()
    if missing:
        if os.environ.get("MSOKO_TEST_SPARK") == "required":
            pytest.fail(f"Spark tests required but {missing}")
        pytest.skip(missing)
    from msoko.engine.spark import spark_session

    session = spark_session("local[2]", partitions=4)
    yield session
    session.stop()


DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
                     "client", "async_client", "admin_client", "admin_user", "django_user_model", "live_server",
                     "django_db_setup"}


def pytest_collection_modifyitems(items):
    for item in items:
        if item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.database)
