"""One-mutation tests: a small valid catalog, one thing broken per test, the message asserted."""

from __future__ import annotations

from pathlib import Path

import pytest

from msoko.core.issues import has_errors
from msoko.engine.catalog import load_catalog

GOLDEN = """\
mechanisms:
  - {code: "1", name: Механизмы управления качеством образовательных результатов}
  - {code: "2", name: Механизмы управления качеством образовательной деятельности}
systems:
  - code: "1.1"
    mechanism: "1"
    name: Система оценки качества подготовки обучающихся
    tracks:
      - {code: objectivity, name: Объективность}
      - {code: key_characteristics, name: Ключевые характеристики}
  - {code: "2.2", mechanism: "2", name: Профессиональное развитие педагогов}
sources:
  - {id: golden_source, title: Нормативный документ}
datasets:
  - name: staff
    title: Кадры
    columns: {teachers: int, teachers_courses: int}
indicators:
  - code: vpr_base
    name: Доля результатов ВПР с отметкой «3» и выше
    system: "1.1"
    track: key_characteristics
    kind: share
    dataset: vpr
    formula: count_if(mark >= 3) / count(*)
    direction: higher_is_better
    source: golden_source
    filters: {subject: [Математика], grade: [4]}
    targets: [{value: 0.8, year: 2024}]
  - code: teachers_courses_share
    name: Доля педагогов, прошедших курсы
    system: "2.2"
    track: main
    kind: share
    dataset: staff
    formula: sum(teachers_courses) / sum(teachers)
    direction: higher_is_better
    source: golden_source
"""


def load(tmp_path: Path, text: str):
    path = tmp_path / "catalog.yaml"
    path.write_text(text, encoding="utf-8")
    return load_catalog(path)


def mutate(tmp_path: Path, old: str, new: str) -> list:
    assert GOLDEN.count(old) == 1, old
    catalog, issues = load(tmp_path, GOLDEN.replace(old, new))
    errors = [i for i in issues if i.is_error]
    assert len(errors) >= 1
    return errors


def test_the_golden_catalog_is_valid(tmp_path):
    catalog, issues = load(tmp_path, GOLDEN)
    assert not has_errors(issues), [i.format() for i in issues]
    assert [i.code for i in catalog.indicators] == ["vpr_base", "teachers_courses_share"]


def test_it_reports_a_yaml_syntax_error_with_its_line(tmp_path):
    [error] = mutate(tmp_path, "  - {id: golden_source, title: Нормативный документ}", "  - {id: golden_source")
    assert "синтаксиса YAML" in error.message and error.row is not None


def test_it_reports_a_missing_field_with_its_line(tmp_path):
    [error] = mutate(tmp_path, "    direction: higher_is_better\n    source: golden_source\n    filters",
                     "    source: golden_source\n    filters")
    assert error.message == "«vpr_base»: не указано обязательное поле «direction»"
    assert error.file == "catalog.yaml" and error.row == 19


def test_it_reports_an_unknown_field(tmp_path):
    [error] = mutate(tmp_path, "    kind: share\n    dataset: vpr", "    kind: share\n    colour: red\n    dataset: vpr")
    assert "неизвестное поле «colour»" in error.message and error.row == 24


def test_it_reports_a_wrong_enumeration_value(tmp_path):
    [error] = mutate(tmp_path, "    kind: share\n    dataset: vpr", "    kind: percent\n    unit: '%'\n    dataset: vpr")
    assert error.message.startswith("«vpr_base»: поле «kind»: недопустимое значение «percent»; допустимы: 'share'")
    assert error.column == "kind" and error.row == 23


def test_it_reports_a_duplicate_indicator_code(tmp_path):
    [error] = mutate(tmp_path, "  - code: teachers_courses_share", "  - code: vpr_base")
    assert error.message == "код показателя «vpr_base» повторяется" and error.row == 30


def test_it_reports_a_code_that_is_not_snake_case(tmp_path):
    [error] = mutate(tmp_path, "  - code: teachers_courses_share", "  - code: Teachers-Courses")
    assert "код «Teachers-Courses» должен состоять из строчных латинских букв" in error.message


def test_it_reports_a_system_in_an_unknown_mechanism(tmp_path):
    [error] = mutate(tmp_path, '{code: "2.2", mechanism: "2"', '{code: "2.2", mechanism: "3"')
    assert error.message == "система 2.2: неизвестный механизм «3»"


def test_it_reports_a_system_numbered_outside_its_mechanism(tmp_path):
    [error] = mutate(tmp_path, '{code: "2.2", mechanism: "2"', '{code: "2.2", mechanism: "1"')
    assert "система 2.2 не может входить в механизм 1" in error.message


def test_it_reports_an_unknown_system(tmp_path):
    [error] = mutate(tmp_path, '    system: "2.2"', '    system: "2.9"')
    assert error.message == "показатель «teachers_courses_share»: неизвестная система «2.9»"
    assert error.column == "system" and error.row == 32


def test_it_reports_an_unknown_track(tmp_path):
    [error] = mutate(tmp_path, "    track: key_characteristics", "    track: balance")
    assert "в системе 1.1 нет трека «balance»; есть: objectivity, key_characteristics" in error.message


