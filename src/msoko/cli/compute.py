"""`msoko compute [--year Y]` — recompute indicators (then flags, lists, ratings) into the workspace."""

from __future__ import annotations

import importlib.util
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from msoko.cli.common import HomeOption, console, print_issues, reject, workspace
from msoko.core.issues import RejectedInput

YearOption = Annotated[int | None, typer.Option("--year", help="Пересчитать только этот год.", show_default=False)]


def _detection_available() -> bool:
    """The detection layer is a separate module; compute calls it when it is installed."""
    return importlib.util.find_spec("msoko.engine.detection") is not None


def compute(year: YearOption = None, home: HomeOption = None) -> None:
    """Пересчитать показатели каталога (и признаки необъективности, списки ШНОР/ШНСУ)."""
    from msoko.engine.pipeline import recompute

    ws = workspace(home)
    years = [year] if year is not None else None
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("Показатели", total=1)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=f"Показатели: {step}", completed=done, total=total)

        try:
            summary = recompute(ws, years=years, progress=progress)
        except RejectedInput as rejected:
            bar.stop()
            raise reject(rejected.issues, "Каталог показателей содержит ошибки, ничего не пересчитано.") from None
        detection = None
        if _detection_available():
            from msoko.engine.detection import run as run_detection

            det_task = bar.add_task("Объективность, ШНОР/ШНСУ", total=1)

            def det_progress(step: str, done: int, total: int) -> None:
                bar.update(det_task, description=f"Объективность, ШНОР/ШНСУ: {step}", completed=done, total=total)

            detection = run_detection(ws, years, det_progress)
    print_issues(summary.warnings)
    years_text = ", ".join(str(y) for y in summary.years) or "нет данных"
    console.print(f"Показатели рассчитаны: {len(summary.computed)} (годы: {years_text}); строк значений: "
                  f"{summary.rows}; ожидают данных: {len(summary.waiting)}; {summary.seconds:.1f} с.", markup=False)
    if detection is not None:
        console.print("Признаки необъективности и списки ШНОР/ШНСУ пересчитаны.", markup=False)
