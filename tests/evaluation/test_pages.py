"""The campaign in the web over the personas' region (tests/evaluation/world.py): the coordinator's form, the
blind expert phase, the chair's decisions that keep the initial scores, appeals as numbered rounds, the
municipality's view of its place without other names, balanced assignment without conflicts of interest."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from msoko.engine.evaluation.rubric import load_rubric, parse_rubric
from msoko.web.evaluation import services
from msoko.web.evaluation.models import Assignment, Decision, ExpertAffiliation, ExpertPosition, Outcome
from tests.evaluation.world import build, full_marks, make_expert
from tests.web.personas import build_world


@pytest.fixture
def ew(db):
    return build(build_world())


def login(client, ew, name):
    client.force_login(ew.world.users[name])


def test_an_expert_never_sees_another_experts_draft(client, ew):
    login(client, ew, "expert")
    pages = [reverse("evaluation-index"), reverse("evaluation-campaign", args=[ew.campaign.pk]),
             reverse("evaluation-dossier", args=[ew.dossiers["A"].pk]),
             reverse("evaluation-score", args=[ew.assignments["A:expert"].pk])]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Черновик-секрет-expert2" not in response.content.decode(), url
    assert client.get(reverse("evaluation-score", args=[ew.assignments["A:expert2"].pk])).status_code == 404
    assert client.get(reverse("evaluation-disputes", args=[ew.campaign.pk])).status_code == 403
    # the region's results are not an expert's page either: only the own assignments are listed
    campaign_page = client.get(reverse("evaluation-campaign", args=[ew.campaign.pk])).content.decode()
    assert ew.world.municipalities["B"].name not in campaign_page


def test_expert_scoring_in_the_web_needs_comments_and_is_final_once_submitted(client, ew):
    login(client, ew, "expert")
    url = reverse("evaluation-score", args=[ew.assignments["A:expert"].pk])
    rubric = ew.campaign.rubric
    data = {"action": "submit"}
    for code, (params, _) in full_marks(rubric, **{"1_1_1_1": {"description": 0, "specifics": 0, "off_cycle": -1}}).items():
        data.update({f"p:{code}:{k}": str(v) for k, v in params.items()})
    page = client.post(url, data, follow=True).content.decode()
    assert "нужен комментарий" in page
    assert not Assignment.objects.get(pk=ew.assignments["A:expert"].pk).submitted
    data["c:1.1.1.1"] = "Нет описания мер, есть деятельность вне цикла"
    client.post(url, data)
    assignment = Assignment.objects.get(pk=ew.assignments["A:expert"].pk)
    assert assignment.submitted
    stored = ExpertPosition.objects.get(assignment=assignment, position="1.1.1.1")
    assert stored.parameters == {"description": 0, "specifics": 0, "deadlines": 1, "regional": 1, "off_cycle": -1}
    data["p:1.1.1.1:description"] = "1"
    page = client.post(url, data, follow=True).content.decode()
    assert "изменить её нельзя" in page
    assert ExpertPosition.objects.get(pk=stored.pk).parameters["description"] == 0


def test_the_coordinator_submits_the_form_and_it_is_frozen(client, db):
    world = build_world()
    campaign = services.open_campaign(world.region, 2026, load_rubric(), date(2026, 9, 15))
    dossier = campaign.dossiers.get(municipality=world.municipalities["A"])
    client.force_login(world.users["coordinator_a"])
    url = reverse("evaluation-dossier", args=[dossier.pk])
    assert client.post(url, {"s:1.1.1.1": "Проведены семинары для директоров"}).status_code == 302
    client.post(reverse("evaluation-submit", args=[dossier.pk]), {"s:1.1.1.1": "Проведены семинары для директоров"})
    dossier.refresh_from_db()
    assert dossier.submitted and dossier.statements == {"1.1.1.1": "Проведены семинары для директоров"}
    assert set(dossier.evidence["positions"]) == {p.code for p in campaign.rubric.positions}
    assert client.post(url, {"s:1.1.1.1": "другое"}).status_code == 403
    client.force_login(world.users["coordinator_b"])
    assert client.get(url).status_code == 404


def test_a_decision_keeps_the_initial_scores_and_an_appeal_opens_round_two(client, ew):
    initial = sorted((p.assignment_id, p.parameters) for p in ExpertPosition.objects.filter(
        assignment__dossier=ew.dossiers["B"], position="1.1.1.1"))
    login(client, ew, "analyst")  # reads, may not decide
    assert client.post(reverse("evaluation-decide", args=[ew.dispute.pk]), {"score": "4", "reason": "x"}).status_code == 403
    login(client, ew, "region_admin")
    disputes = client.get(reverse("evaluation-disputes", args=[ew.campaign.pk])).content.decode()
    assert "expert2" in disputes and "expert3" in disputes  # side by side
    client.post(reverse("evaluation-decide", args=[ew.dispute.pk]), {"score": "3", "reason": "Описание мер неполное"})
    page = client.post(reverse("evaluation-decide", args=[ew.dispute.pk]), {"score": "4", "reason": "иначе"},
                       follow=True).content.decode()
    assert "не перезаписывается" in page
    assert Decision.objects.get(outcome=ew.dispute).score == 3
    assert sorted((p.assignment_id, p.parameters) for p in ExpertPosition.objects.filter(
        assignment__dossier=ew.dossiers["B"], position="1.1.1.1")) == initial
    result = services.dossier_result(ew.dossiers["B"])
    assert result.total.score == 276 and result.total.max_score == 277

    login(client, ew, "coordinator_b")
    conclusion_url = reverse("evaluation-conclusion", args=[ew.dossiers["B"].pk])
    page = client.get(conclusion_url).content.decode()
    assert ew.world.municipalities["A"].name not in page  # the regional distribution names nobody
    client.post(reverse("evaluation-appeal", args=[ew.dossiers["B"].pk]),
                {"positions": ["1.1.1.1"], "text": "Приказ № 7 описывает меры полностью"})
    rounds = list(Outcome.objects.filter(dossier=ew.dossiers["B"], position="1.1.1.1").order_by("round"))
    assert [(o.round, o.export_status) for o in rounds] == [(1, "decided"), (2, "disputed")]
    assert services.dossier_result(ew.dossiers["B"]).total.score is None  # under re-review
    login(client, ew, "region_admin")
    client.post(reverse("evaluation-decide", args=[rounds[1].pk]), {"score": "4", "reason": "Приказ № 7 проверен"})
    assert services.dossier_result(ew.dossiers["B"]).total.score == 277
    assert Decision.objects.get(outcome=rounds[0]).reason == "Описание мер неполное"  # round 1 kept


def test_an_appeal_after_the_window_is_refused(ew):
    until = ew.campaign.appeal_until()
    with pytest.raises(services.EvaluationError, match="Срок подачи апелляции"):
        services.file_appeal(ew.dossiers["B"], ["1.1.1.1"], "поздно", None, today=date.fromordinal(until.toordinal() + 1))


def test_auto_assignment_is_balanced_and_skips_conflicts(db):
    world = build_world()
    experts = [make_expert(world, f"x{i}") for i in range(3)]
    ExpertAffiliation.objects.create(expert=experts[0], municipality=world.municipalities["A"])
    campaign = services.open_campaign(world.region, 2026, load_rubric(), date(2026, 9, 15))
    services.auto_assign(campaign)
    by_dossier = {d.municipality.code: sorted(d.assignments.values_list("expert__username", flat=True))
                  for d in campaign.dossiers.all()}
    assert "x0" not in by_dossier["mun-A"] and len(by_dossier["mun-A"]) == 2 and len(by_dossier["mun-B"]) == 2
    loads = [Assignment.objects.filter(expert=e).count() for e in [*experts, world.users["expert"]]]
    assert max(loads) - min(loads) <= 1
    with pytest.raises(services.EvaluationError, match="не может оценивать"):
        services.assign(campaign.dossiers.get(municipality=world.municipalities["A"]), experts[0])


def test_a_campaign_keeps_the_rubric_it_was_opened_with(db):
    world = build_world()
    edited = parse_rubric(load_rubric().text.replace('version: "2026.1"', 'version: "2026.2"'))
    old = services.open_campaign(world.region, 2025, load_rubric(), date(2025, 9, 15))
    new = services.open_campaign(world.region, 2026, edited, date(2026, 9, 15))
    assert (old.rubric.version, new.rubric.version) == ("2026.1", "2026.2")
    assert old.rubric_digest != new.rubric_digest and old.rubric_text == load_rubric().text


def test_agreement_is_shown_to_the_chair(client, ew):
    login(client, ew, "region_admin")
    page = client.get(reverse("evaluation-campaign", args=[ew.campaign.pk])).content.decode()
    assert "α Криппендорфа" in page and "expert3" in page
    report = services.agreement(ew.campaign)
    # expert2 and expert3 differ on one parameter of one position: 1.1.1.1 scores 4 and 3, decided later
    assert report.by_system["total"].experts == 2 and report.by_system["total"].alpha is not None


def test_the_regional_справки_and_the_ranking(client, ew):
    import io

    from docx import Document as open_docx
    from openpyxl import load_workbook

    login(client, ew, "region_admin")
    client.post(reverse("evaluation-decide", args=[ew.dispute.pk]), {"score": "3", "reason": "Описание неполное"})
    xlsx = client.get(reverse("evaluation-statistics", args=[ew.campaign.pk]))
    sheet = load_workbook(io.BytesIO(xlsx.content))["Баллы"]
    rows = [[c.value for c in row] for row in sheet.iter_rows() if row[0].value]
    header = rows[1]
    assert header[:3] == ["Код", "Муниципалитет", "1.1.1.1"] and header[-4:] == ["Итого", "Доля", "Уровень", "Место"]
    by_code = {r[0]: r for r in rows[2:]}
    assert by_code["max"][header.index("Итого")] == 277
    assert by_code["mun-B"][header.index("1.1.1.1")] == 3 and by_code["mun-B"][header.index("Итого")] == 276
    assert by_code["mun-B"][header.index("Место")] == 1 and by_code["mun-A"][header.index("Итого")] == "—"
    docx = client.get(reverse("evaluation-analysis", args=[ew.campaign.pk, "docx"]))
    text = "\n".join(p.text for p in open_docx(io.BytesIO(docx.content)).paragraphs)
    for heading in ("Распределение муниципалитетов по уровням", "Слабые позиции в регионе",
                    "Сравнение с прошлогодней кампанией", "Рейтинг муниципалитетов",
                    "Связь оценки механизмов с результатами"):
        assert heading in text
    assert client.get(reverse("evaluation-analysis", args=[ew.campaign.pk, "pdf"])).content.startswith(b"%PDF")
    page = client.get(reverse("evaluation-ranking", args=[ew.campaign.pk])).content.decode()
    assert page.index(ew.world.municipalities["B"].name) < page.index(ew.world.municipalities["A"].name)


def test_home_tasks_say_what_each_role_must_do(ew):
    from msoko.web.evaluation.tasks import home_tasks

    expert = home_tasks(ew.world.users["expert"])
    assert [t["url"] for t in expert] == [reverse("evaluation-score", args=[ew.assignments["A:expert"].pk])]
    assert expert[0]["count"] == len(ew.campaign.rubric.positions)
    chair = home_tasks(ew.world.users["region_admin"])
    assert [(t["url"], t["count"]) for t in chair] == [(reverse("evaluation-disputes", args=[ew.campaign.pk]), 1)]
    coordinator = home_tasks(ew.world.users["coordinator_b"])
    assert [t["url"] for t in coordinator] == [reverse("evaluation-conclusion", args=[ew.dossiers["B"].pk])]
    assert home_tasks(ew.world.users["operator_a1"]) == []


def test_the_chair_records_where_experts_work_and_auto_assignment_follows(client, db):
    world = build_world()
    experts = [make_expert(world, f"w{i}") for i in range(3)]
    client.force_login(world.users["region_admin"])
    page = client.get(reverse("evaluation-experts")).content.decode()
    assert all(e.username in page for e in experts)
    client.post(reverse("evaluation-experts"), {"expert": experts[0].pk, "municipality": "mun-A"})
    client.post(reverse("evaluation-experts"), {"expert": experts[1].pk, "municipality": "",
                                                "organisation": world.organisations["b1"].code})
    assert ExpertAffiliation.objects.get(expert=experts[0]).municipality == world.municipalities["A"]
    assert ExpertAffiliation.objects.get(expert=experts[1]).municipality == world.municipalities["B"]  # its school's
    refused = client.post(reverse("evaluation-experts"), {"expert": experts[2].pk, "organisation": "нет-такой"},
                          follow=True)
    assert "не найдена" in refused.content.decode() and not ExpertAffiliation.objects.filter(expert=experts[2]).exists()
    # a municipality code of no municipality in the region is refused and the place already recorded stays
    foreign = client.post(reverse("evaluation-experts"), {"expert": experts[0].pk, "municipality": "mun-Z"}, follow=True)
    assert "не найден" in foreign.content.decode()
    assert ExpertAffiliation.objects.get(expert=experts[0]).municipality == world.municipalities["A"]
    huge = client.post(reverse("evaluation-experts"), {"expert": experts[0].pk, "organisation": "9" * 100_000},
                       follow=True)
    assert "не найдена" in huge.content.decode() and "9" * 100 not in huge.content.decode()
    assert ExpertAffiliation.objects.get(expert=experts[0]).municipality == world.municipalities["A"]
    campaign = services.open_campaign(world.region, 2027, load_rubric(), date(2027, 9, 15))
    services.auto_assign(campaign)
    assigned = {d.municipality.code: set(d.assignments.values_list("expert__username", flat=True))
                for d in campaign.dossiers.all()}
    assert "w0" not in assigned["mun-A"] and "w1" not in assigned["mun-B"]
    # clearing the place of work
    client.post(reverse("evaluation-experts"), {"expert": experts[0].pk, "municipality": ""})
    assert not ExpertAffiliation.objects.filter(expert=experts[0]).exists()


@pytest.mark.parametrize("persona", ["analyst", "expert", "coordinator_a", "operator_a1"])
def test_only_the_chair_opens_the_experts_page(client, db, persona):
    world = build_world()
    expert = make_expert(world, "w9")
    client.force_login(world.users[persona])
    assert client.get(reverse("evaluation-experts")).status_code in (403, 404)
    assert client.post(reverse("evaluation-experts"), {"expert": expert.pk, "municipality": "mun-A"}).status_code \
        in (403, 404)
    assert not ExpertAffiliation.objects.filter(expert=expert).exists()
