"""Every real file imported through its shipped profile keeps every result: pupils and weighted means per
subject equal the file's own, computed here straight from the CSV (csv module), not through msoko."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest

from msoko.engine.warehouse import Warehouse
from msoko.ingest import import_file
from tests.ingest.helpers import REAL

BULGARIA = REAL / "bulgaria_nvo_dzi_schools" / "mon"
MOSCOW = REAL / "moscow_ege_schools"
BG_FILES = sorted(BULGARIA.glob("*.csv")) if BULGARIA.exists() else []

pytestmark = pytest.mark.skipif(not REAL.exists(), reason="shared real data not mounted")


def _number(text: str) -> float | None:
    text = text.strip().replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


COUNT = re.compile(r"явили се|брой|бр\.|-уч", re.I)
MEAN = re.compile(r"ср\.\s*успех в точки|ср\.\s*успех|ср\.\s*усп\.", re.I)
DATE_LIKE = re.compile(r"^0\d[.,]\d\d$|^\d{4}-\d\d-\d\d|^\d\d?\.\d\d?\.\d{2,4}$")
SCALE = re.compile(r"\(\s*мах[^)]*\)", re.I)


def _clean(cell: str) -> str:
    return cell.replace("\ufeff", "").replace('"', "").strip()


def file_own_figures(path: Path) -> list[tuple[int, float | None]]:
    """(pupils, weighted mean) per subject as the file itself gives them. Each result column's header
    (all header rows, blanks filled from the left) says count («Явили се», «Брой», «Бр.», «-уч») or mean
    («Ср. успех…»; in nvo-7-2022 a bare subject code) and the subject; totals («общо», «2ДЗИ») are skipped."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1251")
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    rows = [[_clean(c) for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    top = next(i for i, row in enumerate(rows) if row and row[0].casefold() == "област")
    header = rows[top]
    code = next(i for i, cell in enumerate(header) if cell.casefold().startswith("код"))
    school = next(i for i, cell in enumerate(header) if cell.casefold() == "училище")
    start = max(code, school) + 1
    body_start = next(i for i in range(top + 1, len(rows)) if len(rows[i]) > code and rows[i][code][:1].isdigit())
    header_rows = rows[top:body_start]
    labels: dict[int, str] = {}
    for row in header_rows:
        carried = ""
        for column in range(start, len(header)):
            cell = row[column] if column < len(row) else ""
            carried = cell or carried
            labels[column] = (labels.get(column, "") + " " + carried).strip()
    pairs: dict[str, dict[str, int]] = {}
    for column, label in labels.items():
        label = SCALE.sub("", label)
        kind = "count" if COUNT.search(label) else "mean"
        subject = "".join(MEAN.sub("", COUNT.sub("", label)).split()).casefold()
        if not subject or "общо" in subject or "2дзи" in subject:
            continue
        pairs.setdefault(subject, {})[kind] = column
    body = [row for row in rows[body_start:] if len(row) > code and row[code].strip()]
    low, high = (2, 6) if path.name.startswith("dzi") else (0, 100)
    figures = []
    for columns in pairs.values():
        pupils, weighted, with_mean = 0, 0.0, 0
        for row in body:
            count = _number(row[columns["count"]]) if columns["count"] < len(row) else None
            if not count:
                continue
            pupils += int(count)
            cell = row[columns["mean"]] if "mean" in columns and columns["mean"] < len(row) else ""
            # a number a spreadsheet turned into a date («04.50») or an impossible mean is not a result
            mean = None if DATE_LIKE.match(cell.strip()) else _number(cell)
            if mean is not None and not (low <= mean <= high):
                mean = None
            if mean is not None:
                weighted += count * mean
                with_mean += int(count)
        if pupils:
            figures.append((pupils, weighted / with_mean if with_mean else None))
    return sorted(figures, key=lambda f: (f[0], f[1] or 0))


def imported_figures(ws) -> list[tuple[int, float | None]]:
    files = [str(f) for f in Warehouse(ws.warehouse).files("results_by_org")]
    rows = duckdb.sql(
        f"""select sum(participants)::int,
                   sum(participants * mean_score) / sum(case when mean_score is not null then participants end)
            from read_parquet({files!r}, union_by_name=true) group by subject"""  # noqa: S608 — test paths
    ).fetchall()
    return sorted(((int(p), m) for p, m in rows), key=lambda f: (f[0], f[1] or 0))


@pytest.mark.parametrize("path", BG_FILES, ids=[p.name for p in BG_FILES])
def test_a_bulgarian_file_keeps_every_pupil_and_mean(ws, path):
    outcome = import_file(ws, path, profile="bg-mon-schools")
    assert outcome.status == "committed", [i.format() for i in outcome.errors]
    got, expected = imported_figures(ws), file_own_figures(path)
    assert [pupils for pupils, _ in got] == [pupils for pupils, _ in expected]
    assert [mean for _, mean in got] == pytest.approx([mean for _, mean in expected], abs=1e-9)


def test_the_bulgarian_nvo_7_2022_national_means(ws):
    outcome = import_file(ws, BULGARIA / "nvo-7-2022.csv", profile="bg-mon-schools")
    assert outcome.status == "committed"
    files = [str(f) for f in Warehouse(ws.warehouse).files("results_by_org")]
    means = dict(
        duckdb.sql(
            f"""select subject, round(sum(participants * mean_score) / sum(participants), 2)
                from read_parquet({files!r}) group by subject"""  # noqa: S608
        ).fetchall()
    )
    assert means == {"Български език и литература": 53.63, "Математика": 35.32}


def test_dzi_2022_keeps_the_it_mean(ws):
    outcome = import_file(ws, BULGARIA / "dzi-2022.csv", profile="bg-mon-schools")
    assert outcome.status == "committed"
    files = [str(f) for f in Warehouse(ws.warehouse).files("results_by_org")]
    it = duckdb.sql(
        f"select count(*), count(mean_score) from read_parquet({files!r}) where subject ilike 'ИТ%'"  # noqa: S608
    ).fetchall()[0]
    assert it[0] > 0 and it[0] == it[1]


def test_nvo_7_2018_codes_100_2_and_100_02_stay_distinct_schools(ws):
    outcome = import_file(ws, BULGARIA / "nvo-7-2018.csv", profile="bg-mon-schools")
    assert outcome.status == "committed"
    files = [str(f) for f in Warehouse(ws.warehouse).files("results_by_org")]
    codes = {r[0] for r in duckdb.sql(f"select distinct org_id from read_parquet({files!r})").fetchall()}  # noqa: S608
    # 100-2 is school 100200 (ПМГ «Акад. Сергей Корольов», so written in 2019), 100-02 is 100020
    assert {"100200", "100020", "101700"} <= codes and "1002" not in codes and "1017" not in codes


def test_moscow_ege_files_keep_every_graduate(ws):
    csv_path = MOSCOW / "data-9722-2016-10-31.csv"
    json_path = MOSCOW / "ege_results_2016-2018.json"
    for path in (csv_path, json_path):
        assert import_file(ws, path, profile="moscow-ege-schools").status == "committed"
    with csv_path.open(encoding="utf-8-sig") as handle:
        text = handle.read()
    delimiter = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
    rows = [r for r in csv.DictReader(io.StringIO(text), delimiter=delimiter) if (r.get("EDU_NAME") or "").strip()]
    records = json.loads(json_path.read_text(encoding="utf-8"))
    records = [r.get("Cells", r) for r in records]

    def total(items, column):
        return sum(int(float(str(r[column]).replace(",", "."))) for r in items if str(r.get(column) or "").strip())

    expected_220 = total(rows, "PASSES_OVER_220") + total(records, "PASSES_OVER_220")
    files = [str(f) for f in Warehouse(ws.warehouse).files("results_by_org")]
    got = duckdb.sql(f"select sum(count_220_plus)::int from read_parquet({files!r}, union_by_name=true)").fetchall()[0][0]  # noqa: S608
    assert got == expected_220


def test_a_count_without_its_mean_is_a_located_warning_with_the_pupils_affected(ws, tmp_path):
    path = tmp_path / "nvo-7-2022.csv"
    path.write_text(
        "Област;Община;Населено място;Училище;Код по Админ;БЕЛ-уч;бел;МАТ-уч\n"
        "БЛАГОЕВГРАД;БАНСКО;ГР.БАНСКО;СУ 1;105201;85;59,88;80\n"
        "БЛАГОЕВГРАД;БАНСКО;ГР.БАНСКО;СУ 2;105202;16;62,63;15\n",
        encoding="utf-8",
    )
    outcome = import_file(ws, path, profile="bg-mon-schools")
    assert outcome.status == "committed"
    [warning] = [w for w in outcome.warnings if "нет парного столбца" in w.message]
    assert warning.file == "nvo-7-2022.csv" and warning.column == "МАТ-уч" and warning.row == 1
    assert "затронуто участников: 95" in warning.message


def test_two_codes_that_normalise_to_one_are_refused(ws, tmp_path):
    path = tmp_path / "nvo-7-2018.csv"
    path.write_text(
        "Област;Община;Населено място;Код;Училище;Явили се БЕЛ;Ср. успех в точки БЕЛ\n"
        "БЛАГОЕВГРАД;БЛАГОЕВГРАД;ГР.БЛАГОЕВГРАД;100-2;ПМГ;29;40\n"
        "БЛАГОЕВГРАД;БЛАГОЕВГРАД;ГР.БЛАГОЕВГРАД;100200;Другая;30;41\n",
        encoding="utf-8",
    )
    outcome = import_file(ws, path, profile="bg-mon-schools")
    assert outcome.rejected
    [error] = [e for e in outcome.errors if "после нормализации" in e.message]
    assert error.row == 3 and "«100-2»" in error.message and "«100200»" in error.message


def test_the_bulgarian_registry_has_28_regions_whatever_the_spelling(ws):
    files = sorted(p for p in BULGARIA.glob("*.csv") if "sofia" not in p.name)
    for path in files:
        assert import_file(ws, path, profile="bg-mon-schools").status == "committed", path.name
    registry = duckdb.sql(
        f"select * from read_parquet({[str(f) for f in Warehouse(ws.warehouse).files('organisations')]!r})"  # noqa: S608
    ).pl()
    assert registry["region_id"].n_unique() == 28
    # one name per region, the most frequent spelling; «ДОБРИЧ» and «Добрич» are one region
    assert registry.group_by("region_id").agg(pl.col("region_name").n_unique().alias("n"))["n"].max() == 1
    names = set(registry["region_name"])
    assert len(names & {"ДОБРИЧ", "Добрич"}) == 1
    municipalities = registry["municipality_id"].n_unique()
    assert municipalities == registry.select(
        registry["region_name"].str.to_lowercase() + "/" + registry["municipality_name"].str.to_lowercase()
    ).n_unique()


def test_name_identity_ignores_case_spacing_and_yo():
    from msoko.ingest.registry_store import harmonise_names, name_key

    assert name_key(" Добрич ") == name_key("ДОБРИЧ") and name_key("Орёл") == name_key("ОРЕЛ")
    assert name_key("Стара  Загора") == name_key("СТАРА ЗАГОРА")
    rows = [
        {"region_id": "r", "region_name": "ДОБРИЧ"},
        {"region_id": "r", "region_name": "Добрич"},
        {"region_id": "r", "region_name": "ДОБРИЧ"},
    ]
    assert {row["region_name"] for row in harmonise_names(rows)} == {"ДОБРИЧ"}


def test_the_scale_a_header_states_is_kept_and_no_change_is_reported_across_it(ws):
    """nvo-7-2018 says «(мах 65 т.)» in its headers, nvo-7-2019 states no maximum: the 2018 rows keep 65,
    and the 2019 mean is not compared with 2018's (the +20 points would be a change of scale, not of pupils)."""
    from msoko.engine.pipeline import recompute
    from msoko.engine.results import ResultStore

    for year in (2018, 2019):
        assert import_file(ws, BULGARIA / f"nvo-7-{year}.csv", profile="bg-mon-schools").status == "committed"
    assert import_file(ws, BULGARIA / "nvo-4-2018.csv", profile="bg-mon-schools").status == "committed"
    files = [str(f) for f in Warehouse(ws.warehouse).files("results_by_org")]
    scales = dict(duckdb.sql(
        f"select year || '-' || grade, list_distinct(list(max_score)) from read_parquet({files!r}) group by 1"  # noqa: S608
    ).fetchall())
    assert scales == {"2018-7": [65], "2018-4": [100], "2019-7": []}  # list() drops NULLs: none stated
    recompute(ws)
    rows = ResultStore(ws.results).indicator_values(indicator="agg_mean_score", breakdowns=True).to_pylist()
    total = {(r["year"], r["grade"], r["subject"]): r for r in rows if r["level"] == "total"}
    mat_2019 = total[(2019, 7, "Математика")]
    assert mat_2019["value"] is not None and total[(2018, 7, "Математика")]["value"] is not None
    assert mat_2019["change"] is None


ENEM = REAL / "enem2019_acre_roraima"


def _enem_own(path: Path) -> dict[str, tuple[int, float]]:
    """Per area: (scores of registrants with a school, their mean), read straight from the zipped CSV."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        text = archive.read(archive.namelist()[0]).decode("utf-8")
    reader = csv.reader(io.StringIO(text), delimiter=";")
    header = [h.strip() for h in next(reader)]
    school = header.index("CO_ESCOLA")
    areas = {area: header.index(f"NU_NOTA_{area}") for area in ("CN", "CH", "LC", "MT", "REDACAO")}
    sums = {area: [0, 0.0] for area in areas}
    for row in reader:
        if not row[school].strip():
            continue
        for area, j in areas.items():
            if row[j].strip():
                sums[area][0] += 1
                sums[area][1] += float(row[j])
    return {area: (n, total / n) for area, (n, total) in sums.items()}


def test_enem_both_states_keep_every_school_leavers_score(ws):
    """ac then rr (one file per state) both stay; per area the pupils and the mean equal the files' own."""
    subjects = {"CN": "Естественные науки", "CH": "Гуманитарные науки", "LC": "Языки и коды", "MT": "Математика",
                "REDACAO": "Сочинение"}
    own: dict[str, list[tuple[int, float]]] = {}
    for state in ("ac", "rr"):
        assert import_file(ws, ENEM / f"{state}.csv.zip", profile="enem-students").status == "committed"
        for area, figures in _enem_own(ENEM / f"{state}.csv.zip").items():
            own.setdefault(area, []).append(figures)
    files = [str(f) for f in Warehouse(ws.warehouse).files("gia")]
    got = {s: (n, m) for s, n, m in duckdb.sql(
        f"select subject, count(*), avg(primary_score) from read_parquet({files!r}) group by 1").fetchall()}  # noqa: S608
    for area, figures in own.items():
        pupils = sum(n for n, _ in figures)
        mean = sum(n * m for n, m in figures) / pupils
        n, m = got[subjects[area]]
        assert n == pupils, area
        assert abs(m - mean) <= 0.5, (area, m, mean)  # scores rounded to whole points on import


MOLDOVA = REAL / "moldova_bac_lyceums_schools" / "moldova_bac_lyceums_by_school_2015-2019.csv"
GIA9 = REAL / "moscow_gia9_2015" / "gia9_moscow_2015.csv"


def _results_by_org(ws, group: str, *columns: str) -> dict:
    files = [str(f) for f in Warehouse(ws.warehouse).files("results_by_org")]
    select = ", ".join(columns)
    return {r[0]: r[1:] for r in duckdb.sql(
        f"select {group}, {select} from read_parquet({files!r}, union_by_name=true) group by 1").fetchall()}  # noqa: S608


def test_moldova_bac_keeps_every_candidate_of_each_year_and_leaves_out_the_second_2016_table(ws):
    outcome = import_file(ws, MOLDOVA, profile="md-bac-lyceums")
    assert outcome.status == "committed"
    [skipped] = [w for w in outcome.warnings if "2016_all" in w.message]
    assert "370" in skipped.message and skipped.column == "year"
    own: dict[int, list[float]] = {}
    with MOLDOVA.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["year"].endswith("_all"):
                continue
            figures = own.setdefault(int(row["year"]), [0, 0, 0.0])
            figures[0] += int(row["total_candidati"])
            figures[1] += int(row["promovati"])
            figures[2] += int(row["total_candidati"]) * float(row["media_examen"])
    got = _results_by_org(ws, "year", "sum(participants)", "sum(count_passed)",
                          "sum(participants * mean_score) / sum(participants)")
    assert set(got) == set(own) == {2015, 2016, 2017, 2018, 2019}
    for year, (candidates, passed, weighted) in own.items():
        assert got[year][0] == candidates and got[year][1] == passed, year
        assert got[year][2] == pytest.approx(weighted / candidates, abs=1e-9), year


def test_moscow_gia9_units_give_the_citys_own_mean_mark_per_subject(ws):
    assert import_file(ws, GIA9, profile="moscow-gia9-units").status == "committed"
    own: dict[str, list[float]] = {}
    with GIA9.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            figures = own.setdefault(row["SubjectName"], [0.0, 0.0])
            figures[0] += float(row["PassedQuantity"])
            figures[1] += float(row["PassedQuantity"]) * float(row["AVGScore"])
    got = _results_by_org(ws, "subject", "sum(participants)", "sum(participants * mean_score) / sum(participants)")
    assert len(got) == len(own) == 14
    assert got["Математика"][0] == own["математика"][0] == 59_062  # the count PROVENANCE.md gives
    for subject, (pupils, weighted) in own.items():
        name = {"русский": "Русский язык"}.get(subject) or next(s for s in got if s.casefold().startswith(subject[:5]))
        assert got[name][0] == pupils, subject
        assert got[name][1] == pytest.approx(weighted / pupils, abs=1e-9), subject
