"""The native ФИС ОКО «Ф1 Индивидуальные результаты» export, recognised without a profile."""

from __future__ import annotations

import openpyxl

from msoko.engine.warehouse import Warehouse
from msoko.ingest import import_file
from msoko.synth.f1 import F1Row, write_f1_xlsx

TASKS = [("1", 2, "Б"), ("2", 1, "Б"), ("9.1", 1, "П"), ("4K1", 1, "П")]


def rows():
    base = [
        F1Row("10001", "4А", 1, [2, 1, 1, 1], 5, 2, 3),
        F1Row("10002", "4А", 2, [1, None, 0, 1], 2, 2, None),
        F1Row("10003", "4Б", 1, [0, 0, 0, 0], 0, 2, 2),
    ]
    return base


def write(path, data=None, **options):
    return write_f1_xlsx(
        path,
        year=2024,
        subject="Русский язык",
        grade=4,
        org_id="edu1",
        org_name="МБОУ СОШ № 1",
        municipality_name="Город",
        tasks=TASKS,
        rows=data or rows(),
        **options,
    )


def test_a_f1_file_imports_with_year_subject_grade_from_the_title_and_task_maxima(registered, tmp_path):
    outcome = import_file(registered, write(tmp_path / "f1.xlsx", with_sex=True))
    assert outcome.status == "committed", [i.format() for i in outcome.issues]
    assert outcome.rows == 3 and list(outcome.versions["vpr"]) == ["2024|ВПР"]
    import duckdb

    files = [str(f) for f in Warehouse(registered.warehouse).files("vpr_tasks")]
    tasks = duckdb.sql(
        f"select task, max(max_score) m, max(level) l from read_parquet({files!r}) group by 1"
    ).fetchall()
    assert sorted(tasks) == [("1", 2, "Б"), ("2", 1, "Б"), ("4K1", 1, "П"), ("9.1", 1, "П")]
    files = [str(f) for f in Warehouse(registered.warehouse).files("vpr")]
    vpr = duckdb.sql(
        f"select grade, journal_mark from read_parquet({files!r}) order by primary_score"
    ).fetchall()
    assert vpr[0][0] == 4 and sorted(j for _, j in vpr if j is not None) == [2, 3]  # «нет отметки» → null


def test_a_f1_file_with_pupils_names_is_refused_and_imports_with_the_names_dropped(registered, tmp_path):
    path = write(tmp_path / "f1.xlsx", with_names=True)
    outcome = import_file(registered, path)
    assert outcome.rejected
    [issue] = outcome.errors
    assert issue.column == "ФИО" and '--drop-columns "ФИО"' in issue.message
    outcome = import_file(registered, path, drop_columns=["ФИО"])
    assert outcome.status == "committed"
    archived = [p for p in registered.archive.rglob("*") if p.is_file()]
    assert len(archived) == 1 and archived[0].suffix == ".csv"
    text = archived[0].read_text(encoding="utf-8")
    assert "Иванов" not in text and "ВПР 2024 Русский язык 4 класс" in text


def test_a_task_score_above_its_maximum_in_the_header_is_an_error(registered, tmp_path):
    data = rows()
    data[0] = F1Row("10001", "4А", 1, [3, 1, 1, 1], 6, 2, 3)
    outcome = import_file(registered, write(tmp_path / "f1.xlsx", data))
    [issue] = outcome.errors
    assert issue.column == "task:1" and issue.row is not None and "(2)" in issue.message


def test_a_f1_file_without_a_title_is_rejected_with_a_message(registered, tmp_path):
    path = write(tmp_path / "f1.xlsx")
    book = openpyxl.load_workbook(path)
    book.active["A1"] = "Результаты"
    book.save(path)
    outcome = import_file(registered, path)
    assert outcome.rejected and "ВПР 2024 Русский язык 4 класс" in outcome.errors[0].message


def test_reimporting_a_corrected_f1_file_supersedes_only_that_school_and_work(registered, tmp_path):
    first = import_file(registered, write(tmp_path / "f1.xlsx"))
    data = rows()
    data[2] = F1Row("10003", "4Б", 1, [1, 0, 0, 0], 1, 2, 2)
    second = import_file(registered, write(tmp_path / "f1_fixed.xlsx", data))
    assert second.status == "committed"
    key = "2024|ВПР"
    assert second.superseded["vpr"][key] == first.versions["vpr"][key]
    # the school's work is replaced, not added twice
    assert [(o["org_id"], o["action"], o["rows"], o["replaced_rows"]) for o in second.per_org] == [
        ("edu1", "replaced", 3, 3)
    ]
