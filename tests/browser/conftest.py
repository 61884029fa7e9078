"""Browser tests: Playwright driving Debian's Chromium (installed by .ci/run) against a live server.

Without Chromium they are skipped on a developer's machine and fail in CI (CI=true), so a missing
browser can never pass silently there.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.web.personas import world  # noqa: F401  (the fixture)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The user guide's screenshots are rewritten only on request (scripts/gen-docs sets SCREENSHOTS_DIR=docs/screenshots);
# an ordinary test run keeps its pictures in a temporary folder and leaves the work tree clean.
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or tempfile.mkdtemp(prefix="msoko-screenshots-"))
PERSONA_SCREENSHOTS = Path(tempfile.mkdtemp(prefix="msoko-persona-screenshots-"))

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by fixtures there
# are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium не установлен, а в CI браузерные тесты обязательны (apt-get install chromium)")
        pytest.skip("Chromium не установлен: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def login(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
