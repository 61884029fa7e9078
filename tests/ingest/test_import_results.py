"""Canonical result files through `import_file`: one golden file, then one test per broken thing."""

from __future__ import annotations

import duckdb
import openpyxl
import pytest

from msoko.engine.warehouse import Warehouse
from msoko.ingest import import_file
from tests.ingest.helpers import VPR_HEADER, VPR_ROWS, tree_hash, write_csv


def errors(outcome):
    return [issue for issue in outcome.issues if issue.is_error]


def only_error(outcome):
    found = errors(outcome)
    assert len(found) == 1, [issue.format() for issue in outcome.issues]
    return found[0]


def rows_of(ws, dataset):
    files = [str(f) for f in Warehouse(ws.warehouse).files(dataset)]
    return duckdb.sql(f"select * from read_parquet({files!r})").pl() if files else None


def test_it_imports_the_golden_vpr_file_with_tasks_in_long_form(registered, tmp_path):
    outcome = import_file(registered, write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *VPR_ROWS]))
    assert outcome.status == "committed", [i.format() for i in outcome.issues]
    assert outcome.issues == [] and outcome.rows == 3 and outcome.dataset == "vpr"
    vpr = rows_of(registered, "vpr")
    assert vpr.height == 3 and set(vpr["mark"]) == {2}
    assert vpr["journal_mark"].null_count() == 1
    tasks = rows_of(registered, "vpr_tasks")
    assert tasks.height == 5  # the «X» is no score
    assert set(tasks["task"]) == {"1", "2"}


def test_participant_codes_are_pseudonymised_stably_and_per_school(registered, tmp_path):
    import_file(registered, write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *VPR_ROWS]))
    vpr = rows_of(registered, "vpr").sort(["org_id", "primary_score"])
    codes = vpr["participant"].to_list()
    assert "10001" not in codes and all(len(c) == 20 for c in codes)
    # the same code 10001 in two schools is two pupils
    assert len(set(codes)) == 3
    # a corrected file for the year gives the same pseudonyms (stable across imports)
    fixed = [VPR_ROWS[0], VPR_ROWS[1].replace(",3,X,1", ",3,0,1"), VPR_ROWS[2]]
    import_file(registered, write_csv(tmp_path, "vpr2.csv", [VPR_HEADER, *fixed]))
    assert sorted(rows_of(registered, "vpr")["participant"]) == sorted(codes)


def test_it_reads_cp1251_with_semicolons_and_a_bom_utf8_file_alike(registered, tmp_path):
    lines = [line.replace(",", ";") for line in [VPR_HEADER, *VPR_ROWS]]
    outcome = import_file(registered, write_csv(tmp_path, "vpr.csv", lines, encoding="cp1251"), dry_run=True)
    assert outcome.status == "dry_run" and outcome.issues == []
    outcome = import_file(
        registered,
        write_csv(tmp_path, "vpr_bom.csv", [VPR_HEADER, *VPR_ROWS], encoding="utf-8-sig"),
        dry_run=True,
    )
    assert outcome.status == "dry_run" and outcome.issues == []


def test_it_imports_a_canonical_xlsx(registered, tmp_path):
    book = openpyxl.Workbook()
    for line in [VPR_HEADER, *VPR_ROWS]:
        book.active.append([int(c) if c.isdigit() else c for c in line.split(",")])
    path = tmp_path / "vpr.xlsx"
    book.save(path)
    outcome = import_file(registered, path)
    assert outcome.status == "committed" and outcome.rows == 3, [i.format() for i in outcome.issues]


def test_dry_run_reports_without_writing_anything(registered, tmp_path):
    before = tree_hash(registered.warehouse, registered.archive)
    outcome = import_file(registered, write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *VPR_ROWS]), dry_run=True)
    assert outcome.status == "dry_run" and outcome.rows == 3
    assert tree_hash(registered.warehouse, registered.archive) == before


