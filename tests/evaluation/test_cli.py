"""`msoko evaluation …`, `msoko export evaluation` and `msoko report --kind evaluation` end to end over the
personas' region: the sheet round trip, located refusals, reconciliation, the chair's decision, and the
conclusion's figures against the export's."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from docx import Document as open_docx
from openpyxl import load_workbook
from typer.testing import CliRunner

from msoko.cli.main import app
from msoko.web.evaluation.models import Campaign, ExpertAffiliation, ExpertPosition
from tests.evaluation.world import make_expert
from tests.web.personas import build_world


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path / "ws"


def run(home: Path, *args: str):
    return CliRunner().invoke(app, [*args, "--home", str(home)])


def fill(path: Path, overrides: dict[tuple[str, str], object] | None = None, comment: str = "") -> None:
    """Every parameter at its best, some cells overridden; comments on the first row of each position."""
    wb = load_workbook(path)
    ws = wb["Оценка"]
    for row in ws.iter_rows(min_row=2):
        position, parameter, lo, hi = (c.value for c in row[:4])
        row[4].value = (overrides or {}).get((position, parameter), hi if hi > 0 else 0)
        if comment and row[5].value in (None, ""):
            row[5].value = comment
    wb.save(path)


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_a_campaign_from_the_command_line(db, tmp_path, home):
    world = build_world()
    experts = [make_expert(world, f"e{i}") for i in (1, 2, 3)]
    ExpertAffiliation.objects.create(expert=experts[2], organisation=world.organisations["a1"])
    opened = run(home, "evaluation", "open", "--year", "2025", "--deadline", "2025-09-15")
    assert opened.exit_code == 0, opened.output
    pk = opened.output.strip().splitlines()[-1]
    assert Campaign.objects.get(pk=int(pk)).dossiers.count() == 2

    refused = run(home, "evaluation", "assign", pk, "--expert", "e3", "--municipality", "mun-A")
    assert refused.exit_code == 1 and "не может оценивать" in refused.output  # works at school a1 of A
    for e in ("e1", "e2"):
        assert run(home, "evaluation", "assign", pk, "--expert", e, "--municipality", "mun-A").exit_code == 0

    coordinator = world.users["coordinator_a"]
    from msoko.web.evaluation import services
    services.submit_dossier(Campaign.objects.get(pk=int(pk)).dossiers.get(municipality__code="mun-A"), coordinator)

    sheets = {}
    for e in ("e1", "e2"):
        sheets[e] = tmp_path / f"{e}.xlsx"
        made = run(home, "evaluation", "sheet", pk, "--expert", e, "--municipality", "mun-A", "-o", str(sheets[e]))
        assert made.exit_code == 0, made.output
    header = [c.value for c in load_workbook(sheets["e1"])["Оценка"][1]][:5]
    assert header == ["position", "parameter", "min", "max", "score"]

    fill(sheets["e1"], {("1.1.1.1", "description"): 2})  # outside 0…1
    bad = run(home, "evaluation", "score", pk, str(sheets["e1"]))
    assert bad.exit_code == 1
    assert "строка 2" in bad.output and "score" in bad.output and "вне диапазона от 0 до 1" in bad.output
    assert not ExpertPosition.objects.exists()

    fill(sheets["e1"], {("1.1.1.1", "description"): 0, ("1.1.1.1", "deadlines"): 0, ("1.1.1.1", "regional"): 0})
    missing_comment = run(home, "evaluation", "score", pk, str(sheets["e1"]))  # 1 of 4: below half
    assert missing_comment.exit_code == 1 and "нужен комментарий" in missing_comment.output
    fill(sheets["e1"], {("1.1.1.1", "description"): 0, ("1.1.1.1", "deadlines"): 0, ("1.1.1.1", "regional"): 0},
         comment="Меры не описаны")
    assert run(home, "evaluation", "score", pk, str(sheets["e1"])).exit_code == 0
    fill(sheets["e2"])
    assert run(home, "evaluation", "score", pk, str(sheets["e2"])).exit_code == 0

    reconciled = run(home, "evaluation", "reconcile", pk)
    assert reconciled.exit_code == 0 and "расхождений: 1" in reconciled.output

    exported = csv_rows(run(home, "export", "evaluation", pk).output)
    assert list(exported[0]) == ["municipality_id", "system", "track", "position", "max_score", "score", "status"]
    a_rows = {r["position"]: r for r in exported if r["municipality_id"] == "mun-A"}
    assert a_rows["1.1.1.1"]["status"] == "disputed" and a_rows["1.1.1.1"]["score"] == ""
    assert a_rows["1.1.1.2"] == {"municipality_id": "mun-A", "system": "1.1", "track": "objectivity",
                                 "position": "1.1.1.2", "max_score": "8", "score": "8", "status": "agreed"}

    too_high = run(home, "evaluation", "decide", pk, "--municipality", "mun-A", "--position", "1.1.1.1",
                   "--score", "5", "--reason", "x")
    assert too_high.exit_code == 1 and "от 0 до 4" in too_high.output
    initial = sorted(ExpertPosition.objects.filter(position="1.1.1.1").values_list("parameters", flat=True),
                     key=str)
    decided = run(home, "evaluation", "decide", pk, "--municipality", "mun-A", "--position", "1.1.1.1",
                  "--score", "3", "--reason", "Меры описаны в приказе № 12, сроки указаны")
    assert decided.exit_code == 0, decided.output
    again = run(home, "evaluation", "decide", pk, "--municipality", "mun-A", "--position", "1.1.1.1",
                "--score", "4", "--reason", "передумал")
    assert again.exit_code == 1 and "не перезаписывается" in again.output
    assert sorted(ExpertPosition.objects.filter(position="1.1.1.1").values_list("parameters", flat=True),
                  key=str) == initial  # the decision keeps the initial scores

    a_rows = {r["position"]: r for r in csv_rows(run(home, "export", "evaluation", pk).output)
              if r["municipality_id"] == "mun-A"}
    assert (a_rows["1.1.1.1"]["score"], a_rows["1.1.1.1"]["status"]) == ("3", "decided")
    summary = {(r["municipality_id"], r["system"]): r for r in
               csv_rows(run(home, "export", "evaluation", pk, "--summary").output)}
    total = summary[("mun-A", "total")]
    # by hand: 277 maximum, 1.1.1.1 decided 3 of 4 → 276
    assert (total["score"], total["max_score"], total["percent"], total["level"], total["rank"]) == (
        "276", "277", str(round(100 * 276 / 277, 2)), "high", "1")
    assert summary[("mun-A", "1.1")]["score"] == "24"
    assert summary[("mun-B", "total")]["score"] == "" and summary[("mun-B", "total")]["rank"] == ""

    agreement = {r["system"]: r for r in csv_rows(run(home, "export", "evaluation", pk, "--agreement").output)}
    assert agreement["total"]["experts"] == "2"
    assert int(agreement["total"]["items"]) == sum(
        len(p.parameters) for p in Campaign.objects.get(pk=int(pk)).rubric.positions)

    out = tmp_path / "conclusion.docx"
    made = run(home, "report", "--scope", "municipality", "--id", "mun-A", "--kind", "evaluation",
               "--format", "docx", "-o", str(out))
    assert made.exit_code == 0, made.output
    doc = open_docx(str(out))
    rows = [[c.text for c in row.cells] for table in doc.tables for row in table.rows]
    cells = {row[0]: row for row in rows}
    assert cells["Итого"][1:3] == [total["score"], total["max_score"]]
    assert cells["1.1 Система оценки качества подготовки обучающихся"][1] == summary[("mun-A", "1.1")]["score"]
    by_position = {row[1].split(" ")[0]: row for row in rows if len(row) == 5 and row[1].count(".") >= 3}
    assert len(by_position) == len(a_rows)
    for code, row in a_rows.items():
        assert by_position[code][2] == row["score"], code
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Меры описаны в приказе № 12" in text
    assert [row[1] for row in rows if row[0] == "Эксперт"] == ["e1", "e2"]
    pdf = tmp_path / "conclusion.pdf"
    assert run(home, "report", "--scope", "municipality", "--id", "mun-A", "--kind", "evaluation",
               "--format", "pdf", "-o", str(pdf)).exit_code == 0
    assert pdf.read_bytes().startswith(b"%PDF")


def test_affiliate_records_and_clears_an_experts_place_of_work(db, home):
    world = build_world()
    expert = make_expert(world, "e7")
    done = run(home, "evaluation", "affiliate", "e7", "--organisation", world.organisations["a1"].code)
    assert done.exit_code == 0, done.output
    assert ExpertAffiliation.objects.get(expert=expert).municipality == world.municipalities["A"]
    assert run(home, "evaluation", "affiliate", "e7", "--organisation", "нет-такой").exit_code == 2
    wrong = run(home, "evaluation", "affiliate", "coordinator_a", "--municipality", "mun-A")
    assert wrong.exit_code == 1 and "не региональный эксперт" in wrong.output
    assert run(home, "evaluation", "affiliate", "e7").exit_code == 0
    assert not ExpertAffiliation.objects.filter(expert=expert).exists()
