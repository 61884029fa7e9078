"""`msoko catalog …` — list the indicators with their data status, check a catalog, generate passports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from msoko.cli.common import HomeOption, console, print_issues, reject, workspace
from msoko.core.issues import has_errors

app = typer.Typer(help="Каталог показателей.", no_args_is_help=True)


@app.command("list")
def list_indicators(
    system: Annotated[str | None, typer.Option("--system", help="Только эта система (1.1 … 2.4).",
                                               show_default=False)] = None,
    home: HomeOption = None,
) -> None:
    """Показатели каталога с состоянием данных: рассчитан / ожидает набор данных X."""
    from msoko.engine.catalog.status import data_status
    from msoko.engine.pipeline import workspace_catalog

    ws = workspace(home)
    catalog, issues = workspace_catalog(ws)
    if catalog is None or has_errors(issues):
        raise reject(issues, "Каталог показателей содержит ошибки.")
    statuses = data_status(ws, catalog)
    table = Table(show_lines=False)
    for name in ("Код", "Система", "Наименование", "Вид", "Набор данных", "Состояние"):
        table.add_column(name, overflow="fold")
    for indicator in catalog.indicators:
        if system and indicator.system != system:
            continue
        table.add_row(indicator.code, indicator.system, indicator.name, str(indicator.kind), indicator.dataset,
                      statuses[indicator.code])
    console.print(table)
    computed = sum(1 for s in statuses.values() if s == "рассчитан")
    console.print(f"Всего показателей: {len(catalog.indicators)}; рассчитано: {computed}.", markup=False)


@app.command("check")
def check(
    path: Annotated[Path | None, typer.Argument(help="Папка или файл каталога; по умолчанию — каталог "
                                                     "рабочего пространства.", show_default=False)] = None,
    home: HomeOption = None,
) -> None:
    """Проверить каталог: ошибки с файлом, строкой и полем."""
    from msoko.engine.catalog import load_catalog
    from msoko.engine.pipeline import catalog_path
    from msoko.engine.sources import data_columns
    from msoko.engine.warehouse import Warehouse

    ws = workspace(home)
    target = path or catalog_path(ws)
    # the workspace's data decide which further columns of context / results_by_org formulas may use
    catalog, issues = load_catalog(target, data_columns=data_columns(Warehouse(ws.warehouse)))
    if catalog is None or has_errors(issues):
        raise reject(issues, "Каталог содержит ошибки.")
    print_issues(issues)
    console.print(f"Каталог в порядке: показателей {len(catalog.indicators)}.", markup=False)


@app.command("docs")
def docs(
    output: Annotated[Path, typer.Option("-o", "--output", help="Папка для страниц паспортов.")] = Path(
        "docs/indicators"),
) -> None:
    """Сгенерировать страницы паспортов показателей (Markdown) из каталога по умолчанию."""
    from msoko.engine.catalog import default_catalog
    from msoko.engine.catalog.passports import write_passports

    written = write_passports(default_catalog(), output)
    console.print(f"Записано страниц: {len(written)} в {output}.", markup=False)
