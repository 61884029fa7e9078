"""ШНСУ index, ШНОР by cluster, value added, list movement and the risk profile on hand-made regions."""

from __future__ import annotations

import polars as pl

from msoko.engine.detection import clusters, lists, social, value_added
from msoko.engine.detection.config import ClusterConfig, SocialConfig, SocialVariable, ValueAddedConfig
from tests.detection.builders import org

ORGS = pl.DataFrame([org(f"s{i}", locality="urban") for i in range(10)]).with_columns(
    pl.lit(500).alias("students"), pl.lit(40).alias("teachers"))


def context(year: int, worst: str = "s9") -> pl.DataFrame:
    rows = []
    for i in range(10):
        o = f"s{i}"
        bad = o == worst
        rows.append({"year": year, "org_id": o, "students": 500, "pdn_kdn": 40 if bad else i,
                     "chronic_absence": 90 if bad else 5 + i, "remote": 1 if bad else 0})
    return pl.DataFrame(rows)


def test_the_school_with_the_worst_context_has_the_lowest_social_index_and_is_shnsu():
    soc, used = social.index(context(2025), ORGS, SocialConfig(share=0.1))
    assert set(used) == {"pdn_kdn", "chronic_absence", "remote"}
    ordered = soc.sort("social_index")
    assert ordered["org_id"][0] == "s9"
    assert soc.filter(pl.col("shnsu"))["org_id"].to_list() == ["s9"]


def test_a_favourable_direction_turns_a_variable_around():
    cfg = SocialConfig(variables=[SocialVariable(name="pdn_kdn", direction="favourable")], share=0.1)
    soc, _ = social.index(context(2025), ORGS, cfg)
    assert soc.sort("social_index")["org_id"][0] == "s0"


def test_shnsu_by_threshold_lists_every_school_at_or_under_it():
    soc, _ = social.index(context(2025), ORGS, SocialConfig(mode="threshold", threshold=15.0, shrinkage=False))
    assert soc.filter(pl.col("shnsu"))["org_id"].to_list() == ["s9"]


def _schools(composites: dict[str, list[float]], years=(2024, 2025)) -> pl.DataFrame:
    return pl.DataFrame([{"year": y, "org_id": o, "region_id": "R1", "composite": c[k]}
                         for o, c in composites.items() for k, y in enumerate(years)])


def test_a_school_at_the_bottom_of_its_cluster_every_year_is_cluster_bottom():
    comp = {f"s{i}": [0.1 * i, 0.1 * i] for i in range(10)} | {"s0": [-2.0, -2.1]}
    soc, _ = social.index(pl.concat([context(2024), context(2025)]), ORGS, SocialConfig())
    cfg = ClusterConfig(bands=1, bottom_share=0.1, years=2, min_years=2)
    out = clusters.bottom(clusters.assign(_schools(comp), soc, ORGS, cfg), cfg)
    last = out.filter(pl.col("year") == 2025)
    assert last.filter(pl.col("cluster_bottom"))["org_id"].to_list() == ["s0"]


def test_a_school_at_the_bottom_in_only_one_year_is_not_cluster_bottom():
    comp = {f"s{i}": [0.1 * i, 0.1 * i] for i in range(10)} | {"s0": [0.5, -2.0], "s1": [-2.0, 0.5]}
    soc, _ = social.index(pl.concat([context(2024), context(2025)]), ORGS, SocialConfig())
    cfg = ClusterConfig(bands=1, bottom_share=0.1, years=2, min_years=2)
    out = clusters.bottom(clusters.assign(_schools(comp), soc, ORGS, cfg), cfg)
    assert out.filter(pl.col("year") == 2025, pl.col("cluster_bottom")).is_empty()


def test_clusters_split_schools_by_context_band():
    soc, _ = social.index(context(2025), ORGS, SocialConfig())
    comp = _schools({f"s{i}": [0.0] for i in range(10)}, years=(2025,))
    out = clusters.assign(comp, soc, ORGS, ClusterConfig(bands=2, min_size=1))
    assert out["band"].n_unique() == 2
    assert out.filter(pl.col("org_id") == "s9")["band"][0] == "1 из 2"


def test_value_added_marks_a_school_far_below_what_its_context_predicts():
    rows = [{"region_id": "R1", "year": 2025, "org_id": f"s{i}", "a_x": i / 19, "locality": "urban",
             "composite": 1.0 - 2.0 * (i / 19) + (0.05 if i % 2 else -0.05)} for i in range(20)]
    rows[3]["composite"] = -2.0  # context predicts about +0.7
    out = value_added.evaluate(pl.DataFrame(rows), ["a_x"], ValueAddedConfig())
    below = out.filter(pl.col("below_expected"))["org_id"].to_list()
    assert below == ["s3"]
    s3 = out.filter(pl.col("org_id") == "s3").to_dicts()[0]
    assert s3["lower"] < s3["expected"] < s3["upper"]


def test_lists_record_who_entered_stayed_and_left():
    risk = pl.DataFrame({"year": [2024, 2024, 2025, 2025], "org_id": ["a", "b", "a", "c"],
                         "shnor": [True, True, True, True], "shnsu": [False] * 4})
    moves = lists.movement(risk).filter(pl.col("list") == "shnor", pl.col("year") == 2025)
    assert dict(zip(moves["org_id"], moves["status"], strict=True)) == {"a": "stayed", "c": "entered", "b": "left"}
