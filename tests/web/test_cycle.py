"""The management cycle's pages and services over the personas' region: who sees and changes what, the
completeness matrix, the effect computed from stored results, drafted recommendations, documents, the
roadmap export, deadlines and the report digest."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta

import polars as pl
import pyarrow as pa
import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from msoko.engine import effectiveness as eff
from msoko.engine.catalog import default_catalog
from msoko.engine.detection import store as detection_store
from msoko.engine.results import VALUE_SCHEMA, ResultStore
from msoko.web.cycle import digest, drafts, services, uploads
from msoko.web.cycle.models import (
    Analysis,
    CollectionMethod,
    Cycle,
    CycleIndicator,
    Decision,
    Document,
    EffectivenessReview,
    Goal,
    Measure,
    MonitoringEvent,
    Recommendation,
    RecommendationStatus,
)
from msoko.web.registry.models import Organisation
from tests.web import dashboard_data
from tests.web.cycle_world import build, login


@pytest.fixture
def cw(world):
    return build(world)


# ---- personas ---------------------------------------------------------------------------------------------

def test_a_school_sees_only_its_own_issued_recommendations_and_the_measures_aimed_at_it(client, cw):
    page = login(client, cw, "operator_a1").get(reverse("cycle-index")).content.decode()
    assert "Рекомендация-направлена-a1" in page
    assert "Рекомендация-черновик-a1" not in page  # a draft is not yet the school's
    assert "Рекомендация-направлена-a2" not in page and "Рекомендация-направлена-b1" not in page
    assert "Мероприятие-секрет-A_a1" in page
    for other in ("A_a2", "R_b1", "B_b1"):
        assert f"Мероприятие-секрет-{other}" not in page
    assert "Цель-секрет-A" not in page


def test_a_coordinator_changes_only_its_municipality_cycle(client, cw):
    login(client, cw, "coordinator_a")
    data = {"text": "Новая цель", "justification": "нужно", "realism": "есть ресурсы"}
    response = client.post(reverse("cycle-add", kwargs={"pk": cw.cycles["A"].pk, "kind": "goals"}), data)
    assert response.status_code == 302
    assert Goal.objects.filter(cycle=cw.cycles["A"], text="Новая цель").exists()
    for key in ("B", "R"):
        response = client.post(reverse("cycle-add", kwargs={"pk": cw.cycles[key].pk, "kind": "goals"}), data)
        assert response.status_code == 404
    assert Goal.objects.filter(text="Новая цель").count() == 1
    response = client.post(reverse("cycle-edit", kwargs={"kind": "goals", "pk": cw.goals["B"].pk}), data)
    assert response.status_code == 404
    # and a new cycle only for its municipality (or one of its schools)
    entity = reverse("cycle-entity", kwargs={"level": "municipality", "code": cw.world.municipalities["B"].code})
    assert client.post(entity, {"system": "1.3"}).status_code == 404
    own = reverse("cycle-entity", kwargs={"level": "municipality", "code": cw.world.municipalities["A"].code})
    assert client.post(own, {"system": "1.3", "track": ""}).status_code == 302
    assert Cycle.objects.filter(municipality=cw.world.municipalities["A"], system="1.3", level="municipality").exists()


def test_regional_roles_view_a_municipality_cycle_but_change_only_the_region_cycle(client, cw):
    login(client, cw, "analyst")
    assert client.get(reverse("cycle-detail", kwargs={"pk": cw.cycles["A"].pk})).status_code == 200
    data = {"text": "Региональная цель", "justification": "нужно", "realism": "есть ресурсы"}
    assert client.post(reverse("cycle-add", kwargs={"pk": cw.cycles["A"].pk, "kind": "goals"}), data).status_code == 403
    assert client.post(reverse("cycle-add", kwargs={"pk": cw.cycles["R"].pk, "kind": "goals"}), data).status_code == 302
    login(client, cw, "expert")  # views, never edits
    assert client.post(reverse("cycle-add", kwargs={"pk": cw.cycles["R"].pk, "kind": "goals"}), data).status_code == 403
    page = client.get(reverse("cycle-detail", kwargs={"pk": cw.cycles["R"].pk})).content.decode()
    assert "Добавить: цель" not in page


def test_changes_are_audited(client, cw):
    login(client, cw, "coordinator_a")
    client.post(reverse("cycle-add", kwargs={"pk": cw.cycles["A"].pk, "kind": "decisions"}),
                {"number": "77-о", "date": "2025-10-01", "content": "Утвердить дорожную карту", "responsible": "Петров",
                 "deadline": "2026-05-31", "participants": "школы округа"})
    decision = Decision.objects.get(number="77-о")
    entry = LogEntry.objects.get_for_object(decision).get()
    assert entry.actor == cw.world.users["coordinator_a"]


def test_a_form_with_mistakes_answers_in_russian_and_keeps_what_was_typed(client, cw):
    login(client, cw, "coordinator_a")
    response = client.post(reverse("cycle-add", kwargs={"pk": cw.cycles["A"].pk, "kind": "measures"}),
                           {"title": "Курсы для учителей математики", "start": "2025-09-01", "deadline": "2025-01-01",
                            "responsible": "Петров", "status": "planned", "before_year": "2026", "after_year": "2025"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Срок не может быть раньше начала мероприятия." in page
    assert "Год «после» должен быть позже года «до»." in page
    assert "Курсы для учителей математики" in page
    assert not Measure.objects.filter(title="Курсы для учителей математики").exists()


def test_a_share_target_is_entered_in_percent_and_stored_as_a_fraction(client, cw):
    login(client, cw, "coordinator_a")
    url = reverse("cycle-add", kwargs={"pk": cw.cycles["A"].pk, "kind": "indicators"})
    assert client.post(url, {"indicator": "vpr_fail", "year": "2026", "target": "12,5"}).status_code == 302
    assert CycleIndicator.objects.get(cycle=cw.cycles["A"], indicator="vpr_fail").target == pytest.approx(0.125)
    page = client.post(url, {"indicator": "vpr_fail", "year": "2026", "target": "140"}).content.decode()
    assert "Доля задаётся в процентах от 0 до 100." in page
    assert "уже задана" in page


# ---- completeness -----------------------------------------------------------------------------------------

def fill_all_but(cycle, missing: str | None, org):
    today = date(2025, 9, 1)
    makers = {
        "goals": lambda: Goal.objects.create(cycle=cycle, text="ц", justification="о", realism="р"),
        "indicators": lambda: CycleIndicator.objects.create(cycle=cycle, indicator="vpr_fail", year=2026, target=0.1),
        "collection": lambda: CollectionMethod.objects.create(cycle=cycle, dataset="vpr", method="выгрузка ФИС ОКО",
                                                              periodicity="ежегодно", responsible="МОУО"),
        "monitoring": lambda: MonitoringEvent.objects.create(cycle=cycle, what="ВПР", when=today, who="МОУО"),
        "analysis": lambda: Analysis.objects.create(cycle=cycle, year=2025, conclusions="выводы"),
        "recommendations": lambda: Recommendation.objects.create(cycle=cycle, organisation=org, text="т",
                                                                 status=RecommendationStatus.ISSUED),
        "measures": lambda: Measure.objects.create(cycle=cycle, title="м", deadline=today, responsible="о"),
        "decisions": lambda: Decision.objects.create(cycle=cycle, number="1", date=today, content="р", responsible="о"),
        "effectiveness": lambda: EffectivenessReview.objects.create(cycle=cycle, conclusions="э"),
    }
    for stage, make in makers.items():
        if stage != missing:
            make()


def test_the_matrix_marks_a_full_cycle_only_when_all_nine_stages_are_filled(client, cw):
    world = cw.world
    muni = world.municipalities["A"]
    cycle = Cycle.objects.create(level="municipality", region=world.region, municipality=muni, system="1.4")
    fill_all_but(cycle, "recommendations", world.organisations["a1"])
    Recommendation.objects.create(cycle=cycle, organisation=world.organisations["a1"], text="черновик")
    row = next(s for s in services.matrix(muni, default_catalog()) if s.code == "1.4")
    assert not row.complete and row.rows[0].missing == ["Адресные рекомендации"]  # a draft does not count
    Recommendation.objects.filter(cycle=cycle).update(status=RecommendationStatus.ISSUED)
    row = next(s for s in services.matrix(muni, default_catalog()) if s.code == "1.4")
    assert row.complete
    page = login(client, cw, "coordinator_a").get(reverse("cycle-entity", kwargs={"level": "municipality",
                                                                                   "code": muni.code})).content.decode()
    assert page.count("полный цикл") >= 1 and "неполный цикл" in page  # 1.4 full, the others not
    assert "Систем с полным управленческим циклом: <strong>1</strong> из 8" in page


# ---- effectiveness from stored results ----------------------------------------------------------------------

# vpr_base per school, 2025 → 2026. a1 is the measure's school; the comparable schools barely move.
VALUES = {"edu100001": (0.60, 0.80), "edu100002": (0.62, 0.63), "edu200001": (0.58, 0.58)}
EXTRA = {f"edu3000{i:02d}": (0.55 + i / 100, 0.55 + i / 100 + (0.01 if i % 2 else -0.01)) for i in range(6)}


def install_results(folder, settings, world):
    for code in EXTRA:
        Organisation.objects.create(code=code, name=f"Школа {code}", kind="school", municipality=world.municipalities["B"])
    rows = []
    for code, (before, after) in (VALUES | EXTRA).items():
        for year, value in ((2025, before), (2026, after)):
            rows.append(("organisation", code, year, value))
    rows += [("region", "77", 2025, 0.6), ("region", "77", 2026, 0.62)]
    columns = {name: [] for name in VALUE_SCHEMA.names}
    for level, id_, year, value in rows:
        row = dict.fromkeys(VALUE_SCHEMA.names)
        row.update(level=level, id=id_, year=year, indicator="vpr_base", value=value, numerator=value * 100,
                   denominator=100.0, group_size=100, under_min_group=False, version=1, definition_hash="x")
        for name in VALUE_SCHEMA.names:
            columns[name].append(row[name])
    store = ResultStore(folder)
    catalog = default_catalog()
    store.write_run(pa.table(columns, schema=VALUE_SCHEMA), catalog, store.resolve_versions(catalog))
    codes = list(VALUES | EXTRA)
    risk = pl.DataFrame({"year": [2025] * len(codes), "org_id": codes, "cluster": ["1 из 3"] * len(codes),
                         "shnor": [False] * len(codes), "shnsu": [False] * len(codes),
                         "social_index": [50.0] * len(codes), "explanation": [None] * len(codes)})
    empty = pl.DataFrame({"year": pl.Series([], dtype=pl.Int32), "org_id": pl.Series([], dtype=pl.Utf8)})
    detection_store.write(folder, {"objectivity": empty, "signs": empty, "risk": risk, "lists": empty,
                                   "risk_profile": empty, "social": empty}, {"years": [2025, 2026]})
    settings.MSOKO_RESULTS_DIR = str(folder)


def expected_effect():
    orgs = [eff.Org(code, b, a, "1 из 3") for code, (b, a) in (VALUES | EXTRA).items()]
    return eff.estimate(["edu100001"], orgs, "higher_is_better")


def test_the_measure_page_shows_the_effect_computed_from_the_stored_results(client, cw, tmp_path, settings):
    install_results(tmp_path, settings, cw.world)
    expected = expected_effect()
    assert expected.verdict == eff.EFFECTIVE  # the hand-made data say so; the page must agree
    measure = cw.measures["A_a1"]  # vpr_base, 2024-09-01 … 2026-05-31 → before 2024?  set explicitly:
    measure.before_year, measure.after_year = 2025, 2026
    measure.save()
    page = login(client, cw, "coordinator_a").get(reverse("cycle-measure", kwargs={"pk": measure.pk})).content.decode()
    assert "эффективно" in page
    assert eff.fmt_change(expected.effect, True) in page
    assert eff.fmt_change(expected.low, True) in page and eff.fmt_change(expected.high, True) in page
    # the comparable schools of municipality B are counted, never named, for the coordinator of A
    assert "Школа edu3000" not in page and "вне вашей области доступа" in page
    data = digest.digest_for("municipality", cw.world.municipalities["A"].code)
    entry = next(m for m in data["measures"] if m["title"] == measure.title)
    assert entry["verdict"] == "effective"
    assert entry["effect"] == pytest.approx(expected.effect)
    assert entry["interval"] == pytest.approx([expected.low, expected.high])


def test_without_results_for_the_period_the_measure_says_so(client, cw, tmp_path, settings):
    install_results(tmp_path, settings, cw.world)
    page = login(client, cw, "coordinator_a").get(
        reverse("cycle-measure", kwargs={"pk": cw.measures["A_a1"].pk})).content.decode()  # 2024 → 2026
    assert "нет рассчитанных результатов за 2024 г." in page


# ---- drafted recommendations -------------------------------------------------------------------------------

def test_recommendations_are_drafted_from_risk_status_and_objectivity_once_and_reach_the_school_when_issued(
        client, cw, tmp_path, settings):
    dashboard_data.install(tmp_path, settings)  # b1 is ШНОР and ШНСУ in 2026; a1 has an objectivity flag
    cycle_b = cw.cycles["B"]
    created = drafts.draft_recommendations(cycle_b)
    assert sorted(r.rule for r in created) == ["shnor", "shnsu"]
    assert all(r.organisation.code == "edu200001" and r.status == "draft" for r in created)
    shnor = next(r for r in created if r.rule == "shnor")
    # the reasons in plain words (labels.REASON_SENTENCE), not the detection's statistics
    from msoko.reports.labels import REASON_SENTENCE, SIGN_SENTENCE

    assert "ШНОР" in shnor.text and REASON_SENTENCE["low_standing"] in shnor.text
    assert "Школа ниже школ своего кластера три года подряд." not in shnor.text
    assert drafts.draft_recommendations(cycle_b) == []  # never twice
    objectivity = drafts.draft_recommendations(cw.cycles["a1"])  # system 1.1, the school's own cycle
    assert [r.rule for r in objectivity] == ["objectivity"]
    assert SIGN_SENTENCE["journal"].rstrip(".") in objectivity[0].text
    # editable, then issued; the school sees it only then
    login(client, cw, "coordinator_a")
    rec = objectivity[0]
    response = client.post(reverse("cycle-edit", kwargs={"kind": "recommendations", "pk": rec.pk}),
                           {"organisation": rec.organisation.pk, "text": "Исправленный текст рекомендации",
                            "status": "draft"})
    assert response.status_code == 302
    school = login(client, cw, "operator_a1").get(reverse("cycle-index")).content.decode()
    assert "Исправленный текст рекомендации" not in school
    login(client, cw, "coordinator_a").post(reverse("cycle-issue", kwargs={"pk": rec.pk}))
    school = login(client, cw, "operator_a1").get(reverse("cycle-index")).content.decode()
    assert "Исправленный текст рекомендации" in school


def test_problem_zones_are_drafted_against_the_region_and_the_cycle_target(cw, tmp_path, settings):
    dashboard_data.install(tmp_path, settings)  # vpr_base 2026: a2 72,5 % and region 75 %; a1 91,25 %
    cycle = cw.cycles["A"]
    CycleIndicator.objects.create(cycle=cycle, indicator="vpr_base", year=2026, target=0.8)
    created = drafts.draft_recommendations(cycle)
    assert [(r.rule, r.organisation.code) for r in created] == [("problems", "edu100002")]
    assert "72,5 %" in created[0].text and "ниже цели 80,0 %" in created[0].text


# ---- documents ---------------------------------------------------------------------------------------------

def docx(text: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", f"<w:document><w:body><w:p><w:t>{text}</w:t></w:p></w:body></w:document>")
    return out.getvalue()


def pdf(text: str | None) -> bytes:
    """A one-page PDF with `text` in its text layer (DejaVu, as the reports draw Cyrillic), or none."""
    from fpdf import FPDF

    from msoko.reports.render_pdf import FONTS

    document = FPDF()
    document.add_page()
    if text is None:  # what a scan looks like to a text reader: marks on the page, no text layer
        document.rect(20, 20, 100, 40, style="F")
    else:
        document.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        document.set_font("DejaVu", size=12)
        document.multi_cell(0, 8, text)
    return bytes(document.output())


def post_document(client, cw, upload, **extra):
    data = {"stage": "measures", "kind": "management", "title": "Приказ о дорожной карте", "number": "12",
            "date": "2025-09-01", "upload": upload} | extra
    return client.post(reverse("cycle-add", kwargs={"pk": cw.cycles["A"].pk, "kind": "documents"}), data)


ORDER = "Приказываю утвердить дорожную карту. Ответственный — Петров. Срок до 31.05.2026."


def uploaded_order(client, cw, name: str, body: bytes):
    """The coordinator uploads `body` as a management document of cycle A; its stored card."""
    login(client, cw, "coordinator_a")
    assert post_document(client, cw, SimpleUploadedFile(name, body)).status_code == 302
    return Document.objects.get(title="Приказ о дорожной карте")


def test_documents_are_checked_for_type_content_and_size(client, cw, monkeypatch):
    login(client, cw, "coordinator_a")
    page = post_document(client, cw, SimpleUploadedFile("virus.exe", b"MZ....")).content.decode()
    assert "Файлы «.exe» не принимаются" in page
    page = post_document(client, cw, SimpleUploadedFile("fake.pdf", b"<html>not a pdf</html>")).content.decode()
    assert "Содержимое файла не соответствует расширению «.pdf»" in page
    page = post_document(client, cw, SimpleUploadedFile("fake.docx", b"PK\x03\x04garbage")).content.decode()
    assert "не соответствует расширению «.docx»" in page
    monkeypatch.setattr(uploads, "MAX_BYTES", 10)
    page = post_document(client, cw, SimpleUploadedFile("big.pdf", b"%PDF-1.4 more than ten bytes")).content.decode()
    assert f"Файл больше допустимых {uploads.MAX_MB} МБ." in page
    assert not Document.objects.filter(title="Приказ о дорожной карте").exists()


def test_a_document_is_stored_outside_the_web_root_checked_for_attributes_and_served_as_an_attachment(
        client, cw, settings):
    body = docx(ORDER)
    doc = uploaded_order(client, cw, "приказ.docx", body)
    assert doc.file.path.startswith(str(settings.WORKSPACE.uploads))
    assert not doc.file.path.startswith(str(settings.STATIC_ROOT))
    assert doc.original_name == "приказ.docx" and "приказ" not in doc.file.name  # stored by a random name
    assert set(doc.markers) == {"decisions", "deadlines", "responsible"}
    missing = {m["key"]: m["hint"] for m in uploads.missing(doc)}
    assert missing == {"decisions": True, "deadlines": True, "responsible": True, "participants": False}
    page = client.get(reverse("cycle-detail", kwargs={"pk": cw.cycles["A"].pk})).content.decode()
    assert "не хватает:" in page and "в файле есть упоминание" in page
    response = client.get(reverse("cycle-document", kwargs={"pk": doc.pk}))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == body
    # the card completed: nothing missing
    for key, value in {"decisions": "утвердить", "deadlines": "до 31.05.2026", "responsible": "Петров",
                       "participants": "школы"}.items():
        setattr(doc, key, value)
    assert uploads.missing(doc) == []


# ---- roadmap, deadlines -------------------------------------------------------------------------------------

def test_the_roadmap_export_is_safe_against_formula_injection(client, cw):
    measure = cw.measures["A_a1"]
    measure.title = '=HYPERLINK("http://example.invalid","нажми")'
    measure.save()
    response = login(client, cw, "coordinator_a").get(reverse("cycle-roadmap", kwargs={"pk": cw.cycles["A"].pk}))
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "Мероприятие"
    titles = [r[1] for r in rows[1:]]
    assert "'" + measure.title in titles
    assert all(not str(t).startswith("=") for t in titles)


def test_overdue_measures_are_highlighted_and_listed_first_for_whoever_keeps_them(client, cw):
    late = cw.measures["A_a2"]
    late.deadline, late.status = date.today() - timedelta(days=3), "in_progress"
    late.save()
    done = cw.measures["A_a1"]
    done.deadline, done.status = date.today() - timedelta(days=10), "done"
    done.save()
    items = services.due_for(cw.world.users["coordinator_a"])
    assert items[0].title == late.title and items[0].overdue
    assert done.title not in [d.title for d in items]
    assert late.title not in [d.title for d in services.due_for(cw.world.users["coordinator_b"])]
    page = login(client, cw, "coordinator_a").get(reverse("cycle-due")).content.decode()
    assert "просрочено" in page and late.title in page
    detail = client.get(reverse("cycle-detail", kwargs={"pk": cw.cycles["A"].pk})).content.decode()
    assert 'class="overdue"' in detail


# ---- the digest for reports ---------------------------------------------------------------------------------

def test_the_digest_has_the_agreed_shape_and_an_organisation_gets_only_what_targets_it(cw):
    data = digest.digest_for("municipality", cw.world.municipalities["A"].code)
    json.dumps(data)  # plain data
    assert set(data) == {"completeness", "measures", "recommendations", "decisions"}
    # every system of the catalog, as the cycle page counts them; stages by their Russian names
    from msoko.engine.catalog import default_catalog

    assert [c["system"] for c in data["completeness"]] == [s.code for s in default_catalog().systems]
    system = next(c for c in data["completeness"] if c["system"] == "1.2")
    assert system["stages_filled"] == ["Цели", "Адресные рекомендации", "Меры (дорожная карта)",
                                       "Управленческие решения"]
    assert system["stages_missing"] == ["Показатели", "Методы сбора информации", "Мониторинг", "Анализ",
                                        "Анализ эффективности принятых мер"]
    assert system["complete"] is False
    assert all(not c["complete"] and not c["stages_filled"] for c in data["completeness"] if c["system"] != "1.2")
    titles = {m["title"] for m in data["measures"]}
    assert titles == {"Мероприятие-секрет-A_a1", "Мероприятие-секрет-A_a2"}
    m = next(m for m in data["measures"] if m["title"] == "Мероприятие-секрет-A_a1")
    assert set(m) == {"title", "system", "deadline", "status", "responsible", "organisations", "indicators",
                      "verdict", "effect", "interval", "verdict_text"}
    assert m["deadline"] == "2026-05-31" and m["organisations"] == ["edu100001"] and m["indicators"] == ["vpr_base"]
    assert m["verdict"] is None and m["verdict_text"].startswith("Нет вывода")
    assert {r["organisation"] for r in data["recommendations"]} == {"edu100001", "edu100002"}
    assert data["decisions"] == [{"number": "A-1", "date": "2025-09-01", "content": "Решение-секрет-A",
                                  "responsible": "Иванова", "deadline": "2026-06-01"}]
    school = digest.digest_for("organisation", "edu100001")
    assert {m["title"] for m in school["measures"]} == {"Мероприятие-секрет-A_a1"}
    assert [r["text"] for r in school["recommendations"]] == ["Рекомендация-направлена-a1"]
    assert [c["system"] for c in school["completeness"]] == ["1.1"]
    region = digest.digest_for("region", "77")
    assert {m["title"] for m in region["measures"]} == {"Мероприятие-секрет-R_b1"}
    with pytest.raises(ValueError):
        digest.digest_for("country", "x")


@pytest.mark.parametrize("persona", ["region_admin", "analyst", "expert", "coordinator_a", "coordinator_b",
                                     "operator_a1", "no_role"])
def test_the_index_and_the_due_list_name_only_what_the_persona_may_see(client, cw, persona):
    login(client, cw, persona)
    sees = {"Городской округ А": persona in ("region_admin", "analyst", "expert", "coordinator_a"),
            "Сельский район Б": persona in ("region_admin", "analyst", "expert", "coordinator_b")}
    for name in ("cycle-index", "cycle-due"):
        response = client.get(reverse(name))
        if persona == "no_role":
            assert response.status_code == 404
            continue
        assert response.status_code == 200
        page = response.content.decode()
        for text, visible in sees.items():
            if name == "cycle-index":
                assert (text in page) == visible, f"{name}: {text}"
            else:
                assert visible or text not in page, f"{name}: {text}"


def test_a_pdf_order_gives_the_same_hints_from_its_text_layer_and_a_scan_or_a_damaged_pdf_gives_none(
        client, cw, tmp_path):
    doc = uploaded_order(client, cw, "приказ.pdf", pdf("ПРИКАЗ № 12. " + ORDER))
    assert set(doc.markers) == {"decisions", "deadlines", "responsible"}
    assert {m["key"]: m["hint"] for m in uploads.missing(doc)} == {
        "decisions": True, "deadlines": True, "responsible": True, "participants": False}

    scan, damaged = tmp_path / "скан.pdf", tmp_path / "битый.pdf"
    scan.write_bytes(pdf(None))
    damaged.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ntrailer << >>\n%%EOF")
    assert uploads.text_of(scan) is not None and uploads.markers(uploads.text_of(scan)) == []
    assert uploads.text_of(damaged) is None
    with damaged.open("rb") as handle:  # accepted: a damaged text layer only means no hints
        assert uploads.check("битый.pdf", damaged.stat().st_size, handle) is None



def test_a_school_keeps_its_own_vsoko_and_its_coordinator_sees_it(client, cw):
    school = cw.world.organisations["a1"]
    login(client, cw, "operator_a1")
    response = client.post(reverse("cycle-entity", kwargs={"level": "organisation", "code": school.code}),
                           {"system": "1.3", "track": ""})
    cycle = Cycle.objects.get(organisation=school, system="1.3")
    assert response.status_code == 302 and response["Location"] == reverse("cycle-detail", kwargs={"pk": cycle.pk})
    client.post(reverse("cycle-add", kwargs={"pk": cycle.pk, "kind": "goals"}),
                {"text": "Цель школы-ВСОКО", "justification": "по итогам года", "realism": "реалистично"})
    assert Goal.objects.filter(cycle=cycle, text="Цель школы-ВСОКО").exists()
    # the school may not change its municipality's cycle, nor another school's ВСОКО
    assert client.post(reverse("cycle-add", kwargs={"pk": cw.cycles["A"].pk, "kind": "goals"}),
                       {"text": "чужая цель", "justification": "x", "realism": "x"}).status_code in (403, 404)
    assert not Goal.objects.filter(text="чужая цель").exists()
    other = cw.world.organisations["a2"]
    assert client.post(reverse("cycle-entity", kwargs={"level": "organisation", "code": other.code}),
                       {"system": "1.3", "track": ""}).status_code == 404
    client.logout()
    page = login(client, cw, "coordinator_a").get(reverse("cycle-detail", kwargs={"pk": cycle.pk})).content.decode()
    assert "Цель школы-ВСОКО" in page
