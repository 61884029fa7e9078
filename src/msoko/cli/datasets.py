"""`msoko import dataset` and `msoko catalog datasets` — owned by collection; registers onto the existing
`import` and `catalog` groups (cli/main.py lists this module in `_registered_elsewhere`)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from msoko.cli.catalog import app as catalog_app
from msoko.cli.common import HomeOption, console, print_issues, reject, usage_error, workspace
from msoko.cli.imports import DryRunOption, FileArgument
from msoko.cli.imports import app as import_app


@import_app.command("dataset")
def import_dataset(
    name: Annotated[str, typer.Argument(help="Набор данных каталога (msoko catalog datasets).",
                                        show_default=False)],
    file: FileArgument,
    dry_run: DryRunOption = False,
    home: HomeOption = None,
) -> None:
    """Загрузить объявленный набор данных (формы, кадры, выпускники…): year, org_id или municipality_id и
    столбцы набора; заменяет только организации × годы, которые есть в файле."""
    from msoko.ingest.declared import import_dataset as run

    if not file.is_file():
        raise usage_error(f"файл «{file}» не найден.")
    ws = workspace(home)
    outcome = run(ws, name, file, dry_run=dry_run, actor="cli")
    if outcome.rejected:
        raise reject(outcome.issues)
    print_issues(outcome.warnings)
    console.print(outcome.summary(), markup=False, highlight=False)
    if outcome.import_id:
        console.print(outcome.import_id, markup=False, highlight=False)


@catalog_app.command("datasets")
def list_datasets(home: HomeOption = None) -> None:
    """Наборы данных: имя, уровень (organisation / municipality), столбцы с типом и подписью."""
    from msoko.engine.catalog.validate import dataset_specs
    from msoko.engine.pipeline import workspace_catalog

    ws = workspace(home)
    catalog, issues = workspace_catalog(ws)
    if catalog is None or any(i.is_error for i in issues):
        raise reject(issues, "Каталог показателей содержит ошибки.")
    declared = {d.name: d for d in catalog.datasets}
    table = Table(show_lines=True)
    for title in ("Набор", "Уровень", "Название", "Столбцы"):
        table.add_column(title, overflow="fold")
    for name, spec in dataset_specs(catalog).items():
        decl = declared.get(name)
        columns = "\n".join(
            f"{column} ({kind}){': ' + decl.label(column) if decl and column in decl.labels else ''}"
            for column, kind in spec.columns.items())
        table.add_row(name, str(spec.grain), spec.title, columns)
    console.print(table)

