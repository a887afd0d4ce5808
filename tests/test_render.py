"""Renderers: escaping of tool text, JSON schema, CSV columns, Markdown, dispatch."""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from html.parser import HTMLParser

import jsonschema
import pytest

from collabsync.report.render import FORMATS, render
from collabsync.report.render.common import safe_url
from collabsync.report.render.csvout import CSV_COLUMNS
from collabsync.report.render.jsonout import report_schema, validate_report
from collabsync.report.render.markdown import md_escape
from collabsync.report.rollup import build_report
from report_sample import sample_report
from rollup_data import TODAY, XSS_TITLE, tasks

EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory):
    return sample_report(tmp_path_factory.mktemp("home"), stale={"ops": None})


@pytest.fixture(scope="module")
def html(report) -> str:
    return render(report, "html")


def test_html_escapes_every_tool_text(html: str) -> None:
    assert EVIL not in html and "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &#34;quotes&#34;" in html
    assert "<script" not in html.lower()


def test_html_escapes_department_instance_and_assignee_names() -> None:
    evil_tasks = tasks()
    for t in evil_tasks:
        t.department = "<b>eng</b>" if t.department == "eng" else t.department
        t.assignee = EVIL if t.assignee == "bob" else t.assignee
    report = build_report(evil_tasks, today=TODAY, instance="<i>x</i>", stale={"<s>legal</s>": None})
    out = render(report, "html")
    for raw in ("<b>eng</b>", EVIL, "<i>x</i>", "<s>legal</s>"):
        assert raw not in out
    assert "&lt;b&gt;eng&lt;/b&gt;" in out and "&lt;i&gt;x&lt;/i&gt;" in out


def test_html_drops_non_http_links() -> None:
    bad = tasks()
    bad[3].url = "javascript:alert(1)"
    out = render(build_report(bad, today=TODAY, instance="i"), "html")
    assert "javascript:" not in out
    assert safe_url("data:text/html,x") is None and safe_url("/relative") is None
    assert safe_url("https://x.test/a") == "https://x.test/a"


