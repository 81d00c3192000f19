"""The browser harness (tests/browser.py) on small pages: safe ones pass its checks, an unsafe one fails them."""

from __future__ import annotations

import os
from pathlib import Path

from tests.browser import Browser, ensure_chromium, render, shared_browser
from tests.browser import browser  # noqa: F401  (the session-wide chromium fixture)
from tests.conftest import FIXTURES

PAGES = Path(FIXTURES) / "browser"
HOSTILE = "<script>alert(1)</script>"


def test_ensure_chromium_finds_debians_chromium() -> None:
    path = ensure_chromium()
    assert os.access(path, os.X_OK)


def test_safe_page_renders_with_headings_and_svg(browser: Browser) -> None:
    page = browser.render(PAGES / "safe.html", evaluate=["document.querySelectorAll('svg rect').length"])
    assert page.title == "Safe report"
    assert page.headings == ["Origin data report", "Summary", "Details"]
    assert "Two columns hold origin data." in page.text
    assert "nationality" in page.text
    assert page.evaluate("document.querySelectorAll('svg rect').length") == 2
    assert page.console_errors == []
    assert page.dialogs == []
    assert page.requests == []
    assert page.local_requests == []


def test_escaped_hostile_name_is_text_and_runs_nothing(browser: Browser) -> None:
    page = browser.render(
        PAGES / "escaped.html",
        evaluate=[
            "window.pwned === undefined",
            "document.querySelectorAll('script, img').length",
            "document.querySelector('td').title",
        ],
    )
    assert HOSTILE in page.text
    assert page.results["window.pwned === undefined"] is True
    assert page.results["document.querySelectorAll('script, img').length"] == 0
    assert page.results["document.querySelector('td').title"] == HOSTILE
    assert page.dialogs == []
    assert page.console_errors == []
    assert page.requests == []


def test_unsafe_page_fails_every_check(browser: Browser) -> None:
    """The checks can fail: a real script runs (dialog, window variable), logs an error, and reaches out."""
    page = browser.render(PAGES / "unsafe.html", evaluate=["window.pwned === true"])
    assert page.dialogs == ["alert: 1"]
    assert page.evaluate("window.pwned === true") is True
    assert "x" in page.console_errors
    assert page.requests == ["http://example.invalid/x.png"]
    assert HOSTILE not in page.text  # executed, not shown


def test_pages_do_not_share_state(browser: Browser) -> None:
    browser.render(PAGES / "unsafe.html")
    page = browser.render(PAGES / "escaped.html", evaluate=["window.pwned === undefined"])
    assert page.evaluate("window.pwned === undefined") is True
    assert page.dialogs == [] and page.requests == []


def test_render_without_the_fixture(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    report.write_text(
        '<!DOCTYPE html><meta charset="utf-8"><title>t</title><h2>Only</h2>'
        '<img src="missing.png" alt=""><script>fetch("https://example.org/beacon").catch(() => {})</script>',
        encoding="utf-8",
    )
    page = render(report)
    assert page.headings == ["Only"]
    assert page.local_requests == [(tmp_path / "missing.png").as_uri()]
    assert page.requests == ["https://example.org/beacon"]


def test_fixture_and_render_share_one_browser(browser: Browser) -> None:
    assert shared_browser() is browser
    assert browser.version.split(".")[0].isdigit()
