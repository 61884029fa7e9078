"""The README's first command: `msoko demo` builds the region and serves it; re-running is safe."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def msoko(*args: str, home: Path, **kwargs) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("MSOKO_DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    return subprocess.Popen(
        [sys.executable, "-m", "msoko.cli", *args, "--home", str(home)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs,
    )


class Browser:
    """A cookie-keeping HTTP client that logs in through the real login form (CSRF included)."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.read().decode()

    def login(self, username: str, password: str) -> str:
        self.get("/accounts/login/")
        token = next(cookie.value for cookie in self.jar if cookie.name == "csrftoken")
        data = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
        request = urllib.request.Request(self.base + "/accounts/login/", data=data.encode(), headers={"Referer": self.base})
        with self.opener.open(request, timeout=10) as response:
            return response.read().decode()


@pytest.mark.slow
def test_msoko_demo_serves_the_region_and_every_demo_login_sees_its_scope(tmp_path):
    home, port = tmp_path / "ws", free_port()
    server = msoko("demo", "--port", str(port), home=home)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert server.poll() is None, server.stdout.read()
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("msoko demo did not start serving in 180 s")
        logins = json.loads((home / "demo-logins.json").read_text(encoding="utf-8"))
        region = Browser(base)
        page = region.login("region-admin", logins["region-admin"])
        assert "Синтетическая область" in page
        municipalities = re.findall(r'href="/municipality/([^/"]+)/"', page)
        assert len(set(municipalities)) >= 3

        coordinator = Browser(base)
        page = coordinator.login("coordinator", logins["coordinator"])
        own = set(re.findall(r'href="/municipality/([^/"]+)/"', page))
        assert len(own) == 1
        other = sorted(set(municipalities) - own)[0]
        with pytest.raises(urllib.error.HTTPError) as caught:
            coordinator.get(f"/municipality/{other}/")
        assert caught.value.code == 404
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    for username in ("admin", "region-admin", "analyst", "expert", "coordinator", "school"):
        assert username in output
        assert logins[username] in output


@pytest.mark.slow
def test_rerunning_the_demo_on_the_same_workspace_changes_nothing(tmp_path):
    home = tmp_path / "ws"
    first = msoko("demo", "--no-serve", home=home)
    assert first.wait(timeout=300) == 0, first.stdout.read()
    manifest = (home / "warehouse" / "manifest.json").read_text(encoding="utf-8")
    passwords = (home / "demo-logins.json").read_text(encoding="utf-8")
    second = msoko("demo", "--no-serve", home=home)
    assert second.wait(timeout=300) == 0, second.stdout.read()
    assert (home / "warehouse" / "manifest.json").read_text(encoding="utf-8") == manifest
    assert (home / "demo-logins.json").read_text(encoding="utf-8") == passwords
