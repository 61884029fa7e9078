"""`msoko demo` — a realistic synthetic region, built through the same import path real files take.

Steps: generate the region's canonical files (msoko.synth) → import the registry → import results and
context → compute → demo logins → serve. Re-running on an existing workspace is safe: generation is
deterministic, identical imports are no-ops, and existing users keep their passwords.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from msoko.cli.common import HomeOption, console, migrate, reject, setup_django
from msoko.cli.serve import HostOption, PortOption, run_server
from msoko.core.issues import RejectedInput

DEMO_SEED = 2026
NoServeOption = Annotated[bool, typer.Option("--no-serve", help="Только построить демо-регион, не запускать сервер.")]
SeedOption = Annotated[int, typer.Option("--seed", help="Зерно генератора (один и тот же регион при одном зерне).")]


def build_demo(ws, seed: int, progress: Progress) -> list:
    """Build the demo region into the workspace; returns the demo logins."""
    from msoko.ingest import import_file
    from msoko.synth import generate_region
    from msoko.web.demo_users import ensure_demo_users
    from msoko.web.registry.importer import import_registry

    source = ws.root / "demo-source"
    task = progress.add_task("Генерация синтетического региона", total=None)
    region = generate_region(source, seed=seed)
    progress.update(task, description="Синтетический регион создан", total=1, completed=1)

    task = progress.add_task("Загрузка реестра организаций", total=None)
    import_registry(region.organisations, workspace=ws, file_name=region.organisations.name)
    progress.update(task, total=1, completed=1)

    for path, kind, label in region.imports():
        task = progress.add_task(f"Загрузка: {label}", total=None)
        outcome = import_file(ws, path, kind=kind, actor="demo", progress=_bar(progress, task))
        if outcome.errors:
            raise RejectedInput(outcome.issues)
        progress.update(task, total=1, completed=1)

    compute_all(ws, progress)
    return ensure_demo_users(ws)


def _bar(progress: Progress, task):
    def update(done: int, total: int | None = None) -> None:
        progress.update(task, completed=done, total=total)

    return update


def compute_all(ws, progress: Progress) -> None:
    from msoko.cli.compute import run_compute

    run_compute(ws, years=None, progress=progress)


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
    console.print("Демо-входы (пароли хранятся в demo-logins.json рабочего пространства):", markup=False)
    for login in logins:
        console.print(f"  {login.username:<13} {login.password:<14} {login.role_label} — {login.scope_label}", markup=False)
    if not no_serve:
        run_server(host, port)

