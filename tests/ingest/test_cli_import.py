"""`msoko import results|context|scales`: every malformed file exits 1 with located messages and leaves the
workspace's warehouse and archive byte-identical; a good file exits 0 with a summary."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from typer.testing import CliRunner

from msoko.cli.main import app
from tests.ingest.helpers import VPR_HEADER, VPR_ROWS, tree_hash, write_csv

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def _zip_bomb(path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (300 * 2**20))
    path.write_bytes(buffer.getvalue())


def _xlsx_with_names(path):
    book = openpyxl.Workbook()
    book.active.append(
        ["year", "org_id", "participant", "Фамилия", "subject", "grade", "primary_score", "mark"]
    )
    book.active.append([2024, "edu1", "1", "Петров", "Математика", 4, 3, 2])
    book.save(path)


MALFORMED = {
    "empty.csv": lambda p: p.write_bytes(b""),
    "blank.csv": lambda p: p.write_bytes(b"\n\n  \n"),
    "utf16.csv": lambda p: p.write_bytes((VPR_HEADER + "\n" + VPR_ROWS[0] + "\n").encode("utf-16")),
    "garbage.csv": lambda p: p.write_bytes(b"year,org_id\n\x81\x83\x98\x88\x8d\x8f\x90,\x98\x98\n" * 5),
    "header_only.csv": lambda p: p.write_text(VPR_HEADER + "\n", encoding="utf-8"),
    "bad_mark.csv": lambda p: p.write_text(VPR_HEADER + "\n" + VPR_ROWS[0].replace(",2,4,", ",6,4,") + "\n"),
    "short_row.csv": lambda p: p.write_text(VPR_HEADER + "\n" + VPR_ROWS[0] + "\n2024,edu1\n"),
    "duplicate.csv": lambda p: p.write_text("\n".join([VPR_HEADER, VPR_ROWS[0], VPR_ROWS[0]]) + "\n"),
    "unknown_org.csv": lambda p: p.write_text(
        VPR_HEADER + "\n" + VPR_ROWS[0].replace("edu1", "edu404") + "\n"
    ),
    "no_participant.csv": lambda p: p.write_text("year,org_id,subject,grade,primary_score,mark,exam\n"),
    "broken.xlsx": lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00" * 64),
    "bomb.xlsx": _zip_bomb,
    "old.xls": lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512),
    "names.xlsx": _xlsx_with_names,
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_results_file_exits_1_with_located_messages_and_writes_nothing(
    registered, tmp_path, name
):
    path = tmp_path / name
    MALFORMED[name](path)
    before = tree_hash(registered.warehouse, registered.archive)
    result = run("import", "results", path, "--home", registered.root)
    assert result.exit_code == 1, result.output
    assert f"файл «{name}»" in result.stderr
    assert "Файл не принят, ничего не записано." in result.stderr
    assert tree_hash(registered.warehouse, registered.archive) == before


def test_a_row_level_problem_names_the_row_and_the_column(registered, tmp_path):
    MALFORMED["bad_mark.csv"](tmp_path / "bad_mark.csv")
    result = run("import", "results", tmp_path / "bad_mark.csv", "--home", registered.root)
    assert "строка 2, столбец «mark»" in result.stderr


def test_a_good_file_exits_0_and_prints_a_summary_with_warnings(registered, tmp_path):
    row = "2024,edu1,10003,Русский язык,4,1,20,4,4,,"
    path = write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *VPR_ROWS, row])
    result = run("import", "results", path, "--home", registered.root)
    assert result.exit_code == 0, result.output
    assert "Загружено: «vpr.csv», набор vpr, строк 4" in result.stdout
    assert "Предупреждение" in result.stderr and "строка 5, столбец «mark»" in result.stderr
    history = run("import", "history", "--home", registered.root)
    assert "vpr.csv" in history.stdout and "committed" in history.stdout


def test_dry_run_exits_0_and_writes_nothing(registered, tmp_path):
    before = tree_hash(registered.warehouse, registered.archive)
    path = write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *VPR_ROWS])
    result = run("import", "results", path, "--dry-run", "--home", registered.root)
    assert result.exit_code == 0 and "Проверка без записи" in result.stdout
    assert tree_hash(registered.warehouse, registered.archive) == before


def test_drop_columns_lets_a_file_with_names_in(registered, tmp_path):
    _xlsx_with_names(tmp_path / "names.xlsx")
    result = run(
        "import", "results", tmp_path / "names.xlsx", "--drop-columns", "Фамилия", "--home", registered.root
    )
    assert result.exit_code == 0, result.output


def test_context_and_scales_commands_reject_a_malformed_file_with_exit_1(registered, tmp_path):
    before = tree_hash(registered.warehouse, registered.archive)
    context = write_csv(tmp_path, "context.csv", ["year,org_id,remote", "2024,edu1,да"])
    assert run("import", "context", context, "--home", registered.root).exit_code == 1
    scales = write_csv(tmp_path, "scales.csv", ["year,procedure,subject", "2024,ВПР,Математика"])
    result = run("import", "scales", scales, "--home", registered.root)
    assert result.exit_code == 1 and "mark_or_level" in result.stderr
    assert tree_hash(registered.warehouse, registered.archive) == before


def test_rollback_command_undoes_an_import(registered, tmp_path):
    from msoko.ingest import list_imports

    path = write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *VPR_ROWS])
    assert run("import", "results", path, "--home", registered.root).exit_code == 0
    import_id = list_imports(registered)[-1]["id"]
    assert run("import", "rollback", import_id, "--home", registered.root).exit_code == 0
    assert run("import", "rollback", import_id, "--home", registered.root).exit_code == 1


def test_a_missing_file_is_a_usage_error(registered, tmp_path):
    assert run("import", "results", tmp_path / "nope.csv", "--home", registered.root).exit_code == 2
