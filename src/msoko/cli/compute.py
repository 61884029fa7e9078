"""`msoko compute [--year Y]` — recompute indicators, then objectivity flags and ШНОР/ШНСУ lists, then the ВПР
distributions of the organisation page (primary-score histograms, task completion Б/П).

`run_compute(ws, years, progress)` is the same work on a Rich `Progress` someone else owns (`msoko demo`).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from msoko.cli.common import HomeOption, console, print_issues, reject, workspace
from msoko.core.issues import RejectedInput
from msoko.core.workspace import Workspace

YearOption = Annotated[int | None, typer.Option("--year", help="Пересчитать только этот год.", show_default=False)]


def run_compute(ws: Workspace, years: list[int] | None, progress: Progress):
    """Indicators, then detection, then the ВПР distributions; returns the indicator summary.

    Both configurations (the catalog, `detection.yaml`) are checked before anything is written: a broken
    one raises RejectedInput with located issues and leaves the stored results as they were.
    """
    from msoko.engine.detection import load_config
    from msoko.engine.detection import run as run_detection
    from msoko.engine.pipeline import recompute

    detection_config, issues = load_config(ws)
    if detection_config is None:
        raise RejectedInput(issues)

    task = progress.add_task("Показатели", total=1)

    def step(name: str, done: int, total: int) -> None:
        progress.update(task, description=f"Показатели: {name}", completed=done, total=total)

    summary = recompute(ws, years=years, progress=step)
    det_task = progress.add_task("Объективность, ШНОР/ШНСУ", total=1)

    def det_step(name: str, done: int, total: int) -> None:
        progress.update(det_task, description=f"Объективность, ШНОР/ШНСУ: {name}", completed=done, total=total)

    summary.detection = run_detection(ws, years, det_step)
    summary.distributions = _run_distributions(ws, years, progress)
    return summary


def _run_distributions(ws: Workspace, years: list[int] | None, progress: Progress) -> dict:
    from msoko.engine import distributions
    from msoko.engine.pipeline import workspace_catalog
    from msoko.engine.warehouse import Warehouse

    title = "Распределения баллов ВПР, задания Б/П"
    task = progress.add_task(title, total=1)

    def step(name: str, done: int, total: int) -> None:
        progress.update(task, description=f"{title}: {name}", completed=done, total=total)

    catalog, _issues = workspace_catalog(ws)
    return distributions.run(Warehouse(ws.warehouse), ws.results, years,
                             min_group=distributions.min_group_of(catalog), progress=step)


def compute(year: YearOption = None, home: HomeOption = None) -> None:
    """Пересчитать показатели каталога (и признаки необъективности, списки ШНОР/ШНСУ)."""
    ws = workspace(home)
    years = [year] if year is not None else None
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
               TimeElapsedColumn())
    try:
        with Progress(*columns, console=console, transient=False) as progress:
            summary = run_compute(ws, years, progress)
    except RejectedInput as rejected:
        raise reject(rejected.issues, "Настройки расчёта (каталог показателей или detection.yaml) содержат ошибки, ничего не пересчитано.") from None
    print_issues(summary.warnings)
    years_text = ", ".join(str(y) for y in summary.years) or "нет данных"
    console.print(f"Показатели рассчитаны: {len(summary.computed)} (годы: {years_text}); строк значений: "
                  f"{summary.rows}; ожидают данных: {len(summary.waiting)}; {summary.seconds:.1f} с.", markup=False)
    if summary.detection is not None:
        console.print("Признаки необъективности и списки ШНОР/ШНСУ пересчитаны.", markup=False)
    if summary.distributions is not None:
        console.print(f"Распределения первичных баллов ВПР и выполнение заданий Б/П сохранены "
                      f"(групп: {summary.distributions['groups']}).", markup=False)
