"""Collection benchmark: 1,000 organisations × one 100-field form, through Excel and through the views.

    python3 -m uv run python benchmarks/collection/run.py [--orgs 1000] [--fields 100] [--port 8103]

In a fresh workspace (under the temp folder): a registry of N schools in 10 municipalities, a workspace
catalog = the default one plus a dataset `bench_form` of F integer columns and its form (F fields, F/2 hard
checks, one soft check against last year), then

1. the Excel path: one template per municipality (openpyxl), filled, read back as a plan and applied
   (= `msoko forms submit`), then the region accepts all (= `msoko forms accept --all-submitted`, which
   publishes the dataset version);
2. the view path: a second campaign, each organisation's operator posts its form to the submit view
   (Django test client, the real view function, middleware included);
3. `msoko serve` on 127.0.0.1:PORT: 20 concurrent clients read the region's completeness page and
   operators their form pages; p50/p95 latencies.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def setup_workspace(home: Path, orgs: int, fields: int) -> None:
    from msoko.engine.catalog.load import DEFAULT_CATALOG

    shutil.copytree(DEFAULT_CATALOG, home / "catalog")
    catalog = yaml.safe_load((home / "catalog" / "catalog.yaml").read_text(encoding="utf-8"))
    columns = {f"v{i:03d}": "int" for i in range(fields)}
    catalog["datasets"].append({"name": "bench_form", "title": "Форма для замера", "columns": columns,
                                "labels": {c: f"Показатель формы № {i}" for i, c in enumerate(columns)}})
    (home / "catalog" / "catalog.yaml").write_text(yaml.safe_dump(catalog, allow_unicode=True), encoding="utf-8")
    codes = list(columns)
    form = {"code": "bench_form", "version": 1, "title": "Форма для замера", "dataset": "bench_form",
            "respondent": {"level": "organisation", "kinds": ["school"]},
            "sections": [{"title": f"Раздел {k + 1}", "fields": [{"code": c} for c in codes[k * 10:(k + 1) * 10]]}
                         for k in range((fields + 9) // 10)],
            "checks": [{"code": f"h{i}", "rule": f"{codes[i]} <= {codes[i + 1]}", "message": "часть больше целого"}
                       for i in range(0, fields - 1, 2)]
            + [{"code": "s0", "rule": f"abs({codes[1]} - prev({codes[1]})) <= 0.5 * prev({codes[1]})",
                "message": "сильное изменение", "kind": "soft"}]}
    (home / "catalog" / "forms" / "bench_form.v1.yaml").write_text(yaml.safe_dump(form, allow_unicode=True),
                                                                  encoding="utf-8")
    lines = ["org_id,name,kind,municipality_id,municipality_name,region_id,region_name"]
    for i in range(orgs):
        m = i % 10
        lines.append(f"b{i:05d},Школа № {i},school,bm{m:02d},Округ {m},br,Область замера")
    (home / "organisations.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def values_for(index: int, fields: int) -> dict[str, int]:
    return {f"v{i:03d}": 10 + index % 7 + i for i in range(fields)}  # non-decreasing: every hard check holds


def timed(label: str, fn):
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.1f} s", flush=True)
    return result, seconds


def excel_path(home: Path, fields: int) -> None:
    from datetime import date

    from openpyxl import load_workbook

    from msoko.web.collection import excel, services
    from msoko.web.collection.models import State

    campaign = services.open_campaign("bench_form", 2024, date(2030, 1, 1))
    templates = []

    def build():
        for m in range(10):
            respondents = list(campaign.respondents.filter(municipality__code=f"bm{m:02d}")
                               .select_related("organisation", "municipality"))
            templates.append(excel.build_template(campaign, respondents, home / f"t{m}.xlsx"))

    timed("Excel: 10 templates built", build)
    for path in templates:  # what people do: fill the sheet (not timed)
        wb = load_workbook(path)
        sheet = wb[excel.DATA_SHEET]
        codes = [c.value for c in sheet[2]]
        for row in sheet.iter_rows(min_row=3):
            index = int(row[0].value[1:])
            for code, value in values_for(index, fields).items():
                row[codes.index(code)].value = value
        wb.save(path)

    def submit_all():
        total = 0
        for path in templates:
            plan = excel.read_upload(path, campaign)
            assert plan.ok, plan.errors[:3]
            total += excel.apply_plan(plan, None, label="bench")
        return total

    count, seconds = timed("Excel: 1000 submissions read, checked and submitted", submit_all)
    assert count == campaign.respondents.count()
    chosen = list(campaign.respondents.filter(state=State.SUBMITTED).select_related("organisation",
                                                                                     "municipality", "campaign"))
    _, accept_seconds = timed("region accepts all and publishes", lambda: services.accept_many(chosen, None))
    print(f"  Excel import of all submissions (submit + accept/publish): {seconds + accept_seconds:.1f} s "
          "(target < 30 s)")


def view_path(fields: int) -> None:
    from datetime import date

    from django.test import Client
    from django.urls import reverse

    from msoko.web.accounts.models import User
    from msoko.web.accounts.roles import Role
    from msoko.web.collection import services
    from msoko.web.collection.models import State
    from msoko.web.registry.models import Organisation

    campaign = services.open_campaign("bench_form", 2025, date(2030, 1, 1))
    users = []
    for org in Organisation.objects.all():
        user = User(username=f"op-{org.code}", role=Role.SCHOOL_OPERATOR, organisation=org)
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users, batch_size=500)
    respondents = {r.organisation_id: r.pk for r in campaign.respondents.all()}
    client = Client(HTTP_HOST="127.0.0.1")

    def post_all():
        for user in User.objects.filter(role=Role.SCHOOL_OPERATOR).select_related("organisation"):
            client.force_login(user)
            data = {f"f_{k}": str(v) for k, v in values_for(int(user.organisation.code[1:]), fields).items()}
            data["j_s0"] = "замер"
            response = client.post(reverse("collection-submit", args=[respondents[user.organisation_id]]), data)
            assert response.status_code == 302

    timed("Views: 1000 operators post their forms to the submit view", post_all)
    assert campaign.respondents.filter(state=State.SUBMITTED).count() == len(respondents)
    return campaign


def _login(base: str, username: str, password: str):
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(base + "/accounts/login/", timeout=30).read()
    token = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    request = urllib.request.Request(base + "/accounts/login/", data=data.encode(), headers={"Referer": base})
    opener.open(request, timeout=30).read()
    return opener


def load(base: str, openers_paths: list[tuple], requests_each: int) -> tuple[float, float, int]:
    latencies: list[float] = []
    lock = threading.Lock()
    errors = []

    def client(opener, path):
        for _ in range(requests_each):
            started = time.perf_counter()
            try:
                with opener.open(base + path, timeout=60) as response:
                    response.read()
                    if response.status != 200:
                        errors.append(response.status)
            except Exception as exc:  # noqa: BLE001
                errors.append(str(exc))
            with lock:
                latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=client, args=pair) for pair in openers_paths]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    return statistics.median(latencies), latencies[int(0.95 * (len(latencies) - 1))], len(errors)


def http_path(home: Path, port: int, campaign_pk: int) -> None:
    from msoko.web.accounts.models import User
    from msoko.web.accounts.roles import Role
    from msoko.web.collection.models import Respondent
    from msoko.web.registry.models import Region

    admin = User(username="bench-region", role=Role.REGION_ADMIN, region=Region.objects.get())
    admin.set_password("bench-Пароль-1")
    admin.save()
    operators = list(User.objects.filter(role=Role.SCHOOL_OPERATOR).select_related("organisation")[:20])
    for user in operators:
        user.set_password("bench-Пароль-1")
        user.save()
    env = {**os.environ, "MSOKO_HOME": str(home)}
    server = subprocess.Popen([sys.executable, "-m", "msoko.cli", "serve", "--home", str(home), "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.5)
        region = [(_login(base, "bench-region", "bench-Пароль-1"), f"/collection/c/{campaign_pk}/") for _ in range(20)]
        load(base, region[:2], 2)  # warm-up
        p50, p95, errors = load(base, region, 10)
        print(f"Completeness page (region, 1000 respondents), 20 clients × 10: p50 {p50 * 1000:.0f} ms, "
              f"p95 {p95 * 1000:.0f} ms, errors {errors} (target p95 < 300 ms)")
        forms = []
        for user in operators:
            pk = Respondent.objects.get(campaign_id=campaign_pk, organisation=user.organisation).pk
            forms.append((_login(base, user.username, "bench-Пароль-1"), f"/collection/r/{pk}/"))
        load(base, forms[:2], 2)
        p50, p95, errors = load(base, forms, 10)
        print(f"Form page (100 fields, last year's values), 20 clients × 10: p50 {p50 * 1000:.0f} ms, "
              f"p95 {p95 * 1000:.0f} ms, errors {errors} (target p95 < 300 ms)")
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=1000)
    parser.add_argument("--fields", type=int, default=100)
    parser.add_argument("--port", type=int, default=8103)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="msoko-bench-collection-"))
    setup_workspace(home, args.orgs, args.fields)
    os.environ["MSOKO_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "msoko.web.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from msoko.core.workspace import Workspace
    from msoko.web.registry.importer import import_registry

    call_command("migrate", interactive=False, verbosity=0)
    import_registry(home / "organisations.csv", workspace=Workspace(home), file_name="organisations.csv")
    print(f"Workspace {home}: {args.orgs} schools, a {args.fields}-field form", flush=True)
    excel_path(home, args.fields)
    campaign = view_path(args.fields)
    http_path(home, args.port, campaign.pk)
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
