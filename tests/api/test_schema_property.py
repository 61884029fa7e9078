"""Property test of the OpenAPI document with schemathesis against a real `msoko serve` on 127.0.0.1:8106:
generated requests to every read endpoint must get answers that match the document (status codes,
content types, bodies), never a 500, with a coordinator's token."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request

import pytest

PORT = 8106
REGISTRY = """org_id,name,kind,municipality_id,municipality_name,region_id,region_name
edu1,Школа № 1,school,m1,Округ Один,r1,Область
edu2,Школа № 2,school,m1,Округ Один,r1,Область
edu3,Школа № 3,school,m2,Округ Два,r1,Область
"""


def _vpr() -> str:
    lines = ["year,org_id,participant,subject,grade,primary_score,mark,journal_mark"]
    for org in ("edu1", "edu2", "edu3"):
        lines += [f"2025,{org},P{org}{i},Математика,5,{4 + i % 12},{2 + i % 4},{3 + i % 3}" for i in range(12)]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("schema") / "home"
    env = {k: v for k, v in os.environ.items() if k != "MSOKO_DATABASE_URL"} | {"MSOKO_HOME": str(home)}

    def msoko(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "msoko.cli", *args, "--home", str(home)], env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout

    registry, vpr = home.parent / "organisations.csv", home.parent / "vpr.csv"
    registry.write_text(REGISTRY, encoding="utf-8")
    vpr.write_text(_vpr(), encoding="utf-8")
    msoko("import", "registry", str(registry))
    msoko("import", "results", str(vpr))
    msoko("compute")
    # a collection campaign and a published МУМ evaluation, so /forms and /evaluation answer with data too
    msoko("forms", "open", "form_talents", "--year", "2025", "--deadline", "2025-10-01")
    evaluation = msoko("evaluation", "open", "--year", "2025").strip().splitlines()[-1]
    msoko("evaluation", "publish", evaluation)
    msoko("users", "add", "koord", "--role", "municipal_coordinator", "--scope", "m1")
    token = msoko("users", "token", "koord").strip().splitlines()[-1]
    process = subprocess.Popen([sys.executable, "-m", "msoko.cli", "serve", "--home", str(home), "--port",
                                str(PORT), "--workers", "1"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/v1/openapi.json", timeout=2)
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        yield token
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_every_read_endpoint_conforms_to_the_openapi_document(server, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "run", f"http://127.0.0.1:{PORT}/api/v1/openapi.json",
         "--header", f"Authorization: Bearer {server}", "--include-method", "GET", "--checks", "all",
         "--max-examples", "30", "--seed", "2026", "--request-timeout", "20", "--no-color"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    selected = int(re.search(r"Selected: (\d+)/", done.stdout).group(1))
    assert int(re.search(r"Tested: (\d+)", done.stdout).group(1)) == selected >= 16  # every GET operation ran
