"""Dashboard latency: p50/p95 per page under concurrent clients on loopback, against `msoko serve`.

    python3 -m uv run python benchmarks/web/run.py                       # builds the demo region in a temp dir
    python3 -m uv run python benchmarks/web/run.py --home /tmp/dash-ws   # an existing demo workspace
    python3 -m uv run python benchmarks/web/run.py --clients 20 --requests 200 --json out.json

The server is the production one (`msoko serve`: gunicorn, one process per core unless `--workers`, each
warming its results cache at start). Each client is a thread with its own logged-in session and kept-alive
connection (the demo's regional analyst; `--user`), issuing requests back to back. The page URLs
are discovered from the home and region pages, so they are the demo region's first municipality and
organisation with data. One warm-up request per page first fills the per-run results cache (as the first
visitor of the morning would), then every page gets `--requests` requests spread over `--clients` clients.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

MSOKO = shutil.which("msoko") or str(Path(sys.executable).with_name("msoko"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server did not start on port {port}")


class Client:
    """One browser-like session: a kept-alive connection and its cookies (as a browser reuses its
    connection; opening one per request would measure the client more than the server)."""

    def __init__(self, base: str, user: str, password: str):
        self.address = urllib.parse.urlsplit(base)
        self.cookies: dict[str, str] = {}
        self.connection = self._connect()
        page = self.get("/accounts/login/")[1]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": user, "password": password})
        status, _, location = self._send("POST", "/accounts/login/", data, {
            "Content-Type": "application/x-www-form-urlencoded", "Referer": base + "/accounts/login/"})
        if status != 302 or "/accounts/login/" in location:
            raise SystemExit(f"login failed for {user}")

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.address.hostname, self.address.port, timeout=60)

    def _send(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):  # the server may close an idle kept-alive connection
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                content = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                self.connection = self._connect()
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, content.decode("utf-8", "replace"), response.headers.get("Location", "")

    def get(self, path: str) -> tuple[int, str]:
        status, text, _ = self._send("GET", path)
        return status, text


def discover(client: Client) -> dict[str, str]:
    home = client.get("/")[1]
    region = re.search(r'href="(/region/[^/"]+/)"', home).group(1)
    region_page = client.get(region)[1]
    municipality = re.search(r'href="(/municipality/[^/"]+/)\?', region_page).group(1)
    muni_page = client.get(municipality)[1]
    organisation = re.search(r'href="(/organisation/[^/"]+/)\?', muni_page).group(1)
    return {
        "home": "/",
        "region": region,
        "region (4 indicators, sorted)": region + "?ind=vpr_base&ind=vpr_quality&ind=vpr_fail&ind=oge_quality&sort=vpr_quality",
        "region (subject, grade)": region + "?subject=%D0%9C%D0%B0%D1%82%D0%B5%D0%BC%D0%B0%D1%82%D0%B8%D0%BA%D0%B0&grade=5",
        "municipality": municipality,
        "organisation": organisation,
        "indicator": "/indicator/vpr_base/",
        "indicator drill-down": "/indicator/vpr_base/?municipality=" + municipality.strip("/").split("/")[-1],
        "indicator export csv": "/indicator/vpr_base/export.csv",
        "indicator export xlsx": "/indicator/vpr_base/export.xlsx",
    }


def measure(clients: list[Client], path: str, requests: int) -> dict:
    times: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_client = max(1, requests // len(clients))

    def work(client: Client) -> None:
        nonlocal errors
        for _ in range(per_client):
            start = time.perf_counter()
            try:
                status, _ = client.get(path)
            except Exception:  # noqa: BLE001 — counted, the run goes on
                status = 0
            elapsed = time.perf_counter() - start
            with lock:
                times.append(elapsed)
                errors += status != 200

    started = time.perf_counter()
    with ThreadPoolExecutor(len(clients)) as pool:
        list(pool.map(work, clients))
    wall = time.perf_counter() - started
    times.sort()
    return {"requests": len(times), "errors": errors, "p50_ms": round(1000 * statistics.median(times), 1),
            "p95_ms": round(1000 * times[int(0.95 * (len(times) - 1))], 1),
            "max_ms": round(1000 * times[-1], 1), "per_second": round(len(times) / wall, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, help="an existing demo workspace (default: build one)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    parser.add_argument("--user", default="analyst")
    parser.add_argument("--workers", type=int, help="server processes (default: msoko serve's, one per core)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    home = args.home
    if home is None:
        home = Path(tempfile.mkdtemp(prefix="msoko-web-bench-")) / "ws"
        subprocess.run([MSOKO, "demo", "--no-serve", "--home", str(home)], check=True,
                       stdout=subprocess.DEVNULL)
    password = json.loads((home / "demo-logins.json").read_text(encoding="utf-8"))[args.user]
    port = free_port()
    workers = ["--workers", str(args.workers)] if args.workers else []
    server = subprocess.Popen([MSOKO, "serve", "--home", str(home), "--port", str(port), *workers],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(port)
        base = f"http://127.0.0.1:{port}"
        clients = [Client(base, args.user, password) for _ in range(args.clients)]
        pages = discover(clients[0])
        cold = {}
        for name, path in pages.items():
            start = time.perf_counter()
            clients[0].get(path)
            cold[name] = round(1000 * (time.perf_counter() - start), 1)
        results = {}
        print(f"{'page':34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'req/s':>7} {'errors':>6}  (first request ms)")
        for name, path in pages.items():
            r = measure(clients, path, args.requests)
            r["first_ms"], r["path"] = cold[name], path
            results[name] = r
            print(f"{name:34} {r['p50_ms']:8} {r['p95_ms']:8} {r['max_ms']:8} {r['per_second']:7} {r['errors']:6}  ({cold[name]})")
        load = [round(x, 2) for x in os.getloadavg()]
        print(f"load average after the run (other jobs on the machine included): {load}")
        if args.json:
            args.json.write_text(json.dumps({"clients": args.clients, "requests_per_page": args.requests,
                                             "load_average": load, "cpus": os.cpu_count(),
                                             "pages": results}, ensure_ascii=False, indent=1), encoding="utf-8")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
