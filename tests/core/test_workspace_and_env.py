"""The workspace secret and the typed environment readers."""

from __future__ import annotations

import os
import stat
from concurrent.futures import ThreadPoolExecutor

import pytest

from msoko.core.env import SettingError, env_bool, env_choice, env_int, env_list
from msoko.core.workspace import Workspace


def test_the_secret_is_created_once_owner_only_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("MSOKO_SECRET_KEY", raising=False)
    ws = Workspace(tmp_path / "ws").ensure()
    first = ws.secret_key()
    assert len(first) > 40
    assert stat.S_IMODE(os.stat(ws.root / "secret_key").st_mode) == 0o600
    assert Workspace(tmp_path / "ws").secret_key() == first


def test_concurrent_first_runs_agree_on_one_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("MSOKO_SECRET_KEY", raising=False)
    ws = Workspace(tmp_path / "ws").ensure()
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: ws.secret_key(), range(32)))
    assert len(keys) == 1


def test_a_configured_secret_serves_django_and_pseudonymisation_alike(tmp_path, monkeypatch):
    monkeypatch.setenv("MSOKO_SECRET_KEY", "настроенный-ключ")
    assert Workspace(tmp_path / "ws").ensure().secret_key() == "настроенный-ключ"


def test_home_comes_from_the_argument_then_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MSOKO_HOME", str(tmp_path / "env"))
    assert Workspace.resolve().root == (tmp_path / "env").resolve()
    assert Workspace.resolve(tmp_path / "arg").root == (tmp_path / "arg").resolve()


@pytest.mark.parametrize(("reader", "value"), [(env_bool, "может быть"), (env_int, "пять")])
def test_a_bad_value_fails_loudly_naming_the_variable(monkeypatch, reader, value):
    name = "MSOKO_DEBUG" if reader is env_bool else "MSOKO_LOGIN_ATTEMPTS"
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingError, match=name):
        reader(name, 1) if reader is env_int else reader(name, False)


def test_an_integer_below_its_minimum_is_refused(monkeypatch):
    monkeypatch.setenv("MSOKO_LOGIN_ATTEMPTS", "0")
    with pytest.raises(SettingError, match="не меньше 1"):
        env_int("MSOKO_LOGIN_ATTEMPTS", 5, minimum=1)


def test_lists_and_defaults(monkeypatch):
    monkeypatch.setenv("MSOKO_ALLOWED_HOSTS", " a.ru, b.ru ,")
    assert env_list("MSOKO_ALLOWED_HOSTS", []) == ["a.ru", "b.ru"]
    monkeypatch.delenv("MSOKO_DEBUG", raising=False)
    assert env_bool("MSOKO_DEBUG", False) is False


def test_an_undocumented_variable_cannot_be_read():
    with pytest.raises(KeyError):
        env_bool("MSOKO_SOMETHING_ELSE", False)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [("MSOKO_DATABASE_URL", "mysql://u@h/db", "MSOKO_DATABASE_URL"), ("MSOKO_DEBUG", "да", "MSOKO_DEBUG")],
)
def test_the_web_app_refuses_to_start_on_a_bad_setting(tmp_path, name, value, message):
    import subprocess
    import sys

    env = {**os.environ, "MSOKO_HOME": str(tmp_path), name: value}
    result = subprocess.run(
        [sys.executable, "-m", "msoko.cli", "serve", "--port", "1"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_choice_is_one_of_its_values(monkeypatch):
    monkeypatch.delenv("MSOKO_ENGINE", raising=False)
    assert env_choice("MSOKO_ENGINE", "duckdb", ("duckdb", "spark")) == "duckdb"
    monkeypatch.setenv("MSOKO_ENGINE", "spark")
    assert env_choice("MSOKO_ENGINE", "duckdb", ("duckdb", "spark")) == "spark"
    monkeypatch.setenv("MSOKO_ENGINE", "polars")
    with pytest.raises(SettingError, match="MSOKO_ENGINE='polars': допустимы duckdb, spark"):
        env_choice("MSOKO_ENGINE", "duckdb", ("duckdb", "spark"))