class _Tags(HTMLParser):
    """Every start tag with its attributes, as the browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_html_is_self_contained(html: str) -> None:
    parser = _Tags()
    parser.feed(html)
    names = {tag for tag, _ in parser.tags}
    assert names.isdisjoint({"script", "img", "link", "iframe", "object", "embed", "image", "use", "video", "audio"})
    assert not [a for _, attrs in parser.tags for a in attrs if a == "src" or a.startswith("on")]
    hrefs = [attrs["href"] for tag, attrs in parser.tags if "href" in attrs]
    assert hrefs and all(h.startswith("https://") for h in hrefs)  # links into the tools, nothing else
    assert "@import" not in html and "url(" not in html
    assert "default-src 'none'" in html  # and the page forbids fetching anyway


def test_html_has_a_bar_per_department_and_stale_marking(report, html: str) -> None:
    for group in report.departments:
        assert f'<svg class="bar" data-department="{group.name}"' in html
    # eng: 1 done, 1 in progress, 1 blocked, 1 to do -> four quarters of 300
    eng = html[html.index('<svg class="bar" data-department="eng"') :]
    eng = eng[: eng.index("</svg>")]
    assert re.findall(r'data-status="(\w+)" x="([\d.]+)" y="0" width="([\d.]+)"', eng) == [
        ("done", "0.0", "75.0"),
        ("in_progress", "75.0", "75.0"),
        ("blocked", "150.0", "75.0"),
        ("todo", "225.0", "75.0"),
    ]
    assert 'class="dept stale" data-department="ops"' in html
    assert "stale · data from —" in html


def test_html_burn_up_and_changes(report, html: str) -> None:
    assert len(report.history) == 4
    assert html.count("<circle") == 4  # one dot per day with a snapshot
    assert 'class="plan"' in html and 'class="done"' in html
    # between the snapshots of the 9th and the 11th only copy's due date moved, 6th -> 9th
    assert (
        '<b>Due date slipped:</b> <a href="https://trello.example.test/c2" rel="noopener noreferrer">Write copy</a>'
        in html
    )
    assert "Compared with the snapshot of 2026-03-09 08:00+00:00." in html
    assert "mkt (2026-03-06 → 2026-03-09, +3 d)" in html


def test_json_follows_the_shipped_schema(report) -> None:
    data = json.loads(render(report, "json"))
    assert list(data)[0] == "schema_version" and data["schema_version"] == 1
    validate_report(data)
    assert data["overall"]["counts"]["total"] == 11
    assert data["changes"]["slipped"][0]["days"] == 3
    broken = copy.deepcopy(data)
    broken["overall"]["health"] = "purple"
    with pytest.raises(jsonschema.ValidationError):
        validate_report(broken)
    broken = copy.deepcopy(data)
    del broken["tasks"][0]["status"]
    with pytest.raises(jsonschema.ValidationError):
        validate_report(broken)


def test_json_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(report_schema())


def test_json_without_history_or_plan_is_valid() -> None:
    bare = build_report(tasks(), today=TODAY, instance="i")
    validate_report(json.loads(render(bare, "json")))
    empty = build_report([], today=TODAY, instance="i")
    validate_report(json.loads(render(empty, "json")))


def test_csv_columns_and_rows(report) -> None:
    rows = list(csv.reader(io.StringIO(render(report, "csv"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 1 + 11
    by_ref = {r[CSV_COLUMNS.index("ref")]: dict(zip(CSV_COLUMNS, r, strict=True)) for r in rows[1:]}
    assert by_ref["ENG-9"]["title"] == XSS_TITLE
    assert (by_ref["ENG-9"]["overdue"], by_ref["ENG-9"]["status"], by_ref["ENG-9"]["key"]) == ("true", "blocked", "")
    assert by_ref["c3"]["waiting_on"] == "jira:ENG-3 trello:c2 asana:a2"
    assert (by_ref["ENG-2"]["critical"], by_ref["ENG-1"]["critical"]) == ("true", "false")
    assert (by_ref["a1"]["stale"], by_ref["a1"]["estimate"], by_ref["c1"]["estimate"]) == ("true", "4", "")
    assert by_ref["a2"]["planned_due"] == "2026-03-12"


def test_csv_neutralises_formulas() -> None:
    evil = tasks()
    evil[0].title = '=HYPERLINK("http://x")'
    evil[1].assignee = "@me"
    rows = list(csv.DictReader(io.StringIO(render(build_report(evil, today=TODAY, instance="i"), "csv"))))
    assert rows[0]["title"] == '\'=HYPERLINK("http://x")'
    assert rows[1]["assignee"] == "'@me"


def test_markdown(report) -> None:
    md = render(report, "md")
    assert md.startswith("# launch-1 (launch) — 🔴 RED\n")
    assert EVIL not in md
    assert '[Fix &lt;img src=x onerror=alert(1)&gt; &amp; "quotes"](https://jira.example.test/ENG-9)' in md
    assert "| eng | jira | 🔴 red | 25% | 3 | 1 | 1 | 1 day behind | 2026-03-18 | 2026-03-18 |" in md
    assert "| ops ⚠ stale since — |" in md
    assert "1. [Build it](https://jira.example.test/ENG-2) — eng / jira, 5 d, ends 2026-03-11" in md
    assert "- Due date slipped: Write copy — mkt (2026-03-06 → 2026-03-09, +3 d)" in md


def test_md_escape() -> None:
    assert md_escape("a|b *c* [d](e) <x>\n y") == "a\\|b \\*c\\* \\[d\\](e) &lt;x&gt; y"


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown report format 'pdf'; use one of html, md, csv, json, table"):
        render(build_report([], today=TODAY, instance="i"), "pdf")
    assert set(FORMATS) == {"html", "md", "csv", "json", "table"}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_renders_an_empty_and_a_planless_report(fmt: str) -> None:
    empty = render(build_report([], today=TODAY, instance="empty", stale={"legal": None}), fmt)
    planless = render(build_report(tasks(), today=TODAY, instance="tracked"), fmt)
    assert "tracked" in planless
    if fmt == "csv":
        assert empty == ",".join(CSV_COLUMNS) + "\r\n"  # a header and no rows
    else:
        assert "empty" in empty
    if fmt == "html":
        assert '<svg class="bar" data-department="legal"' in empty and "No open work." in empty
        assert "No earlier snapshot to compare with." in planless


def test_long_lists_are_cut_in_html_and_markdown_but_not_in_json() -> None:
    from collabsync.model import Status, Task

    many = [
        Task(
            ref=f"t{i}",
            title=f"late {i}",
            status=Status.TODO,
            department="d",
            due=TODAY.replace(day=1),
            provider="local",
        )
        for i in range(15)
    ]
    report = build_report(many, today=TODAY, instance="i")
    html, md = render(report, "html"), render(report, "md")
    overdue_html = html[html.index('<section id="overdue">') : html.index('<section id="blocked">')]
    assert overdue_html.count("late ") == 12 and "… and 3 more (all in the CSV and JSON formats)." in overdue_html
    overdue_md = md[md.index("## Overdue") : md.index("## Critical path")]
    assert overdue_md.count("late ") == 12 and "- … and 3 more (all in the CSV and JSON formats)" in overdue_md
    assert len(json.loads(render(report, "json"))["overdue"]) == 15
