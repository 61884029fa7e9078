"""The demo's справки speak Russian: no snake_case code, formula or English stage name in their text (read back
with pdftotext), and a municipality's справка fits in 40 pages."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.reports.conftest import MUNICIPALITY, msoko

SNAKE = re.compile(r"\b[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+\b")
ENGLISH_STAGES = re.compile(r"\b(goals|indicators|collection|monitoring|analysis|recommendations|measures|decisions|"
                            r"effectiveness|context|total|shnor|shnsu|objectivity)\b", re.I)
FORMULA = re.compile(r"count_if|count\(\*\)|sum\(|avg\(")


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


@pytest.mark.parametrize("scope", ["region", "municipality", "organisation"])
def test_no_code_formula_or_english_stage_in_a_demo_spravka(demo_home, subjects, tmp_path, scope):
    out = tmp_path / f"{scope}.pdf"
    args = ["report", "--scope", scope, "--format", "pdf", "-o", str(out)]
    if scope != "region":
        args += ["--id", subjects[scope]]
    msoko(*args, home=demo_home)
    text = pdf_text(out)
    assert not SNAKE.findall(text), sorted(set(SNAKE.findall(text)))[:20]
    assert not ENGLISH_STAGES.findall(text), sorted(set(ENGLISH_STAGES.findall(text)))[:20]
    assert not FORMULA.findall(text)
    assert ". ." not in text and ".." not in text.replace("...", "")  # no double full stop
    if scope == "municipality":
        assert subjects[scope] == MUNICIPALITY
        assert pages(out) <= 40
