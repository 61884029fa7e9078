"""What every command shares: the `--home` option, Django start-up, and the exit codes of formats.md.

Exit status: 0 done; 1 rejected input (a list of located issues, nothing written); 2 wrong usage.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from msoko.core.issues import Issue
from msoko.core.workspace import Workspace

console = Console()
err_console = Console(stderr=True)

EXIT_REJECTED = 1
EXIT_USAGE = 2

HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home",
        help="Рабочее пространство (база, хранилище). По умолчанию $MSOKO_HOME или ./msoko-data.",
        show_default=False,
    ),
]


def workspace(home: Path | None) -> Workspace:
    """Resolve the workspace and make it the one Django and every layer below use."""
    ws = Workspace.resolve(home).ensure()
    os.environ["MSOKO_HOME"] = str(ws.root)
    return ws


def setup_django(home: Path | None) -> Workspace:
    ws = workspace(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "msoko.web.settings")
    import django

    django.setup()
    return ws


def migrate(quiet: bool = True) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0 if quiet else 1)


def print_issues(issues: list[Issue]) -> None:
    for issue in issues:
        style = "red" if issue.is_error else "yellow"
        err_console.print(issue.format(), style=style, markup=False, highlight=False, soft_wrap=True)


def reject(issues: list[Issue], summary: str = "Файл не принят, ничего не записано.") -> typer.Exit:
    """Print the issues and return the exit to raise: `raise reject(issues)`."""
    print_issues(issues)
    errors = sum(1 for issue in issues if issue.is_error)
    err_console.print(f"{summary} Ошибок: {errors}.", style="bold red", markup=False, soft_wrap=True)
    return typer.Exit(EXIT_REJECTED)


def usage_error(message: str) -> typer.Exit:
    err_console.print(f"Ошибка: {message}", style="red", markup=False, soft_wrap=True)
    return typer.Exit(EXIT_USAGE)
