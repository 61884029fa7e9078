"""`msoko export objectivity|risk` — owned by detection (issue 5); registers onto the export group.

Both read the results stored by `msoko compute` (`msoko.engine.detection.run`); they compute nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from msoko.cli.common import EXIT_REJECTED, HomeOption, err_console, workspace
from msoko.cli.exports import app
from msoko.core.spreadsheet import write_csv

YearOption = Annotated[int | None, typer.Option("--year", help="Только этот год.", show_default=False)]
OutOption = Annotated[
    Path | None, typer.Option("-o", "--output", help="Файл CSV; без него — стандартный вывод.", show_default=False)
]

DetailsOption = Annotated[
    bool,
    typer.Option("--details", help="Добавить столбцы values (измеренное/регион по признакам) и explanation."),
]
OBJECTIVITY_COLUMNS = ["year", "org_id", "procedure", "subject", "grade", "participants", "flagged", "signs"]
RISK_COLUMNS = ["year", "org_id", "shnor", "shnsu", "reasons"]
def _results(home: Path | None):
    from msoko.engine.detection import DetectionResults

    ws = workspace(home)
    found = DetectionResults.open(ws.results)
    if found is None:
        err_console.print(
            "Результаты проверки объективности и списков ШНОР/ШНСУ ещё не рассчитаны. "
            "Выполните «msoko compute» и повторите выгрузку.",
            style="red",
            markup=False,
        )
        raise typer.Exit(EXIT_REJECTED)
    return found


def _fmt(x: float | None) -> str:
    return "" if x is None else f"{x:.4g}"


@app.command("objectivity")
def export_objectivity(
    year: YearOption = None, output: OutOption = None, details: DetailsOption = False, home: HomeOption = None
) -> None:
    """Признаки необъективности: year, org_id, procedure, subject, grade, participants, flagged, signs."""
    results = _results(home)
    df = results.objectivity(year).sort(["year", "org_id", "procedure", "subject", "grade"])
    values: dict[tuple, str] = {}
    if details:
        from msoko.engine.detection.objectivity import SIGN_ORDER

        order = {code: i for i, code in enumerate(SIGN_ORDER)}
        fired = results.signs(year).filter(pl.col("fired")).sort(
            pl.col("sign").replace_strict(order, default=len(order)))
        for r in fired.iter_rows(named=True):
            key = (r["year"], r["org_id"], r["subject"], r["grade"])
            text = f"{r['sign']}={_fmt(r['value'])}/{_fmt(r['reference'])}"
            values[key] = f"{values[key]};{text}" if key in values else text
    rows = []
    for r in df.iter_rows(named=True):
        row = [r["year"], r["org_id"], r["procedure"], r["subject"], r["grade"], r["participants"],
               1 if r["flagged"] else 0, r["signs"] or ""]
        if details:
            row += [values.get((r["year"], r["org_id"], r["subject"], r["grade"]), ""), r.get("explanation") or ""]
        rows.append(row)
    write_csv(OBJECTIVITY_COLUMNS + (["values", "explanation"] if details else []), rows, output)


def risk_values(r: dict, window: int | None = None) -> str:
    """The `values` cell of `export risk --details`: `name=value` pairs separated by `;`.

    Always the composite, its expected value and the social index; for a school listed by the context-fair
    rule (`low_standing`) also its standing: `standing_z` (shrunk gap in between-school SDs), `standing_result`
    and `standing_expected` (pupil σ), `standing_gap`, `standing_tau`, `standing_window` (first–last year of
    the window when `window` — the configured number of years — is known), `standing_years` (years with
    results in it), `standing_n` (works), and the band of the social index (`cluster`, `cluster_size`)."""
    measured: dict[str, object] = {"composite": r.get("composite"), "expected": r.get("expected"),
                                   "social_index": r.get("social_index")}
    if r.get("low_standing"):
        measured.update({k: r.get(k) for k in ("standing_z", "standing_result", "standing_expected", "standing_gap",
                                                "standing_tau")})
        if window and r.get("year") is not None:
            measured["standing_window"] = f"{int(r['year']) - window + 1}-{int(r['year'])}"
        measured.update({k: r.get(k) for k in ("standing_years", "standing_n", "cluster", "cluster_size")})
    return ";".join(f"{k}={v if isinstance(v, int | str) else _fmt(v)}" for k, v in measured.items() if v is not None)


def _standing_window(home: Path | None) -> int | None:
    from msoko.engine.detection.runner import load_config

    cfg, _issues = load_config(workspace(home))
    return cfg.standing.years if cfg is not None else None


@app.command("risk")
def export_risk(
    year: YearOption = None, output: OutOption = None, details: DetailsOption = False, home: HomeOption = None
) -> None:
    """Списки ШНОР и ШНСУ: year, org_id, shnor, shnsu, reasons."""
    df = _results(home).risk(year).sort(["year", "org_id"])
    window = _standing_window(home) if details else None
    rows = []
    for r in df.iter_rows(named=True):
        row = [r["year"], r["org_id"], 1 if r["shnor"] else 0, 1 if r["shnsu"] else 0, r["reasons"] or ""]
        if details:
            row += [risk_values(r, window), r.get("explanation") or ""]
        rows.append(row)
    write_csv(RISK_COLUMNS + (["values", "explanation"] if details else []), rows, output)
