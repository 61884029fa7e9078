"""The command line of formats.md v2 (data collection), in a fresh workspace, as a script would use it."""

from __future__ import annotations

import os
import subprocess
import sys

from openpyxl import load_workbook

from tests.collection.conftest import REGISTRY


def msoko(home, *args) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("MSOKO_DATABASE_URL", "DJANGO_SETTINGS_MODULE",
                                                            "MSOKO_HOME")}
    return subprocess.run([sys.executable, "-m", "msoko.cli", *args, "--home", str(home)], env=env,
                          capture_output=True, text=True, timeout=300)


def test_open_template_submit_accept_status(tmp_path):
    home = tmp_path / "ws"
    (tmp_path / "org.csv").write_text(REGISTRY, encoding="utf-8")
    assert msoko(home, "import", "registry", str(tmp_path / "org.csv")).returncode == 0
    opened = msoko(home, "forms", "open", "form_talents", "--year", "2024", "--deadline", "2099-01-01")
    assert opened.returncode == 0, opened.stderr
    campaign = opened.stdout.strip().splitlines()[-1]
    assert campaign.isdigit()
    template = tmp_path / "t.xlsx"
    assert msoko(home, "forms", "template", campaign, "--municipality", "m1", "-o", str(template)).returncode == 0
    wb = load_workbook(template)
    sheet = wb["Данные"]
    codes = [c.value for c in sheet[2]]
    row = next(r for r in sheet.iter_rows(min_row=3) if r[0].value == "edu1")
    row[codes.index("students")].value = 100
    row[codes.index("olymp_participants")].value = 10
    row[codes.index("olymp_winners")].value = 20
    wb.save(tmp_path / "bad.xlsx")
    bad = msoko(home, "forms", "submit", campaign, str(tmp_path / "bad.xlsx"))
    assert bad.returncode == 1 and "лист «Данные», ячейки" in bad.stderr
    row[codes.index("olymp_winners")].value = 2
    wb.save(tmp_path / "good.xlsx")
    dry = msoko(home, "forms", "submit", campaign, str(tmp_path / "good.xlsx"), "--dry-run")
    assert dry.returncode == 0 and "edu1\tolymp_winners\t → 2" in dry.stdout
    status = msoko(home, "forms", "status", campaign).stdout.splitlines()
    assert status[0] == "org_id,municipality_id,state,submitted_at,on_time"
    assert "edu1,m1,not_started,," in status
    assert msoko(home, "forms", "submit", campaign, str(tmp_path / "good.xlsx")).returncode == 0
    accepted = msoko(home, "forms", "accept", campaign, "--all-submitted")
    assert accepted.returncode == 0, accepted.stderr
    status = msoko(home, "forms", "status", campaign).stdout.splitlines()
    line = next(s for s in status if s.startswith("edu1,"))
    assert line.split(",")[2] == "accepted" and line.endswith(",1")
    history = msoko(home, "import", "history").stdout
    assert "form_talents" in history


def test_import_dataset_prints_the_import_id_last_and_rejects_with_exit_1(tmp_path):
    home = tmp_path / "ws"
    (tmp_path / "org.csv").write_text(REGISTRY, encoding="utf-8")
    msoko(home, "import", "registry", str(tmp_path / "org.csv"))
    (tmp_path / "ok.csv").write_text("year,municipality_id,shnor_events\n2024,m1,3\n", encoding="utf-8")
    done = msoko(home, "import", "dataset", "form_municipality", str(tmp_path / "ok.csv"))
    assert done.returncode == 0 and len(done.stdout.strip().splitlines()[-1]) == 19
    (tmp_path / "bad.csv").write_text("year,municipality_id,shnor_events\n2024,m1,-3\n", encoding="utf-8")
    bad = msoko(home, "import", "dataset", "form_municipality", str(tmp_path / "bad.csv"))
    assert bad.returncode == 1 and "строка 2" in bad.stderr and "shnor_events" in bad.stderr
    listed = msoko(home, "catalog", "datasets")
    assert listed.returncode == 0 and "form_municipality" in listed.stdout
