"""Form definitions: the default forms cover the catalog, checks block or ask for a justification, versions map."""

from __future__ import annotations

from pathlib import Path

import yaml

from msoko.engine.catalog import default_catalog
from msoko.engine.catalog.validate import dataset_specs, indicator_formula
from msoko.engine.forms import check_values, default_forms, load_forms
from msoko.engine.forms.migrate import migrate

DECLARED = ("form_talents", "form_careers", "form_upbringing", "form_preschool", "form_shnor",
            "form_municipality", "staff", "graduates", "primary_results", "func_literacy", "mm_federal")


def _form(code):
    return next(f for f in default_forms() if f.code == code)


def test_a_default_form_for_each_dataset_covers_every_column_its_indicators_use():
    catalog = default_catalog()
    specs = dataset_specs(catalog)
    forms = {f.dataset: f for f in default_forms()}
    assert set(DECLARED) <= set(forms)
    for indicator in catalog.indicators:
        if indicator.dataset not in DECLARED:
            continue
        formula, errors = indicator_formula(indicator, specs[indicator.dataset])
        assert formula is not None, errors
        missing = formula.columns() - forms[indicator.dataset].columns_filled() - {"year", "org_id",
                                                                                   "municipality_id"}
        assert not missing, (indicator.code, missing)


def test_hard_check_blocks_and_names_the_fields():
    checked = check_values(_form("form_talents"), {"students": "100", "olymp_participants": "10",
                                                   "olymp_winners": "11"})
    assert not checked.can_submit
    assert [f.code for f in checked.hard] == ["winners_le_participants"]
    assert checked.hard[0].fields == ("olymp_participants", "olymp_winners")
    assert any("olymp_winners" in line for line in checked.blocking())
    assert "Победителей" in checked.messages()["olymp_winners"][0]


def test_soft_check_needs_a_justification():
    form = _form("form_talents")
    raw = {"students": "200", "olymp_participants": "10", "olymp_winners": "3"}
    prev = {"students": 100}  # +100 % against last year
    checked = check_values(form, raw, prev=prev)
    assert [f.code for f in checked.unjustified] == ["students_change"] and not checked.can_submit
    checked = check_values(form, raw, prev=prev, justifications={"students_change": "   "})
    assert not checked.can_submit
    checked = check_values(form, raw, prev=prev, justifications={"students_change": "Присоединили филиал"})
    assert checked.can_submit and [f.code for f in checked.soft] == ["students_change"]
    # within 30 %: nothing to justify; no previous value: the rule is unknown and holds
    assert check_values(form, raw, prev={"students": 180}).can_submit
    assert check_values(form, raw).can_submit


def test_field_rules_types_ranges_required():
    checked = check_values(_form("form_preschool"), {"children": "-1", "development_programme": "может быть",
                                                     "pedagogues": "10,5"})
    assert set(checked.field_errors) == {"children", "development_programme", "pedagogues"}


def test_roster_counts_fill_columns_and_refuse_names():
    form = _form("form_talents")
    rows = [{"code": "W-1", "subject": "Математика", "stage": "региональный"},
            {"code": "W-2", "subject": "Физика", "stage": "школьный"},
            {"code": "W-3", "subject": "Химия", "stage": "заключительный"}]
    checked = check_values(form, {"olymp_participants": "5"}, rosters={"olymp_winners_list": rows})
    assert (checked.values["olymp_winners"], checked.values["olymp_regional_winners"]) == (3, 2)
    named = check_values(form, {"olymp_participants": "5"},
                         rosters={"olymp_winners_list": [{"code": "Иванов Иван", "stage": "школьный"}]})
    assert named.roster_errors and not named.can_submit


def _write(folder: Path, name: str, doc: dict) -> None:
    (folder / name).write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


def test_new_version_must_map_old_fields_and_migrates_values(tmp_path):
    v1 = {"code": "f", "version": 1, "title": "Ф", "dataset": "form_municipality",
          "respondent": {"level": "municipality"},
          "sections": [{"title": "А", "fields": [{"code": "shnor_events"}, {"code": "upbringing_programmes"}]}]}
    v2 = {**v1, "version": 2,
          "sections": [{"title": "А", "fields": [{"code": "method_associations"}, {"code": "upbringing_programmes"}]}]}
    _write(tmp_path, "f.v1.yaml", v1)
    _write(tmp_path, "f.v2.yaml", v2)
    _, issues = load_forms(tmp_path, default_catalog())
    assert any("replaces" in i.message for i in issues)
    _write(tmp_path, "f.v2.yaml", {**v2, "replaces": {"version": 1, "fields": {"upbringing_programmes": None}}})
    _, issues = load_forms(tmp_path, default_catalog())
    assert any("shnor_events" in i.message and "без сопоставления" in i.message for i in issues)
    _write(tmp_path, "f.v2.yaml", {**v2, "replaces": {"version": 1, "fields": {"shnor_events": None}}})
    forms, issues = load_forms(tmp_path, default_catalog())
    assert [i for i in issues if i.is_error] == []
    new = next(f for f in forms if f.version == 2)
    assert migrate({"shnor_events": 4, "upbringing_programmes": 2}, 1, new, forms) == {"upbringing_programmes": 2}


def test_a_check_over_an_unknown_field_is_refused(tmp_path):
    doc = {"code": "g", "version": 1, "title": "Г", "dataset": "form_municipality",
           "respondent": {"level": "municipality"},
           "sections": [{"title": "А", "fields": [{"code": "shnor_events"}]}],
           "checks": [{"code": "c", "rule": "shnor_events <= teachers", "message": "м"},
                      {"code": "d", "rule": "sum(shnor_events) > 0", "message": "м"}]}
    _write(tmp_path, "g.v1.yaml", doc)
    forms, issues = load_forms(tmp_path, default_catalog())
    assert forms == []
    text = " ".join(i.message for i in issues)
    assert "teachers" in text and "sum" in text
