from __future__ import annotations

import pyarrow.parquet as pq

from msoko.engine.schemas import GIA, ORGANISATIONS, VPR, VPR_TASKS
from msoko.synth import generate_country


def _tiny(path, seed=5, **kw):
    return generate_country(path, seed=seed, municipalities=3, schools=24, years=1, flush_rows=20_000, **kw)


def test_it_streams_a_tiny_country_with_the_warehouse_schemas(tmp_path):
    c = _tiny(tmp_path, with_tasks=True)
    for name, schema in (
        ("organisations", ORGANISATIONS),
        ("vpr", VPR),
        ("gia", GIA),
        ("vpr_tasks", VPR_TASKS),
    ):
        table = pq.read_table(c.files[name])
        assert table.schema.equals(schema), name
        assert table.num_rows == c.rows[name] > 0
    assert pq.read_table(c.files["organisations"]).column("municipality_id").to_pylist().count(None) == 0
    assert c.schools == 24


def test_it_writes_an_identical_country_for_the_same_seed(tmp_path):
    a, b = _tiny(tmp_path / "a"), _tiny(tmp_path / "b")
    for name in ("organisations", "context", "vpr", "gia"):
        assert a.files[name].read_bytes() == b.files[name].read_bytes(), name


def test_it_writes_canonical_csv_next_to_parquet_when_asked(tmp_path):
    c = _tiny(tmp_path, write_csv=True)
    header = c.files["vpr_csv"].read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith('"year","org_id","participant"')
    assert '"task:1"' in header
    assert sum(1 for _ in c.files["vpr_csv"].open(encoding="utf-8")) == c.rows["vpr"] + 1


def test_it_keeps_memory_bounded_by_the_buffer_not_the_country(tmp_path):
    """Measured in a process of its own: the peak of the test runner's process is the peak of every test
    that ran before in it, not the generator's."""
    import subprocess
    import sys

    code = ("import sys; from msoko.synth import generate_country; "
            "c = generate_country(sys.argv[1], seed=5, municipalities=3, schools=24, years=1, flush_rows=20_000); "
            "print(c.peak_rss_mib)")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True)
    assert float(out.stdout.strip().splitlines()[-1]) < 1500


def test_it_lists_the_planted_schools_of_the_country(tmp_path):
    import json

    c = generate_country(tmp_path, seed=9, municipalities=4, schools=120, years=1, flush_rows=20_000)
    truth = json.loads(c.files["ground_truth"].read_text(encoding="utf-8"))
    orgs = set(pq.read_table(c.files["organisations"]).column("org_id").to_pylist())
    assert truth["non_objective"] and truth["low_results"] and truth["adverse_social"]
    assert {
        o["org_id"] for key in ("non_objective", "low_results", "adverse_social") for o in truth[key]
    } <= orgs
