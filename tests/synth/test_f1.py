from __future__ import annotations

import polars as pl
from openpyxl import load_workbook

from msoko.synth import write_f1_from_region


def _first_work(region):
    vpr = pl.read_csv(
        region.files["vpr"], columns=["org_id", "year", "subject", "grade"], infer_schema_length=0
    )
    org_id, year, subject, grade = vpr.row(0)
    return org_id, int(year), subject, int(grade)


def test_it_writes_the_native_f1_layout(region, tmp_path):
    org_id, year, subject, grade = _first_work(region)
    path = write_f1_from_region(region.out_dir, tmp_path / "f1.xlsx", org_id, year, subject, grade)
    wb = load_workbook(path)
    assert "Индивидуальные результаты" in wb.sheetnames[0]
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][0] == f"ВПР {year} {subject} {grade} класс"
    assert [r[0] for r in rows[1:4]] == ["Предмет:", "Максимальный первичный балл:", "Дата:"]
    assert f"({org_id})" in rows[4][0]
    header_at = next(i for i, r in enumerate(rows) if r[0] == "ОО")
    header = rows[header_at]
    assert header[:6] == ("ОО", "Муниципалитет", "Название ОО", "Код участника", "Класс", "Вариант")
    assert header[-3:] == ("Первичный балл", "Отметка", "Отметка по журналу")
    levels = rows[header_at - 1][6:-3]
    assert set(levels) <= {"Б", "П"} and len(levels) == len(header) - 9
    assert all(h.endswith("б)") for h in header[6:-3])
    data = rows[header_at + 1 :]
    assert any(f"Кол-во участников: {len(data)}" == c for c in rows[4] if c)
    assert all(str(r[4]).startswith(str(grade)) for r in data)
    for r in data:
        assert sum(0 if v == "X" else v for v in r[6:-3]) == r[-3]


def test_it_adds_a_names_column_only_when_asked(region, tmp_path):
    org_id, year, subject, grade = _first_work(region)
    plain = write_f1_from_region(region.out_dir, tmp_path / "a.xlsx", org_id, year, subject, grade)
    named = write_f1_from_region(
        region.out_dir, tmp_path / "b.xlsx", org_id, year, subject, grade, with_names=True
    )

    def header(path):
        rows = list(load_workbook(path).active.iter_rows(values_only=True))
        return next(r for r in rows if r[0] == "ОО")

    assert "ФИО" not in header(plain)
    assert "ФИО" in header(named)


def test_it_writes_example_files_including_a_planted_school(region, truth, tmp_path):
    from msoko.synth.f1 import write_f1_examples

    paths = write_f1_examples(region, tmp_path, 3)
    assert len(paths) == 3
    planted = {o["org_id"] for o in truth["non_objective"]}
    assert any(any(org in p.name for org in planted) for p in paths)
