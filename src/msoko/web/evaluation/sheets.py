"""The expert's score sheet (XLSX) for experts who work in Excel (formats.md v2: `msoko evaluation sheet|score`).

Sheet «Оценка»: a header row `position, parameter, min, max, score, comment, position_name, parameter_name`, one
row per parameter of each position (the position's comment on any of its rows). Sheet «Сведения»: campaign,
expert, municipality and rubric digest — `score` reads who and what from there. Text cells are written
formula-safe. Reading refuses, with sheet, row and column, any value outside the parameter's range.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from msoko.core.issues import Issue
from msoko.core.spreadsheet import safe_text
from msoko.web.evaluation.models import Assignment

SHEET, META = "Оценка", "Сведения"
HEADER = ["position", "parameter", "min", "max", "score", "comment", "position_name", "parameter_name"]


def write_sheet(assignment: Assignment, path: Path) -> None:
    campaign = assignment.dossier.campaign
    stored = {p.position: p for p in assignment.positions.all()}
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for position in campaign.rubric.positions:
        entry = stored.get(position.code)
        for i, q in enumerate(position.parameters):
            value = entry.parameters.get(q.code) if entry else None
            comment = entry.comment if entry and i == 0 else ""
            ws.append([position.code, q.code, q.min, q.max, value, safe_text(comment), safe_text(position.name),
                       safe_text(q.name)])
    for col, width in zip("ABCDEFGH", (10, 14, 6, 6, 7, 40, 60, 60), strict=True):
        ws.column_dimensions[col].width = width
    meta = wb.create_sheet(META)
    for row in (("campaign", campaign.pk), ("year", campaign.year), ("expert", assignment.expert.username),
                ("municipality", assignment.dossier.municipality.code),
                ("municipality_name", safe_text(assignment.dossier.municipality.name)),
                ("rubric", campaign.rubric_version), ("rubric_digest", campaign.rubric_digest)):
        meta.append(list(row))
    tmp = path.with_name(f".{path.name}.part")
    wb.save(str(tmp))
    tmp.replace(path)


def read_sheet(path: Path, rubric) -> tuple[dict, dict[str, tuple[dict[str, int], str]], list[Issue]]:
    """(metadata, scores by position, issues). Located issues; nothing is saved by this function."""
    name = path.name
    try:
        wb = load_workbook(str(path), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 — any unreadable file is the same answer to a user
        return {}, {}, [Issue.error("файл не читается как XLSX", file=name)]
    if SHEET not in wb.sheetnames or META not in wb.sheetnames:
        return {}, {}, [Issue.error(f"нет листов «{SHEET}» и «{META}»: используйте лист из «msoko evaluation sheet»",
                                    file=name)]
    meta = {str(r[0]): r[1] for r in wb[META].iter_rows(values_only=True) if r and r[0] is not None}
    rows = list(wb[SHEET].iter_rows(values_only=True))
    issues: list[Issue] = []
    header = [str(c).strip() if c is not None else "" for c in rows[0]] if rows else []
    missing = [c for c in HEADER[:5] if c not in header]
    if missing:
        return meta, {}, [Issue.error(f"нет столбцов {', '.join(missing)}", file=f"{name}, лист «{SHEET}»", row=1)]
    col = {c: header.index(c) for c in header if c}
    scores: dict[str, tuple[dict[str, int], str]] = {}
    where = f"{name}, лист «{SHEET}»"
    for n, row in enumerate(rows[1:], 2):
        def cell(key, row=row):
            i = col.get(key)
            return row[i] if i is not None and i < len(row) else None

        code, param, raw = cell("position"), cell("parameter"), cell("score")
        if code is None and param is None:
            continue
        code, param = str(code).strip(), str(param).strip()
        position = rubric.position(code)
        if position is None:
            issues.append(Issue.error(f"в рубрике нет позиции «{code}»", file=where, row=n, column="position"))
            continue
        q = position.parameter(param)
        if q is None:
            issues.append(Issue.error(f"в позиции {code} нет параметра «{param}»", file=where, row=n,
                                      column="parameter"))
            continue
        params, comment = scores.get(code, ({}, ""))
        text = cell("comment")
        if text:
            comment = f"{comment} {str(text).strip()}".strip()
        if raw is not None and str(raw).strip() != "":
            try:
                value = float(str(raw).replace(",", "."))
            except ValueError:
                value = None
            if value is None or not value.is_integer():
                issues.append(Issue.error(f"балл «{raw}» — не целое число", file=where, row=n, column="score"))
            elif not q.min <= int(value) <= q.max:
                issues.append(Issue.error(f"позиция {code}, параметр «{param}»: балл {int(value)} вне диапазона "
                                          f"от {q.min} до {q.max}", file=where, row=n, column="score"))
            else:
                params[param] = int(value)
        scores[code] = (params, comment)
    return meta, scores, issues
