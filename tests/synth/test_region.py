from __future__ import annotations

import polars as pl

from msoko.engine import reference
from msoko.synth import generate_region
from msoko.synth.tasks import tasks_for

from .conftest import SEED, YEARS

FILES = ("organisations", "context", "vpr", "gia", "vpr_tasks_meta", "scales", "ground_truth")


def _small(path, seed):
    return generate_region(path, seed=seed, years=(2025,), schools=40, municipalities=3)


def test_it_writes_every_canonical_file(region):
    for name in FILES:
        assert region.files[name].exists(), name


def test_it_writes_byte_identical_files_for_the_same_seed(tmp_path):
    a, b = _small(tmp_path / "a", 7), _small(tmp_path / "b", 7)
    for name in FILES:
        assert a.files[name].read_bytes() == b.files[name].read_bytes(), name


def test_it_writes_different_results_for_a_different_seed(tmp_path):
    a, b = _small(tmp_path / "a", 7), _small(tmp_path / "b", 8)
    assert a.files["vpr"].read_bytes() != b.files["vpr"].read_bytes()
    assert a.files["organisations"].read_bytes() != b.files["organisations"].read_bytes()


def test_it_builds_one_region_of_municipalities_of_different_kinds(region):
    orgs = pl.read_csv(region.files["organisations"], infer_schema_length=0)
    schools = orgs.filter(pl.col("kind") == "school")
    assert 40 <= len(schools) <= 80
    assert orgs["region_id"].n_unique() == 1
    assert 3 <= orgs["municipality_id"].n_unique() <= 5
    assert {"kindergarten", "additional"} <= set(orgs["kind"])
    assert schools["org_id"].str.contains(r"^edu\d{6}$").all()
    assert orgs["org_id"].n_unique() == len(orgs)
    assert set(schools["locality"]) == {"urban", "rural"}
    for flag in ("small_school", "remote", "advanced", "correctional"):
        assert "1" in set(schools[flag]), flag
    assert schools["name"].str.contains("СОШ № ").any()


def test_it_gives_every_school_context_for_every_year(region):
    ctx = pl.read_csv(region.files["context"])
    orgs = pl.read_csv(region.files["organisations"]).filter(pl.col("kind") == "school")
    assert len(ctx) == len(orgs) * len(YEARS)
    assert ctx.select(pl.all().is_null().any()).row(0) == (False,) * ctx.width


def test_it_matches_vpr_marks_to_the_reference_scales(vpr):
    for (year, subject, grade), part in vpr.group_by(["year", "subject", "grade"]):
        expected = reference.marks_for("ВПР", year, subject, grade, part["primary_score"].to_numpy())
        assert (part["mark"].to_numpy() == expected).all(), (year, subject, grade)


def test_it_matches_oge_and_base_maths_marks_to_the_reference_scales(gia):
    marked = gia.filter(pl.col("mark").is_not_null())
    assert set(marked["exam"]) == {"ОГЭ", "ЕГЭ"}
    for (year, exam, subject), part in marked.group_by(["year", "exam", "subject"]):
        expected = reference.marks_for(exam, year, subject, None, part["primary_score"].to_numpy())
        assert (part["mark"].to_numpy() == expected).all(), (year, exam, subject)


def test_it_makes_the_primary_score_the_sum_of_task_scores(vpr):
    tasks = [c for c in vpr.columns if c.startswith("task:")]
    total = vpr.select(pl.sum_horizontal(tasks)).to_series()
    assert (total == vpr["primary_score"]).all()


def test_it_fills_exactly_the_task_columns_of_each_work_within_their_maxima(vpr):
    for (year, subject, grade), part in vpr.group_by(["year", "subject", "grade"]):
        work = {f"task:{t.code}": t.max_score for t in tasks_for(year, subject, grade)}
        filled = {c for c in part.columns if c.startswith("task:") and part[c].null_count() == 0}
        assert filled == set(work), (year, subject, grade)
        for column, maximum in work.items():
            assert part[column].max() <= maximum


def test_it_writes_task_metadata_that_adds_up_to_the_maximum_score(region):
    meta = pl.read_csv(region.files["vpr_tasks_meta"])
    assert set(meta["level"]) == {"Б", "П"}
    for (year, subject, grade), part in meta.group_by(["year", "subject", "grade"]):
        assert part["max_score"].sum() == reference.max_primary("ВПР", year, subject, grade)


def test_it_moves_pupils_up_a_grade_with_the_same_participant_code(vpr):
    key = ["org_id", "participant"]
    first = vpr.filter((pl.col("year") == 2024) & (pl.col("grade") == 4)).select(key).unique()
    second = vpr.filter((pl.col("year") == 2025) & (pl.col("grade") == 5)).select(key).unique()
    kept = len(first.join(second, on=key))
    assert kept / len(first) > 0.8


def test_it_gives_journal_marks_mostly_equal_to_vpr_marks(vpr):
    both = vpr.filter(pl.col("journal_mark").is_not_null())
    assert 0.5 < (both["journal_mark"] == both["mark"]).mean() < 0.85
    assert vpr["journal_mark"].null_count() > 0


def test_it_includes_ege_results_below_the_minimum(gia):
    ege = gia.filter((pl.col("exam") == "ЕГЭ") & pl.col("test_score").is_not_null())
    below = [
        (row["test_score"] < reference.ege_minimum(row["year"], row["subject"]))
        for row in ege.iter_rows(named=True)
    ]
    assert 0 < sum(below) < 0.3 * len(below)
    assert ege["test_score"].max() <= 100


def test_it_reports_its_rows_and_seed(region):
    assert region.seed == SEED
    assert region.rows["vpr"] == len(pl.read_csv(region.files["vpr"], columns=["year"]))
