"""CSV and XLSX exports that a spreadsheet cannot turn into formulas, and that open right in Russian Excel.

Text cells go through the project's one guard, `msoko.core.spreadsheet.safe_text`: text starting with
= + - @ (or a tab / carriage return) gets a leading apostrophe, so it stays text; numbers stay numbers.

XLSX: numbers are numeric cells; a column may carry a number format per row (`formats`), so shares are
stored as fractions and shown in percent (`0.0%`), counts whole, means with two decimals — Excel in any
language then displays them with its own decimal separator. A header row is frozen and bold.

CSV: `;`-separated UTF-8 with a BOM (Excel opens the Cyrillic right); numbers written with a dot, for
machines (unchanged, documented in docs/user-guide.ru.md). `decimal_comma=True` writes numbers with a
decimal comma for a Russian spreadsheet opened by double-click.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from msoko.core.spreadsheet import safe_text

PERCENT, CHANGE_POINTS, WHOLE, DECIMAL = "0.0%", "+0.0%;-0.0%;0.0%", "0", "0.00"


def safe(cell):
    return safe_text(cell) if isinstance(cell, str) else cell


def _comma(cell):
    if isinstance(cell, bool) or not isinstance(cell, float | int):
        return cell
    if isinstance(cell, float) and math.isnan(cell):
        return ""
    text = str(int(cell)) if isinstance(cell, int) or cell.is_integer() else repr(cell)
    return text.replace(".", ",")


def to_csv(header: Sequence[str], rows: Iterable[Sequence], *, decimal_comma: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe(h) for h in header])
    for row in rows:
        cells = ["" if c is None else safe(c) for c in row]
        writer.writerow([_comma(c) for c in cells] if decimal_comma else cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 Cyrillic correctly


Formats = Callable[[Sequence], dict[int, str]] | dict[int, str] | None


def to_xlsx(header: Sequence[str], rows: Iterable[Sequence], title: str = "Показатель", formats: Formats = None,
            widths: dict[int, float] | None = None) -> bytes:
    """`formats`: column index → number format, or a function of the row giving that (a share's row in
    percent, a mean's in decimals)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    for i, h in enumerate(header):
        sheet.column_dimensions[_letter(i)].width = (widths or {}).get(i, max(10.0, min(45.0, len(str(h)) + 2)))
    bold = Font(bold=True)
    head = []
    for h in header:
        cell = WriteOnlyCell(sheet, value=safe(h))
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    for row in rows:
        chosen = formats(row) if callable(formats) else (formats or {})
        out = []
        for i, value in enumerate(row):
            value = safe(value)
            if i in chosen and isinstance(value, float | int) and not isinstance(value, bool):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = chosen[i]
                out.append(cell)
            else:
                out.append(value)
        sheet.append(out)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
