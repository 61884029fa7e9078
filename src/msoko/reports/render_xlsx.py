"""XLSX: the statistical tables of the report, a sheet per section (openpyxl).

The first sheet holds the title fields; every section (level-1 heading) gets its own sheet with its tables
one under another. Figures are stored as numbers (a share as the stored fraction, shown with a percent
format); every text cell goes through `msoko.core.spreadsheet.safe_text`, so nothing opens as a formula.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from msoko.core.spreadsheet import safe_text
from msoko.reports.model import Document, Heading, Paragraph, Table

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13, color="1F3A5F")
HEADER_FILL = PatternFill("solid", fgColor="E6ECF4")
WRAP = Alignment(wrap_text=True, vertical="top")
FIELD_NAMES = {"заголовок": "Справка", "объект": "Объект", "уровень": "Уровень", "регион": "Регион",
               "муниципалитет": "Муниципалитет", "учебный_год": "Учебный год", "дата_данных": "Дата расчёта",
               "версия_данных": "Версия данных и каталога"}


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31] or "Лист"
    candidate, n = base, 2
    while candidate in used:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate)
    return candidate


def _write_table(ws, row: int, table: Table, widths: dict[int, float]) -> int:
    if table.caption:
        ws.cell(row, 1, safe_text(table.caption)).font = BOLD
        row += 1
    for col, title in enumerate(table.columns, 1):
        cell = ws.cell(row, col, safe_text(title))
        cell.font, cell.fill, cell.alignment = BOLD, HEADER_FILL, WRAP
        widths[col] = max(widths.get(col, 8), min(len(title), 40) * 0.9)
    for values in table.rows:
        row += 1
        for col, value in enumerate(values, 1):
            if value.is_number:
                cell = ws.cell(row, col, value.value)
                if value.number_format:
                    cell.number_format = value.number_format
            else:
                cell = ws.cell(row, col, safe_text(value.text))
                cell.alignment = WRAP
                widths[col] = max(widths.get(col, 8), min(len(value.text), 60) * 0.9)
    return row + 2


def render_xlsx(document: Document, path: Path) -> None:
    wb = Workbook()
    used: set[str] = set()
    title = wb.active
    title.title = _sheet_name("Титул", used)
    for n, (key, label) in enumerate(FIELD_NAMES.items(), 1):
        title.cell(n, 1, label).font = BOLD
        title.cell(n, 2, safe_text(document.fields.get(key, "")))
    title.column_dimensions["A"].width, title.column_dimensions["B"].width = 28, 90
    ws, row, widths, notes = None, 1, {}, []

    def close() -> None:
        if ws is None:
            return
        if row == 3:  # a section without tables keeps its text
            for n, text in enumerate(notes, 3):
                ws.cell(n, 1, safe_text(text)).alignment = WRAP
            widths[1] = 100
        for col, width in widths.items():
            ws.column_dimensions[get_column_letter(col)].width = max(8, min(width, 60))

    for block in document.blocks:
        if isinstance(block, Heading) and block.level == 1:
            close()
            ws = wb.create_sheet(_sheet_name(block.sheet or block.text, used))
            ws.cell(1, 1, safe_text(block.text)).font = TITLE
            row, widths, notes = 3, {}, []
        elif ws is not None and isinstance(block, Table):
            row = _write_table(ws, row, block, widths)
        elif ws is not None and isinstance(block, Paragraph):
            notes.append(block.text)
    close()
    props = wb.properties
    props.title = f"{document.fields.get('заголовок', '')}: {document.fields.get('объект', '')}"
    props.creator = props.lastModifiedBy = "МСОКО"
    props.keywords = f"версия данных {document.provenance.get('digest', '')}"
    props.created = props.modified = datetime.fromisoformat(document.provenance.get("data_date", "2000-01-01"))
    wb.save(str(path))