@pytest.mark.parametrize(
    ("column", "value", "needle"),
    [
        ("mark", "7", "вне допустимого диапазона 2–5"),
        ("mark", "хорошо", "ожидается целое число"),
        ("primary_score", "-1", "вне допустимого диапазона"),
        ("primary_score", "3.5", "ожидается целое число"),
        ("grade", "", "не заполнено"),
        ("year", "24", "вне допустимого диапазона"),
        ("journal_mark", "1", "вне допустимого диапазона 2–5"),
        ("task:1", "-2", "балл за задание"),
    ],
)
def test_it_rejects_a_bad_value_naming_row_and_column(registered, tmp_path, column, value, needle):
    header = VPR_HEADER.split(",")
    cells = VPR_ROWS[1].split(",")
    cells[header.index(column)] = value
    before = tree_hash(registered.warehouse, registered.archive)
    outcome = import_file(
        registered, write_csv(tmp_path, "vpr.csv", [VPR_HEADER, VPR_ROWS[0], ",".join(cells)])
    )
    issue = only_error(outcome)
    assert outcome.rejected
    assert (issue.file, issue.row, issue.column) == ("vpr.csv", 3, column)
    assert needle in issue.message
    assert tree_hash(registered.warehouse, registered.archive) == before


def test_it_rejects_a_file_without_participant_code(registered, tmp_path):
    header = VPR_HEADER.replace("participant,", "")
    rows = [",".join(c for i, c in enumerate(r.split(",")) if i != 2) for r in VPR_ROWS]
    outcome = import_file(registered, write_csv(tmp_path, "vpr.csv", [header, *rows]), kind="vpr")
    issue = only_error(outcome)
    assert (issue.row, issue.column) == (1, "participant") and "нет обязательного столбца" in issue.message


def test_it_rejects_a_duplicate_participant_subject_and_year(registered, tmp_path):
    outcome = import_file(registered, write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *VPR_ROWS, VPR_ROWS[0]]))
    issue = only_error(outcome)
    assert issue.row == 5 and "строке 2" in issue.message and "повторяется" in issue.message


def test_it_rejects_an_unknown_organisation(registered, tmp_path):
    rows = [*VPR_ROWS, VPR_ROWS[0].replace("edu1", "edu999")]
    outcome = import_file(registered, write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *rows]))
    issue = only_error(outcome)
    assert (issue.row, issue.column) == (5, "org_id") and "edu999" in issue.message


def test_without_a_registry_unknown_organisations_are_a_single_warning(ws, tmp_path):
    outcome = import_file(ws, write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *VPR_ROWS]))
    assert outcome.status == "committed"
    assert [w.message for w in outcome.warnings] == [
        "реестр организаций ещё не загружен (msoko import registry), проверка кодов организаций пропущена"
    ]


def test_a_score_above_the_years_maximum_is_an_error(registered, tmp_path):
    row = "2024,edu1,10003,Русский язык,4,1,39,5,5,,"
    outcome = import_file(registered, write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *VPR_ROWS, row]))
    issue = only_error(outcome)
    assert (issue.row, issue.column) == (5, "primary_score") and "(38)" in issue.message


def test_a_mark_the_years_scale_would_not_give_is_a_warning(registered, tmp_path):
    row = "2024,edu1,10003,Русский язык,4,1,20,4,4,,"
    outcome = import_file(registered, write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *VPR_ROWS, row]))
    assert outcome.status == "committed"
    [warning] = outcome.warnings
    assert (warning.row, warning.column) == (5, "mark") and "полагается «3»" in warning.message


def test_tasks_not_summing_to_the_primary_score_are_a_warning(registered, tmp_path):
    row = "2024,edu1,10003,Русский язык,4,1,2,2,2,2,2"
    outcome = import_file(registered, write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *VPR_ROWS, row]))
    assert outcome.status == "committed"
    [warning] = outcome.warnings
    assert warning.row == 5 and "сумма баллов за задания (4)" in warning.message


def test_a_task_above_its_maximum_from_the_metadata_file_is_an_error(registered, tmp_path):
    meta = write_csv(
        tmp_path,
        "vpr_tasks_meta.csv",
        ["year,subject,grade,task,max_score,level", "2024,Русский язык,4,1,1,Б", "2024,Русский язык,4,2,2,П"],
    )
    outcome = import_file(
        registered, write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *VPR_ROWS]), tasks_meta=meta
    )
    issue = only_error(outcome)
    assert (issue.row, issue.column) == (4, "task:1") and "больше максимального (1)" in issue.message


