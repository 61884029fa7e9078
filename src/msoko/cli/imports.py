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


# ------------------------------------------------------------------ results, context, scales (ingest)

ProfileOption = Annotated[
    str | None,
    typer.Option(
        "--profile",
        help="Профиль импорта: имя поставляемого профиля (msoko import profiles) или путь к файлу YAML.",
        show_default=False,
    ),
]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Только проверить файл, ничего не записывая.")]
DropOption = Annotated[
    list[str] | None,
    typer.Option(
        "--drop-columns",
        help="Отбросить столбец (например, ФИО) до проверки и записи; можно указать несколько раз.",
        show_default=False,
    ),
]


ReplaceAllOption = Annotated[
    bool,
    typer.Option(
        "--replace-all",
        help="Заменить целиком год × процедуру (и класс), которые есть в файле, включая данные организаций, "
        "которых в файле нет. По умолчанию заменяются только организации × предметы × классы из файла.",
    ),
]

TasksMetaOption = Annotated[
    Path | None,
    typer.Option(
        "--tasks-meta",
        help="Задания ВПР (year, subject, grade, task, max_score, level); по умолчанию vpr_tasks_meta.csv рядом с файлом.",
        show_default=False,
    ),
]


def _import(
    kind: str,
    file: Path,
    profile: str | None,
    dry_run: bool,
    drop: list[str] | None,
    home,
    tasks_meta=None,
    replace_all: bool = False,
) -> None:
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from msoko.cli.common import workspace
    from msoko.ingest import import_file

    if not file.is_file():
        raise usage_error(f"файл «{file}» не найден.")
    ws = workspace(home)
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(f"Загрузка {file.name}", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        outcome = import_file(
            ws,
            file,
            kind=kind,
            profile=profile,
            dry_run=dry_run,
            actor="cli",
            progress=progress,
            drop_columns=drop,
            tasks_meta=tasks_meta,
            replace_all=replace_all,
        )
    if outcome.rejected:
        raise reject(outcome.issues)
    if outcome.status == "committed" and outcome.registry_rows:
        _register_derived_organisations(home, outcome.registry_rows)
    print_issues(outcome.warnings)
    _print_per_org(outcome.per_org)
    console.print(outcome.summary(), markup=False, highlight=False)


ACTIONS_RU = {"added": "добавлено", "replaced": "заменено", "removed": "удалено (нет в файле)"}


def _print_per_org(per_org: list[dict], limit: int = 30) -> None:
    """Per organisation: what the import added or replaced (the first `limit`, then a count)."""
    for entry in per_org[:limit]:
        line = f"  {entry['org_id']}: {ACTIONS_RU[entry['action']]}"
        if entry["action"] == "replaced":
            line += f", строк было {entry['replaced_rows']}, стало {entry['rows']}"
        elif entry["action"] == "added":
            line += f", строк {entry['rows']}"
        else:
            line += f", строк {entry['replaced_rows']}"
        console.print(line, markup=False, highlight=False)
    if len(per_org) > limit:
        console.print(f"  … и ещё организаций: {len(per_org) - limit}", markup=False, highlight=False)


def _register_derived_organisations(home, rows: list[dict]) -> None:
    """A profile derived the registry from the file itself: the web app must know those organisations too."""
    from msoko.cli.common import migrate

    setup_django(home)
    migrate()
    from msoko.web.registry.importer import upsert_derived_organisations

    created = upsert_derived_organisations(rows)
    if created:
        console.print(f"В реестр добавлено организаций из файла: {created}.", markup=False)


@app.command("results")
def results(
    file: FileArgument,
    profile: ProfileOption = None,
    dry_run: DryRunOption = False,
    drop_columns: DropOption = None,
    tasks_meta: TasksMetaOption = None,
    replace_all: ReplaceAllOption = False,
    home: HomeOption = None,
) -> None:
    """Загрузить результаты: ВПР (vpr.csv или выгрузка Ф1), ГИА (gia.csv), результаты по организациям."""
    if tasks_meta is not None and not tasks_meta.is_file():
        raise usage_error(f"файл «{tasks_meta}» не найден.")
    _import("results", file, profile, dry_run, drop_columns, home, tasks_meta, replace_all)


@app.command("context")
def context(
    file: FileArgument,
    profile: ProfileOption = None,
    dry_run: DryRunOption = False,
    replace_all: ReplaceAllOption = False,
    home: HomeOption = None,
) -> None:
    """Загрузить контекстные данные школ по годам (context.csv)."""
    _import("context", file, profile, dry_run, None, home, replace_all=replace_all)


@app.command("scales")
def scales(
    file: FileArgument,
    dry_run: DryRunOption = False,
    home: HomeOption = None,
) -> None:
    """Загрузить шкалы перевода баллов (scales.csv): заменяют поставляемые за те же год, процедуру, предмет и класс."""
    _import("scales", file, None, dry_run, None, home)


@app.command("history")
def history(home: HomeOption = None) -> None:
    """Журнал загрузок: когда, кто, какой файл, сколько строк, состояние."""
    from msoko.cli.common import workspace
    from msoko.ingest import list_imports

    ws = workspace(home)
    for entry in list_imports(ws):
        console.print(
            f"{entry['id']}  {entry.get('when', '')}  {entry.get('status', '')}  {entry.get('dataset', '')}  "
            f"{entry.get('file', '')}  строк {entry.get('rows', 0)}  предупреждений {entry.get('warning_count', 0)}",
            markup=False,
            highlight=False,
        )


@app.command("rollback")
def rollback_import(
    import_id: Annotated[str, typer.Argument(help="Номер загрузки из «msoko import history».")],
    home: HomeOption = None,
) -> None:
    """Отменить загрузку: её версии снимаются, снова действуют заменённые ею."""
    from msoko.cli.common import workspace
    from msoko.ingest import rollback

    ws = workspace(home)
    issues = rollback(ws, import_id)
    if issues:
        raise reject(issues, summary="Отмена не выполнена.")
    console.print(f"Загрузка {import_id} отменена.", markup=False)


@app.command("profiles")
def profiles() -> None:
    """Поставляемые профили импорта."""
    from msoko.ingest.profiles import shipped_profiles

    for name, description in shipped_profiles().items():
        console.print(f"{name}: {description}", markup=False, highlight=False)
