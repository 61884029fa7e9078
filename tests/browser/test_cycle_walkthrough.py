"""Acceptance: on the demo region a municipal coordinator runs a full management cycle of system 1.2 in a
real browser — every stage filled through the pages — and ends with the measure's effectiveness verdict,
which must equal the engine's computation from the stored values (read here independently of the web code).
Screenshots go to docs/screenshots/cycle-*.png when SCREENSHOTS_DIR asks for them."""

from __future__ import annotations

import json

import polars as pl
import pytest
from rich.progress import Progress

from msoko.core.workspace import Workspace
from msoko.engine import effectiveness as eff
from msoko.engine.catalog import default_catalog
from msoko.engine.detection.store import DetectionResults
from msoko.engine.results import ResultStore
from msoko.web.accounts.models import User
from msoko.web.registry.models import Organisation
from tests.browser.conftest import SCREENSHOTS, login

INDICATOR = "shnor_vpr_fail_5_8"
BEFORE, AFTER = 2025, 2026


@pytest.fixture
def demo(tmp_path, settings, transactional_db):
    from msoko.cli.demo import DEMO_SEED, build_demo

    ws = Workspace(tmp_path / "demo").ensure()
    with Progress(disable=True) as progress:
        build_demo(ws, DEMO_SEED, progress, example_cycle=False)  # the walk starts from no cycle
    settings.MSOKO_RESULTS_DIR = str(ws.results)
    passwords = json.loads((ws.root / "demo-logins.json").read_text(encoding="utf-8"))
    return ws, passwords


def expected_effect(ws, treated: list[str], region_id: int):
    """The engine on the stored values: org-level pooled values of both years, clusters of the «before» year."""
    store = ResultStore(ws.results)
    values = {}
    for year in (BEFORE, AFTER):
        table = pl.from_arrow(store.indicator_values(level="organisation", year=year, indicator=INDICATOR))
        values[year] = dict(table.select("id", "value").iter_rows())
    risk = DetectionResults.open(ws.results).risk(year=BEFORE)
    clusters = dict(risk.select("org_id", "cluster").drop_nulls().iter_rows())
    pool = Organisation.objects.filter(municipality__region_id=region_id, kind="school").values_list("code", flat=True)
    orgs = [eff.Org(c, values[BEFORE].get(c), values[AFTER].get(c), clusters.get(c)) for c in sorted(pool)]
    direction = str(default_catalog().indicator(INDICATOR).direction)
    return eff.estimate(treated, orgs, direction)


def shot(page, name, full_page=True):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"cycle-{name}.png"), full_page=full_page)


def add(page, stage: str, fields: dict[str, str], selects: dict[str, str | list[str]] | None = None):
    box = page.locator(f"#add-{stage}")
    box.locator("summary").click()
    for name, value in fields.items():
        box.locator(f"[name={name}]").fill(value)
    for name, value in (selects or {}).items():
        box.locator(f"select[name={name}]").select_option(value)
    box.locator("button[type=submit]").click()
    page.wait_for_selector("ul.messages li")
    assert "Сохранено" in page.inner_text("ul.messages"), page.inner_text("main")[:2000]


def test_a_coordinator_runs_a_full_cycle_for_system_1_2_ending_with_a_verdict_from_the_data(live_server, page, demo):
    ws, passwords = demo
    coordinator = User.objects.get(username="coordinator")
    municipality = coordinator.municipality
    risk = DetectionResults.open(ws.results).risk(year=BEFORE)
    own = set(Organisation.objects.filter(municipality=municipality).values_list("code", flat=True))
    treated = sorted(c for c in risk.filter(pl.col("shnor"))["org_id"].to_list() if c in own)
    assert treated, "the demo municipality has no ШНОР school in 2025 — the walk needs one"

    login(page, live_server.url, "coordinator", passwords["coordinator"])
    page.click("nav.main >> text=Управленческий цикл")
    page.click(f"text={municipality.name}")
    page.select_option("select[name=system]", "1.2")
    page.click("text=Создать цикл")
    page.wait_for_selector("#goals")

    add(page, "goals", {"text": "Снизить долю неудовлетворительных результатов ВПР в ШНОР",
                        "justification": "Доля «2» в ШНОР выше средней по округу",
                        "realism": "Есть школы-наставники и курсы повышения квалификации"})
    add(page, "indicators", {"year": str(AFTER), "target": "10"}, {"indicator": INDICATOR})
    add(page, "collection", {"method": "Выгрузка результатов ВПР из ФИС ОКО", "periodicity": "ежегодно, май",
                             "responsible": "Методист МОУО"}, {"dataset": "vpr"})
    add(page, "monitoring", {"what": "Результаты ВПР 5 и 8 классов в ШНОР", "when": "2026-06-15",
                             "who": "Муниципальный координатор"})
    add(page, "analysis", {"year": str(BEFORE), "conclusions": "Доля «2» в ШНОР выше региональной",
                           "report": "Аналитическая справка № 5"}, {"indicators": [INDICATOR]})

    page.click("text=Составить рекомендации по данным")
    page.wait_for_selector("ul.messages li")
    drafts = page.locator("#recommendations button:has-text('направить')")
    assert drafts.count() >= 1, page.inner_text("#recommendations")
    drafts.first.click()
    page.wait_for_selector("ul.messages li:has-text('Рекомендация направлена')")

    pks = [str(pk) for pk in Organisation.objects.filter(code__in=treated).values_list("pk", flat=True)]
    add(page, "measures", {"title": "Школа-наставник и курсы для учителей ШНОР", "start": "2025-09-01",
                           "deadline": "2026-05-31", "responsible": "Начальник МОУО",
                           "participants": "ШНОР, школы-наставники, ИРО"},
        {"organisations": pks, "indicators": [INDICATOR], "status": "done"})
    add(page, "decisions", {"number": "245-о", "date": "2025-08-29",
                            "content": "Утвердить дорожную карту работы со ШНОР", "responsible": "Начальник МОУО",
                            "deadline": "2026-05-31", "participants": "руководители ШНОР"})
    page.click("text=Составить заключение по данным")
    page.wait_for_selector("ul.messages li:has-text('Заключение об эффективности')")

    assert "полный цикл" in page.inner_text("main") and "неполный цикл" not in page.inner_text("main > p")
    page.goto(page.url.split("#")[0] + "#measures")
    shot(page, "cycle", full_page=False)

    expected = expected_effect(ws, treated, municipality.region_id)
    assert expected.n_treated >= 1
    page.click("#measures >> text=Школа-наставник и курсы для учителей ШНОР")
    page.wait_for_selector("#verdict")
    verdict = page.inner_text("#verdict")
    words = eff.VERDICT_RU[expected.verdict] if expected.verdict else "нет вывода"
    assert verdict.strip() == words
    card = page.inner_text(f"section.effect[data-indicator={INDICATOR}]")
    assert eff.fmt_change(expected.effect, True) in card
    assert eff.fmt_change(expected.low, True) in card and eff.fmt_change(expected.high, True) in card
    shot(page, "measure")

    page.goto(f"{live_server.url}/cycle/e/municipality/{municipality.code}/")
    row = page.inner_text("tr[data-system='1.2']")
    assert "полный цикл" in row and "— нет" not in row
    shot(page, "matrix")