def test_the_tasks_metadata_next_to_the_file_fills_max_score_and_level(registered, tmp_path):
    write_csv(
        tmp_path,
        "vpr_tasks_meta.csv",
        ["year,subject,grade,task,max_score,level", "2024,Русский язык,4,1,2,Б", "2024,Русский язык,4,2,2,П"],
    )
    outcome = import_file(registered, write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *VPR_ROWS]))
    assert outcome.status == "committed"
    tasks = rows_of(registered, "vpr_tasks")
    assert tasks["max_score"].null_count() == 0 and set(tasks["level"]) == {"Б", "П"}


def test_it_rejects_an_empty_file_and_a_header_only_file(registered, tmp_path):
    empty = tmp_path / "vpr.csv"
    empty.write_bytes(b"")
    assert "пуст" in only_error(import_file(registered, empty)).message
    outcome = import_file(registered, write_csv(tmp_path, "vpr2.csv", [VPR_HEADER]))
    assert "нет ни одной строки" in only_error(outcome).message


def test_it_rejects_a_row_with_the_wrong_number_of_fields(registered, tmp_path):
    outcome = import_file(
        registered, write_csv(tmp_path, "vpr.csv", [VPR_HEADER, VPR_ROWS[0], "2024,edu1,1"])
    )
    issue = only_error(outcome)
    assert issue.row == 3 and "столбцов" in issue.message


def test_it_refuses_a_column_of_personal_names_and_says_how_to_drop_it(registered, tmp_path):
    header = VPR_HEADER.replace("participant,", "participant,ФИО,")
    rows = [r.replace(",1000", ",Иванов Иван,1000", 1) for r in VPR_ROWS]
    rows = [r.split(",") for r in VPR_ROWS]
    rows = [",".join([*r[:3], "Иванов Иван", *r[3:]]) for r in rows]
    path = write_csv(tmp_path, "vpr.csv", [header, *rows])
    outcome = import_file(registered, path)
    issue = only_error(outcome)
    assert issue.column == "ФИО" and "--drop-columns" in issue.message
    outcome = import_file(registered, path, drop_columns=["ФИО"])
    assert outcome.status == "committed"
    archived = list(registered.archive.rglob("*.*"))
    assert archived and all("Иванов" not in p.read_text(encoding="utf-8") for p in archived)
    assert all("Иванов" not in str(rows_of(registered, "vpr").rows()) for _ in [0])


def test_gia_imports_and_checks_the_oge_scale(registered, tmp_path):
    lines = [
        "year,org_id,participant,subject,exam,primary_score,test_score,mark",
        "2024,edu1,5001,Русский язык,ОГЭ,30,,5",
        "2024,edu1,5002,Русский язык,ОГЭ,20,,5",
        "2024,edu2,5003,Математика (профильная),ЕГЭ,15,70,",
    ]
    outcome = import_file(registered, write_csv(tmp_path, "gia.csv", lines))
    assert outcome.status == "committed" and outcome.dataset == "gia"
    assert set(outcome.versions["gia"]) == {"2024|ОГЭ", "2024|ЕГЭ"}
    [warning] = outcome.warnings
    assert warning.row == 3 and warning.column == "mark"


def test_gia_rejects_a_test_score_above_100(registered, tmp_path):
    lines = [
        "year,org_id,participant,subject,exam,primary_score,test_score,mark",
        "2024,edu2,1,Химия,ЕГЭ,15,170,",
    ]
    issue = only_error(import_file(registered, write_csv(tmp_path, "gia.csv", lines)))
    assert (issue.row, issue.column) == (2, "test_score")


def test_context_keeps_further_numeric_columns_as_variables(registered, tmp_path):
    lines = ["year,org_id,students,remote,libraries", "2024,edu1,500,0,2", "2024,edu2,80,1,0.5"]
    outcome = import_file(registered, write_csv(tmp_path, "context.csv", lines), kind="context")
    assert outcome.status == "committed"
    context = rows_of(registered, "context")
    assert context["libraries"].to_list() == [2.0, 0.5] and context["students"].dtype.is_integer()


