"""Plausible values of the eleven collection forms for the demo region, with structure the analytics find.

`collection_rows(orgs, years, seed, shnor=…)` returns dataset → rows (`year`, `org_id` or `municipality_id`
and the dataset's columns); every row passes its form's hard checks. Planted, and listed in `PLANTED`:

- the municipality at index `WEAK_CAREERS` is weak in career guidance (shares a fifth of the others');
- every kindergarten of the last (remote) municipality, and a few elsewhere, has no development programme;
- one ШНОР/ШНСУ school (the first of `shnor`) reports that none of its teachers took any course.

No Django and no files: the demo (web/collection/demo.py) turns these into campaigns and submissions.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

WEAK_CAREERS = 1  # index of the municipality (by code order) weak in career guidance
SCHOOL_FORMS = ("form_talents", "form_careers", "form_upbringing", "form_shnor", "staff", "graduates",
                "primary_results", "func_literacy")


def _part(rng, whole: int, share: float, spread: float = 0.15) -> int:
    """A part of `whole` near `share` of it (never more than the whole)."""
    p = float(np.clip(rng.normal(share, share * spread), 0.0, 1.0))
    return int(min(whole, round(whole * p)))


def _flag(rng, p: float) -> int:
    return int(rng.random() < p)


def _school(rng, org: dict, year: int, *, weak_careers: bool, shnor: bool, no_courses: bool) -> dict[str, dict]:
    n = int(org.get("students") or rng.integers(150, 900))
    n = max(40, int(n * rng.uniform(0.97, 1.03)))
    t = int(org.get("teachers") or max(6, n // 15))
    out: dict[str, dict] = {}
    children = int(n * rng.uniform(0.95, 1.1))
    participants = _part(rng, n, 0.4)
    winners = _part(rng, participants, 0.12)
    contest = _part(rng, n, 0.3)
    gifted = _part(rng, n, 0.05)
    out["form_talents"] = {
        "students": n, "students_9_11": _part(rng, n, 0.3, 0.05), "children_5_18": children,
        "children_5_18_additional": _part(rng, children, 0.72), "students_additional": _part(rng, n, 0.6),
        "extracurricular_participants": _part(rng, n, 0.85, 0.05), "olymp_participants": participants,
        "olymp_winners": winners, "olymp_regional_winners": _part(rng, winners, 0.12),
        "contest_participants": contest, "contest_winners": _part(rng, contest, 0.15),
        "gifted": gifted, "gifted_individual_route": _part(rng, gifted, 0.5),
        "teachers_talent_courses": _part(rng, t, 0.2)}
    k = 0.2 if weak_careers else 1.0
    six = _part(rng, n, 0.55, 0.05)
    parents = int(n * rng.uniform(1.4, 1.8))
    out["form_careers"] = {
        "students": n, "students_6_11": six, "ticket_to_future": _part(rng, six, 0.45 * k),
        "career_events_participants": _part(rng, n, 0.75 * k), "career_tested": _part(rng, six, 0.55 * k),
        "hundred_roads": _part(rng, n, 0.2 * k), "ovz_career_events": _part(rng, max(1, n // 12), 0.7 * k),
        "practice_places": int(n / 40 * k * rng.uniform(0.6, 1.4)), "parents": parents,
        "parents_helped": _part(rng, parents, 0.3 * k), "worldskills_participants": _part(rng, n, 0.02 * k)}
    eligible = _part(rng, n, 0.5, 0.05)
    out["form_upbringing"] = {
        "students": n, "volunteers": _part(rng, n, 0.22), "prevention_participants": _part(rng, n, 0.6),
        "rdsh_branches": 1, "volunteer_groups": int(rng.integers(1, 4)), "sport_club": _flag(rng, 0.85),
        "school_theatre": _flag(rng, 0.6), "spt_participated": 1, "spt_eligible": eligible,
        "spt_students": _part(rng, eligible, 0.9, 0.05), "lab_equipment_used": _flag(rng, 0.7),
        "computers_used": _flag(rng, 0.9)}
    courses = 0 if no_courses else _part(rng, t, 0.5 if shnor else 0.4)
    out["form_shnor"] = {
        "shnor_or_shnsu": int(shnor), "support_programme": int(shnor), "difficulties_diagnosed": int(shnor),
        "teachers": t, "teachers_deficit_diagnosed": _part(rng, t, 0.65 if shnor else 0.3),
        "teachers_courses_individual": 0 if no_courses else _part(rng, t, 0.3 if shnor else 0.05),
        "teachers_courses_risk": 0 if no_courses else _part(rng, t, 0.3 if shnor else 0.02),
        "teachers_events": _part(rng, t, 0.5), "teachers_courses": courses,
        "staff_support_measures": int(rng.integers(1, 4)) if shnor else 0,
        "network_practices": _flag(rng, 0.7) if shnor else _flag(rng, 0.2), "accreditation_suspended": 0,
        "list_change": 0}
    heads = max(2, t // 12)
    admins = heads + 1
    young = _part(rng, t, 0.2)
    enrolled = _part(rng, t, 0.3)
    out["staff"] = {
        "heads": heads, "heads_qualified": _part(rng, heads, 0.8), "heads_deficit_diagnosed": _part(rng, heads, 0.6),
        "teachers": t, "teachers_young": young, "teachers_load_under_18": _part(rng, t, 0.1),
        "teachers_load_over_30": _part(rng, t, 0.08), "teachers_multi_subject": _part(rng, t, 0.2),
        "admins": admins, "admins_teaching": _part(rng, admins, 0.7),
        "teachers_deficit_diagnosed": _part(rng, t, 0.5), "teachers_method_events": _part(rng, t, 0.6),
        "teachers_contests": _part(rng, t, 0.1), "young_teachers_supported": _part(rng, young, 0.8),
        "teachers_vacancies": int(rng.integers(0, 3)), "teachers_profile_education": _part(rng, t, 0.9, 0.05),
        "gia_experts": _part(rng, t, 0.05), "teachers_upbringing_trained": _part(rng, t, 0.4),
        "teachers_higher_education": _part(rng, t, 0.85, 0.05), "teachers_top_category": _part(rng, t, 0.3),
        "teachers_courses": courses, "fl_course_enrolled": enrolled, "fl_course_passed": _part(rng, enrolled, 0.8)}
    g9, g11 = max(1, n // 11), max(1, n // 22)
    c9, c11 = _part(rng, g9, 0.97, 0.02), _part(rng, g11, 0.98, 0.01)
    spo9 = _part(rng, g9, 0.45)
    medal = _part(rng, c11, 0.1)
    profile = _part(rng, g11, 0.4)
    vuz = _part(rng, g11, 0.6, 0.1)
    out["graduates"] = {
        "grads_9": g9, "grads_9_certificate": c9, "grads_9_honours": _part(rng, c9, 0.05),
        "grads_9_spo": spo9, "grads_9_spo_profile": _part(rng, spo9, 0.6), "grads_11": g11,
        "grads_11_certificate": c11, "grads_11_medal": medal, "grads_11_honours_medal": medal,
        "grads_11_medal_ege_below70": _part(rng, medal, 0.3), "grads_11_profile_class": profile,
        "grads_11_profile_class_vuz": _part(rng, profile, 0.6), "grads_11_profile_subjects": _part(rng, g11, 0.6),
        "grads_11_vuz": vuz, "grads_11_vuz_region": _part(rng, vuz, 0.6), "grads_11_spo": min(g11 - vuz,
                                                                                             _part(rng, g11, 0.25)),
        "grads_11_admitted_profile": _part(rng, g11, 0.5)}
    primary = _part(rng, n, 0.36, 0.05)
    base = _part(rng, primary, 0.95, 0.02)
    out["primary_results"] = {"students_1_4": primary, "students_1_4_base": base,
                              "students_1_4_excellent": _part(rng, base, 0.15)}
    fl = {"students_1_4": primary, "fl_assessed": _part(rng, primary, 0.6)}
    for area, share in (("reading", 0.65), ("math", 0.55), ("science", 0.6), ("finance", 0.58)):
        assessed = _part(rng, n, 0.25)
        fl[f"{area}_assessed"], fl[f"{area}_success"] = assessed, _part(rng, assessed, share)
    out["func_literacy"] = fl
    return out


def _kindergarten(rng, org: dict, *, no_programme: bool) -> dict:
    children = int(org.get("students") or rng.integers(60, 260))
    pedagogues = max(3, children // 10)
    return {
        "programme_fgos": 1, "modern_environment": _flag(rng, 0.8), "family_work": 1, "children": children,
        "pedagogues": pedagogues, "pedagogues_higher_education": _part(rng, pedagogues, 0.6),
        "pedagogues_top_category": _part(rng, pedagogues, 0.3), "safe_conditions": _flag(rng, 0.95),
        "sanpin_conclusion": _flag(rng, 0.9), "parents_satisfied_95": _flag(rng, 0.7),
        "family_support": _flag(rng, 0.8), "development_programme": 0 if no_programme else 1,
        "projects": _flag(rng, 0.6)}


def collection_rows(orgs: Iterable[dict], years: Iterable[int], seed: int, *, shnor: Iterable[str] = ()
                    ) -> tuple[dict[str, list[dict]], dict]:
    """(dataset → rows, what was planted). `orgs`: registry rows (org_id, kind, municipality_id, students,
    teachers); `shnor`: the ШНОР/ШНСУ schools' codes."""
    orgs = sorted(orgs, key=lambda o: o["org_id"])
    municipalities = sorted({o["municipality_id"] for o in orgs})
    weak = municipalities[WEAK_CAREERS % len(municipalities)] if municipalities else None
    remote = municipalities[-1] if municipalities else None
    shnor = [code for code in sorted(shnor) if any(o["org_id"] == code for o in orgs)]
    no_courses = shnor[0] if shnor else None
    rng = np.random.default_rng([seed, 15])
    kindergartens = [o for o in orgs if o["kind"] == "kindergarten"]
    no_programme = {o["org_id"] for o in kindergartens if o["municipality_id"] == remote}
    no_programme |= {o["org_id"] for o in kindergartens if rng.random() < 0.08}
    rows: dict[str, list[dict]] = {name: [] for name in (*SCHOOL_FORMS, "form_preschool", "form_municipality",
                                                         "mm_federal")}
    for year in years:
        for org in orgs:
            if org["kind"] == "school":
                values = _school(rng, org, year, weak_careers=org["municipality_id"] == weak,
                                 shnor=org["org_id"] in shnor, no_courses=org["org_id"] == no_courses)
                for name, row in values.items():
                    rows[name].append({"year": year, "org_id": org["org_id"], **row})
            elif org["kind"] == "kindergarten":
                rows["form_preschool"].append({"year": year, "org_id": org["org_id"],
                                               **_kindergarten(rng, org, no_programme=org["org_id"] in no_programme)})
        for code in municipalities:
            rows["form_municipality"].append({
                "year": year, "municipality_id": code, "young_teachers_acts": _flag(rng, 0.8),
                "mentoring_programmes": _flag(rng, 0.75), "method_associations": 1,
                "shnor_events": int(rng.integers(1, 9)), "upbringing_programmes": int(rng.integers(1, 4)),
                "citizen_complaints_preschool": int(rng.integers(0, 4))})
            rows["mm_federal"].append({
                "year": year, "municipality_id": code,
                **{c: round(float(rng.uniform(0.45, 0.95)), 3) for c in
                   ("objectivity", "mechanisms", "preschool_availability", "preschool_ris_quality",
                    "functional_literacy")}})
    planted = {"weak_careers_municipality": weak, "kindergartens_without_programme": sorted(no_programme),
               "shnor_school_without_courses": no_courses}
    return rows, planted


