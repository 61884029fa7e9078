"""The HTTP API: tokens, the scope of every resource per persona, 401/403/404, and the OpenAPI document."""

from __future__ import annotations

import pytest
from django.test import Client

from msoko.engine.results import EXPORT_COLUMNS, OPTIONAL_COLUMNS, ResultStore
from msoko.web.accounts import tokens
from tests.api.conftest import bearer
from tests.web.personas import PERSONAS, VISIBLE

ORG_KEYS = ("a1", "a2", "ka", "b1")


def get(client, url, user, **params):
    return client.get(url, params, **bearer(user))


def test_anonymous_and_bad_tokens_get_401(api_world):
    client = Client()
    for url in ("/api/v1/organisations", "/api/v1/indicators?level=region", "/api/v1/ratings"):
        assert client.get(url).status_code == 401
        assert client.get(url, HTTP_AUTHORIZATION="Bearer msoko_not-a-token").status_code == 401
    response = client.get("/api/v1/organisations")
    assert "Authorization" in response.json()["detail"]


def test_a_revoked_token_and_a_deactivated_users_token_stop_working(api_world):
    from msoko.web.accounts import services
    from msoko.web.accounts.models import ApiToken

    client = Client()
    user = api_world.users["coordinator_a"]
    raw = tokens.issue(user)
    header = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/organisations", **header).status_code == 200
    tokens.revoke(ApiToken.objects.get(digest=tokens.digest(raw)))
    assert client.get("/api/v1/organisations", **header).status_code == 401
    raw = tokens.issue(user)
    services.deactivate(user)
    assert client.get("/api/v1/organisations", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


@pytest.mark.parametrize("persona", PERSONAS)
def test_organisations_are_those_of_the_personas_scope(api_world, persona):
    client = Client()
    user = api_world.users[persona]
    codes = {row["id"] for row in get(client, "/api/v1/organisations", user).json()}
    expected = {api_world.organisations[key].code for key in ORG_KEYS if key in VISIBLE[persona]}
    assert codes == expected
    for key in ORG_KEYS:
        one = get(client, f"/api/v1/organisations/{api_world.organisations[key].code}", user)
        assert one.status_code == (200 if key in VISIBLE[persona] else 404)
        if one.status_code == 404:
            assert api_world.organisations[key].name not in one.content.decode()


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "no_role"])
def test_indicator_values_stay_inside_the_scope_and_match_the_store(api_world, persona, computed):
    client = Client()
    user = api_world.users[persona]
    seen = {}
    for level in ("organisation", "municipality", "region"):
        body = get(client, "/api/v1/indicators", user, level=level, limit=10000).json()
        assert body["count"] == len(body["results"])
        seen[level] = {row["id"] for row in body["results"]}
    assert seen["organisation"] == {api_world.organisations[k].code for k in ("a1", "a2", "b1")
                                    if k in VISIBLE[persona]}
    assert seen["municipality"] == {api_world.municipalities[k].code for k in ("A", "B") if k in VISIBLE[persona]}
    assert seen["region"] == {api_world.region.code}  # the comparison every page shows


def test_indicator_rows_are_those_of_msoko_export_indicators(api_world, computed):
    """The coordinator of A: exactly the store's rows of A's schools, with the export's columns."""
    client = Client()
    body = get(client, "/api/v1/indicators", api_world.users["coordinator_a"], level="organisation", year=2025,
               indicator="vpr_base", limit=10000).json()
    codes = {api_world.organisations[k].code for k in ("a1", "a2")}
    store = ResultStore(computed.results).indicator_values(level="organisation", year=2025, indicator="vpr_base")
    expected = [row for row in store.to_pylist() if row["id"] in codes]
    assert expected, "the fixture computed vpr_base for A's schools"
    columns = [*EXPORT_COLUMNS, *OPTIONAL_COLUMNS]
    assert [{c: r[c] for c in columns} for r in body["results"]] == [{c: r[c] for c in columns} for r in expected]


def test_paging_and_bad_parameters(api_world):
    client = Client()
    user = api_world.users["analyst"]
    whole = get(client, "/api/v1/indicators", user, level="organisation", limit=10000).json()
    part = get(client, "/api/v1/indicators", user, level="organisation", limit=5, offset=3).json()
    assert part["count"] == whole["count"] and part["results"] == whole["results"][3:8]
    assert get(client, "/api/v1/indicators", user, level="planet").status_code == 422
    assert get(client, "/api/v1/indicators", user, level="region", limit=0).status_code == 422
    assert get(client, "/api/v1/indicators", user, level="region", procedure="ВПР").json()["count"] >= 0
    assert get(client, "/api/v1/indicators", user).status_code == 422  # level is required, as in the CLI


