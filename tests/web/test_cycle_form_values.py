"""No HTTP 500 on any cycle form value (issue 14, item 8): an organisation id out of the database's integer
range, negative or not a number is a form error in Russian, and nothing is saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from msoko.web.cycle.models import Measure, Recommendation
from tests.web.cycle_world import build

BAD = ["99999999999999999999999", "9223372036854775808", "-9223372036854775809", "1e309", "abc", "１２"]


@pytest.fixture
def cw(world):
    return build(world)


@pytest.mark.parametrize("value", BAD)
def test_an_out_of_range_organisation_in_a_measure_is_a_form_error(client, cw, value):
    client.force_login(cw.world.users["coordinator_a"])
    response = client.post(reverse("cycle-add", kwargs={"pk": cw.cycles["A"].pk, "kind": "measures"}),
                           {"title": "Курсы X", "start": "2025-09-01", "deadline": "2026-01-01", "responsible": "Петров",
                            "status": "planned", "organisations": [value]})
    assert response.status_code == 200
    assert "Выберите корректный вариант" in response.content.decode()
    assert not Measure.objects.filter(title="Курсы X").exists()


@pytest.mark.parametrize("value", BAD)
def test_an_out_of_range_organisation_in_a_recommendation_is_a_form_error(client, cw, value):
    client.force_login(cw.world.users["coordinator_a"])
    rec = Recommendation.objects.filter(organisation__isnull=False).first()
    if rec is None:
        pytest.skip("the cycle world has no recommendation")
    before = (rec.organisation_id, rec.text)
    response = client.post(reverse("cycle-edit", kwargs={"kind": "recommendations", "pk": rec.pk}),
                           {"organisation": value, "text": "Новый текст", "status": "draft"})
    assert response.status_code == 200
    assert "Выберите корректный вариант" in response.content.decode()
    rec.refresh_from_db()
    assert (rec.organisation_id, rec.text) == before
