"""`msoko export problems` — the problem zones by the one rule of `msoko.engine.zones` (the same the pages, the
drafted recommendations and the справки use); registers onto the export group.

CSV columns (formats.md v2): level, id, year, indicator, subject, grade, value, comparison, reference,
reason — one row per finding (a value below its target and significantly worse than the region gives two).
Reads the stored results of `msoko compute`; computes nothing new.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from msoko.cli.common import EXIT_REJECTED, HomeOption, err_console, usage_error, workspace
from msoko.cli.exports import app
from msoko.core.spreadsheet import write_csv

PROBLEM_COLUMNS = ["level", "id", "year", "indicator", "subject", "grade", "value", "comparison", "reference",
                   "reason"]
LEVELS = ("organisation", "municipality", "region")


def _registry(ws) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Organisation kinds, organisation → municipality, organisation/municipality → region (from the
    warehouse's registry; empty when none is loaded — then kinds and parents are unknown)."""
    import polars as pl

    from msoko.engine.warehouse import Warehouse

    files = Warehouse(ws.warehouse).files("organisations")
    if not files:
        return {}, {}, {}
    rows = pl.read_parquet(files).to_dicts()
    kinds = {r["org_id"]: r.get("kind") or "school" for r in rows}
    parents = {r["org_id"]: r["municipality_id"] for r in rows}
    regions = {r["org_id"]: r["region_id"] for r in rows} | {r["municipality_id"]: r["region_id"] for r in rows}
    return kinds, parents, regions


def _number(value) -> str:
    return "" if value is None else f"{value:.6g}"


@app.command("problems")
def export_problems(
    level: Annotated[str | None, typer.Option("--level", help="organisation | municipality | region; без него — все.",
                                              show_default=False)] = None,
    year: Annotated[int | None, typer.Option("--year", help="Только этот год.", show_default=False)] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Файл CSV; без него — стандартный вывод.",
                                                show_default=False)] = None,
    excel: Annotated[bool, typer.Option("--excel", help="Для русского Excel: разделитель «;», десятичная запятая, "
                                                        "UTF-8 с BOM (по умолчанию — CSV для программ).")] = False,
    home: HomeOption = None,
) -> None:
    """Проблемные зоны: level, id, year, indicator, subject, grade, value, comparison, reference, reason.

    comparison — с чем сравнение: region, municipality, target (цель не достигнута) или previous_year.
    Отличие от региона, муниципалитета или прошлого года засчитывается, только если оно выходит за
    95-процентный доверительный интервал значения и группа не меньше минимальной; доли — долей от 1.
    """
    import polars as pl

    from msoko.engine import zones
    from msoko.engine.pipeline import workspace_catalog
    from msoko.engine.results import ResultStore

    if level is not None and level not in LEVELS:
        raise usage_error(f"--level: ожидается одно из {', '.join(LEVELS)}, получено «{level}».")
    ws = workspace(home)
    store = ResultStore(ws.results)
    if not store.has_results():
        err_console.print("Показатели ещё не рассчитаны. Выполните «msoko compute» и повторите выгрузку.",
                          style="red", markup=False)
        raise typer.Exit(EXIT_REJECTED)
    catalog, _ = workspace_catalog(ws)
    indicators = {i.code: i for i in catalog.indicators} if catalog else {}
    values = pl.from_arrow(store.indicator_values(year=year, breakdowns=True))
    values = values.filter(pl.col("level").is_in(list(LEVELS)))
    kinds, parents, regions = _registry(ws)
    found = zones.zones(values.iter_rows(named=True), indicators, kinds=kinds, parents=parents, regions=regions)
    if level is not None:
        found = [z for z in found if z.level == level]
    order = {name: i for i, name in enumerate(LEVELS)}
    found.sort(key=lambda z: (order[z.level], z.id, z.year, z.indicator, z.subject or "", z.grade or 0))
    rows = ([z.level, z.id, z.year, z.indicator, z.subject or "", "" if z.grade is None else z.grade,
             _number(z.value), f.comparison, _number(f.reference), f.reason] for z in found for f in z.findings)
    if excel:
        _write_excel_csv(rows, output)
    else:
        write_csv(PROBLEM_COLUMNS, rows, output)


def _write_excel_csv(rows, output: Path | None) -> None:
    """`;`-separated, numbers with a decimal comma, UTF-8 with a BOM: what Russian Excel opens by double-click."""
    import csv
    import io
    import sys

    from msoko.core.spreadsheet import safe_cell

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(PROBLEM_COLUMNS)
    for row in rows:
        cells = [safe_cell(v) for v in row]
        cells[6], cells[8] = cells[6].replace(".", ","), cells[8].replace(".", ",")
        writer.writerow(cells)
    if output is None:
        sys.stdout.write(buffer.getvalue())
    else:
        output.write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")
