"""`msoko users add|list|deactivate|token` on a workspace of its own (formats.md v2)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REGISTRY = """org_id,name,kind,municipality_id,municipality_name,region_id,region_name
edu1,Школа № 1,school,m1,Округ Один,r1,Область
edu2,Школа № 2,school,m2,Округ Два,r1,Область
"""


def msoko(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    import os

    env = {k: v for k, v in os.environ.items() if k != "MSOKO_DATABASE_URL"} | {"MSOKO_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "msoko.cli", *args, "--home", str(home)], input=stdin,
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("users") / "home"
    registry = home.parent / "organisations.csv"
    registry.write_text(REGISTRY, encoding="utf-8")
    assert msoko(home, "import", "registry", str(registry)).returncode == 0
    return home


def test_add_prints_a_generated_password_and_the_username_last(home):
    done = msoko(home, "users", "add", "koord", "--role", "municipal_coordinator", "--scope", "m1")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[-1] == "koord"
    assert any(line.startswith("Пароль: ") and len(line) > 18 for line in lines)
    listed = msoko(home, "users", "list").stdout
    row = next(line for line in listed.splitlines() if line.startswith("koord\t"))
    assert "municipal_coordinator" in row and "Округ Один (m1)" in row and "активен" in row


def test_add_with_password_stdin_prints_no_password(home):
    done = msoko(home, "users", "add", "school1", "--role", "school_operator", "--scope", "edu2",
                 "--password-stdin", stdin="Длинный-пароль-42\n")
    assert done.returncode == 0, done.stderr
    assert "Длинный-пароль-42" not in done.stdout and "Пароль:" not in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "school1"


@pytest.mark.parametrize("args, message", [
    (["--role", "municipal_coordinator", "--scope", "edu1"], "не найден"),   # an organisation for a municipal role
    (["--role", "mayor", "--scope", "m1"], "Неизвестная роль"),
    (["--role", "region_admin", "--scope", "r9"], "не найден"),
])
def test_add_refuses_a_wrong_role_or_scope_with_exit_1(home, args, message):
    done = msoko(home, "users", "add", "wrong", *args)
    assert done.returncode == 1 and message in done.stderr
    assert "wrong\t" not in msoko(home, "users", "list").stdout


def test_add_refuses_a_weak_password_and_an_existing_name(home):
    weak = msoko(home, "users", "add", "weak", "--role", "region_admin", "--scope", "r1", "--password-stdin",
                 stdin="123\n")
    assert weak.returncode == 1 and "Пароль не подходит" in weak.stderr
    msoko(home, "users", "add", "twice", "--role", "region_admin", "--scope", "r1")
    again = msoko(home, "users", "add", "twice", "--role", "region_admin", "--scope", "r1")
    assert again.returncode == 1 and "уже есть" in again.stderr


def test_token_then_deactivate_revokes_it(home):
    import os

    msoko(home, "users", "add", "api", "--role", "regional_analyst", "--scope", "r1")
    issued = msoko(home, "users", "token", "api")
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip().splitlines()[-1]
    assert token.startswith("msoko_") and len(token) > 40
    check = ("import django, sys; django.setup(); from msoko.web.accounts.tokens import user_of; "
             "u = user_of(sys.argv[1]); print(u.username if u else '-')")
    env = {k: v for k, v in os.environ.items() if k != "MSOKO_DATABASE_URL"} | {
        "MSOKO_HOME": str(home), "DJANGO_SETTINGS_MODULE": "msoko.web.settings"}

    def owner() -> str:
        return subprocess.run([sys.executable, "-c", check, token], capture_output=True, text=True,
                              env=env).stdout.strip()

    assert owner() == "api"
    assert (home / "msoko.sqlite3").read_bytes().find(token.encode()) == -1  # only its hash is stored
    assert msoko(home, "users", "deactivate", "api").returncode == 0
    assert owner() == "-"
    assert "отключён" in next(line for line in msoko(home, "users", "list").stdout.splitlines()
                              if line.startswith("api\t"))
    assert msoko(home, "users", "token", "nobody").returncode == 1