def test_context_rejects_a_flag_that_is_not_0_or_1(registered, tmp_path):
    lines = ["year,org_id,remote", "2024,edu1,2"]
    issue = only_error(import_file(registered, write_csv(tmp_path, "context.csv", lines), kind="context"))
    assert (issue.row, issue.column) == (2, "remote")


def test_results_by_org_is_recognised_from_its_header(registered, tmp_path):
    lines = [
        "year,org_id,procedure,subject,grade,participants,mean_score,share_2,above_70",
        "2024,edu1,ЕГЭ,Химия,,25,61.5,0.04,0.2",
    ]
    outcome = import_file(registered, write_csv(tmp_path, "results_by_org.csv", lines))
    assert outcome.status == "committed" and outcome.dataset == "results_by_org"
    assert outcome.versions["results_by_org"].keys() == {"2024|ЕГЭ|"}
    assert rows_of(registered, "results_by_org")["above_70"].to_list() == [0.2]


def test_results_by_org_rejects_a_share_above_one(registered, tmp_path):
    lines = ["year,org_id,procedure,subject,grade,participants,share_2", "2024,edu1,ОГЭ,Химия,9,25,4"]
    issue = only_error(import_file(registered, write_csv(tmp_path, "r.csv", lines)))
    assert (issue.row, issue.column) == (2, "share_2")


def test_an_unrecognisable_results_file_asks_for_a_profile(registered, tmp_path):
    issue = only_error(import_file(registered, write_csv(tmp_path, "x.csv", ["a,b", "1,2"])))
    assert "--profile" in issue.message


def test_scales_import_overrides_the_shipped_scale_of_that_year_subject_and_grade_only(registered, tmp_path):
    from msoko.ingest import effective_scales

    lines = [
        "year,procedure,subject,grade,mark_or_level,min_score,max_score,score_kind,source",
        "2024,ВПР,Русский язык,4,2,0,9,primary,приказ",
        "2024,ВПР,Русский язык,4,3,10,19,primary,приказ",
        "2024,ВПР,Русский язык,4,4,20,29,primary,приказ",
        "2024,ВПР,Русский язык,4,5,30,38,primary,приказ",
    ]
    outcome = import_file(registered, write_csv(tmp_path, "scales.csv", lines), kind="scales")
    assert outcome.status == "committed"
    scales = effective_scales(registered).to_pylist()
    vpr_2024 = [r for r in scales if r["year"] == 2024 and r["procedure"] == "ВПР"]
    russian_4 = [r for r in vpr_2024 if r["subject"] == "Русский язык" and r["grade"] == 4]
    assert len(russian_4) == 4 and all(r["source"] == "приказ" for r in russian_4)
    assert any(r["year"] == 2024 and r["procedure"] == "ОГЭ" for r in scales)
    assert any(
        r["year"] == 2024 and r["subject"] == "Математика" and r["grade"] == 4 for r in vpr_2024 + scales
    )
    assert outcome.versions["scales"].keys() == {"2024|ВПР|Русский язык|4"}
    # the new scale now judges marks: 20 points is a «4»
    row = "2024,edu1,10003,Русский язык,4,1,20,4,4,,"
    outcome = import_file(registered, write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *VPR_ROWS, row]))
    assert not [w for w in outcome.warnings if w.column == "mark"]


def test_a_scale_with_min_above_max_is_rejected(registered, tmp_path):
    lines = [
        "year,procedure,subject,grade,mark_or_level,min_score,max_score,score_kind",
        "2024,ОГЭ,Химия,,3,20,10,primary",
    ]
    issue = only_error(import_file(registered, write_csv(tmp_path, "scales.csv", lines), kind="scales"))
    assert issue.row == 2 and "больше верхней" in issue.message


def test_rows_of_organisations_outside_the_uploaders_scope_are_refused(registered, tmp_path):
    path = write_csv(tmp_path, "vpr.csv", [VPR_HEADER, *VPR_ROWS])
    outcome = import_file(registered, path, allowed_orgs={"edu1"})
    issue = only_error(outcome)
    assert (issue.row, issue.column) == (4, "org_id") and "edu2" in issue.message
    assert import_file(registered, path, allowed_orgs={"edu1", "edu2"}).status == "committed"
