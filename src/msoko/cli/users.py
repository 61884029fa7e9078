"""`msoko users add|list|deactivate|token` — accounts from the command line (formats.md v2).

The work is `msoko.web.accounts.services` and `.tokens`, the same the region admin's pages use.
A creating command prints what it created last: `add` the username, `token` the token.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from msoko.cli.common import EXIT_REJECTED, HomeOption, console, err_console, migrate, setup_django

app = typer.Typer(help="Пользователи и токены API.", no_args_is_help=True)

UsernameArgument = Annotated[str, typer.Argument(help="Имя пользователя (логин).", show_default=False)]


def _fail(message: str) -> typer.Exit:
    err_console.print(f"Ошибка: {message} Ничего не изменено.", style="red", markup=False, soft_wrap=True)
    return typer.Exit(EXIT_REJECTED)


def _ready(home):
    setup_django(home)
    migrate()


def _user(username: str):
    from msoko.web.accounts.models import User

    found = User.objects.filter(username=username).first()
    if found is None:
        raise _fail(f"пользователь «{username}» не найден.")
    return found


@app.command("add")
def add(
    username: UsernameArgument,
    role: Annotated[str, typer.Option("--role", help="region_admin, regional_analyst, regional_expert, "
                                                     "municipal_coordinator или school_operator.",
                                      show_default=False)],
    scope: Annotated[str, typer.Option("--scope", help="Код региона, муниципалитета или организации "
                                                       "(по роли), как в реестре.", show_default=False)],
    password_stdin: Annotated[bool, typer.Option("--password-stdin",
                                                 help="Прочитать пароль из стандартного ввода (первая строка).")] = False,
    home: HomeOption = None,
) -> None:
    """Создать пользователя с ролью и областью доступа; без --password-stdin пароль создаётся и печатается."""
    _ready(home)
    from msoko.web.accounts import services

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    try:
        user, password = services.create(username, role, scope, password)
    except services.UserRejected as rejected:
        raise _fail(str(rejected)) from None
    console.print(f"Пользователь создан: {user.get_role_display()}, {services.scope_label(user)}.", markup=False)
    if not password_stdin:
        console.print(f"Пароль: {password}", markup=False, highlight=False)
    console.print(user.username, markup=False, highlight=False)


@app.command("list")
def list_users(home: HomeOption = None) -> None:
    """Пользователи, по строке на каждого (через табуляцию): логин, код роли, роль, область доступа, состояние."""
    _ready(home)
    from msoko.web.accounts import services
    from msoko.web.accounts.models import User

    for user in User.objects.select_related("region", "municipality", "organisation").order_by("username"):
        role = user.get_role_display() if user.role else ("суперпользователь" if user.is_superuser else "без роли")
        state = "активен" if user.is_active else "отключён"
        typer.echo(f"{user.username}\t{user.role or '-'}\t{role}\t{services.scope_label(user)}\t{state}")


@app.command("deactivate")
def deactivate(username: UsernameArgument, home: HomeOption = None) -> None:
    """Отключить пользователя: вход и все его токены API перестают действовать."""
    _ready(home)
    from msoko.web.accounts import services

    user = _user(username)
    services.deactivate(user)
    console.print(f"Пользователь «{user.username}» отключён; его токены API отозваны.", markup=False)


@app.command("token")
def token(
    username: UsernameArgument,
    label: Annotated[str, typer.Option("--label", help="Назначение токена (видно в профиле).")] = "",
    revoke_all: Annotated[bool, typer.Option("--revoke-all", help="Отозвать все токены пользователя, "
                                                                  "нового не выпускать.")] = False,
    home: HomeOption = None,
) -> None:
    """Выпустить токен API пользователя (печатается один раз; хранится только его хеш)."""
    _ready(home)
    from msoko.web.accounts import tokens

    user = _user(username)
    if revoke_all:
        count = tokens.revoke_all(user)
        console.print(f"Отозвано токенов: {count}.", markup=False)
        return
    if not user.is_active:
        raise _fail(f"пользователь «{user.username}» отключён.")
    raw = tokens.issue(user, label or "msoko users token")
    err_console.print("Токен показывается один раз; передавайте его в заголовке Authorization: Bearer.",
                      markup=False)
    console.print(raw, markup=False, highlight=False, soft_wrap=True)
