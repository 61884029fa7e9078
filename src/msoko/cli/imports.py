"""`msoko import …` — registry, results, context, scales."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from msoko.cli.common import HomeOption, console, print_issues, reject, setup_django, usage_error

app = typer.Typer(help="Загрузка данных.", no_args_is_help=True)

FileArgument = Annotated[Path, typer.Argument(help="Файл CSV или XLSX.", show_default=False)]


@app.command("registry")
def registry(file: FileArgument, home: HomeOption = None) -> None:
    """Загрузить или обновить реестр организаций (organisations.csv / .xlsx)."""
    if not file.is_file():
        raise usage_error(f"файл «{file}» не найден.")
    ws = setup_django(home)
    from msoko.cli.common import migrate
    from msoko.core.issues import RejectedInput
    from msoko.web.registry.importer import import_registry

    migrate()
    try:
        with console.status("Загрузка реестра…"):
            result = import_registry(file, workspace=ws, file_name=file.name)
    except RejectedInput as rejected:
        raise reject(rejected.issues) from None
    print_issues(result.warnings)
    console.print(
        f"Реестр загружен: добавлено {result.created}, обновлено {result.updated}, без изменений {result.unchanged}.",
        markup=False,
    )
