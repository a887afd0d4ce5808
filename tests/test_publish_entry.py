"""The status entry and the digest views, pure: each tool's markup, mail-safe HTML, the portfolio page, [email]."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from collabsync.config import load_config
from collabsync.errors import ConfigError
from collabsync.report.mail import build_message, parse_recipients
from collabsync.report.publish_entry import MAX_CHARS, MAX_LINES, Line, compose
from collabsync.report.render.digest import portfolio_rows, render_digest_html, render_portfolio, sparkline
from collabsync.report.rollup_model import Report
from report_sample import sample_report


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return sample_report(tmp_path_factory.mktemp("sample"))


def test_every_markup_carries_the_same_entry_and_ends_with_its_marker(report: Report) -> None:
    dept = report.departments[0].name
    entry = compose(report, dept)
    marker = f"collabsync-status:{report.instance}/{dept}/{report.today.isoformat()}"
    assert entry.marker == marker
    md, wiki, html, adf = entry.markdown(), entry.wiki(), entry.asana_html(), entry.adf()
    assert md.splitlines()[-1] == marker and wiki.splitlines()[-1] == marker
    assert md.startswith(f"**{report.instance} status") and wiki.startswith(f"*{report.instance} status")
    root = ET.fromstring(html)  # Asana rejects html_text that is not XML rooted at <body>
    assert root.tag == "body" and marker in "".join(root.itertext())
    assert adf["type"] == "doc" and adf["version"] == 1 and adf["content"][-1]["content"][0]["text"] == marker
    wanted = {"green": "on_track", "amber": "at_risk", "red": "off_track"}[report.overall.health]
    assert entry.asana_status_type == wanted


def test_a_department_sees_its_own_overdue_work_with_links(report: Report) -> None:
    late = report.overdue[0]
    entry = compose(report, late.department)
    section = dict(entry.sections)[next(h for h, _ in entry.sections if h.startswith("Overdue in"))]
    assert any(line.text.startswith(late.title) for line in section)
    others = [t for t in report.overdue if t.department != late.department]
    assert not any(line.text.startswith(t.title) for t in others for line in section)


def test_links_are_http_only_and_long_sections_are_capped(report: Report) -> None:
    assert Line("x", "javascript:alert(1)").url == "" and Line("x", "collabsync-local://l/tasks/1").url == ""
    long = Line("a\x07b" + "c" * 1000)
    assert long.text.startswith("ab") and len(long.text) == MAX_CHARS and long.text.endswith("…")
    from collabsync.report.publish_entry import _cap

    capped = _cap([Line(str(i)) for i in range(MAX_LINES + 3)])
    assert len(capped) == MAX_LINES + 1 and capped[-1].text == "and 3 more (see the full report)"


def test_wiki_links_and_adf_links(report: Report) -> None:
    entry = compose(report, report.overdue[0].department)
    linked = [x for _, lines in entry.sections for x in lines if x.url]
    assert linked, "the sample's overdue tasks have http links"
    assert f"|{linked[0].url}]" in entry.wiki()
    assert json.dumps({"type": "link", "attrs": {"href": linked[0].url}}) in json.dumps(entry.adf())


def test_digest_html_is_mail_safe_and_the_portfolio_has_a_trend(report: Report) -> None:
    rows = portfolio_rows([report], {report.instance: f"{report.instance}.html"}, {"broken": "Jira said 500"})
    html = render_digest_html(rows, title="collabsync status")
    for forbidden in ("flex", "<svg", "<script", "<link", "<style", "<img", "@import", "grid"):
        assert forbidden not in html
    assert html.count("<table") == 3 and "report failed: Jira said 500" in html  # the frame and one per instance
    assert '<a href="https://' in html and "&lt;img src=x" in html  # task links are links, titles escaped once
    assert len(rows[0].trend) >= 2 and rows[0].trend[-1] == report.overall.counts["percent_done"]  # stored history
    page = render_portfolio(rows, title="Portfolio", generated="2026-03-12T08:00+00:00")
    assert '<svg class="spark"' in page and f'href="{report.instance}.html"' in page
    assert sparkline([5.0]) == "" and "points=" in sparkline([0.0, 50.0, 100.0])


def test_message_has_a_text_and_an_html_part() -> None:
    msg = build_message({"from": "a@example.com"}, ["b@example.com"], "S", "# text", "<p>html</p>")
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert parse_recipients("", {"to": ["x@example.com"]}) == ["x@example.com"]
    with pytest.raises(ConfigError, match="not an e-mail address: nobody"):
        parse_recipients("nobody,b@example.com", {})
    with pytest.raises(ConfigError, match="no recipient"):
        parse_recipients("", {})


def test_email_settings_are_checked_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "collabsync.toml"
    path.write_text('[email]\nhost = "smtp.example.com"\nfrom = "not-an-address"\npassword = "literal"\nport = 0\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    text = str(caught.value)
    assert "collabsync.toml:3" in text and "'not-an-address' does not match" in text
    assert "collabsync.toml:4" in text and "email.password: write it as" in text
    assert "collabsync.toml:5" in text
    path.write_text('[providers.x]\ntype = "local"\n')
    with pytest.raises(ConfigError, match=r"no \[email\] table"):
        load_config(path).email_settings()


def test_jira_data_center_gets_wiki_markup_on_rest_v2_and_edits_it(report: Report, tmp_path: Path) -> None:
    from collabsync.providers.base import ProviderContext
    from collabsync.providers.jira import JiraProvider
    from collabsync.testing.jira import JiraEmulator

    entry = compose(report, report.overdue[0].department)
    with JiraEmulator(deployment="Server") as emu:
        emu.add_project("OPS")
        with JiraProvider("dc", {"url": emu.root_url, "token": emu.pat}, ProviderContext(home=tmp_path)) as p:
            epic = p.ensure_container("launch", "Launch", "", {"project": "OPS"})
            assert p.find_status(epic, entry) is None
            made = p.publish_status(epic, entry)
            assert made.ref.startswith(f"{epic.ref}/") and emu.count("POST", "/rest/api/2/issue/") >= 1
            stored = emu.comments[emu.issue(epic.ref).id]
            assert len(stored) == 1 and emu.count("POST", "/rest/api/3/") == 0
            assert entry.marker in json.dumps(stored[0].body) and f"*{entry.title}*" in json.dumps(stored[0].body)
            found = p.find_status(epic, entry)
            assert found is not None and found.ref == made.ref
            assert p.edit_status(epic, made.ref, entry).ref == made.ref
            assert len(emu.comments[emu.issue(epic.ref).id]) == 1 and emu.count("PUT", "/comment/") == 1