def test_it_reports_an_unknown_source(tmp_path):
    [error] = mutate(tmp_path, "    source: golden_source\n    filters", "    source: nowhere\n    filters")
    assert "неизвестный нормативный источник «nowhere»" in error.message


def test_it_reports_an_empty_passport_field(tmp_path):
    [error] = mutate(tmp_path, "    name: Доля педагогов, прошедших курсы", '    name: ""')
    assert error.message == "показатель «teachers_courses_share»: не заполнено поле паспорта «наименование»"


def test_it_reports_a_dataset_that_shadows_a_builtin_one(tmp_path):
    errors = mutate(tmp_path, "  - name: staff\n", "  - name: vpr\n")
    assert any("набор данных «vpr» встроен в систему" in e.message for e in errors)


def test_it_reports_an_unknown_dataset(tmp_path):
    [error] = mutate(tmp_path, "    dataset: staff", "    dataset: staffing")
    assert "неизвестный набор данных «staffing»" in error.message and error.column == "dataset"


def test_it_reports_a_forbidden_function_in_a_formula_with_its_position(tmp_path):
    [error] = mutate(tmp_path, "formula: count_if(mark >= 3) / count(*)",
                     "formula: count_if(mark >= 3) / count(*) + pg_sleep(1)")
    assert error.message.startswith("показатель «vpr_base»: формула, строка 1, позиция 34: функция «pg_sleep»")
    assert error.column == "formula" and error.row == 25


def test_it_reports_a_subquery_in_a_formula_with_its_position(tmp_path):
    [error] = mutate(tmp_path, "formula: count_if(mark >= 3) / count(*)",
                     "formula: count_if(mark >= 3) / (SELECT count(*) FROM vpr)")
    assert "формула, строка 1, позиция 24: подзапросы запрещены" in error.message


def test_it_reports_an_unknown_column_in_a_formula_with_its_position(tmp_path):
    [error] = mutate(tmp_path, "formula: sum(teachers_courses) / sum(teachers)",
                     "formula: sum(teachers_courses) / sum(teacher)")
    assert "формула, строка 1, позиция 29: неизвестный столбец «teacher»" in error.message


def test_it_reports_a_share_whose_formula_is_not_a_fraction(tmp_path):
    [error] = mutate(tmp_path, "formula: sum(teachers_courses) / sum(teachers)", "formula: sum(teachers_courses)")
    assert "должна быть дробью" in error.message


def test_it_reports_a_filter_the_dataset_cannot_apply(tmp_path):
    [error] = mutate(tmp_path, "sum(teachers)\n    direction: higher_is_better\n",
                     "sum(teachers)\n    direction: higher_is_better\n    filters: {grade: [9]}\n")
    assert "фильтр «grade» невозможен: в наборе «staff» нет столбца grade" in error.message


def test_it_reports_an_unknown_organisation_kind(tmp_path):
    [error] = mutate(tmp_path, "filters: {subject: [Математика], grade: [4]}",
                     "filters: {subject: [Математика], grade: [4], org_kind: [lyceum]}")
    assert "неизвестный вид организации «lyceum»" in error.message


def test_it_reports_a_procedure_the_dataset_does_not_hold(tmp_path):
    [error] = mutate(tmp_path, "filters: {subject: [Математика], grade: [4]}",
                     "filters: {subject: [Математика], grade: [4], procedure: [ОГЭ]}")
    assert "набор «vpr» не содержит результатов процедуры ОГЭ" in error.message


def test_it_reports_a_share_target_written_in_percent(tmp_path):
    [error] = mutate(tmp_path, "targets: [{value: 0.8, year: 2024}]", "targets: [{value: 80, year: 2024}]")
    assert "целевое значение доли 80 вне диапазона 0…1" in error.message


def test_it_reports_a_target_given_twice(tmp_path):
    [error] = mutate(tmp_path, "targets: [{value: 0.8, year: 2024}]",
                     "targets: [{value: 0.8, year: 2024}, {value: 0.9, year: 2024}]")
    assert "цель на 2024 для уровня любой задана 2 раза" in error.message


def test_a_crashing_rule_becomes_an_issue_not_a_traceback(tmp_path, monkeypatch):
    from msoko.engine.catalog import validate

    def broken(catalog):
        raise RuntimeError("boom")

    monkeypatch.setattr(validate, "RULES", [broken])
    catalog, issues = load(tmp_path, GOLDEN)
    assert [i.message for i in issues] == ["правило проверки broken завершилось сбоем: RuntimeError: boom"]


@pytest.mark.parametrize("rule", ["codes_are_unique", "indicator_codes_are_snake_case",
                                  "systems_belong_to_known_mechanisms", "indicators_name_a_known_system_and_track",
                                  "indicators_cite_a_known_source", "passports_are_complete",
                                  "declared_datasets_do_not_shadow_builtin_ones", "indicators_read_a_known_dataset",
                                  "formulas_are_allowed_aggregates", "filters_fit_the_dataset",
                                  "share_targets_are_fractions", "targets_are_not_repeated"])
def test_every_rule_has_a_mutation_test_here(rule):
    from msoko.engine.catalog.validate import RULES

    assert rule in {r.__name__ for r in RULES}
    assert len(RULES) == 12  # a new rule needs a new mutation test above
