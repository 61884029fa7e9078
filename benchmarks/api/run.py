"""`/api/v1/indicators` for a municipality under 20 concurrent clients, against a real `msoko serve`.

    python3 -m uv run python benchmarks/api/run.py [--home /tmp/msoko-bench-api] [--port 8106]
           [--clients 20] [--requests 25]

Builds the demo region once into --home (`msoko demo --no-serve`), creates one municipal coordinator per
client (each with its own token: the rate limit is per user) bound to the demo municipality, starts
`msoko serve` (gunicorn, one worker per core), warms each worker, then every client thread asks
`GET /api/v1/indicators?level=organisation&year=<latest>` (the municipality's organisations, every
indicator, pooled rows) `--requests` times with a new connection each time (the first answer of each
client is parsed and its rows counted; the others only read). Prints p50/p95/max
latency, the throughput, the rows per answer and the machine's load. Target: p95 < 200 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path


def msoko(home: Path, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([sys.executable, "-m", "msoko.cli", *args, "--home", str(home)], capture_output=True,
                          text=True, input=stdin, env=os.environ | {"MSOKO_HOME": str(home)})
    if done.returncode != 0:
        raise SystemExit(f"msoko {' '.join(args)}: {done.stderr}")
    return done.stdout


def demo_municipality(home: Path) -> str:
    code = ("import django; django.setup(); from msoko.web.demo_users import demo_municipality; "
            "print(demo_municipality().code)")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env=os.environ | {"MSOKO_HOME": str(home),
                                            "DJANGO_SETTINGS_MODULE": "msoko.web.settings"}).stdout.strip()


def tokens(home: Path, municipality: str, clients: int) -> list[str]:
    listed = msoko(home, "users", "list")
    out = []
    for i in range(clients):
        name = f"bench-api-{i:02d}"
        if not any(line.startswith(name + "\t") for line in listed.splitlines()):
            msoko(home, "users", "add", name, "--role", "municipal_coordinator", "--scope", municipality)
        out.append(msoko(home, "users", "token", name, "--label", "benchmarks/api").strip().splitlines()[-1])
    return out


def wait_for(port: int, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=5)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start") from None
            time.sleep(0.5)


def call(port: int, path: str, token: str, parse: bool = False) -> tuple[float, int, int]:
    started = time.perf_counter()
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    con.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    response = con.getresponse()
    body = response.read()
    con.close()
    elapsed = time.perf_counter() - started
    # the client shares the 2 cores with the server: it parses one answer per client, not every one
    rows = len(json.loads(body)["results"]) if parse and response.status == 200 else len(body)
    return elapsed, response.status, rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path, default=Path("/tmp/msoko-bench-api"))
    parser.add_argument("--port", type=int, default=8106)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=25)
    args = parser.parse_args()
    home = args.home.resolve()
    if not (home / "results").exists():
        print("building the demo region…", flush=True)
        msoko(home, "demo", "--no-serve")
    municipality = demo_municipality(home)
    keys = tokens(home, municipality, args.clients)
    server = subprocess.Popen([sys.executable, "-m", "msoko.cli", "serve", "--home", str(home), "--port",
                               str(args.port)], env=os.environ | {"MSOKO_HOME": str(home)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(args.port)
        probe = json.loads(urllib.request.urlopen(urllib.request.Request(
            f"http://127.0.0.1:{args.port}/api/v1/indicators?level=municipality&limit=10000",
            headers={"Authorization": f"Bearer {keys[0]}"})).read())
        year = max(row["year"] for row in probe["results"])
        path = f"/api/v1/indicators?level=organisation&year={year}&limit=10000"
        for key in keys[:4]:  # warm both workers' snapshot
            call(args.port, path, key)
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        rows: set[int] = set()
        lock = threading.Lock()

        def client(token: str) -> None:
            for i in range(args.requests):
                elapsed, status, count = call(args.port, path, token, parse=i == 0)
                with lock:
                    latencies.append(elapsed)
                    statuses[status] = statuses.get(status, 0) + 1
                    rows.add(count)

        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(key,)) for key in keys]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        load_after = os.getloadavg()[0]
    finally:
        server.terminate()
        server.wait(timeout=30)
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(f"municipality {municipality}, year {year}: {args.clients} clients × {args.requests} requests")
    print(f"statuses {statuses}; rows per answer / bytes {sorted(rows)}")
    print(f"p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
          f"max {latencies[-1] * 1000:.0f} ms; {len(latencies) / wall:.0f} requests/s")
    print(f"load average (1 min) {load_before:.1f} before, {load_after:.1f} after; {os.cpu_count()} cores")
    print("target p95 < 200 ms:", "met" if p95 < 0.2 else "NOT met")


if __name__ == "__main__":
    main()
