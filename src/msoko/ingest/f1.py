"""The native ФИС ОКО export «Ф1 Индивидуальные результаты», recognised without a profile.

Layout (docs/formats.md): a sheet named like «Индивидуальные результаты»; a title «ВПР 2024 Русский язык
4 класс»; meta rows «Предмет», «Максимальный первичный балл», «Дата»; a line naming the school with its
login in brackets «(edu123456)» and «Кол-во участников: N»; the row of Б/П levels; the header with «ОО»,
«Муниципалитет», «Название ОО», «Код участника», «Класс» (a class label such as 4А), «Вариант», «Пол»,
task columns «1 (2б)», «9.1 (1б)», «4K1 (1б)», «Первичный балл», «Отметка», «Отметка по журналу».
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import polars as pl

from msoko.core.issues import Issue
from msoko.ingest.canonical import VPR
from msoko.ingest.frames import LINE
from msoko.ingest.prepared import META_SCHEMA, Prepared
from msoko.ingest.tabular import is_xlsx, read_grid

SHEET_HINT = "Индивидуальные результаты"
TITLE_RE = re.compile(
    r"ВПР\s+(?P<year>20\d\d)\s+(?P<subject>.+?)\s+(?P<grade>\d{1,2})\s*(?:класс|кл\.?)", re.I
)
LOGIN_RE = re.compile(r"\((?P<login>[A-Za-zА-Яа-я]*\d{3,})\)")
COUNT_RE = re.compile(r"Кол-?во\s+участников\s*:?\s*(?P<n>\d+)", re.I)
TASK_HEADER_RE = re.compile(
    r"^(?P<task>[0-9]+(?:[.,][0-9]+)?(?:[A-Za-zА-Яа-я]+[0-9]*)?)\s*\(\s*(?P<max>\d+)\s*б\.?\s*\)$", re.I
)
MAX_RE = re.compile(r"Максимальный\s+первичный\s+балл\s*:?\s*(?P<n>\d+)?", re.I)

COLUMNS = {
    "оо": "org_id",
    "логин оо": "org_id",
    "код участника": "participant",
    "вариант": "variant",
    "первичный балл": "primary_score",
    "отметка": "mark",
    "отметка по журналу": "journal_mark",
}


def looks_like_f1(path: Path) -> bool:
    path = Path(path)
    try:
        if is_xlsx(path):
            with zipfile.ZipFile(path) as archive:
                workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
            if SHEET_HINT.lower() in workbook.lower():
                return True
            grid, _ = read_grid(path)
            return grid is not None and _find_header(grid.rows) is not None
        with path.open("rb") as handle:
            head = handle.read(65536)
        for encoding in ("utf-8", "cp1251"):
            try:
                text = head.decode(encoding)
            except UnicodeDecodeError:
                continue
            return "Код участника" in text and "Первичный балл" in text
    except (OSError, zipfile.BadZipFile, KeyError, ValueError):
        return False
    return False


def _norm(cell: str) -> str:
    return " ".join(cell.replace("\ufeff", "").split()).casefold()


def _find_header(rows: list[tuple[int, list[str]]]) -> int | None:
    for index, (_, cells) in enumerate(rows[:60]):
        names = {_norm(c) for c in cells}
        if "код участника" in names and ("первичный балл" in names or "отметка" in names):
            return index
    return None


def prepare_f1(path: Path, name: str, drop: list[str]) -> tuple[Prepared | None, list[Issue]]:
    grid, issues = read_grid(path, name=name, sheet=SHEET_HINT)
    if grid is None:
        return None, issues
    header_index = _find_header(grid.rows)
    if header_index is None:
        return None, [Issue.error("не найдена строка заголовка Ф1 (со столбцом «Код участника»)", file=name)]
    header_line, header_cells = grid.rows[header_index]
    header = [" ".join(c.replace("\ufeff", "").split()) for c in header_cells]
    meta_rows = grid.rows[:header_index]

    year = subject = grade = None
    max_primary = None
    login = None
    title_line = None
    for line, cells in meta_rows:
        text = " ".join(c for c in cells if c.strip())
        match = TITLE_RE.search(text)
        if match and year is None:
            year, subject, grade = int(match["year"]), match["subject"].strip(), int(match["grade"])
            title_line = line
        lowered = [_norm(c) for c in cells]
        if lowered and lowered[0].startswith("предмет") and subject is None:
            rest = [c for c in cells[1:] if c.strip()]
            value = rest[0] if rest else cells[0].split(":", 1)[-1]
            subject = value.strip() or None
        max_match = MAX_RE.search(text)
        if max_match:
            number = max_match["n"] or next((c for c in cells[1:] if c.strip().isdigit()), None)
            if number:
                max_primary = int(number)
        login_match = LOGIN_RE.search(text)
        if login_match and (COUNT_RE.search(text) or login is None):
            login = login_match["login"]
    where = {"file": name, "row": title_line or 1}
    if year is None or grade is None:
        issues.append(
            Issue.error(
                "не найдена строка заголовка работы вида «ВПР 2024 Русский язык 4 класс» (год, предмет, класс)",
                **where,
            )
        )
    if subject is None:
        issues.append(Issue.error("не указан предмет (строка «Предмет»)", **where))

    levels_cells = grid.rows[header_index - 1][1] if header_index > 0 else []
    found: dict[str, str] = {}
    task_meta: dict[str, tuple[int | None, str | None]] = {}
    renames: dict[str, str] = {}
    for position, column in enumerate(header):
        key = _norm(column)
        if key in COLUMNS and COLUMNS[key] not in found:
            found[COLUMNS[key]] = column
            continue
        task = TASK_HEADER_RE.match(column)
        if task:
            code = task["task"].replace(",", ".")
            level = levels_cells[position].strip().upper() if position < len(levels_cells) else ""
            level = {"Б": "Б", "П": "П", "B": "Б"}.get(level)
            canonical = f"task:{code}"
            renames[column] = canonical
            task_meta[canonical] = (int(task["max"]), level)
    for needed in ("participant", "primary_score", "mark"):
        if needed not in found:
            issues.append(
                Issue.error(
                    f"нет столбца «{ {'participant': 'Код участника', 'primary_score': 'Первичный балл', 'mark': 'Отметка'}[needed] }»",
                    file=name,
                    row=header_line,
                )
            )
    if "org_id" not in found and login is None:
        issues.append(
            Issue.error(
                "не найден логин школы: нет столбца «ОО» и строки с логином в скобках, например «(edu123456)»",
                file=name,
            )
        )
    if any(issue.is_error for issue in issues):
        return None, issues

    drop_norm = {_norm(d) for d in drop}
    width = len(header)
    data_rows = [
        (line, cells + [""] * (width - len(cells)))
        for line, cells in grid.rows[header_index + 1 :]
        if any(c.strip() for c in cells)
    ]
    # stop at a trailing summary block (a row without a participant code after the data)
    participant_pos = header.index(found["participant"])
    data_rows = [(line, cells) for line, cells in data_rows if cells[participant_pos].strip()]
    columns = {}
    for position, column in enumerate(header):
        if _norm(column) in drop_norm or column in columns or not column:
            continue
        columns[renames.get(column, column)] = [cells[position] for _, cells in data_rows]
    frame = pl.DataFrame(columns, schema={c: pl.String for c in columns})
    n = frame.height
    frame = frame.with_columns(
        pl.Series("year", [str(year)] * n, dtype=pl.String),
        pl.Series("subject", [subject] * n, dtype=pl.String),
        pl.Series("grade", [str(grade)] * n, dtype=pl.String),
        pl.Series(LINE, [line for line, _ in data_rows], dtype=pl.Int64),
    )
    if "org_id" not in found:
        frame = frame.with_columns(pl.lit(login).alias("org_id"))
        found["org_id"] = "org_id"
    for canonical in ("year", "subject", "grade"):
        found[canonical] = canonical
    warnings: list[Issue] = []
    if max_primary is not None and task_meta:
        total = sum(m for m, _ in task_meta.values() if m is not None)
        if total != max_primary:
            warnings.append(
                Issue.warning(
                    f"сумма максимальных баллов за задания ({total}) не равна максимальному первичному баллу "
                    f"({max_primary})",
                    file=name,
                    row=header_line,
                )
            )
    prepared = Prepared(
        spec=VPR,
        file=name,
        header_line=header_line,
        found=found,
        extras=list(task_meta),
        frames=iter([frame] if n else []),
        read_issues=[],
        tasks_meta=pl.DataFrame(
            {
                "year": [year] * len(task_meta),
                "subject": [subject] * len(task_meta),
                "grade": [grade] * len(task_meta),
                "task": [c.split(":", 1)[1] for c in task_meta],
                "max_score": [m for m, _ in task_meta.values()],
                "level": [lv for _, lv in task_meta.values()],
            },
            schema=META_SCHEMA,
        ),
        header=header,
        dropped=[c for c in header if _norm(c) in drop_norm],
        grid_rows=grid.rows,
    )
    return prepared, issues + warnings
