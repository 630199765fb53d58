"""Browser tests: Playwright for Python drives Debian's chromium against a live server.

Everything here is skipped, with the reason printed, when Playwright, chromium, the built
assets or axe-core are missing, so ``make test`` passes on a laptop without a browser
(with ``KOPA_E2E_REQUIRED=1``, as in CI, they fail instead).

- ``visit(page, path)`` opens a page, checks that the app's own Content-Security-Policy is in
  force and runs axe-core on it; ``axe_check(page)`` runs axe on what the page shows now.
- ``snap(page, name)`` saves full-page screenshots at phone and desktop width in
  ``tests/e2e/screenshots/`` (git-ignored).
- ``open_page(user=None)`` opens a browser tab of its own (own cookies), signed in as ``user``.
- Every tab fails its test on a JavaScript error, a CSP violation or a broken asset.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.browser import AXE_JS, BUILD, DESKTOP, E2E_DIR, FINDINGS, SCREENSHOTS

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Response

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
# Playwright's default is 30 s; the CI machine is small and shared, but a page that needs
# more than this is a bug worth seeing.
TIMEOUT_MS = 15_000


def missing_requirement() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (.venv/bin/pip install -e '.[dev]')"
    if not shutil.which("chromium"):
        return "no chromium on PATH (Debian: apt-get install chromium)"
    if not ((BUILD / "kopa.js").exists() and (BUILD / "kopa-styles.css").exists()):
        return "the browser assets are not built: run make assets"
    if not AXE_JS.exists():
        return "axe-core is not installed in node_modules: run make assets"
    return None


def _in_e2e(item: pytest.Item) -> bool:
    return E2E_DIR in Path(str(item.path)).resolve().parents


def pytest_report_header(config: pytest.Config) -> list[str]:
    reason = missing_requirement()
    if reason:
        return [f"kopa e2e: skipped: {reason}"]
    return [f"kopa e2e: chromium at {shutil.which('chromium')}, screenshots in {SCREENSHOTS}"]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Browser tests run last: the sync Playwright API keeps an event loop open on the main
    # thread while the browser lives, which async tests running after them would trip on.
    e2e = [item for item in items if _in_e2e(item)]
    if not e2e:
        return
    reason = missing_requirement()
    required = os.environ.get("KOPA_E2E_REQUIRED", "") not in ("", "0")
    for item in e2e:
        item.add_marker(pytest.mark.e2e)
        if reason and required:
            item.add_marker(pytest.mark.usefixtures("_e2e_required_but_missing"))
        elif reason:
            item.add_marker(pytest.mark.skip(reason=f"browser tests skipped: {reason}"))
    others = [item for item in items if not _in_e2e(item)]
    items[:] = others + e2e


@pytest.fixture
def _e2e_required_but_missing() -> None:
    pytest.fail(f"KOPA_E2E_REQUIRED is set but {missing_requirement()}", pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """After the test's own steps: fail on axe violations and on what the tabs reported."""
    if not _in_e2e(item):
        return (yield)
    FINDINGS.clear()
    result = yield
    problems = item.funcargs.get("page_problems")
    unexpected = problems.unexpected() if isinstance(problems, PageProblems) else []
    report = list(FINDINGS)
    FINDINGS.clear()
    if unexpected:
        report.append("The browser reported problems:\n  " + "\n  ".join(unexpected))
    if report:
        pytest.fail("\n\n".join(report), pytrace=False)
    return result


# --- browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One chromium for the whole run."""
    from playwright.sync_api import sync_playwright

    # The sync API runs an event loop on this thread; the ORM (factories, assertions on the
    # database) would otherwise refuse to run here. The live server has its own thread.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class PageProblems:
    """What went wrong in a tab that no assertion looks at: JS errors, CSP, broken assets."""

    IGNORED_URL = re.compile(r"/favicon\.ico$|/ws/")

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.expected: list[re.Pattern[str]] = []

    def expect(self, pattern: str) -> None:
        """A problem the test provokes on purpose (matched with re.search)."""
        self.expected.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self.expected)]

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.errors.append(f"JavaScript error: {error}"))
        page.on("console", self._console)
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        text = message.text
        if message.type == "error" and "Content Security Policy" in text:
            self.errors.append(f"CSP violation: {text}")

    def _response(self, response: Response) -> None:
        request = response.request
        if self.IGNORED_URL.search(response.url):
            return
        if response.status >= 500:
            self.errors.append(f"HTTP {response.status} for {request.method} {response.url}")
        elif response.status >= 400 and request.resource_type != "document":
            self.errors.append(f"broken {request.resource_type}: {response.status} {response.url}")


@pytest.fixture
def page_problems() -> PageProblems:
    """The problems of this test's tabs; ``page_problems.expect(regex)`` allows one."""
    return PageProblems()


@pytest.fixture
def open_page(
    browser: Browser, live_server: Any, page_problems: PageProblems
) -> Iterator[Callable[..., Page]]:
    """``open_page(user=None, *, javascript=True, viewport=DESKTOP)`` -> a new tab.

    Each tab has its own cookies; with ``user`` it is signed in (a real session cookie, made
    the way Django's test client makes one). Pages are in English unless ``locale`` says
    otherwise (Accept-Language).
    """
    contexts = []
    problems = page_problems

    def open_(
        user: Any = None,
        *,
        javascript: bool = True,
        viewport: dict[str, int] | None = None,
        locale: str = "en",
    ) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport or DESKTOP,
            java_script_enabled=javascript,
            locale=locale,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        if user is not None:
            sign_in(context, user, live_server.url)
        page = context.new_page()
        problems.watch(page)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page: Callable[..., Page]) -> Page:
    """An anonymous tab at desktop width."""
    return open_page()


def sign_in(context: Any, user: Any, base_url: str) -> None:
    """Give a browser context the session of ``user`` (no trip through the login form)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user, backend=settings.AUTHENTICATION_BACKENDS[0])
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": base_url, "httpOnly": True}]
    )
