"""`msoko report` as a user meets it: errors in Russian with the documented exit codes and nothing left
behind, the batch ZIP, templates an administrator edits, the management-cycle section, LibreOffice."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile

import polars as pl
import pytest
from docx import Document as open_docx
from openpyxl import load_workbook

from tests.reports.conftest import MUNICIPALITY, msoko


def _leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_an_unknown_id_is_a_usage_error_and_writes_nothing(demo_home, tmp_path):
    result = msoko("report", "--scope", "organisation", "--id", "edu000000", "-o", str(tmp_path / "x.docx"),
                   home=demo_home, check=False)
    assert result.returncode == 2
    assert "организация с кодом «edu000000» не найдена" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("args", [["--scope", "town"], ["--format", "odt"], ["--scope", "municipality"]])
def test_a_bad_option_is_a_usage_error(demo_home, tmp_path, args):
    result = msoko("report", *args, "-o", str(tmp_path / "x.docx"), home=demo_home, check=False)
    assert result.returncode == 2 and "Ошибка:" in result.stderr
    assert _leftovers(tmp_path) == []


def test_an_unwritable_output_is_refused_and_leaves_no_partial_file(demo_home, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    result = msoko("report", "--scope", "region", "-o", str(tmp_path / "missing" / "r.docx"), home=demo_home,
                   check=False)
    assert result.returncode == 1 and "не удаётся записать файл" in result.stderr
    assert _leftovers(tmp_path) == ["locked"]


def test_a_workspace_without_results_is_refused_with_exit_1(tmp_path):
    result = msoko("report", "--scope", "region", "-o", str(tmp_path / "r.docx"), home=tmp_path / "empty",
                   check=False)
    assert result.returncode == 1
    assert "msoko compute" in result.stderr
    assert not (tmp_path / "r.docx").exists()


def test_each_organisation_of_a_municipality_in_one_zip(demo_home, registry, tmp_path):
    out = tmp_path / "schools.zip"
    msoko("report", "--scope", "municipality", "--id", MUNICIPALITY, "--each-organisation", "--format", "xlsx",
          "-o", str(out), home=demo_home)
    expected = set(registry.filter(pl.col("municipality_id") == MUNICIPALITY)["org_id"].to_list())
    with zipfile.ZipFile(out) as archive:
        entries = [n for n in archive.namelist() if n.endswith(".xlsx")]
        assert {n.split(" ")[0].removesuffix(".xlsx") for n in entries} == expected
        archive.extract(entries[0], tmp_path)
        assert "README.txt" in archive.namelist()
    workbook = load_workbook(tmp_path / entries[0])
    assert workbook["Титул"]["B2"].value == registry.filter(
        pl.col("org_id") == entries[0].split(" ")[0].removesuffix(".xlsx"))["name"][0]


def _source(demo_home):
    from msoko.core.workspace import Workspace
    from msoko.reports import ReportSource

    return Workspace(demo_home), ReportSource.load(Workspace(demo_home))


CYCLE = {
    "completeness": [{"system": "1.2", "system_name": "Работа со ШНОР и ШНСУ", "stages_filled": ["цели", "показатели"],
                      "stages_missing": ["анализ эффективности"], "complete": False}],
    "measures": [{"title": "Методический десант в школы района", "system": "1.2", "deadline": "2026-05-15",
                  "status": "выполняется", "responsible": "Иванова А. А.", "organisations": [],
                  "indicators": ["shnor_vpr_fail_5_8"], "verdict": "effective", "effect": -0.042,
                  "interval": [-0.07, -0.01], "verdict_text": "Доля «2» снизилась сильнее, чем в сходных школах."}],
    "recommendations": [{"organisation": "edu000001", "organisation_name": "МБОУ «Школа-образец»",
                         "text": "Провести перепроверку работ.", "status": "исполнена"}],
    "decisions": [{"number": "123-о", "date": "2026-03-01", "content": "Об утверждении дорожной карты",
                   "responsible": "Петров П. П.", "deadline": None}],
}


def test_the_management_cycle_section_is_drawn_from_the_plain_dict_when_given(demo_home, tmp_path):
    from msoko.reports import write_report

    ws, source = _source(demo_home)
    write_report(source, "municipality", MUNICIPALITY, "docx", tmp_path / "with.docx", root=ws.root, cycle=CYCLE,
                 charts=False)
    doc = open_docx(str(tmp_path / "with.docx"))
    assert "Управленческий цикл" in [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    cells = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    for text in ("Методический десант в школы района", "15 мая 2026\u00a0г.", "1 марта 2026\u00a0г.",
                 "эффект есть: −0,042 (−0,070 … −0,010)", "МБОУ «Школа-образец»", "анализ эффективности"):
        assert text in cells, text
    for empty in (None, {}, {"measures": []}):
        write_report(source, "municipality", MUNICIPALITY, "docx", tmp_path / "without.docx", root=ws.root,
                     cycle=empty, charts=False)
        headings = [p.text for p in open_docx(str(tmp_path / "without.docx")).paragraphs]
        assert "Управленческий цикл" not in headings


def test_an_administrators_docx_template_and_texts_are_used_without_code(demo_home, tmp_path):
    from docx import Document

    from msoko.reports.templates import SHIPPED, workspace_folder

    home = tmp_path / "ws"
    shutil.copytree(demo_home, home, ignore=shutil.ignore_patterns("demo-source", "archive"))
    folder = workspace_folder(home)
    folder.mkdir(parents=True)
    template = Document()
    template.add_paragraph("Управление образования: {{муниципалитет}}")
    template.add_paragraph("{{ содержание }}")
    template.add_paragraph("Исполнитель: отдел мониторинга")
    template.save(str(folder / "spravka.docx"))
    shipped = (SHIPPED / "texts.yaml").read_text(encoding="utf-8")
    (folder / "texts.yaml").write_text(shipped.replace(
        'title: "Информационно-аналитическая справка по результатам мониторинга качества образования"',
        'title: "Справка о состоянии образования"'), encoding="utf-8")
    out = tmp_path / "m.docx"
    msoko("report", "--scope", "municipality", "--id", MUNICIPALITY, "-o", str(out), home=home)
    paragraphs = [p.text for p in open_docx(str(out)).paragraphs]
    assert paragraphs[0].startswith("Управление образования: ") and "{{" not in paragraphs[0]
    assert paragraphs[-1] == "Исполнитель: отдел мониторинга"
    assert "Общие сведения" in paragraphs and paragraphs.index("Общие сведения") < len(paragraphs) - 1
    assert not any("{{" in p for p in paragraphs)
    assert "Справка о состоянии образования" in open_docx(str(out)).core_properties.title

    (folder / "texts.yaml").write_text((folder / "texts.yaml").read_text(encoding="utf-8").replace(
        "{indicator} ({value}", "{показатель} ({value}"), encoding="utf-8")
    broken = msoko("report", "--scope", "municipality", "--id", MUNICIPALITY, "-o", str(tmp_path / "b.docx"),
                   home=home, check=False)
    assert broken.returncode == 1 and "неизвестное поле {показатель}" in broken.stderr
    assert not (tmp_path / "b.docx").exists()


def test_the_authority_author_and_signature_come_from_texts_yaml(demo_home, tmp_path):
    from docx import Document

    from msoko.reports.templates import SHIPPED, workspace_folder

    home = tmp_path / "ws"
    shutil.copytree(demo_home, home, ignore=shutil.ignore_patterns("demo-source", "archive"))
    folder = workspace_folder(home)
    folder.mkdir(parents=True)
    shipped = (SHIPPED / "texts.yaml").read_text(encoding="utf-8")
    own = (shipped.replace('issuer: ""', 'issuer: "Управление образования Покровского района"')
           .replace('prepared_by: ""', 'prepared_by: "Петрова А. С., методист ИМЦ"')
           .replace('position: "Руководитель"', 'position: "Начальник управления образования"')
           .replace('  name: ""', '  name: "И. И. Иванов"'))
    assert own != shipped
    (folder / "texts.yaml").write_text(own, encoding="utf-8")
    for fmt in ("docx", "pdf"):
        out = tmp_path / f"m.{fmt}"
        msoko("report", "--scope", "municipality", "--id", MUNICIPALITY, "--format", fmt, "-o", str(out), home=home)
        if fmt == "docx":
            text = "\n".join(p.text for p in Document(str(out)).paragraphs)
        else:
            text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
        text = " ".join(text.split())
        assert "Управление образования Покровского района" in text
        assert "Справку подготовил: Петрова А. С., методист ИМЦ." in text
        assert "Начальник управления образования ____________________ / И. И. Иванов /" in text
        # the signature closes the справка proper: before the appendices
        assert text.index("И. И. Иванов /") < text.rindex("Приложение 1. Показатели справки")
    (folder / "texts.yaml").write_text(own.replace('  name: "И. И. Иванов"', '  name: "строка\\nвторая"'),
                                       encoding="utf-8")
    broken = msoko("report", "--scope", "municipality", "--id", MUNICIPALITY, "-o", str(tmp_path / "b.docx"),
                   home=home, check=False)
    assert broken.returncode == 1 and "signature.name" in broken.stderr


def test_a_formula_like_name_is_stored_as_text_in_the_xlsx(demo_home, tmp_path, subjects):
    from dataclasses import replace

    from msoko.reports import write_report

    ws, source = _source(demo_home)
    code = subjects["organisation"]
    source.registry.organisations[code] = replace(source.registry.organisations[code], name='=HYPERLINK("x","y")')
    write_report(source, "organisation", code, "xlsx", tmp_path / "o.xlsx", root=ws.root)
    cell = load_workbook(tmp_path / "o.xlsx")["Титул"]["B2"]
    assert cell.value == "'=HYPERLINK(\"x\",\"y\")" and cell.data_type == "s"


def test_the_demo_reports_open_in_libreoffice(reports, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI") == "true":
            pytest.fail("soffice is missing in CI (.ci/run installs libreoffice-writer-nogui)")
        pytest.skip("LibreOffice (soffice) is not installed")
    for fmt in ("docx", "xlsx"):
        files = [reports[(level, fmt)] for level in ("region", "municipality", "organisation")]
        out = tmp_path / fmt
        result = subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                                 "--convert-to", "pdf", "--outdir", str(out), *map(str, files)],
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr
        for path in files:
            converted = out / (path.stem + ".pdf")
            assert converted.exists(), (path, result.stdout, result.stderr)
            info = subprocess.run(["pdfinfo", str(converted)], capture_output=True, text=True, check=True).stdout
            assert int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))) > 1


ADD_MEASURE = """
import os, sys
from datetime import date
os.environ["MSOKO_HOME"] = sys.argv[1]
os.environ["DJANGO_SETTINGS_MODULE"] = "msoko.web.settings"
import django
django.setup()
from msoko.web.cycle.models import Cycle, Level, Measure
from msoko.web.registry.models import Municipality, Organisation
municipality = Municipality.objects.get(code=sys.argv[2])
school = Organisation.objects.filter(municipality=municipality, kind="school").order_by("code").first()
cycle = Cycle.objects.create(level=Level.MUNICIPALITY, region=municipality.region, municipality=municipality,
                             system="1.2")
