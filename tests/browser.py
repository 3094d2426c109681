"""Real headless Chromium (Debian's package) driven by Playwright, for pages people use.

Use the fixtures `browser` (session) and `phone_page` / `desktop_page` (per test) and
`shoot(page, name)` to keep screenshots under test-artifacts/ as test artifacts.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 900}
# Without these Chromium tries Google's hosts at start-up; this machine has no network.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session."""
    if not shutil.which(CHROMIUM):
        pytest.skip(f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls that
    # tests make between page actions are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=ARGS
        )
        yield chromium
        chromium.close()


def _page(browser, viewport, **options):
    context = browser.new_context(viewport=viewport, locale="id-ID", **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()
    # Every page a test visited ran under the site's CSP: nothing may have been refused.
    assert not violations, f"CSP violations: {violations}"


@pytest.fixture
def phone_page(browser):
    """A page at a cheap phone's viewport (360 x 740), touch enabled."""
    yield from _page(browser, PHONE, has_touch=True, is_mobile=True)


@pytest.fixture
def desktop_page(browser):
    """A page at a dispatcher's desktop viewport."""
    yield from _page(browser, DESKTOP, accept_downloads=True)


def shoot(page, name: str) -> Path:
    """Keep a full-page screenshot as a test artifact; returns its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
