"""A real headless browser for the report tests: Debian's chromium, driven by Playwright.

The reports are self-contained HTML files; these helpers open one in chromium and give back what a reader
would see (the text, the headings) and what must never happen (console errors, alert/confirm/prompt dialogs,
requests to anywhere but the file itself).

Usage in a test module (the fixture starts one browser for the whole session)::

    from tests.browser import browser  # noqa: F401

    def test_report(browser, tmp_path):
        page = browser.render(report_path, evaluate=["document.querySelectorAll('svg').length"])
        assert not page.console_errors and not page.dialogs and not page.requests
        assert page.results["document.querySelectorAll('svg').length"] > 0

Playwright is used only as a driver: it never downloads a browser here (no `playwright install`); the
chromium is Debian's, installed with apt-get by ensure_chromium() when it is missing.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

try:
    from playwright.sync_api import Browser as _PlaywrightBrowser
    from playwright.sync_api import Dialog, Playwright, Route, sync_playwright
except ImportError as error:  # pragma: no cover - a clear message instead of a bare ImportError
    raise ImportError(
        "the browser tests need Playwright for Python (the driver only): pip install -e '.[test]'"
    ) from error

# Chromium flags: no sandbox (the tests run as root in CI), nothing that talks to the network on its own,
# and every host name resolving to nothing, so even a request that slipped past the routing below goes nowhere.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-breakpad",
    "--disable-crash-reporter",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]

# What the page is asked after load, besides the caller's expressions.
_HEADINGS_JS = "Array.from(document.querySelectorAll('h1, h2, h3'), h => h.innerText.trim())"
# Let anything queued at load (timers of 0 ms, animation frames) run before the page is read.
_SETTLE_JS = "new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 0)))"

TIMEOUT_MS = 30_000  # a report that does not load in this long is a failure, not a wait


def ensure_chromium() -> str:
    """The path of Debian's chromium; installs it with apt-get when it is missing."""
    found = shutil.which("chromium")
    if found:
        return found
    prefix: list[str] = []
    if os.geteuid() != 0:
        sudo = shutil.which("sudo")
        if not sudo:
            raise RuntimeError(
                "chromium is not installed and this user cannot install it (not root, no sudo): "
                "run 'apt-get install -y --no-install-recommends chromium' as root"
            )
        prefix = [sudo, "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [*prefix, "apt-get", "install", "-y", "--no-install-recommends", "chromium"]
    outputs = []
    for step in ([install], [[*prefix, "apt-get", "update"], install]):  # 'update' only if the first try failed
        ok = True
        for command in step:
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, check=False)
            outputs.append(f"$ {' '.join(command)} -> {done.returncode}\n{done.stderr[-2000:]}")
            if done.returncode != 0:
                ok = False
                break
        if ok:
            break
    found = shutil.which("chromium")
    if not found:
        raise RuntimeError("could not install Debian's chromium with apt-get:\n" + "\n".join(outputs))
    return found


@dataclass
class Rendered:
    """What a report showed in the browser, read after load (the page itself is closed by then)."""

    url: str
    title: str
    text: str  # document.body.innerText
    html: str  # the serialized DOM after scripts (if any) ran
    headings: list[str]  # the texts of h1, h2 and h3, in document order
    console_errors: list[str]  # console messages of level error, and uncaught exceptions ("uncaught: ...")
    dialogs: list[str]  # alert/confirm/prompt/beforeunload that fired, as "alert: message"; dismissed
    requests: list[str]  # every attempted request that was not file:// (all blocked)
    local_requests: list[str]  # other file:// loads (allowed; a self-contained report has none)
    results: dict[str, Any] = field(default_factory=dict)  # expression -> its value, for render(evaluate=...)

    def evaluate(self, expression: str) -> Any:
        """The value of an expression that was passed to render(evaluate=[...])."""
        if expression not in self.results:
            raise KeyError(f"not evaluated; pass it to render(path, evaluate=[...]): {expression!r}")
        return self.results[expression]


class Browser:
    """One chromium; each render() gets a fresh context (no shared storage, cache or state between pages).

    Playwright's sync API runs one instance per thread at a time: use shared_browser() (or the fixture,
    or render()) rather than a second Browser() while one is open.
    """

    def __init__(self) -> None:
        self._playwright: Playwright = sync_playwright().start()
        try:
            self._browser: _PlaywrightBrowser = self._playwright.chromium.launch(
                executable_path=ensure_chromium(), args=CHROMIUM_ARGS, headless=True, timeout=TIMEOUT_MS
            )
        except BaseException:
            self._playwright.stop()
            raise

    @property
    def version(self) -> str:
        return self._browser.version

    def close(self) -> None:
        try:
            self._browser.close()
        finally:
            self._playwright.stop()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def render(self, path: Path | str, evaluate: Iterable[str] = ()) -> Rendered:
        """Open a local HTML file, wait for load, and read it; evaluate each expression on the loaded page."""
        url = Path(path).resolve().as_uri()
        console_errors: list[str] = []
        dialogs: list[str] = []
        requests: list[str] = []
        local_requests: list[str] = []

        def route(route: Route) -> None:
            request_url = route.request.url
            if request_url.startswith("file:"):
                if request_url != url:
                    local_requests.append(request_url)
                route.continue_()
            else:
                requests.append(request_url)
                route.abort("blockedbyclient")

        def dialog(d: Dialog) -> None:
            dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()

        context = self._browser.new_context(service_workers="block", java_script_enabled=True)
        try:
            context.set_default_timeout(TIMEOUT_MS)
            context.route("**/*", route)
            page = context.new_page()
            page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: console_errors.append(f"uncaught: {e}"))
            page.on("dialog", dialog)
            page.on("websocket", lambda ws: requests.append(ws.url))  # not routed; resolves to nothing
            page.goto(url, wait_until="load")
            page.evaluate(_SETTLE_JS)
            results = {expression: page.evaluate(expression) for expression in evaluate}
            return Rendered(
                url=url,
                title=page.title(),
                text=page.evaluate("document.body ? document.body.innerText : ''"),
                html=page.content(),
                headings=page.evaluate(_HEADINGS_JS),
                console_errors=console_errors,
                dialogs=dialogs,
                requests=requests,
                local_requests=local_requests,
                results=results,
            )
        finally:
            context.close()


_shared: Browser | None = None


def shared_browser() -> Browser:
    """The one chromium of this process, started on first use (Playwright's sync API allows one at a time)."""
    global _shared
    if _shared is None:
        _shared = Browser()
        atexit.register(close_shared_browser)
    return _shared


def close_shared_browser() -> None:
    global _shared
    if _shared is not None:
        started, _shared = _shared, None
        started.close()


def render(path: Path | str, evaluate: Iterable[str] = ()) -> Rendered:
    """Render one file in the process's shared browser (the same one the `browser` fixture hands out)."""
    return shared_browser().render(path, evaluate)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Debian chromium for the whole test session."""
    yield shared_browser()
    close_shared_browser()
