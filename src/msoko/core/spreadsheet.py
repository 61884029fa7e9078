"""Cells and CSV files that a spreadsheet opens as data, never as formulas.

Every CSV or XLSX export of msoko goes through `safe_cell` (or `safe_text` for XLSX text cells): text that
starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe, so Excel and
LibreOffice show it instead of running it; numbers stay numbers, negative ones included.
"""

from __future__ import annotations

import csv
import io
import math
import re
import sys
from collections.abc import Iterable
from pathlib import Path

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def safe_text(text: str) -> str:
    """A text cell neutralised against formula injection (numbers written as text are left alone)."""
    if text.startswith(FORMULA_STARTS) and not _NUMBER.match(text):
        return "'" + text
    return text


def safe_cell(value: object) -> str:
    """One CSV cell: empty for missing, 1/0 for booleans, numbers as numbers, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    return safe_text(str(value))


def write_csv(header: list[str], rows: Iterable[Iterable[object]], output: Path | None) -> None:
    """UTF-8 CSV with a header, to `output` or standard output."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    if output is None:
        sys.stdout.write(buffer.getvalue())
        sys.stdout.flush()
    else:
        output.write_text(buffer.getvalue(), encoding="utf-8")
