"""`msoko compute [--year Y]` — objectivity flags and ШНОР/ШНСУ lists, then the indicators (the catalog's
`risk_lists` indicators read detection's lists just stored, unless the region imported its own `risk_lists`),
then the municipal ratings over the stored values, then the ВПР distributions of the organisation page
(primary-score histograms, task completion Б/П).

Detection reads only the warehouse, never indicator values, so it can run first.

`run_compute(ws, years, progress)` is the same work on a Rich `Progress` someone else owns (`msoko demo`).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from msoko.cli.common import HomeOption, console, print_issues, reject, workspace
from msoko.core.issues import RejectedInput, has_errors
from msoko.core.workspace import Workspace

YearOption = Annotated[int | None, typer.Option("--year", help="Пересчитать только этот год.", show_default=False)]


def run_compute(ws: Workspace, years: list[int] | None, progress: Progress):
    """Detection, then indicators (fed detection's lists), then ratings, then the ВПР distributions; returns
    the indicator summary with the others attached.

    Every configuration (the catalog, `detection.yaml`, `ratings.yaml`) is checked before anything is
    written: a broken one raises RejectedInput with located issues and leaves the stored results as they were.
    """
    from msoko.engine import ratings
    from msoko.engine.detection import load_config
    from msoko.engine.detection import run as run_detection
    from msoko.engine.pipeline import derived_sources, recompute, workspace_catalog
    from msoko.engine.warehouse import Warehouse

    catalog, catalog_issues = workspace_catalog(ws)
    if catalog is None or has_errors(catalog_issues):
        raise RejectedInput(catalog_issues)
    detection_config, issues = load_config(ws)
    if detection_config is None:
        raise RejectedInput(issues)
    ratings_config, issues = ratings.load_config(ws.root)
    if ratings_config is None:
        raise RejectedInput(issues)

    det_task = progress.add_task("Объективность, ШНОР/ШНСУ", total=1)

    def det_step(name: str, done: int, total: int) -> None:
        progress.update(det_task, description=f"Объективность, ШНОР/ШНСУ: {name}", completed=done, total=total)

    detection = run_detection(ws, years, det_step)
    task = progress.add_task("Показатели", total=1)

    def step(name: str, done: int, total: int) -> None:
        progress.update(task, description=f"Показатели: {name}", completed=done, total=total)

    summary = recompute(ws, catalog=catalog, years=years, progress=step, derived=derived_sources(ws))
    summary.warnings = catalog_issues + summary.warnings
    summary.detection = detection
    rating_task = progress.add_task("Рейтинг муниципалитетов", total=1)
    summary.ratings = ratings.run(ws.results, Warehouse(ws.warehouse), catalog, ratings_config,
                                  indicator_run=summary.run_id)
    progress.update(rating_task, completed=1)
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
    """Пересчитать показатели каталога, признаки необъективности, списки ШНОР/ШНСУ и рейтинг муниципалитетов."""
    ws = workspace(home)
    years = [year] if year is not None else None
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
               TimeElapsedColumn())
    try:
        with Progress(*columns, console=console, transient=False) as progress:
            summary = run_compute(ws, years, progress)
    except RejectedInput as rejected:
        raise reject(rejected.issues, "Настройки расчёта (каталог показателей, detection.yaml или ratings.yaml) "
                                      "содержат ошибки, ничего не пересчитано.") from None
    print_issues(summary.warnings)
    years_text = ", ".join(str(y) for y in summary.years) or "нет данных"
    console.print(f"Показатели рассчитаны: {len(summary.computed)} (годы: {years_text}); строк значений: "
                  f"{summary.rows}; ожидают данных: {len(summary.waiting)}; {summary.seconds:.1f} с.", markup=False)
    if summary.detection is not None:
        console.print("Признаки необъективности и списки ШНОР/ШНСУ пересчитаны.", markup=False)
    from msoko.engine.pipeline import RISK_LISTS, RISK_LISTS_LABEL

    risk_lists = summary.origins.get(RISK_LISTS)
    if risk_lists is not None:
        where = ("загруженный регионом набор risk_lists (списки модуля выявления не использованы)"
                 if risk_lists == "warehouse" else f"{RISK_LISTS_LABEL} ({risk_lists})")
        console.print(f"Показатели списков ШНОР/ШНСУ рассчитаны по: {where}.", markup=False)
    if summary.ratings is not None:
        r = summary.ratings
        if r["municipalities"]:
            years = ", ".join(str(y) for y in r["years"])
            console.print(f"Рейтинг муниципалитетов сохранён (муниципалитетов: {r['municipalities']}, регионов: "
                          f"{r['regions']}; годы: {years}).", markup=False)
        else:
            console.print("Рейтинг муниципалитетов: нет значений показателей на уровне муниципалитетов.",
                          markup=False)
    if summary.distributions is not None:
        console.print(f"Распределения первичных баллов ВПР и выполнение заданий Б/П сохранены "
                      f"(групп: {summary.distributions['groups']}).", markup=False)
