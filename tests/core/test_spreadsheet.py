"""Export cells: formulas neutralised, numbers kept as numbers (negative ones too)."""

import pytest

from msoko.core.spreadsheet import safe_cell, safe_text, write_csv


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
        ("+7 999", "'+7 999"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
        ("\t=1", "'\t=1"),
        ("-1.5", "-1.5"),
        ("Школа № 1", "Школа № 1"),
        (-3, "-3"),
        (-0.25, "-0.25"),
        (2.0, "2"),
        (float("nan"), ""),
        (None, ""),
        (True, "1"),
    ],
)
def test_a_cell_is_safe_to_open_in_a_spreadsheet(value, cell):
    assert safe_cell(value) == cell


def test_safe_text_leaves_plain_text_alone():
    assert safe_text("МБОУ «СОШ»") == "МБОУ «СОШ»"


def test_write_csv_writes_a_header_and_safe_rows(tmp_path):
    out = tmp_path / "x.csv"
    write_csv(["a", "b"], [["=1+1", -2]], out)
    assert out.read_text(encoding="utf-8") == "a,b\n'=1+1,-2\n"
