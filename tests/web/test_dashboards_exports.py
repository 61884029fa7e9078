"""Exports that open right in Russian Excel: XLSX numbers are numeric cells, shares in a percent format,
Russian headers; the CSV for machines keeps dot decimals and fractions, the Excel CSV has decimal commas."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.web import dashboard_data
from tests.web.test_dashboards import stored


@pytest.fixture
def results(tmp_path, settings):
    return dashboard_data.install(tmp_path, settings)


def get(client, world, url):
    client.force_login(world.users["analyst"])
    response = client.get(url)
    assert response.status_code == 200
    return response.content


def test_xlsx_values_are_numbers_in_percent_format_under_russian_headers(client, world, results):
    body = get(client, world, reverse("indicator-export", kwargs={"code": "vpr_base", "fmt": "xlsx"}) + "?year=2026")
    sheet = load_workbook(io.BytesIO(body)).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Уровень", "Код", "Название"] and "Значение" in header
    assert all(any("а" <= ch.lower() <= "я" for ch in h) for h in header)  # every header Russian
    value_col = header.index("Значение")
    rows = list(sheet.iter_rows(min_row=2))
    assert rows
    by_code = {r[1].value: r for r in rows}
    region = by_code["77"]
    cell = region[value_col]
    assert isinstance(cell.value, float) and cell.value == pytest.approx(stored(results, "region", "77", "vpr_base"))
    assert cell.number_format == "0.0%"
    assert region[0].value == "регион"
    for r in rows:
        assert isinstance(r[value_col].value, float) and r[value_col].number_format == "0.0%"
        numerator = r[header.index("Числитель")]
        assert isinstance(numerator.value, float | int) and numerator.number_format == "0"
        low = r[header.index("Нижняя граница интервала")]
        assert low.value is None or (isinstance(low.value, float) and low.number_format == "0.0%")


def test_the_machine_csv_is_unchanged_and_the_excel_csv_has_decimal_commas(client, world, results):
    base = reverse("indicator-export", kwargs={"code": "vpr_base", "fmt": "csv"}) + "?year=2026"
    value = stored(results, "region", "77", "vpr_base")
    machine = list(csv.reader(io.StringIO(get(client, world, base).decode("utf-8-sig")), delimiter=";"))
    region = next(r for r in machine if r[1] == "77")
    assert float(region[6]) == pytest.approx(value) and "," not in region[6]
    excel = list(csv.reader(io.StringIO(get(client, world, base + "&decimal=comma").decode("utf-8-sig")), delimiter=";"))
    region = next(r for r in excel if r[1] == "77")
    assert "." not in region[6] and float(region[6].replace(",", ".")) == pytest.approx(value)
    assert region[1] == "77"  # codes stay as they are
