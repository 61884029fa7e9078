"""The registry reader: one golden file, and one test per way it can be broken."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from msoko.core.issues import Severity
from msoko.ingest.registry import KEYS, read_registry

HEADER = "org_id,name,kind,municipality_id,municipality_name,region_id,region_name,locality,small_school,remote,advanced,correctional,students,teachers"
GOLDEN = [
    "edu100001,МБОУ СОШ № 1,school,m01,Городской округ Север,r77,Северная область,urban,0,0,1,0,812,54",
    "edu100002,МБОУ ООШ с. Озёрное,school,m02,Озёрный район,r77,Северная область,rural,1,1,0,0,64,11",
    "dou200001,МБДОУ детский сад № 5,kindergarten,m01,Городской округ Север,r77,Северная область,urban,,,,,120,",
    "udo300001,ДЮСШ,additional,m02,Озёрный район,r77,Северная область,,,,,,,",
]


def write(tmp_path: Path, lines: list[str], *, name="organisations.csv", encoding="utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def errors(issues):
    return [issue for issue in issues if issue.severity is Severity.ERROR]


def only_error(issues):
    found = errors(issues)
    assert len(found) == 1, [issue.format() for issue in issues]
    return found[0]


def test_it_reads_the_golden_registry_into_typed_rows(tmp_path):
    rows, issues = read_registry(write(tmp_path, [HEADER, *GOLDEN]))
    assert issues == []
    assert len(rows) == 4
    assert all(tuple(row) == KEYS for row in rows)
    first = rows[0]
    assert first["org_id"] == "edu100001"
    assert first["advanced"] == 1 and first["small_school"] == 0
    assert first["students"] == 812 and isinstance(first["students"], int)
    assert (
        rows[2]["kind"] == "kindergarten" and rows[2]["small_school"] is None and rows[2]["teachers"] is None
    )
    assert rows[3]["locality"] is None


def test_it_reads_only_the_required_columns_and_fills_optional_ones_with_none(tmp_path):
    lines = [
        "org_id,name,kind,municipality_id,municipality_name,region_id,region_name",
        "a1,Школа,school,m,М,r,Р",
    ]
    rows, issues = read_registry(write(tmp_path, lines))
    assert issues == []
    assert rows[0]["locality"] is None and rows[0]["students"] is None and tuple(rows[0]) == KEYS


def test_it_reads_a_cp1251_file_with_semicolons(tmp_path):
    lines = [line.replace(",", ";") for line in [HEADER, *GOLDEN]]
    rows, issues = read_registry(write(tmp_path, lines, encoding="cp1251"))
    assert issues == []
    assert rows[1]["name"] == "МБОУ ООШ с. Озёрное"


def test_it_reads_a_utf8_file_with_a_byte_order_mark(tmp_path):
    rows, issues = read_registry(write(tmp_path, [HEADER, *GOLDEN], encoding="utf-8-sig"))
    assert issues == []
    assert rows[0]["org_id"] == "edu100001"


def test_it_reads_the_registry_from_an_xlsx_workbook(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    for line in GOLDEN:
        sheet.append([int(c) if c.isdigit() else (c or None) for c in line.split(",")])
    path = tmp_path / "organisations.xlsx"
    book.save(path)
    rows, issues = read_registry(path)
    assert issues == []
    assert rows[0]["students"] == 812 and rows[0]["small_school"] == 0


def test_it_rejects_an_empty_file(tmp_path):
    path = tmp_path / "organisations.csv"
    path.write_bytes(b"")
    rows, issues = read_registry(path)
    issue = only_error(issues)
    assert rows == [] and issue.file == "organisations.csv" and "пуст" in issue.message


def test_it_rejects_a_file_with_only_blank_lines(tmp_path):
    rows, issues = read_registry(write(tmp_path, ["", "  ", ""]))
    assert rows == [] and "пуст" in only_error(issues).message


def test_it_rejects_a_header_without_any_organisation(tmp_path):
    rows, issues = read_registry(write(tmp_path, [HEADER]))
    issue = only_error(issues)
    assert issue.row == 1 and "нет ни одной организации" in issue.message


def test_it_rejects_a_file_in_a_broken_encoding(tmp_path):
    path = tmp_path / "organisations.csv"
    path.write_bytes(
        (HEADER + "\n").encode() + "edu1,Школа,school,m,М,r,Р\n".encode("utf-16-le") + bytes(range(128, 256))
    )
    rows, issues = read_registry(path)
    issue = only_error(issues)
    assert rows == [] and issue.file == "organisations.csv" and "кодировк" in issue.message


def test_it_rejects_mojibake_that_is_neither_utf8_nor_cp1251(tmp_path):
    path = tmp_path / "organisations.csv"
    path.write_bytes(
        (HEADER + "\n").encode()
        + "edu1,Школа,school,m,М,r,Р\n".encode("koi8-u")[:-3]
        + b"\x80\x81\x83\x88\x98\n"
    )
    rows, issues = read_registry(path)
    assert "кодировк" in only_error(issues).message


def test_it_rejects_a_file_missing_a_required_column(tmp_path):
    header = HEADER.replace("municipality_name,", "")
    lines = [header, *(",".join(c for i, c in enumerate(line.split(",")) if i != 4) for line in GOLDEN)]
    rows, issues = read_registry(write(tmp_path, lines))
    issue = only_error(issues)
    assert rows == [] and issue.row == 1 and issue.column == "municipality_name"
    assert "нет обязательного столбца" in issue.message


def test_it_rejects_a_row_with_an_empty_org_id(tmp_path):
    broken = ",".join(["", *GOLDEN[1].split(",")[1:]])
    rows, issues = read_registry(write(tmp_path, [HEADER, GOLDEN[0], broken]))
    issue = only_error(issues)
    assert (issue.row, issue.column) == (3, "org_id")


def test_it_rejects_a_duplicate_org_id_naming_both_rows(tmp_path):
    duplicate = GOLDEN[1].replace("edu100002", "edu100001")
    rows, issues = read_registry(write(tmp_path, [HEADER, GOLDEN[0], duplicate]))
    issue = only_error(issues)
    assert (issue.row, issue.column) == (3, "org_id")
    assert "edu100001" in issue.message and "строке 2" in issue.message and "строке 3" in issue.message


def test_it_rejects_an_unknown_kind_of_organisation(tmp_path):
    broken = GOLDEN[1].replace(",school,", ",лицей,")
    rows, issues = read_registry(write(tmp_path, [HEADER, GOLDEN[0], broken]))
    issue = only_error(issues)
    assert (issue.row, issue.column) == (3, "kind") and "лицей" in issue.message


def test_it_rejects_a_municipality_placed_in_two_regions(tmp_path):
    broken = (
        GOLDEN[1]
        .replace(",m02,", ",m01,")
        .replace("Озёрный район", "Городской округ Север")
        .replace(",r77,", ",r78,")
    )
    rows, issues = read_registry(write(tmp_path, [HEADER, GOLDEN[0], broken]))
    issue = only_error(issues)
    assert (issue.row, issue.column) == (3, "region_id")
    assert (
        "m01" in issue.message
        and "r78" in issue.message
        and "r77" in issue.message
        and "строке 2" in issue.message
    )


def test_it_rejects_a_municipality_with_two_different_names(tmp_path):
    broken = GOLDEN[1].replace(",m02,", ",m01,")
    rows, issues = read_registry(write(tmp_path, [HEADER, GOLDEN[0], broken]))
    issue = only_error(issues)
    assert (issue.row, issue.column) == (3, "municipality_name") and "Озёрный район" in issue.message


@pytest.mark.parametrize("column", ["small_school", "remote", "advanced", "correctional"])
def test_it_rejects_a_flag_that_is_not_0_or_1(tmp_path, column):
    cells = dict(zip(HEADER.split(","), GOLDEN[0].split(","), strict=True))
    cells[column] = "да"
    rows, issues = read_registry(write(tmp_path, [HEADER, ",".join(cells.values())]))
    issue = only_error(issues)
    assert (issue.row, issue.column) == (2, column) and "0 или 1" in issue.message


@pytest.mark.parametrize("value", ["много", "-3", "12.5"])
def test_it_rejects_a_student_count_that_is_not_a_non_negative_integer(tmp_path, value):
    cells = dict(zip(HEADER.split(","), GOLDEN[0].split(","), strict=True))
    cells["students"] = value
    rows, issues = read_registry(write(tmp_path, [HEADER, ",".join(cells.values())]))
    issue = only_error(issues)
    assert (issue.row, issue.column) == (2, "students") and "целое" in issue.message


def test_it_rejects_a_bad_teacher_count(tmp_path):
    cells = dict(zip(HEADER.split(","), GOLDEN[0].split(","), strict=True))
    cells["teachers"] = "5a"
    rows, issues = read_registry(write(tmp_path, [HEADER, ",".join(cells.values())]))
    assert (only_error(issues).row, only_error(issues).column) == (2, "teachers")


def test_it_rejects_a_locality_other_than_urban_or_rural(tmp_path):
    broken = GOLDEN[1].replace(",rural,", ",village,")
    rows, issues = read_registry(write(tmp_path, [HEADER, GOLDEN[0], broken]))
    issue = only_error(issues)
    assert (issue.row, issue.column) == (3, "locality") and "village" in issue.message


def test_it_counts_rows_as_a_person_sees_them_across_quoted_line_breaks(tmp_path):
    quoted = 'edu9,"Школа\nс переносом",school,m01,Городской округ Север,r77,Северная область,,,,,,,'
    broken = GOLDEN[1].replace(",school,", ",школа,")
    rows, issues = read_registry(write(tmp_path, [HEADER, quoted, broken]))
    assert only_error(issues).row == 4


def test_it_rejects_a_malformed_xlsx_naming_the_file(tmp_path):
    path = tmp_path / "organisations.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    rows, issues = read_registry(path)
    issue = only_error(issues)
    assert rows == [] and issue.file == "organisations.xlsx" and "XLSX" in issue.message


def test_every_message_is_in_russian_and_names_the_file(tmp_path):
    broken = GOLDEN[1].replace(",school,", ",x,").replace(",rural,", ",y,").replace(",1,1,", ",2,1,")
    rows, issues = read_registry(write(tmp_path, [HEADER, GOLDEN[0], broken]))
    assert len(errors(issues)) == 3
    for issue in issues:
        assert issue.file == "organisations.csv"
        assert any("а" <= ch <= "я" for ch in issue.message.lower())
