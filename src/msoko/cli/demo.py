"""`msoko demo` — a realistic synthetic region, built through the same import path real files take.

Steps: generate the region's canonical files (msoko.synth) → import the registry → import results and
context → compute → demo logins → an example management cycle → serve. Re-running on an existing
workspace is safe: generation is
deterministic, identical imports are no-ops, and existing users keep their passwords.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from msoko.cli.common import HomeOption, console, migrate, reject, setup_django
from msoko.cli.compute import run_compute
from msoko.cli.serve import HostOption, PortOption
from msoko.core.issues import RejectedInput

DEMO_SEED = 2026
NoServeOption = Annotated[bool, typer.Option("--no-serve", help="Только построить демо-регион, не запускать сервер.")]
SeedOption = Annotated[int, typer.Option("--seed", help="Зерно генератора (один и тот же регион при одном зерне).")]


IMPORTS = (
    ("context", "context", "контекст школ"),
    ("vpr", "results", "результаты ВПР"),
    ("gia", "results", "результаты ОГЭ и ЕГЭ"),
)


def build_demo(ws, seed: int, progress: Progress, *, example_cycle: bool = True) -> list:
    """Build the demo region into the workspace; returns the demo logins. `example_cycle`: also fill one
    management cycle (system 1.2 of the coordinator's municipality) as an example."""
    from msoko.ingest import import_file
    from msoko.synth import generate_region
    from msoko.web.cycle.example import ensure_example_cycle
    from msoko.web.demo_users import demo_municipality, ensure_demo_users
    from msoko.web.registry.importer import import_registry

    task = progress.add_task("Генерация синтетического региона", total=None)
    region = generate_region(ws.root / "demo-source", seed=seed)
    progress.update(task, total=1, completed=1)

    task = progress.add_task("Загрузка реестра организаций", total=None)
    registry = region.files["organisations"]
    import_registry(registry, workspace=ws, file_name=registry.name)
    progress.update(task, total=1, completed=1)

    for name, kind, label in IMPORTS:
        task = progress.add_task(f"Загрузка: {label}", total=None)
        outcome = import_file(
            ws, region.files[name], kind=kind, actor="demo",
            progress=lambda done, total, task=task: progress.update(task, completed=done, total=total),
        )
        if outcome.rejected:
            raise RejectedInput(outcome.issues)
        progress.update(task, total=1, completed=1)

    task = progress.add_task("Сбор данных: кампании по формам и принятые ответы", total=None)
    ensure_demo_users(ws)  # the demo's approvers; idempotent, called again below
    from msoko.web.collection.demo import ensure_demo_collection

    ensure_demo_collection(ws, region, seed)  # published before compute, so every system computes
    progress.update(task, total=1, completed=1)

    run_compute(ws, years=None, progress=progress)
    logins = ensure_demo_users(ws)
    municipality = demo_municipality()
    if example_cycle and municipality is not None:
        task = progress.add_task("Пример управленческого цикла (система 1.2)", total=None)
        ensure_example_cycle(municipality)
        progress.update(task, total=1, completed=1)
    if municipality is not None:
        from msoko.web.evaluation.demo import ensure_demo_evaluation

        task = progress.add_task("Оценка муниципальных механизмов (кампании двух лет)", total=None)
        ensure_demo_evaluation(seed)
        progress.update(task, total=1, completed=1)
    return logins


def demo(
    home: HomeOption = None,
    no_serve: NoServeOption = False,
    seed: SeedOption = DEMO_SEED,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
) -> None:
    """Построить синтетический регион в рабочем пространстве и открыть его в браузере."""
    ws = setup_django(home)
    migrate()
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    try:
        with Progress(*columns, console=console, transient=False) as progress:
            logins = build_demo(ws, seed, progress)
    except RejectedInput as rejected:
        raise reject(rejected.issues, "Демо-регион не построен.") from None
    console.print(f"\nДемо-регион готов в {ws.root}", markup=False)
    table = Table(title="Демо-входы (пароли хранятся в demo-logins.json рабочего пространства)", title_justify="left")
    for column in ("Логин", "Пароль", "Роль", "Область доступа"):
        table.add_column(column, overflow="fold")
    for login in logins:
        table.add_row(login.username, login.password, login.role_label, login.scope_label)
    console.print(table)
    if not no_serve:
        # A fresh process serves: this one ran the computation, and thread pools (DuckDB, Polars) do not
        # survive the fork into server workers — a worker would hang on its first read.
        console.file.flush()
        os.execv(sys.executable, [sys.executable, "-m", "msoko.cli", "serve", "--home", str(ws.root),  # noqa: S606
                                  "--host", host, "--port", str(port)])

