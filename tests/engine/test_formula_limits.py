"""Formula size and depth are bounded at `msoko catalog check` (issue 14, item 8): a 3,000-term formula is
refused with a located Russian issue, and `msoko compute` refuses the catalog instead of crashing."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from msoko.cli.main import app
from msoko.core.workspace import Workspace
from msoko.engine.catalog import DEFAULT_CATALOG
from msoko.engine.formula import MAX_BRACKET_DEPTH, parse_formula

runner = CliRunner()
TERMS = " + ".join(["mark"] * 3000)
HUGE = {
    "many terms": f"sum({TERMS}) / count(*)",
    "many aggregates": "(" + " + ".join(["count_if(mark >= 3)"] * 3000) + ") / count(*)",
    "deep brackets": "count_if(" + "(" * 3000 + "mark >= 3" + ")" * 3000 + ") / count(*)",
}


def _catalog_with(tmp_path, formula: str) -> Workspace:
    ws = Workspace(tmp_path / "home").ensure()
    own = ws.root / "catalog"
    shutil.copytree(DEFAULT_CATALOG, own)
    (own / "indicators" / "huge.yaml").write_text(
        'defaults: {system: "1.1", track: key_characteristics, source: kuzbass_267_2021}\n'
        "indicators:\n  - code: vpr_huge\n    name: Огромная формула\n    kind: share\n    unit: доля\n"
        f"    dataset: vpr\n    formula: {formula}\n    direction: higher_is_better\n", encoding="utf-8")
    return ws


@pytest.mark.parametrize("shape", sorted(HUGE))
def test_a_huge_formula_is_refused_at_catalog_check_with_its_place(tmp_path, shape):
    ws = _catalog_with(tmp_path, HUGE[shape])
    result = runner.invoke(app, ["catalog", "check", "--home", str(ws.root)])
    assert result.exit_code == 1, result.output
    assert "huge.yaml" in result.output and "строка 8" in result.output and "vpr_huge" in result.output
    assert "сбоем" not in result.output and "Error" not in result.output
    computed = runner.invoke(app, ["compute", "--home", str(ws.root)])
    assert computed.exit_code == 1 and "Внутренняя ошибка" not in computed.output


def test_formulas_of_real_size_still_pass():
    formula, errors = parse_formula(" + ".join(f"sum(c{i})" for i in range(40)) + " + count_if(" +
                                    "(" * (MAX_BRACKET_DEPTH - 1) + "c0 > 1" + ")" * (MAX_BRACKET_DEPTH - 1) + ")",
                                    {f"c{i}": None for i in range(40)})
    assert errors == [] and formula is not None
