"""The municipal rating in the справка equals what `msoko export ratings` prints for the same workspace: the
region's table (place, municipality, overall score) and the municipality's place and system scores; a
school's справка has no rating."""

from __future__ import annotations

import csv
import io

from docx import Document as open_docx
from openpyxl import load_workbook

from tests.reports.conftest import msoko


def exported_ratings(home) -> list[dict]:
    rows = list(csv.DictReader(io.StringIO(msoko("export", "ratings", home=home).stdout)))
    latest = max(int(r["year"]) for r in rows)
    return [r for r in rows if int(r["year"]) == latest]


def rating_table(path, caption_start: str) -> list[list[str]]:
    doc = open_docx(path)
    captions = [p for p in doc.paragraphs if p.text.startswith("Таблица") and caption_start in p.text]
    assert captions, caption_start
    following = captions[0]._p.getnext()
    while following is not None and not following.tag.endswith("}tbl"):
        following = following.getnext()
    table = next(t for t in doc.tables if t._tbl is following)
    return [[c.text for c in row.cells] for row in table.rows]


def comma(score: str) -> str:
    return f"{float(score):.1f}".replace(".", ",")


def test_the_region_report_ranks_the_municipalities_as_stored(reports, demo_home, registry):
    rows = exported_ratings(demo_home)
    total = sorted((r for r in rows if r["system"] == "total"), key=lambda r: (int(r["rank"]), r["municipality_id"]))
    assert len(total) >= 2
    names = dict(registry.select("municipality_id", "municipality_name").unique().iter_rows())
    table = rating_table(reports[("region", "docx")], "Рейтинг муниципалитетов")
    assert table[0] == ["Место", "Муниципалитет", "Общая оценка", "Показателей"]
    assert table[1:] == [[r["rank"], names[r["municipality_id"]], comma(r["score"]), r["indicators"]] for r in total]
    sheet = load_workbook(reports[("region", "xlsx")])["Рейтинг"]
    numbers = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, float)]
    assert all(any(abs(n - float(r["score"])) < 1e-9 for n in numbers) for r in total)


def test_the_municipality_report_gives_its_place_and_system_scores(reports, demo_home, subjects):
    code = subjects["municipality"]
    rows = [r for r in exported_ratings(demo_home) if r["municipality_id"] == code]
    own = next(r for r in rows if r["system"] == "total")
    peers = sum(1 for r in exported_ratings(demo_home) if r["system"] == "total")
    text = "\n".join(p.text for p in open_docx(reports[("municipality", "docx")]).paragraphs)
    assert f"{own['rank']}-е место из {peers} муниципалитетов региона, общая оценка {comma(own['score'])} из 100" in text
    table = rating_table(reports[("municipality", "docx")], "Оценки по системам")
    systems = sorted((r for r in rows if r["system"] != "total"), key=lambda r: r["system"])
    assert [(t[0].split()[0], t[1], t[2].split()[0]) for t in table[1:]] == [
        (r["system"], comma(r["score"]), r["rank"]) for r in systems]


def test_a_school_report_has_no_rating(reports):
    headings = [p.text for p in open_docx(reports[("organisation", "docx")]).paragraphs if p.style.name == "Heading 1"]
    assert "Рейтинг муниципалитетов" not in headings