def aggregated_results(orgs: Iterable[dict], years: Iterable[int], seed: int) -> list[dict]:
    """Results that reach the region already aggregated per school (`results_by_org.csv`): a regional
    diagnostic work (РДР) in grade 7, Russian and mathematics — the case of formats.md's aggregated file."""
    rng = np.random.default_rng([seed, 16])
    rows = []
    for year in years:
        for org in sorted((o for o in orgs if o["kind"] == "school"), key=lambda o: o["org_id"]):
            n = int(org.get("students") or 300)
            for subject in ("Русский язык", "Математика"):
                participants = max(3, int(n / 11 * rng.uniform(0.85, 1.0)))
                raw = rng.dirichlet([1.2, 4.0, 4.5, 2.3])
                shares = [round(float(x), 4) for x in raw]
                shares[1] = round(1 - shares[0] - shares[2] - shares[3], 4)
                mean = sum(mark * share for mark, share in zip((2, 3, 4, 5), shares, strict=True))
                rows.append({"year": year, "org_id": org["org_id"], "procedure": "РДР", "subject": subject,
                             "grade": 7, "participants": participants, "mean_score": round(mean, 3),
                             "share_2": shares[0], "share_3": shares[1], "share_4": shares[2],
                             "share_5": shares[3]})
    return rows