measure = Measure.objects.create(cycle=cycle, title="Мероприятие-проверка-CLI", deadline=date(2026, 5, 31),
                                 start=date(2024, 9, 1), responsible="Ответственный-CLI", indicators=["vpr_base"])
measure.organisations.set([school])
print(school.code)
"""


def docx_text(path) -> str:
    doc = open_docx(path)
    return "\n".join([p.text for p in doc.paragraphs]
                     + [cell.text for table in doc.tables for row in table.rows for cell in row.cells])


def test_the_cli_report_carries_the_management_cycle_recorded_in_the_web(demo_home, tmp_path):
    """Issue 8 in the reports: a measure entered in the web appears in the municipality's справка and in the
    report of the school it targets (also inside the batch ZIP), not in another school's."""
    home = tmp_path / "ws"
    shutil.copytree(demo_home, home)
    env = {k: v for k, v in os.environ.items() if k not in ("MSOKO_DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    school = subprocess.run([sys.executable, "-c", ADD_MEASURE, str(home), MUNICIPALITY], env=env, check=True,
                            capture_output=True, text=True).stdout.strip()
    msoko("report", "--scope", "municipality", "--id", MUNICIPALITY, "--format", "docx", "-o",
          str(tmp_path / "m.docx"), home=home)
    assert "Мероприятие-проверка-CLI" in docx_text(tmp_path / "m.docx")
    msoko("report", "--scope", "municipality", "--id", MUNICIPALITY, "--each-organisation", "--format", "docx",
          "-o", str(tmp_path / "all.zip"), home=home)
    with zipfile.ZipFile(tmp_path / "all.zip") as archive:
        entries = {name.split(" ", 1)[0]: archive.read(name) for name in archive.namelist() if name.endswith(".docx")}
    assert len(entries) >= 4
    for code, blob in entries.items():
        (tmp_path / "one.docx").write_bytes(blob)
        assert ("Мероприятие-проверка-CLI" in docx_text(tmp_path / "one.docx")) == (code == school), code
