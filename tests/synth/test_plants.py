"""The planted schools of ground_truth.json show in the numbers, the way the detection rules look at them."""

from __future__ import annotations

import numpy as np
import polars as pl

from msoko.engine import reference

from .conftest import org_ids


def _at_and_below_boundaries(vpr: pl.DataFrame) -> tuple[float, float]:
    at = below = 0
    for (year, subject, grade), part in vpr.group_by(["year", "subject", "grade"]):
        bounds = reference.mark_boundaries("ВПР", year, subject, grade)
        at += part["primary_score"].is_in(list(bounds)).sum()
        below += part["primary_score"].is_in([b - 1 for b in bounds]).sum()
    return at / len(vpr), below / len(vpr)


def _planted_works(vpr, truth):
    keys = pl.DataFrame(
        [{"org_id": o["org_id"], **p} for o in truth["non_objective"] for p in o["plants"]]
    ).with_columns(pl.col("year").cast(vpr["year"].dtype), pl.col("grade").cast(vpr["grade"].dtype))
    return vpr.join(keys, on=["org_id", "year", "subject", "grade"])


def test_it_records_every_kind_of_planted_school(truth):
    for key in ("non_objective", "low_results", "adverse_social", "honest_advanced"):
        assert truth[key], key
    planted = [set(org_ids(truth, k)) for k in ("non_objective", "low_results", "adverse_social")]
    assert not (planted[0] & planted[1]) and not (planted[1] & planted[2]) and not (planted[0] & planted[2])


def test_it_plants_peaks_just_at_the_mark_boundaries_in_non_objective_schools(vpr, truth):
    at, below = _at_and_below_boundaries(_planted_works(vpr, truth))
    assert at > 2.5 * below
    others = vpr.filter(~pl.col("org_id").is_in(org_ids(truth, "non_objective")))
    at, below = _at_and_below_boundaries(others)
    assert 0.7 < at / below < 1.4


def test_it_plants_vpr_marks_above_journal_marks_in_non_objective_schools(vpr, truth):
    def raised(df):
        df = df.filter(pl.col("journal_mark").is_not_null())
        return (df["mark"] > df["journal_mark"]).mean()

    others = vpr.filter(~pl.col("org_id").is_in(org_ids(truth, "non_objective")))
    assert raised(_planted_works(vpr, truth)) > 2 * raised(others)


def test_it_keeps_lyceums_high_and_honest(vpr, truth):
    lyceums = vpr.filter(pl.col("org_id").is_in(org_ids(truth, "honest_advanced")))
    rest = vpr.filter(~pl.col("org_id").is_in(org_ids(truth, "honest_advanced")))
    assert lyceums["mark"].mean() > rest["mark"].mean() + 0.4
    at, below = _at_and_below_boundaries(lyceums)
    assert at / below < 1.5
    judged = lyceums.filter(pl.col("journal_mark").is_not_null())
    assert (judged["mark"] > judged["journal_mark"]).mean() < 0.2


def test_it_keeps_low_result_schools_weak_in_every_year(vpr, truth):
    low = vpr.filter(pl.col("org_id").is_in(org_ids(truth, "low_results")))
    per_year = low.group_by("year").agg((pl.col("mark") == 2).mean().alias("share_2"))
    assert (per_year["share_2"] >= 0.25).all()
    assert (vpr["mark"] == 2).mean() < 0.15


def test_it_gives_adverse_social_schools_a_hard_context(region, truth):
    ctx = pl.read_csv(region.files["context"]).with_columns(
        ((pl.col("pdn_kdn") + pl.col("chronic_absence") + pl.col("not_attested")) / pl.col("students")).alias(
            "risk"
        )
    )
    adverse = ctx.filter(pl.col("org_id").is_in(org_ids(truth, "adverse_social")))["risk"].mean()
    ordinary = ctx.filter(
        ~pl.col("org_id").is_in(org_ids(truth, "adverse_social") + org_ids(truth, "low_results"))
    )["risk"].mean()
    assert adverse > 1.8 * ordinary


def test_it_lets_context_drive_results(region, vpr):
    ctx = pl.read_csv(region.files["context"]).with_columns(
        (
            (pl.col("pdn_kdn") + pl.col("chronic_absence") + pl.col("migrant_or_low_russian"))
            / pl.col("students")
        ).alias("risk")
    )
    means = vpr.group_by(["year", "org_id"]).agg(pl.col("mark").mean().alias("mean_mark"))
    joined = means.join(ctx, on=["year", "org_id"])
    assert joined.select(pl.corr("risk", "mean_mark")).item() < -0.3


def test_low_results_lists_exactly_the_schools_meeting_the_documented_criterion(region, truth):
    from msoko.synth import plants

    value = plants.standing(region.seed, region.schools, region.years)
    meets = {
        region.schools.org_id[i]
        for i in range(len(region.schools))
        if value[i] <= plants.LOW_RESULTS_THRESHOLD and not region.schools.correctional[i]
    }
    listed = {o["org_id"]: o for o in truth["low_results"]}
    assert set(listed) == meets
    assert str(plants.LOW_RESULTS_THRESHOLD) in truth["criteria"]["low_results"]
    assert truth["criteria"]["low_results_threshold"] == plants.LOW_RESULTS_THRESHOLD
    for i, org_id in enumerate(region.schools.org_id):
        if org_id in listed:
            assert abs(listed[org_id]["standing"] - value[i]) < 1e-3
    planted = [o for o in truth["low_results"] if o["planted"]]
    assert planted, "every region gets planted low-result schools in a hard context"
    assert all(o["standing"] <= plants.LOW_RESULTS_THRESHOLD - plants.PLANTED_MARGIN for o in planted)
    assert len(listed) > len(planted), "naturally low schools are listed too, not only the planted ones"


def test_standing_leaves_context_out_and_compares_with_schools_of_the_same_locality(region):
    from msoko.synth import plants

    sch = region.schools
    value = plants.standing(region.seed, sch, region.years)
    harder = type(sch)(**{**sch.__dict__, "adversity": sch.adversity + 0.3})
    assert np.allclose(plants.standing(region.seed, harder, region.years), value)
    urban = sch.rural == 0
    reference = np.where(urban, plants.LOCALITY_REFERENCE[1], plants.LOCALITY_REFERENCE[0])
    assert np.all(np.abs(value - (sch.effect - reference)) < 0.6)
