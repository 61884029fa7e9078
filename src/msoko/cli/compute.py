"""`msoko compute [--year Y]` — objectivity flags and ШНОР/ШНСУ lists, then the indicators (the catalog's
`risk_lists` indicators read detection's lists just stored, unless the region imported its own `risk_lists`),
then the municipal ratings over the stored values, then the ВПР distributions of the organisation page
(primary-score histograms, task completion Б/П).

Detection reads only the warehouse, never indicator values, so it can run first.

The sequence is `msoko.engine.pipeline.run_all` (the web recompute job and the API call it too);
`run_compute(ws, years, progress)` is the same work on a Rich `Progress` someone else owns (`msoko demo`).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from msoko.cli.common import HomeOption, console, print_issues, reject, usage_error, workspace
from msoko.core.issues import RejectedInput
from msoko.core.workspace import Workspace

YearOption = Annotated[int | None, typer.Option("--year", help="Пересчитать только этот год.", show_default=False)]
FullOption = Annotated[bool, typer.Option(
    "--full", help="Пересчитать всё заново. Без него пересчитывается только то, что изменилось "
                   "с прошлого расчёта: изменённые наборы данных за изменённые годы и следующие за "
                   "ними; результат тот же, что у полного пересчёта.")]
EngineOption = Annotated[str, typer.Option(
    "--engine", help="Чем считать показатели: duckdb (на этой машине) или spark (PySpark: local[2] или кластер "
                     "из MSOKO_SPARK_MASTER; нужны python3 -m uv sync --extra spark и Java 17). Признаки "
                     "необъективности, рейтинг и распределения считает DuckDB.")]


def run_compute(ws: Workspace, years: list[int] | None, progress: Progress, engine: str = "duckdb",
                full: bool = False):
    """`engine.pipeline.run_all` drawn on `progress`: one bar per stage. Kept for the callers of the old
    name (`msoko demo`); the pipeline itself lives in the engine."""
    from msoko.engine.pipeline import run_all

    return run_all(ws, years=years, progress=rich_stages(progress), engine=engine, full=full)


def rich_stages(progress: Progress):
    """A `run_all` progress callback that adds one Rich task per stage as the stage starts."""
    tasks: dict[str, int] = {}

    def step(stage: str, name: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(stage, total=1)
        description = f"{stage}: {name}" if name else stage
        progress.update(tasks[stage], description=description, completed=done, total=total)

    return step


def compute(year: YearOption = None, home: HomeOption = None, full: FullOption = False,
            engine: EngineOption = "duckdb") -> None:
    """Пересчитать показатели каталога, признаки необъективности, списки ШНОР/ШНСУ и рейтинг муниципалитетов.

    По умолчанию пересчитывается только изменившееся с прошлого расчёта (итог говорит, что и почему);
    --full пересчитывает всё."""
    from msoko.engine.pipeline import ENGINES

    if engine not in ENGINES:
        raise usage_error(f"неизвестный движок «{engine}»: допустимы {', '.join(ENGINES)}.")
    if engine == "spark":
        from msoko.engine.spark import NOT_INSTALLED, spark_available

        if not spark_available():
            raise usage_error(f"{NOT_INSTALLED}.")
    ws = workspace(home)
    years = [year] if year is not None else None
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
               TimeElapsedColumn())
    try:
        with Progress(*columns, console=console, transient=False) as progress:
            summary = run_compute(ws, years, progress, engine=engine, full=full)
    except RejectedInput as rejected:
        raise reject(rejected.issues, "Настройки расчёта (каталог показателей, detection.yaml или ratings.yaml) "
                                      "содержат ошибки, ничего не пересчитано.") from None
    print_issues(summary.warnings)
    from msoko.engine.incremental import describe

    for line in describe(summary.plan):
        console.print(line, markup=False)
    if summary.plan["mode"] == "full" or summary.plan.get("indicator_datasets"):
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
