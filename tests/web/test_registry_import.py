"""`msoko import registry`: all or nothing, located messages, the warehouse kept in step."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from msoko.cli.main import app
from msoko.engine.warehouse import Warehouse
from msoko.web.registry.models import Municipality, Organisation, Region

HEADER = "org_id,name,kind,municipality_id,municipality_name,region_id,region_name,locality,students\n"
GOOD = HEADER + (
    "edu1,СОШ № 1,school,m1,Город,r1,Область,urban,540\n"
    "edu2,Лицей № 2,school,m1,Город,r1,Область,urban,900\n"
    "dou3,Детский сад № 3,kindergarten,m2,Район,r1,Область,rural,\n"
)

# name → (file content, expected row, expected column)
MALFORMED = {
    "missing_org_id": (HEADER + "edu1,СОШ,school,m1,Город,r1,Область,urban,1\n,Школа,school,m1,Город,r1,Область,urban,2\n", 3, "org_id"),
    "duplicate_id": (HEADER + "edu1,СОШ,school,m1,Город,r1,Область,urban,1\nedu1,Школа,school,m1,Город,r1,Область,urban,2\n", 3, "org_id"),
    "unknown_kind": (HEADER + "edu1,СОШ,university,m1,Город,r1,Область,urban,1\n", 2, "kind"),
    "region_mismatch": (HEADER + "edu1,СОШ,school,m1,Город,r1,Область,urban,1\nedu2,СОШ,school,m1,Город,r2,Другая,urban,1\n", 3, "region_id"),
    "bad_number": (HEADER + "edu1,СОШ,school,m1,Город,r1,Область,urban,много\n", 2, "students"),
}


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path / "ws"


def run(home: Path, path: Path):
    return CliRunner().invoke(app, ["import", "registry", str(path), "--home", str(home)])


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def db_state():
    return (
        sorted(Region.objects.values_list("code", "name")),
        sorted(Municipality.objects.values_list("code", "name", "region__code")),
        sorted(Organisation.objects.values_list("code", "name", "kind", "students")),
    )


def test_it_loads_a_registry_and_publishes_it_to_the_warehouse(db, tmp_path, home):
    result = run(home, write(tmp_path, "organisations.csv", GOOD))
    assert result.exit_code == 0, result.output
    assert "добавлено 3" in result.output
    assert Organisation.objects.get(code="edu2").municipality.region.code == "r1"
    import pyarrow.parquet as pq

    files = Warehouse(home / "warehouse").files("organisations")
    table = pq.read_table(files[0])
    assert sorted(table.column("org_id").to_pylist()) == ["dou3", "edu1", "edu2"]


def test_reimporting_the_same_file_changes_nothing(db, tmp_path, home):
    path = write(tmp_path, "organisations.csv", GOOD)
    run(home, path)
    before = db_state()
    result = run(home, path)
    assert result.exit_code == 0
    assert "без изменений 3" in result.output
    assert db_state() == before


def test_a_later_file_updates_an_organisation(db, tmp_path, home):
    run(home, write(tmp_path, "a.csv", GOOD))
    result = run(home, write(tmp_path, "b.csv", GOOD.replace("Лицей № 2,school,m1,Город,r1,Область,urban,900", "Лицей № 2,school,m1,Город,r1,Область,urban,950")))
    assert "обновлено 1" in result.output
    assert Organisation.objects.get(code="edu2").students == 950


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_registry_exits_1_naming_row_and_column_and_writes_nothing(db, tmp_path, home, case):
    run(home, write(tmp_path, "base.csv", GOOD))
    before_db, before_wh = db_state(), tree_digest(home / "warehouse")
    content, row, column = MALFORMED[case]
    result = run(home, write(tmp_path, f"{case}.csv", content))
    assert result.exit_code == 1, result.output
    assert f"строка {row}" in result.output
    assert f"столбец «{column}»" in result.output
    assert f"{case}.csv" in result.output
    assert db_state() == before_db
    assert tree_digest(home / "warehouse") == before_wh


def test_an_empty_file_is_rejected(db, tmp_path, home):
    result = run(home, write(tmp_path, "empty.csv", b""))
    assert result.exit_code == 1
    assert "пуст" in result.output
    assert db_state() == ([], [], [])


def test_a_file_in_a_broken_encoding_is_rejected(db, tmp_path, home):
    result = run(home, write(tmp_path, "broken.csv", HEADER.encode() + b"edu1,\xff\xfe\x00\x81,school,m1,x,r1,y,urban,1\n"))
    assert result.exit_code == 1
    assert "кодировк" in result.output
    assert db_state() == ([], [], [])


def test_a_municipality_cannot_move_to_another_region_by_a_file(db, tmp_path, home):
    run(home, write(tmp_path, "base.csv", GOOD))
    before = db_state()
    moved = HEADER + "edu9,СОШ № 9,school,m1,Город,r2,Соседняя область,urban,100\n"
    result = run(home, write(tmp_path, "moved.csv", moved))
    assert result.exit_code == 1
    assert "уже относится к региону «r1»" in result.output
    assert db_state() == before


def test_a_missing_file_is_a_usage_error(db, tmp_path, home):
    result = run(home, tmp_path / "nope.csv")
    assert result.exit_code == 2
    assert "не найден" in result.output


REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real"


@pytest.mark.skipif(not REAL.exists(), reason="shared/data/real is beside the repository in CI and on developer machines")
def test_organisations_a_profile_derives_from_a_real_file_join_the_registry(db, home):
    source = REAL / "bulgaria_nvo_dzi_schools" / "mon" / "nvo-4-2024.csv"
    result = CliRunner().invoke(
        app, ["import", "results", str(source), "--profile", "bg-mon-schools", "--home", str(home)]
    )
    assert result.exit_code == 0, result.output
    in_database = Organisation.objects.count()
    assert in_database > 1000
    import pyarrow.parquet as pq

    warehouse = {
        org for path in Warehouse(home / "warehouse").files("organisations") for org in pq.read_table(path, columns=["org_id"]).column(0).to_pylist()
    }
    assert set(Organisation.objects.values_list("code", flat=True)) == warehouse
