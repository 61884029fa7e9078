"""The Excel round-trip: exactly the values typed come back; a foreign or tampered template changes nothing."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from msoko.web.collection import excel, services
from msoko.web.collection.models import Revision, State


@pytest.fixture
def campaign(world):
    return services.open_campaign("form_upbringing", 2041, date.today() + timedelta(days=10),
                                  municipalities=["mun-A"])


def _template(campaign, tmp_path):
    respondents = list(campaign.respondents.select_related("organisation", "municipality"))
    return excel.build_template(campaign, respondents, tmp_path / "t.xlsx")


def _fill(path, values: dict[str, dict], out):
    wb = load_workbook(path)
    sheet = wb[excel.DATA_SHEET]
    codes = [c.value for c in sheet[2]]
    for row in sheet.iter_rows(min_row=3):
        unit = row[0].value
        for code, value in values.get(unit, {}).items():
            row[codes.index(code)].value = value
    wb.save(out)
    return out


def test_template_layout_metadata_and_protection(campaign, tmp_path):
    path = _template(campaign, tmp_path)
    wb = load_workbook(path)
    sheet = wb[excel.DATA_SHEET]
    codes = [c.value for c in sheet[2]]
    assert codes[0] == "org_id" and codes[-1] == excel.JUSTIFICATION
    form = campaign.form.form()
    assert codes[2:-1] == [f.code for f in form.fields]
    assert sheet["C1"].value.startswith(form.fields[0].label)
    assert sorted(sheet.cell(row=r, column=1).value for r in (3, 4)) == ["edu100001", "edu100002"]
    assert sheet.protection.sheet and sheet["A3"].protection.locked and not sheet["C3"].protection.locked
    flag_col = codes.index("sport_club") + 1
    lists = [dv for dv in sheet.data_validations.dataValidation if dv.type == "list"]
    assert any(f"{sheet.cell(row=3, column=flag_col).coordinate}" in str(dv.sqref) for dv in lists)
    assert wb[excel.META_SHEET].sheet_state == "veryHidden"
    meta = json.loads(wb[excel.META_SHEET]["B1"].value)
    assert (meta["campaign"], meta["form"], meta["version"]) == (campaign.pk, "form_upbringing", 1)


def test_round_trip_gives_exactly_the_values_typed(campaign, tmp_path, world):
    path = _template(campaign, tmp_path)
    typed = {"edu100001": {"students": 412, "volunteers": 37, "sport_club": "да", "school_theatre": "нет",
                           "spt_participated": "да", "spt_eligible": 200, "spt_students": 188},
             "edu100002": {"students": 950, "volunteer_groups": 3}}
    filled = _fill(path, typed, tmp_path / "filled.xlsx")
    plan = excel.read_upload(filled, campaign, world.users["coordinator_a"])
    assert plan.ok, plan.errors
    changes = {row.respondent.unit_code: row.changes for row in plan.rows}
    assert changes["edu100001"]["students"] == [None, 412] and changes["edu100002"]["students"] == [None, 950]
    assert excel.apply_plan(plan, world.users["coordinator_a"]) == 2
    a1 = campaign.respondents.get(organisation__code="edu100001")
    assert a1.state == State.SUBMITTED
    assert a1.values == {"students": 412, "volunteers": 37, "sport_club": 1, "school_theatre": 0,
                         "spt_participated": 1, "spt_eligible": 200, "spt_students": 188}
    assert campaign.respondents.get(organisation__code="edu100002").values == {"students": 950,
                                                                               "volunteer_groups": 3}
    # the next template carries the values back, and reading it unchanged changes nothing
    again = _template(campaign, tmp_path)
    plan = excel.read_upload(again, campaign, world.users["coordinator_a"])
    assert plan.ok and all(row.changes == {} for row in plan.rows)


def test_a_hard_check_in_the_sheet_names_sheet_and_cells_and_saves_nothing(campaign, tmp_path, world):
    path = _template(campaign, tmp_path)
    filled = _fill(path, {"edu100001": {"students": 100, "volunteers": 150},
                          "edu100002": {"students": "много"}}, tmp_path / "bad.xlsx")
    plan = excel.read_upload(filled, campaign, world.users["coordinator_a"])
    assert not plan.ok
    text = "\n".join(plan.errors)
    sheet = load_workbook(path)[excel.DATA_SHEET]
    codes = [c.value for c in sheet[2]]
    line = {sheet.cell(row=r, column=1).value: r for r in (3, 4)}
    letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    assert f"лист «Данные», ячейка {letter[codes.index('students')]}{line['edu100002']}" in text
    assert f"{letter[codes.index('volunteers')]}{line['edu100001']}" in text and "volunteers_le" in text
    with pytest.raises(services.Refused):
        excel.apply_plan(plan, world.users["coordinator_a"])
    assert not Revision.objects.filter(respondent__campaign=campaign).exists()


def _tamper_meta(path, out, change):
    wb = load_workbook(path)
    meta = json.loads(wb[excel.META_SHEET]["B1"].value)
    change(meta)
    wb[excel.META_SHEET]["B1"].value = json.dumps(meta, ensure_ascii=False, sort_keys=True)
    wb.save(out)
    return out


def test_foreign_and_tampered_templates_are_refused_and_nothing_changes(campaign, tmp_path, world):
    user = world.users["coordinator_a"]
    other = services.open_campaign("form_upbringing", 2042, date.today() + timedelta(days=10),
                                   municipalities=["mun-A"])
    path = _fill(_template(campaign, tmp_path), {"edu100001": {"students": 10}}, tmp_path / "ok.xlsx")
    assert excel.read_upload(path, campaign, user).ok

    foreign = excel.read_upload(path, other, user)
    assert not foreign.ok and "другой кампании" in foreign.errors[0]

    forged = _tamper_meta(path, tmp_path / "forged.xlsx", lambda m: m.update(campaign=other.pk))
    assert "изменены" in excel.read_upload(forged, other, user).errors[0]

    extra_unit = _tamper_meta(path, tmp_path / "units.xlsx", lambda m: m["units"].append("edu200001"))
    assert "изменены" in excel.read_upload(extra_unit, campaign, user).errors[0]

    wb = load_workbook(path)
    wb[excel.DATA_SHEET]["C2"].value = "gifted"
    wb.save(tmp_path / "codes.xlsx")
    assert "коды столбцов" in excel.read_upload(tmp_path / "codes.xlsx", campaign, user).errors[0]

    wb = load_workbook(path)
    for cell in (wb[excel.DATA_SHEET]["A3"], wb[excel.DATA_SHEET]["A4"]):
        if cell.value == "edu100001":
            cell.value = "edu200001"  # a key cell changed to another municipality's school
    wb.save(tmp_path / "key.xlsx")
    assert "ключевые ячейки" in excel.read_upload(tmp_path / "key.xlsx", campaign, user).errors[0]

    (tmp_path / "not.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    assert not excel.read_upload(tmp_path / "not.xlsx", campaign, user).ok

    assert set(campaign.respondents.values_list("state", flat=True)) == {State.NOT_STARTED}
    assert not Revision.objects.filter(respondent__campaign__in=[campaign, other]).exists()


def test_an_operator_may_submit_only_its_own_row(campaign, tmp_path, world):
    path = _fill(_template(campaign, tmp_path), {"edu100002": {"students": 10}}, tmp_path / "x.xlsx")
    plan = excel.read_upload(path, campaign, world.users["operator_a1"])
    assert not plan.ok and "нет права" in plan.errors[0]
