"""ШНОР by standing: worse than schools of comparable context over the window, shrunk by reliability."""

from __future__ import annotations

import polars as pl

from msoko.engine.detection import standing
from msoko.engine.detection.config import DetectionConfig, StandingConfig

YEARS = (2024, 2025, 2026)


def _region(gaps: dict[str, float], n: dict[str, int] | None = None, advanced: tuple[str, ...] = (),
            extra: dict[str, float] | None = None):
    """20 schools; social index 20…96; result = 0.02 × index − 1 + a small alternating wobble + the school's gap."""
    n = n or {}
    extra = extra or {}
    vpr, soc, orgs = [], [], []
    for i in range(20):
        o = f"s{i}"
        index = 20 + 4 * i
        expected = 0.02 * index - 1.0 + (0.05 if i % 2 else -0.05)
        for y in YEARS:
            soc.append({"year": y, "org_id": o, "social_index": float(index)})
            for subject in ("Русский язык", "Математика"):
                vpr.append({"year": y, "org_id": o, "region_id": "R1", "subject": subject, "grade": 5,
                            "n": n.get(o, 40), "effect": expected + gaps.get(o, 0.0) + extra.get(o, 0.0)})
        orgs.append({"org_id": o, "locality": "urban", "advanced": int(o in advanced)})
    gia = pl.DataFrame(schema={"year": pl.Int32, "org_id": pl.Utf8, "region_id": pl.Utf8, "subject": pl.Utf8,
                               "n": pl.Int64, "effect": pl.Float64})
    return pl.DataFrame(vpr), gia, pl.DataFrame(soc), pl.DataFrame(orgs)


def _low(out: pl.DataFrame, year: int = 2026) -> list[str]:
    return sorted(out.filter(pl.col("year") == year, pl.col("low_standing"))["org_id"].to_list())


def test_a_school_far_below_schools_of_its_context_over_the_years_has_low_standing():
    out = standing.evaluate(*_region({"s12": -0.6}), StandingConfig())
    assert _low(out) == ["s12"]
    row = out.filter(pl.col("year") == 2026, pl.col("org_id") == "s12").to_dicts()[0]
    assert row["standing_years"] == 3 and row["standing_n"] == 240
    assert row["standing_result"] < row["standing_expected"] - 0.4
    assert row["standing_z"] <= -1.0


def test_low_results_that_the_context_explains_are_not_low_standing():
    # s0 has the worst context and the lowest results of the region, exactly as its context predicts
    out = standing.evaluate(*_region({}), StandingConfig())
    assert _low(out) == []
    worst = out.filter(pl.col("year") == 2026).sort("standing_result")["org_id"][0]
    assert worst == "s0"


def test_a_small_school_needs_a_bigger_gap_than_a_big_one():
    gaps = {"s5": -0.3, "s6": -0.3}
    out = standing.evaluate(*_region(gaps, n={"s5": 3, "s6": 200}), StandingConfig(min_participants=10))
    z = dict(zip(*out.filter(pl.col("year") == 2026).select("org_id", "standing_z").to_dict(as_series=False).values(),
                 strict=True))
    assert z["s5"] > z["s6"]


def test_one_year_is_not_enough_and_the_first_year_has_no_list():
    out = standing.evaluate(*_region({"s12": -0.6}), StandingConfig(min_years=2))
    assert out.filter(pl.col("year") == 2024).is_empty()
    assert _low(out, 2025) == ["s12"]


def test_lyceums_do_not_tilt_the_line_and_are_never_low_for_being_a_lyceum():
    lyceums = ("s1", "s3")
    out = standing.evaluate(*_region({"s12": -0.6}, advanced=lyceums, extra={"s1": 1.5, "s3": 1.5}),
                            StandingConfig())
    assert _low(out) == ["s12"]
    row = out.filter(pl.col("year") == 2026, pl.col("org_id") == "s1").to_dicts()[0]
    assert row["standing_gap"] > 1.0


def test_the_default_shnor_list_is_low_standing():
    assert DetectionConfig().shnor.all_of == ["low_standing"]


def test_the_explanation_gives_the_school_its_own_numbers():
    from msoko.engine.detection import explain

    text = explain.risk_text({"low_standing": True, "standing_years": 3, "standing_n": 240,
                              "standing_result": -0.62, "standing_expected": -0.05, "standing_z": -1.4},
                             3, 0.2, 0.1, standing_years=3, standing_threshold=1.0)
    assert text.startswith("За 3 года") and "240 работ" in text
    assert "−0,62 σ" in text and "−0,05 σ" in text and "1,40" in text
    assert "сходным индексом благополучия" in text


def _flags(org: str) -> pl.DataFrame:
    return pl.DataFrame([{"year": y, "org_id": org, "subject": s, "grade": 5, "flagged": True}
                         for y in YEARS for s in ("Русский язык", "Математика")])


def test_vpr_flagged_for_non_objectivity_does_not_hide_a_low_school():
    # s12 is low (ГИА-less toy region: its ВПР in grade 6 is honest); its grade-5 ВПР is marked up by 1σ
    vpr, gia, soc, orgs = _region({"s12": -0.6})
    honest = vpr.filter(pl.col("org_id") == "s12").with_columns(pl.lit(6, dtype=vpr["grade"].dtype).alias("grade"))
    vpr = pl.concat([vpr.with_columns(pl.when(pl.col("org_id") == "s12").then(pl.col("effect") + 1.0)
                                      .otherwise(pl.col("effect")).alias("effect")), honest])
    kept = standing.evaluate(vpr, gia, soc, orgs, StandingConfig(exclude_flagged=False), flagged=_flags("s12"))
    assert _low(kept) == []
    assert kept.filter(pl.col("year") == 2026, pl.col("org_id") == "s12")["standing_n"].item() == 480
    out = standing.evaluate(vpr, gia, soc, orgs, StandingConfig(), flagged=_flags("s12"))
    assert _low(out) == ["s12"]
    assert out.filter(pl.col("year") == 2026, pl.col("org_id") == "s12")["standing_n"].item() == 240


def test_unflagged_groups_and_other_schools_are_untouched_by_the_exclusion():
    vpr, gia, soc, orgs = _region({"s12": -0.6})
    flags = _flags("s3").with_columns(pl.lit(False).alias("flagged"))
    plain = standing.evaluate(vpr, gia, soc, orgs, StandingConfig())
    assert plain.equals(standing.evaluate(vpr, gia, soc, orgs, StandingConfig(), flagged=flags))
    assert _low(standing.evaluate(vpr, gia, soc, orgs, StandingConfig(), flagged=_flags("s3"))) == ["s12"]
