"""The `msoko` entry point. Sub-commands live in their own modules and are registered here."""

from __future__ import annotations

import sys

import typer

from msoko.cli import (
    catalog,
    compute,
    datasets,
    demo,
    detection,
    evaluation,
    exports,
    forms,
    imports,
    maintenance,
    problems,
    report,
    serve,
    users,
)
from msoko.core.env import SettingError

app = typer.Typer(
    name="msoko",
    help="МСОКО: оценка качества образования в муниципалитете и регионе.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("demo")(demo.demo)
app.command("serve")(serve.serve)
app.command("compute")(compute.compute)
app.command("report")(report.report)
app.command("maintenance")(maintenance.maintenance)
app.add_typer(imports.app, name="import")
app.add_typer(exports.app, name="export")
app.add_typer(catalog.app, name="catalog")
app.add_typer(forms.app, name="forms")
app.add_typer(evaluation.app, name="evaluation")
app.add_typer(users.app, name="users")

_registered_elsewhere = (detection, datasets, evaluation, problems)  # modules that add commands to the groups above


def run() -> None:
    """Console-script entry: no traceback ever reaches a user; an unexpected failure says what to send us."""
    try:
        app()
    except SystemExit:
        raise
    except SettingError as exc:
        from msoko.cli.common import EXIT_USAGE, err_console

        err_console.print(f"Ошибка настройки: {exc}", style="red", markup=False, soft_wrap=True)
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        sys.stderr.write("Прервано.\n")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 — the last line of defence before the user's terminal
        from msoko.cli.common import err_console

        err_console.print(
            f"Внутренняя ошибка: {type(exc).__name__}: {exc}. "
            "Ничего не повреждено; сообщите администратору текст ошибки.",
            style="red",
            markup=False,
        )
        sys.exit(3)