def test_a_user_without_a_scope_gets_403(api_world):
    client = Client()
    assert get(client, "/api/v1/indicators", api_world.users["no_role"], level="region").status_code == 403
    assert get(client, "/api/v1/organisations", api_world.users["no_role"]).json() == []


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "no_role"])
def test_objectivity_risk_lists_and_ratings_stay_inside_the_scope(api_world, persona, computed):
    from msoko.engine.detection.store import DetectionResults
    from msoko.engine.ratings import Ratings

    client = Client()
    user = api_world.users[persona]
    orgs = {api_world.organisations[k].code for k in ORG_KEYS if k in VISIBLE[persona]}
    munis = {api_world.municipalities[k].code for k in ("A", "B") if k in VISIBLE[persona]}
    detection = DetectionResults.open(computed.results)
    risk = get(client, "/api/v1/risk-lists", user).json()
    assert len(risk) == detection.risk().filter(detection.risk()["org_id"].is_in(sorted(orgs))).height
    assert {row["org_id"] for row in risk} <= orgs
    objectivity = get(client, "/api/v1/objectivity", user).json()
    stored = detection.objectivity()
    assert len(objectivity) == stored.filter(stored["org_id"].is_in(sorted(orgs))).height
    ratings = get(client, "/api/v1/ratings", user).json()
    stored = Ratings.open(computed.results).ratings()
    assert len(ratings) == stored.filter(stored["municipality_id"].is_in(sorted(munis))).height
    assert {row["municipality_id"] for row in ratings} == (munis & set(stored["municipality_id"].to_list()))


def test_recompute_starts_a_job_polled_by_its_owner_only(api_world, computed):
    client = Client()
    coordinator = api_world.users["coordinator_a"]
    started = client.post("/api/v1/recompute", **bearer(coordinator))
    assert started.status_code == 202
    job = started.json()
    polled = get(client, job["url"], coordinator).json()
    # nothing changed since the fixture's run_all: the incremental run recomputes nothing and says so
    assert polled["status"] == "done" and polled["result"]["pipeline"]["plan"]["mode"] == "nothing"
    assert "пересчитывать нечего" in polled["result"]["summary"]
    assert get(client, job["url"], api_world.users["coordinator_b"]).status_code == 404
    assert client.post("/api/v1/recompute", **bearer(api_world.users["expert"])).status_code == 403


def test_an_upload_through_the_api_is_scoped_like_the_web(api_world, computed, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from msoko.core.workspace import Workspace
    from msoko.web.registry.importer import publish_registry

    settings.WORKSPACE = Workspace(tmp_path / "ws").ensure()
    publish_registry(settings.WORKSPACE)
    client = Client()
    operator = api_world.users["operator_a1"]
    other = api_world.organisations["b1"].code
    data = "year,org_id,participant,subject,grade,primary_score,mark,journal_mark\n" + "".join(
        f"2025,{other},X{i},Математика,5,{5 + i},3,4\n" for i in range(3))
    response = client.post("/api/v1/imports", {"kind": "results", "file": SimpleUploadedFile(
        "b1.csv", data.encode("utf-8"), content_type="text/csv")}, **bearer(operator))
    assert response.status_code == 202
    job = get(client, response.json()["url"], operator).json()
    assert job["status"] == "rejected"  # another school's rows: refused whole, as in the web
    bad = client.post("/api/v1/imports", {"kind": "results", "file": SimpleUploadedFile("x.exe", b"MZ")},
                      **bearer(operator))
    assert bad.status_code == 400 and ".exe" in bad.json()["detail"]
    assert get(client, "/api/v1/imports", api_world.users["expert"]).status_code == 403


def test_reports_start_poll_and_download_only_inside_the_scope(api_world, computed):
    client = Client()
    coordinator = api_world.users["coordinator_a"]
    outside = client.post("/api/v1/reports", {"scope": "municipality", "code": api_world.municipalities["B"].code},
                          content_type="application/json", **bearer(coordinator))
    assert outside.status_code == 404 and api_world.municipalities["B"].name not in outside.content.decode()
    started = client.post("/api/v1/reports", {"scope": "organisation", "code": api_world.organisations["a1"].code,
                                              "format": "xlsx"}, content_type="application/json",
                          **bearer(coordinator))
    assert started.status_code == 202
    job = get(client, started.json()["url"], coordinator).json()
    assert job["status"] == "done", job["result"]
    download = started.json()["result"]["download"]
    file = get(client, download, coordinator)
    assert file.status_code == 200 and b"".join(file.streaming_content)[:2] == b"PK"
    assert get(client, download, api_world.users["coordinator_b"]).status_code == 404


def test_the_openapi_document_and_the_docs_are_served_locally(api_world):
    client = Client()
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/organisations", "/api/v1/indicators", "/api/v1/objectivity", "/api/v1/risk-lists",
                 "/api/v1/ratings", "/api/v1/recompute", "/api/v1/imports", "/api/v1/reports",
                 "/api/v1/jobs/{job_id}"):
        assert path in schema["paths"], path
    assert "BearerToken" in schema["components"]["securitySchemes"]
    docs = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert "//" not in docs.split("swagger-ui-bundle.js")[0].rsplit('"', 1)[-1]  # a local path, no host
