"""Personal names are never stored: every text cell is screened, whatever its header, before anything is
written (the archive and staging included)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
import pytest

from msoko.ingest import import_file
from msoko.ingest.name_screen import EXEMPT, PATTERN, looks_like_a_name
from tests.ingest.helpers import REAL, write_csv

HEADER = "year,org_id,participant,subject,grade,variant,primary_score,mark,journal_mark"
PLANTED = ["Сидоренко Марфа Игнатьевна", "Куприянов Е.Ю.", "Ж.Ф. Пантелеева", "Арсений Фомич Лукашин"]


def all_bytes(root: Path) -> bytes:
    """Every file under the workspace (Parquet, archive, journal, database…), decompressing Parquet/ZIP."""
    import pyarrow.parquet as pq

    chunks = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        chunks.append(path.read_bytes())
        if path.suffix == ".parquet":
            chunks.append(str(pq.read_table(path).to_pylist()).encode())
    return b"\n".join(chunks)


def assert_nowhere(ws, names=PLANTED):
    data = all_bytes(ws.root)
    for name in names:
        for part in name.replace(".", " ").split():
            if len(part) > 3:
                assert part.encode() not in data, part


@pytest.mark.parametrize("column", ["name", "student_name", "comment"])
def test_names_under_a_neutral_header_refuse_the_file_with_row_and_column(registered, tmp_path, column):
    lines = [f"{HEADER},{column}"]
    for i, name in enumerate(PLANTED):
        lines.append(f"2024,edu1,{1000 + i},Русский язык,4,1,20,3,3,{name}")
    path = write_csv(tmp_path, "vpr.csv", lines)
    outcome = import_file(registered, path)
    assert outcome.rejected
    hits = [i for i in outcome.errors if "похоже на фамилию" in i.message]
    assert [(i.row, i.column) for i in hits] == [(2, column), (3, column), (4, column), (5, column)]
    assert "--drop-columns" in hits[0].message and column in hits[0].message
    assert not any(name in issue.message for issue in outcome.issues for name in PLANTED)
    assert_nowhere(registered)


def test_names_inside_the_participant_column_refuse_the_file(registered, tmp_path):
    lines = [HEADER, "2024,edu1,1001,Русский язык,4,1,20,3,3", f"2024,edu1,{PLANTED[0]},Русский язык,4,1,20,3,3"]
    outcome = import_file(registered, write_csv(tmp_path, "vpr.csv", lines))
    assert outcome.rejected
    assert [(i.row, i.column) for i in outcome.errors if "похоже на фамилию" in i.message] == [(3, "participant")]
    assert_nowhere(registered)


def test_a_dropped_column_is_neither_screened_nor_archived(registered, tmp_path):
    lines = [f"{HEADER},comment"] + [
        f"2024,edu1,{1000 + i},Русский язык,4,1,20,3,3,{name}" for i, name in enumerate(PLANTED)
    ]
    outcome = import_file(registered, write_csv(tmp_path, "vpr.csv", lines), drop_columns=["comment"])
    assert outcome.status == "committed", [i.format() for i in outcome.errors]
    assert_nowhere(registered)
    archived = list(registered.archive.rglob("*.csv"))
    assert len(archived) == 1 and "comment" not in archived[0].read_text(encoding="utf-8")


def test_names_in_an_xlsx_file_are_refused_and_leave_nothing(registered, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(",") + ["note"])
    sheet.append([2024, "edu1", "1001", "Русский язык", 4, 1, 20, 3, 3, PLANTED[3]])
    path = tmp_path / "vpr.xlsx"
    book.save(path)
    outcome = import_file(registered, path)
    assert outcome.rejected and any(i.column == "note" and i.row == 2 for i in outcome.errors)
    assert_nowhere(registered)


def test_the_screen_forms():
    for name in PLANTED + ["Иванов Иван Иванович", "Иванова  И. И.", "Петров-Водкин Кузьма Сергеевич"]:
        assert looks_like_a_name(name), name
    for text in [
        "МБОУ СОШ им. А.С. Пушкина",
        "ГБОУ Школа № 1234",
        "Нижний Новгород",
        "Русский язык",
        "Средняя общеобразовательная школа № 5",
        "ОУ Н.Й.Вапцаров",
        '96 Средно училище "Лев Николаевич Толстой"',
        "ДОБРИЧ",
        "Иван Петров",
        "edu100001",
    ]:
        assert not looks_like_a_name(text), text


def _cells(path: Path) -> list[str]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1251")
    delimiter = ";" if text[:2000].count(";") > text[:2000].count(",") else ","
    return [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]


@pytest.mark.skipif(not REAL.exists(), reason="shared real data not mounted")
def test_no_real_file_trips_the_screen():
    """School, municipality and region names of every real CSV (Russian, Bulgarian …) are not names."""
    files = sorted(REAL.rglob("*.csv"))
    assert len(files) > 30
    cells = pl.Series([c for path in files for c in _cells(path)], dtype=pl.String)
    assert cells.len() > 500_000
    hits = cells.filter(cells.str.contains(PATTERN) & ~cells.str.contains(EXEMPT))
    assert hits.to_list() == []
