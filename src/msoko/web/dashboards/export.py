"""CSV and XLSX exports that a spreadsheet cannot turn into formulas.

A text cell starting with = + - @ (or a tab / carriage return) is prefixed with an apostrophe, so it stays
text; numbers stay numbers (written as numeric cells in XLSX, bare in CSV).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe(cell):
    if isinstance(cell, str) and cell.startswith(DANGEROUS):
        return "'" + cell
    return cell


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
