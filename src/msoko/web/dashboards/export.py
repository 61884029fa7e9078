"""CSV and XLSX exports that a spreadsheet cannot turn into formulas.

Text cells go through the project's one guard, `msoko.core.spreadsheet.safe_text`: text starting with
= + - @ (or a tab / carriage return) gets a leading apostrophe, so it stays text; numbers stay numbers
(numeric cells in XLSX, bare in CSV).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook

from msoko.core.spreadsheet import safe_text


def safe(cell):
    return safe_text(cell) if isinstance(cell, str) else cell


def to_csv(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe(h) for h in header])
    for row in rows:
        writer.writerow(["" if c is None else safe(c) for c in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 Cyrillic correctly


def to_xlsx(header: Sequence[str], rows: Iterable[Sequence], title: str = "Показатель") -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append([safe(h) for h in header])
    for row in rows:
        sheet.append([safe(c) for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
