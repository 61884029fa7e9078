"""The management cycle's URLs in the persona matrix (tests/web/test_scope_gate.py).

Regional roles view every cycle of the region; a coordinator only its municipality's (and its schools'
ВСОКО); a school only its own ВСОКО and the measures aimed at it. Changing needs the right to keep the
cycle: region admin and analyst the region's, a coordinator its municipality's and its schools'.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.files.base import ContentFile
from django.urls import reverse

from tests.web.cycle_world import build
from tests.web.personas import World
from tests.web.scope_cases import Case

REGIONAL = {"region_admin", "analyst", "expert"}
REGION_EDITORS = {"region_admin", "analyst"}
VIEW = {"R": REGIONAL, "A": REGIONAL | {"coordinator_a"}, "B": REGIONAL | {"coordinator_b"},
        "a1": REGIONAL | {"coordinator_a", "operator_a1"}}
# a school keeps its own ВСОКО (a1), under its municipality's coordinator
EDIT = {"R": REGION_EDITORS, "A": {"coordinator_a"}, "B": {"coordinator_b"}, "a1": {"coordinator_a", "operator_a1"}}


def entity_cases(world: World) -> list[Case]:
    out = [Case(reverse("cycle-entity", kwargs={"level": "region", "code": world.region.code}), REGIONAL,
                world.region.name)]
    for key in ("A", "B"):
        m = world.municipalities[key]
        out.append(Case(reverse("cycle-entity", kwargs={"level": "municipality", "code": m.code}), VIEW[key], m.name))
    for key, allowed in (("a1", VIEW["a1"]), ("b1", REGIONAL | {"coordinator_b"})):
        o = world.organisations[key]
        out.append(Case(reverse("cycle-entity", kwargs={"level": "organisation", "code": o.code}), allowed, o.name))
    return out


def cycle_cases(url_name: str, who: dict[str, set[str]], method: str = "get", **extra) -> Callable[[World], list[Case]]:
    def cases(world: World) -> list[Case]:
        cw = build(world)
        return [Case(reverse(url_name, kwargs={"pk": cw.cycles[key].pk, **extra}), allowed, f"Цель-секрет-{key}", method)
                for key, allowed in who.items()]

    return cases


def add_cases(world: World) -> list[Case]:
    cw = build(world)
    return [Case(reverse("cycle-add", kwargs={"pk": cw.cycles[key].pk, "kind": "goals"}), EDIT[key],
                 cw.world.obj(key).name) for key in ("R", "A", "B", "a1")]


def item_cases(url_name: str, method: str = "get") -> Callable[[World], list[Case]]:
    def cases(world: World) -> list[Case]:
        cw = build(world)
        items = [("goals", cw.goals["A"], EDIT["A"], "Цель-секрет-A"),
                 ("goals", cw.goals["R"], EDIT["R"], "Цель-секрет-R"),
                 ("measures", cw.measures["A_a1"], EDIT["A"], "Мероприятие-секрет-A_a1"),
                 ("recommendations", cw.recommendations["B_b1_issued"], EDIT["B"], "Рекомендация-направлена-b1"),
                 ("documents", cw.documents["a1"], EDIT["a1"], "Документ-секрет-a1"),
                 ("decisions", cw.decisions["B"], EDIT["B"], "Решение-секрет-B")]
        return [Case(reverse(url_name, kwargs={"kind": kind, "pk": obj.pk}), allowed, secret, method)
                for kind, obj, allowed, secret in items]

    return cases


def issue_cases(world: World) -> list[Case]:
    cw = build(world)
    rec = cw.recommendations["A_a1_draft"]
    return [Case(reverse("cycle-issue", kwargs={"pk": rec.pk}), EDIT["A"], "Рекомендация-черновик-a1", "post")]


def measure_cases(world: World) -> list[Case]:
    cw = build(world)
    who = {"A_a1": VIEW["A"] | {"operator_a1"}, "A_a2": VIEW["A"], "R_b1": REGIONAL, "B_b1": VIEW["B"]}
    return [Case(reverse("cycle-measure", kwargs={"pk": cw.measures[key].pk}), allowed, f"Мероприятие-секрет-{key}")
            for key, allowed in who.items()]


def recommendation_cases(url_name: str, method: str = "get", who: str = "view") -> Callable[[World], list[Case]]:
    """An issued recommendation is read by everyone whose scope reaches its school; the school itself takes
    it on and reports (`who="school"`); whoever keeps the cycle closes it (`who="edit"`)."""

    def cases(world: World) -> list[Case]:
        cw = build(world)
        if url_name == "cycle-recommendation-file":
            rec = cw.recommendations["A_a1_issued"]
            rec.report_file.save("r.pdf", ContentFile(b"%PDF-1.4 report"), save=False)
            rec.report_name = "отчёт-секрет-a1.pdf"
            rec.save()
        allowed = {"view": {"A_a1_issued": VIEW["a1"], "B_b1_issued": VIEW["B"]},
                   "school": {"A_a1_issued": {"operator_a1"}, "B_b1_issued": set()},
                   "edit": {"A_a1_issued": EDIT["A"], "B_b1_issued": EDIT["B"]}}[who]
        if url_name == "cycle-recommendation-file":
            allowed = {"A_a1_issued": allowed["A_a1_issued"]}  # the one with a report file
        return [Case(reverse(url_name, kwargs={"pk": cw.recommendations[key].pk}), persons,
                     cw.recommendations[key].text if method == "get" else "Рекомендация-направлена", method)
                for key, persons in allowed.items()]

    return cases


def document_cases(world: World) -> list[Case]:
    cw = build(world)
    return [Case(reverse("cycle-document", kwargs={"pk": cw.documents[key].pk}), VIEW[key], f"приказ-{key}")
            for key in ("A", "a1", "B")]


SCOPED_PAGES: dict[str, Callable[[World], list[Case]]] = {
    "cycle-entity": entity_cases,
    "cycle-detail": cycle_cases("cycle-detail", VIEW),
    "cycle-roadmap": cycle_cases("cycle-roadmap", VIEW),
    "cycle-add": add_cases,
    "cycle-draft-recommendations": cycle_cases("cycle-draft-recommendations", EDIT, "post"),
    "cycle-draft-review": cycle_cases("cycle-draft-review", EDIT, "post"),
    "cycle-edit": item_cases("cycle-edit"),
    "cycle-delete": item_cases("cycle-delete", "post"),
    "cycle-issue": issue_cases,
    "cycle-measure": measure_cases,
    "cycle-document": document_cases,
    "cycle-recommendation": recommendation_cases("cycle-recommendation"),
    "cycle-recommendation-acknowledge": recommendation_cases("cycle-recommendation-acknowledge", "post", "school"),
    "cycle-recommendation-report": recommendation_cases("cycle-recommendation-report", "post", "school"),
    "cycle-recommendation-close": recommendation_cases("cycle-recommendation-close", "post", "edit"),
    "cycle-recommendation-file": recommendation_cases("cycle-recommendation-file"),
}
