"""`msoko export objectivity|risk` — owned by detection (issue 5); registers onto the export group.

Both read the results stored by `msoko compute` (`msoko.engine.detection.run`); they compute nothing.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from msoko.cli.common import EXIT_REJECTED, HomeOption, err_console, workspace
from msoko.cli.exports import app

YearOption = Annotated[int | None, typer.Option("--year", help="Только этот год.", show_default=False)]
OutOption = Annotated[
    Path | None, typer.Option("-o", "--output", help="Файл CSV; без него — стандартный вывод.", show_default=False)
]

OBJECTIVITY_COLUMNS = ["year", "org_id", "procedure", "subject", "grade", "participants", "flagged", "signs"]
RISK_COLUMNS = ["year", "org_id", "shnor", "shnsu", "reasons"]
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def safe_cell(value: object) -> str:
    """Text a spreadsheet will not run: a cell starting with = + - @ gets a leading apostrophe, numbers excepted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    text = str(value)
    if text and text[0] in "=+-@\t\r" and not _NUMBER.match(text):
        return "'" + text
    return text


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


def _write(rows: list[list[object]], header: list[str], output: Path | None) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    text = buffer.getvalue()
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        output.write_text(text, encoding="utf-8")


@app.command("objectivity")
def export_objectivity(year: YearOption = None, output: OutOption = None, home: HomeOption = None) -> None:
    """Признаки необъективности: year, org_id, procedure, subject, grade, participants, flagged, signs."""
    df = _results(home).objectivity(year).sort(["year", "org_id", "procedure", "subject", "grade"])
    rows = [[r["year"], r["org_id"], r["procedure"], r["subject"], r["grade"], r["participants"],
             1 if r["flagged"] else 0, r["signs"] or ""] for r in df.iter_rows(named=True)]
    _write(rows, OBJECTIVITY_COLUMNS, output)


@app.command("risk")
def export_risk(year: YearOption = None, output: OutOption = None, home: HomeOption = None) -> None:
    """Списки ШНОР и ШНСУ: year, org_id, shnor, shnsu, reasons."""
    df = _results(home).risk(year).sort(["year", "org_id"])
    rows = [[r["year"], r["org_id"], 1 if r["shnor"] else 0, 1 if r["shnsu"] else 0, r["reasons"] or ""]
            for r in df.iter_rows(named=True)]
    _write(rows, RISK_COLUMNS, output)
