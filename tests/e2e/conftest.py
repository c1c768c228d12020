"""Browser tests: Playwright (sync API) drives Debian's Chromium against the live server.

The browser is never downloaded: Playwright is pointed at the system Chromium, and the tests that
need it are skipped when it is not installed (CI installs it).

While Playwright's sync API is active, it marks an asyncio loop as running in the test's thread.
Django then refuses ORM calls there ("You cannot call this from an async context") and, worse,
hands out a different database connection (connections are context-local when a loop runs), one
without the serialized data that `serialized_rollback` restores. So in these tests:

* build the data with the factories *before* the first ``new_context()`` call, which is what
  starts the browser (pytest-django's setup and flush run before and after it, outside the loop);
* while the browser is open, read the database through ``orm(function)``, which runs the
  function in a short-lived thread of its own.
"""

import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000
PASSWORD = "test-pass-123"  # the factories' password


@pytest.fixture
def new_context(live_server) -> Iterator[Callable]:
    """Make isolated browser contexts (own cookies, pt-BR), one per person in the scenario.

    Chromium starts at the first call and stops when the test ends, before the database flush.
    """
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); e2e tests skipped")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    started: dict = {}

    def make(**options):
        if not started:
            started["playwright"] = sync_playwright().start()
            started["browser"] = started["playwright"].chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
        context = started["browser"].new_context(locale="pt-BR", **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        return context

    yield make
    if started:
        started["browser"].close()  # closes its contexts too
        started["playwright"].stop()


@pytest.fixture
def screenshots(request) -> Callable:
    """Save a full-page screenshot of each step: ``shot(page, "step")`` writes
    ``<rootdir>/var/test-output/e2e/<test name>/NN-step.png`` (var/ is git-ignored).

    The folder is emptied when the test starts, so it always holds the last run's steps.
    """
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    folder = request.config.rootpath / "var" / "test-output" / "e2e" / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    taken: list[Path] = []

    def shot(page, step: str) -> Path:
        path = folder / f"{len(taken) + 1:02d}-{re.sub(r'[^\w-]+', '-', step)}.png"
        page.screenshot(path=str(path), full_page=True)
        taken.append(path)
        return path

    shot.folder = folder
    shot.taken = taken
    return shot


def orm(function: Callable, *args, **kwargs):
    """Run a database function in a thread of its own (see the module's docstring); return its
    result or raise its exception."""
    from django.db import connections

    outcome: dict = {}

    def run() -> None:
        try:
            outcome["value"] = function(*args, **kwargs)
        except BaseException as error:
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name="e2e-orm")
    thread.start()
    thread.join(timeout=30)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def portal_login(page, base_url: str, username: str) -> None:
    """Log in through the portal's form (the header's language form comes first in the page)."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(re.escape(base_url) + r"/(\?.*)?$"))


def admin_login(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")
