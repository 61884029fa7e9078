"""Hostile or careless input: refused with a located Russian message, nothing written."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest

from msoko.engine.warehouse import Warehouse
from msoko.ingest import import_file
from msoko.ingest.canonical import latest_year
from tests.ingest.helpers import VPR_HEADER, VPR_ROWS, tree_hash, write_csv

GIA_HEADER = "year,org_id,participant,subject,exam,primary_score,test_score,mark"


def nothing_written(ws, before):
    return tree_hash(ws.warehouse, ws.archive) == before


def test_the_latest_year_is_the_end_of_the_current_academic_year():
    assert latest_year(dt.date(2026, 12, 2)) == 2027
    assert latest_year(dt.date(2027, 5, 20)) == 2027
    assert latest_year(dt.date(2027, 9, 1)) == 2028


def test_a_year_after_the_current_academic_year_is_refused_with_its_row(registered, tmp_path):
    before = tree_hash(registered.warehouse, registered.archive)
    future = latest_year() + 1
    rows = [VPR_ROWS[0], VPR_ROWS[1].replace("2024,", f"{future},", 1)]
    outcome = import_file(registered, write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *rows]))
    assert outcome.rejected
    [error] = [e for e in outcome.errors if "позже текущего учебного года" in e.message]
    assert (error.row, error.column) == (3, "year") and str(future) in error.message
    assert nothing_written(registered, before)


def test_2099_is_refused_in_context_too(registered, tmp_path):
    path = write_csv(tmp_path, "context.csv", ["year,org_id,students", "2099,edu1,100"])
    outcome = import_file(registered, path, kind="context")
    assert outcome.rejected and outcome.errors[0].row == 2


def test_an_exam_outside_the_closed_list_is_an_error(registered, tmp_path):
    path = write_csv(tmp_path, "gia.csv", [GIA_HEADER, "2024,edu1,1,Математика,ОГЕ,10,,3"])
    outcome = import_file(registered, path)
    assert outcome.rejected
    assert [(e.row, e.column) for e in outcome.errors] == [(2, "exam")]


def test_a_csv_inside_a_zip_is_read(registered, tmp_path):
    csv_path = write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *VPR_ROWS])
    archive = tmp_path / "vpr.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.write(csv_path, "vpr.csv")
    outcome = import_file(registered, archive)
    assert outcome.status == "committed", [i.format() for i in outcome.issues]
    assert outcome.rows == 3


def test_a_zip_with_the_results_and_the_task_metadata_enforces_the_maxima(registered, tmp_path):
    rows = [VPR_ROWS[0].replace(",1,2", ",1,9")]  # task 2 scored 9 while its maximum is 2
    csv_path = write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *rows])
    meta = write_csv(
        tmp_path,
        "vpr_tasks_meta.csv",
        ["year,subject,grade,task,max_score,level", "2024,Русский язык,4,1,2,Б", "2024,Русский язык,4,2,2,Б"],
    )
    archive = tmp_path / "both.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(csv_path, "vpr.csv")
        out.write(meta, "meta/vpr_tasks_meta.csv")
    (tmp_path / "vpr_tasks_meta.csv").unlink()
    outcome = import_file(registered, archive)
    assert outcome.rejected
    assert any(e.column == "task:2" and e.row == 2 for e in outcome.errors), [e.format() for e in outcome.errors]


def test_task_maxima_known_from_an_earlier_import_are_enforced_and_kept(registered, tmp_path):
    (tmp_path / "meta").mkdir()
    (tmp_path / "later").mkdir()
    meta = write_csv(
        tmp_path / "meta",
        "vpr_tasks_meta.csv",
        ["year,subject,grade,task,max_score,level", "2024,Русский язык,4,1,2,Б", "2024,Русский язык,4,2,2,Б"],
    )
    first = import_file(registered, write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *VPR_ROWS]), tasks_meta=meta)
    assert first.status == "committed"
    # a later upload without the metadata (the web form left empty): the maxima still hold
    bad = write_csv(tmp_path / "later", "again.csv", [VPR_HEADER, VPR_ROWS[0].replace(",1,2", ",1,9")])
    outcome = import_file(registered, bad)
    assert outcome.rejected and any(e.column == "task:2" for e in outcome.errors)
    good = write_csv(tmp_path / "later", "fixed.csv", [VPR_HEADER, VPR_ROWS[0]])
    assert import_file(registered, good).status == "committed"
    import duckdb

    files = [str(f) for f in Warehouse(registered.warehouse).files("vpr_tasks")]
    nulls = duckdb.sql(f"select count(*) from read_parquet({files!r}) where max_score is null").fetchall()[0][0]  # noqa: S608
    assert nulls == 0


def test_a_cell_over_the_documented_length_is_refused_with_its_row(registered, tmp_path):
    from msoko.ingest.cell_limits import MAX_CELL_CHARS

    long = "7" * (MAX_CELL_CHARS + 1)
    rows = [VPR_ROWS[0], VPR_ROWS[1].replace(",10002,", f",{long},")]
    outcome = import_file(registered, write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *rows]))
    assert outcome.rejected
    [error] = [e for e in outcome.errors if "длиннее" in e.message]
    assert (error.row, error.column) == (3, "participant")


def test_a_5_mb_participant_code_gives_a_russian_message_with_the_row(registered, tmp_path):
    long = "7" * (5 << 20)
    rows = [VPR_ROWS[0], VPR_ROWS[1].replace(",10002,", f",{long},")]
    outcome = import_file(registered, write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *rows]))
    assert outcome.rejected
    assert all(any("а" <= ch <= "я" for ch in e.message.lower()) for e in outcome.errors)
    assert any(e.row == 3 for e in outcome.errors), [e.format() for e in outcome.errors]
    assert not any("straddl" in e.message or "block" in e.message for e in outcome.errors)


def test_a_truncated_quoted_last_line_is_refused(registered, tmp_path):
    path = tmp_path / "vpr.csv"
    path.write_text(VPR_HEADER + "\n" + VPR_ROWS[0] + "\n" + '2024,edu1,"10002,Русский язык,4,1,1,2', encoding="utf-8")
    outcome = import_file(registered, path)
    assert outcome.rejected
    assert any(e.row == 3 for e in outcome.errors), [e.format() for e in outcome.errors]


@pytest.mark.parametrize("payload", [b"\x00\x01garbage", b"PK\x03\x04broken zip"])
def test_garbage_is_refused_in_russian(registered, tmp_path, payload):
    path = tmp_path / "vpr.csv"
    path.write_bytes(payload)
    outcome = import_file(registered, path)
    assert outcome.rejected


def test_a_last_line_cut_inside_quotes_with_every_field_present_is_refused(registered, tmp_path):
    path = tmp_path / "vpr.csv"
    path.write_text(
        VPR_HEADER + "\n" + VPR_ROWS[0] + "\n" + VPR_ROWS[2] + "\n" + '2024,edu2,10003,Русский язык,4,1,3,2,4,1,"2',
        encoding="utf-8",
    )
    outcome = import_file(registered, path)
    assert outcome.rejected
    assert [(e.row, "оборван" in e.message) for e in outcome.errors] == [(4, True)]


def test_a_cut_last_line_of_a_file_with_quoted_line_breaks_is_refused(registered, tmp_path):
    path = tmp_path / "vpr.csv"
    path.write_text(
        VPR_HEADER + "\n" + VPR_ROWS[0].replace("Русский язык", '"Русский\nязык"') + "\n" + '2024,edu2,10003,Русский язык,4,1,3,2,4,1,"2',
        encoding="utf-8",
    )
    outcome = import_file(registered, path)
    assert outcome.rejected and any("оборван" in e.message for e in outcome.errors), [e.format() for e in outcome.errors]
