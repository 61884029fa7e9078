"""`msoko export indicators …` and `msoko export ratings` — stored indicator values and municipal ratings as CSV
(formats.md); detection adds its own."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from msoko.cli.common import EXIT_REJECTED, HomeOption, err_console, usage_error, workspace
from msoko.core.spreadsheet import write_csv

app = typer.Typer(help="Выгрузка результатов в CSV.", no_args_is_help=True)

LEVELS = ("organisation", "municipality", "region", "total")


@app.command("indicators")
def export_indicators(
    level: Annotated[str, typer.Option("--level", help="organisation | municipality | region | total")],
    year: Annotated[int | None, typer.Option("--year", help="Только этот год.", show_default=False)] = None,
    indicator: Annotated[str | None, typer.Option("--indicator", help="Код показателя.", show_default=False)] = None,
    subject: Annotated[str | None, typer.Option("--subject", help="Предмет (разрез).", show_default=False)] = None,
    grade: Annotated[int | None, typer.Option("--grade", help="Класс (разрез).", show_default=False)] = None,
    procedure: Annotated[str | None, typer.Option(
        "--procedure", help="Процедура (разрез): ВПР, ОГЭ, ЕГЭ, НВО…", show_default=False)] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Файл CSV; без него — стандартный вывод.",
                                                show_default=False)] = None,
    home: HomeOption = None,
) -> None:
    """Значения показателей: level, id, year, indicator, value, numerator, denominator (+ доп. столбцы).

    Доля выгружается долей от 1 (value = numerator / denominator). Без --subject/--grade показатели
    результатов считаются по всем предметам и классам вместе; процедуры не объединяются никогда: каждая
    строка показателя результатов относится к одной процедуре (столбец procedure), --procedure оставляет
    строки этой процедуры.
    """
    from msoko.engine.results import EXPORT_COLUMNS, OPTIONAL_COLUMNS, ResultStore

    if level not in LEVELS:
        raise usage_error(f"--level: ожидается одно из {', '.join(LEVELS)}, получено «{level}».")
    ws = workspace(home)
    store = ResultStore(ws.results)
    if not store.has_results():
        err_console.print("Показатели ещё не рассчитаны. Выполните «msoko compute» и повторите выгрузку.",
                          style="red", markup=False)
        raise typer.Exit(EXIT_REJECTED)
    if indicator is not None and indicator not in store.computed_indicators():
        from msoko.engine.pipeline import workspace_catalog

        catalog, _ = workspace_catalog(ws)
        known = {i.code for i in catalog.indicators} if catalog else set()
        if indicator not in known:
            raise usage_error(f"--indicator: неизвестный код показателя «{indicator}».")
    table = store.indicator_values(level=level, year=year, indicator=indicator, subject=subject, grade=grade,
                                   procedure=procedure)
    header = [*EXPORT_COLUMNS, *OPTIONAL_COLUMNS]
    write_csv(header, zip(*(table[name].to_pylist() for name in header), strict=True), output)


RATING_COLUMNS = ["year", "region_id", "municipality_id", "system", "score", "rank", "indicators"]


@app.command("ratings")
def export_ratings(
    year: Annotated[int | None, typer.Option("--year", help="Только этот год.", show_default=False)] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Файл CSV; без него — стандартный вывод.",
                                                show_default=False)] = None,
    home: HomeOption = None,
) -> None:
    """Рейтинг муниципалитетов: year, region_id, municipality_id, system, score, rank, indicators.

    Оценка 0–100 (лучший муниципалитет региона = 100) по системам 1.1 … 2.4 и общая (system = total);
    rank — место среди муниципалитетов региона (1 — лучший), indicators — число показателей в оценке.
    Читается сохранённый расчёт msoko compute, ничего не пересчитывается.
    """
    from msoko.engine.ratings import Ratings

    found = Ratings.open(workspace(home).results)
    if found is None:
        err_console.print("Рейтинг муниципалитетов ещё не рассчитан. Выполните «msoko compute» и повторите выгрузку.",
                          style="red", markup=False)
        raise typer.Exit(EXIT_REJECTED)
    df = found.ratings(year)
    write_csv(RATING_COLUMNS, df.select(RATING_COLUMNS).iter_rows(), output)
