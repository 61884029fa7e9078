from __future__ import annotations

from msoko.engine.formula import compile_part, filter_condition, parse_formula

COLUMNS = {"mark": "int", "journal_mark": "int", "test_score": "int", "participants": "int", "mean_score": "number"}


def errors_of(text: str, **kwargs):
    formula, errors = parse_formula(text, COLUMNS, **kwargs)
    assert formula is None
    return errors


def test_it_accepts_a_share_and_splits_it_into_numerator_and_denominator():
    formula, errors = parse_formula("count_if(mark >= 3) / count(*)", COLUMNS)
    assert errors == []
    assert compile_part(formula.numerator) == 'COUNT_IF("mark" >= 3)'
    assert compile_part(formula.denominator) == "COUNT(*)"


def test_it_turns_a_mean_into_a_sum_over_a_count():
    formula, _ = parse_formula("avg(test_score)", COLUMNS)
    assert compile_part(formula.numerator) == 'SUM("test_score")'
    assert compile_part(formula.denominator) == 'COUNT("test_score")'


def test_it_rejects_a_forbidden_function_with_its_position():
    [error] = errors_of("count_if(mark >= 3)\n  / read_csv('/etc/passwd')")
    assert "функция «read_csv» не разрешена" in error.message
    assert (error.line, error.col) == (2, 5)


def test_it_rejects_a_subquery_with_its_position():
    [error] = errors_of("count(*) / (SELECT count(*) FROM vpr)")
    assert error.message == "подзапросы запрещены"
    assert (error.line, error.col) == (1, 13)


def test_it_rejects_an_unknown_column_with_its_position():
    [error] = errors_of("count_if(marks >= 3) / count(*)")
    assert "неизвестный столбец «marks»" in error.message
    assert (error.line, error.col) == (1, 10)


def test_it_rejects_a_statement():
    [error] = errors_of("DROP TABLE vpr")
    assert "не оператор SQL (DROP)" in error.message


def test_it_rejects_two_statements():
    [error] = errors_of("count(*); SELECT 1")
    assert "одним выражением" in error.message


def test_it_rejects_a_table_qualified_column():
    [error] = errors_of("sum(v.mark)")
    assert "ссылка на таблицу «v» запрещена" in error.message


def test_it_rejects_a_column_outside_an_aggregate():
    [error] = errors_of("mark")
    assert "внутри агрегатной функции" in error.message


def test_it_rejects_parts_that_cannot_be_summed_across_levels():
    [error] = errors_of("sum(mark) * sum(mark) / count(*)")
    assert "числитель должен быть суммой агрегатов" in error.message


def test_it_rejects_count_distinct():
    [error] = errors_of("count(DISTINCT mark)")
    assert "DISTINCT" in error.message


def test_it_reports_a_syntax_error_with_its_position():
    [error] = errors_of("sum(mark")
    assert error.line == 1 and error.message.startswith("формула не разбирается")


def test_a_share_must_be_a_fraction():
    [error] = errors_of("count(*)", needs_denominator=True)
    assert "дробью" in error.message


def test_filters_become_literals_in_a_filter_clause_and_compile_for_spark():
    formula, _ = parse_formula("count_if(mark = 2) / count(*)", COLUMNS)
    where = filter_condition({"subject": ("Математика'; DROP TABLE x; --",)}, {})
    duck = compile_part(formula.numerator, where=where)
    assert duck == "COUNT_IF(\"mark\" = 2) FILTER(WHERE \"subject\" IN ('Математика''; DROP TABLE x; --'))"
    spark = compile_part(formula.numerator, where=where, dialect="spark")
    # Spark's count_if counts 0 where no row has a known condition (DuckDB's gives NULL): written out
    assert spark.startswith("SUM(CASE WHEN (`mark` = 2) THEN 1 WHEN NOT (`mark` = 2) THEN 0 END) "
                            "FILTER(WHERE `subject` IN (")
