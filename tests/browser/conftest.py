"""Playwright (Python) driving Debian's Chromium against the live API, which serves /portal/.

Chromium comes from the system (`deploy/local/ensure_chromium.sh`), never from
`playwright install`. Without it these tests skip, loudly; under CI=true they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CLINICPAY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _chromium_missing_reason() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return (
            f"Chromium not found at {CHROMIUM}: the portal's browser tests did NOT run. "
            "Install it with deploy/local/ensure_chromium.sh (apt-get install chromium)."
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "The playwright package is not installed: the portal's browser tests did NOT run."
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    reason = _chromium_missing_reason()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        print(f"\n\n*** SKIPPING BROWSER TESTS: {reason} ***\n", flush=True)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class PageProblems:
    """Uncaught script errors and Content-Security-Policy refusals seen by a page: a test fails on any."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def watch(self, page) -> None:
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.on("console", self._console)

    def _console(self, message) -> None:
        text = message.text
        if "Content Security Policy" in text or (message.type == "error" and "Uncaught" in text):
            self.errors.append(f"console {message.type}: {text}")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def new_page(request, browser, api_url, artifacts_dir) -> Iterator:
    """`new_page(width=1280)` → a fresh page (its own session storage) in its own context.
    When the test fails, every open page is photographed into test-artifacts/screenshots/failed-*."""
    contexts = []
    problems = PageProblems()

    def make(width: int = 1280, height: int = 860):
        context = browser.new_context(
            viewport={"width": width, "height": height}, accept_downloads=True, base_url=api_url
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        context.on("page", problems.watch)
        page = context.new_page()
        return page

    yield make
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        folder = artifacts_dir / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        for i, context in enumerate(contexts):
            for j, page in enumerate(context.pages):
                try:
                    page.screenshot(path=str(folder / f"failed-{request.node.name}-{i}-{j}.png"), full_page=True)
                except Exception:
                    pass
    for context in contexts:
        context.close()
    assert not problems.errors, "the page reported errors:\n" + "\n".join(problems.errors)


@pytest.fixture
def screenshots(artifacts_dir: Path):
    folder = artifacts_dir / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def shot(page, name: str, full_page: bool = True) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return shot
