"""The tabular reader: encodings, delimiters, line numbers, and the guards against hostile XLSX."""

from __future__ import annotations

import io
import zipfile

import openpyxl

from msoko.ingest import tabular
from msoko.ingest.tabular import read_grid, read_table


def test_it_detects_semicolons_and_cp1251(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("код;имя\n1;Школа\n".encode("cp1251"))
    grid, issues = read_grid(path)
    assert issues == [] and grid.encoding == "cp1251" and grid.delimiter == ";"
    assert grid.rows == [(1, ["код", "имя"]), (2, ["1", "Школа"])]


def test_it_keeps_the_line_a_person_sees_across_blank_lines_and_quoted_breaks(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('a,b\n\n1,"x\ny"\n2,z\n', encoding="utf-8")
    table, issues = read_table(path)
    assert [line for line, _ in table.records()] == [3, 5]


def test_it_names_the_file_and_the_line_of_broken_encoding(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"a,b\n1,2\n" + bytes(range(0x80, 0xA0)) + b"\n")
    grid, [issue] = read_grid(path)
    assert grid is None and issue.file == "x.csv" and issue.row == 3 and "кодировк" in issue.message


def test_it_refuses_a_zip_bomb_before_inflating_it(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (64 * 2**20))
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(buffer.getvalue())
    grid, [issue] = read_grid(path)
    assert grid is None and "zip-бомба" in issue.message


def test_it_refuses_an_xlsx_that_inflates_beyond_the_limit(tmp_path, monkeypatch):
    book = openpyxl.Workbook()
    for i in range(200):
        book.active.append([i, "текст" * 20])
    path = tmp_path / "big.xlsx"
    book.save(path)
    monkeypatch.setattr(tabular, "MAX_XLSX_UNCOMPRESSED", 10_000)
    grid, [issue] = read_grid(path)
    assert grid is None and "после распаковки" in issue.message


def test_it_refuses_a_sheet_with_too_many_rows(tmp_path, monkeypatch):
    book = openpyxl.Workbook()
    for i in range(50):
        book.active.append([i])
    path = tmp_path / "rows.xlsx"
    book.save(path)
    monkeypatch.setattr(tabular, "MAX_XLSX_ROWS", 10)
    grid, [issue] = read_grid(path)
    assert grid is None and "слишком" in issue.message and "CSV" in issue.message


def test_xlsx_cells_read_as_a_person_sees_them(tmp_path):
    import datetime as dt

    book = openpyxl.Workbook()
    book.active.append(["a", "b", "c", "d"])
    book.active.append([12.0, 3.5, dt.datetime(2023, 1, 4), None])
    path = tmp_path / "cells.xlsx"
    book.save(path)
    table, issues = read_table(path)
    assert issues == [] and table.rows[0][1][:3] == ["12", "3.5", "2023-01-04"]


def test_an_old_binary_xls_is_refused_with_advice(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    grid, [issue] = read_grid(path)
    assert grid is None and "XLSX" in issue.message
