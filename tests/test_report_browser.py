"""The HTML report in headless Chromium: loads with no console errors, no requests, every bar drawn."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from collabsync.report.render import render
from report_browser import DevTools, find_chromium
from report_sample import sample_report

STALE_SINCE = dt.datetime(2026, 3, 10, 8, 0, tzinfo=dt.UTC)


def need_chromium() -> str:
    """The browser; CI (.ci/run installs it) must have it, elsewhere the tests say how to get it."""
    browser = find_chromium()
    if browser is None:
        message = "chromium not installed: apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message + " (the CI run installs it and fails without it)")
    return browser


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory):
    browser = need_chromium()
    tmp = tmp_path_factory.mktemp("browser")
    report = sample_report(tmp / "home", stale={"ops": STALE_SINCE})
    page = tmp / "report.html"
    page.write_text(render(report, "html"), encoding="utf-8")
    with DevTools(browser) as dev:
        result = dev.load(page, screenshot=True)
    return report, page, result


def test_loads_without_console_errors(loaded) -> None:
    _, _, result = loaded
    assert result.title == "launch-1 status report"
    assert result.console_errors == []


def test_makes_no_request_but_the_file_itself(loaded) -> None:
    _, page, result = loaded
    assert result.requests == [page.resolve().as_uri()]


def test_every_department_bar_is_drawn(loaded) -> None:
    report, _, result = loaded
    assert [bar["department"] for bar in result.bars] == [g.name for g in report.departments]
    for bar in result.bars:
        assert bar["width"] > 100 and bar["height"] > 10
        group = report.department(bar["department"])
        counts = group.counts
        drawn = {s["status"]: s["width"] for s in bar["segments"]}
        expected = {k for k in ("done", "in_progress", "blocked", "todo") if counts[k]}
        assert set(drawn) == expected and all(w > 0 for w in drawn.values())
        # each segment's drawn width is its share of the bar (to a pixel)
        total = sum(counts[k] for k in expected)
        for status, width in drawn.items():
            assert width == pytest.approx(bar["width"] * counts[status] / total, abs=1.0)


def test_screenshot_is_a_png(loaded) -> None:
    _, _, result = loaded
    assert result.screenshot is not None and result.screenshot[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(result.screenshot) > 20_000


def test_harness_sees_requests_and_console_errors(tmp_path: Path) -> None:
    """The checks above would catch a fetch or an error: a page with both is reported as such."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><title>bad</title><img src="http://127.0.0.1:9/x.png"><script>console.error("boom")</script>',
        encoding="utf-8",
    )
    with DevTools(need_chromium()) as dev:
        result = dev.load(page)
    assert "http://127.0.0.1:9/x.png" in result.requests
    assert any("boom" in e for e in result.console_errors)
    assert result.bars == []
