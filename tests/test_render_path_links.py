"""The HTML critical path and its links, built the short way, are what the per-value way built (odd text included)."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from types import SimpleNamespace
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from collabsync.report.render.common import safe_url
from collabsync.report.render.html import _fmt_any, _path_items
from collabsync.report.rollup_model import PathStep, TaskLine
from collabsync.safetext import clean


def _old_safe_url(url: str | None) -> str | None:
    """safe_url as it was: always through urlsplit."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def _old_link(task: TaskLine) -> Markup:
    title = escape(clean(task.title or task.ref or task.id))
    url = _old_safe_url(task.url)
    if not url:
        return Markup(title)
    return Markup('<a href="{}" rel="noopener noreferrer">{}</a>').format(url, title)


def _old_path_items(steps: list[PathStep]) -> Markup:
    items = []
    for step in steps:
        task = step.task
        items.append(
            f'<li>{clean(str(_old_link(task)))} <span class="muted small">{escape(clean(task.department))} / '
            f"{escape(clean(task.provider))} · {escape(step.duration_days)} d · ends "
            f"{escape(clean(_fmt_any(step.finish)))}</span></li>"
        )
    return Markup("".join(items))


SCHEMES = ["http://", "HTTPS://", "https:", "http:/", "  http://", "\thttp://", "ht\ttp://", "\x01http://", "Http://"]
SCHEMES += ["javascript:", "data:", "", "//", "mailto:", "ftp://", "http", "https//", "\u202ehttp://", "h\nttps://"]
HOSTS = ["x.test", "", "[::1]", "[bad", "bad]", "ü.test", "a@b", "x.test:80", "x.test\r", "x test", "%41"]
PATHS = ["", "/p", "?q=1", "#f", "/a b", "/\n", "/<script>", '/"q"', "/&amp;", "\x00"]


def test_safe_url_answers_as_urlsplit_did() -> None:
    for scheme, host, path, pad in itertools.product(SCHEMES, HOSTS, PATHS, ["", " ", "\n"]):
        url = scheme + host + path + pad
        try:
            expected = _old_safe_url(url)
        except ValueError as exc:  # an invalid IPv6 netloc: the same error either way
            try:
                safe_url(url)
            except ValueError as again:
                assert str(again) == str(exc)
                continue
            raise AssertionError(f"{url!r} should fail as before") from exc
        assert safe_url(url) == expected, repr(url)
    assert safe_url(None) is None


def test_path_items_are_the_same_markup() -> None:
    rng = random.Random(7)
    texts = ["Plan", "A & B <i>", 'say "hi"', "it's", "bidi\u202eevil", "nul\x00l", "cr\r\nlf", "\x1b[31mred", "", "é"]
    steps = []
    for i in range(600):
        line = TaskLine(
            f"jira:R{i}",
            rng.choice(["R1", "", "ref<>"]),
            None,
            rng.choice(texts),
            rng.choice(texts[:6]) or "(none)",
            rng.choice(["jira", "tr&llo"]),
            "todo",
            url=rng.choice(
                ["https://x.test/a?b=1&c=<2>", "javascript:alert(1)", "", "http://\x01x.test/", "http://h/\x7f"]
            ),
        )
        day = dt.date(2027, 1, 1) + dt.timedelta(days=rng.randrange(400))
        steps.append(PathStep(line, rng.randrange(1, 30), day))
    report = SimpleNamespace(critical_path=steps)
    assert str(_path_items(report)) == str(_old_path_items(steps))  # type: ignore[arg-type]


def test_path_items_the_short_ways_are_the_same_markup() -> None:
    """Titles without the glue (escaped in one call) and URLs none of which can be http(s) (no per-link look),
    beside lists where one value or one URL sends every item the long way."""
    rng = random.Random(11)
    texts = ["Plan", "A & B <i>", 'say "hi"', "it's", "bidi\u202eevil", "cr\r\nlf", "\x1b[31mred", "é"]
    urls = ["collabsync-local://local/tasks/1", "javascript:alert(1)", "", "HT TP://x.test/", "mailto:h@t.tp"]
    for odd_title, odd_url in [(None, None), ("nul\x00l", None), (None, "ht\ttps://x.test/"), (None, "HTTP://x.test")]:
        steps = []
        for i in range(300):
            line = TaskLine(f"local:{i}", str(i), None, rng.choice(texts), "it", "local", "todo", url=rng.choice(urls))
            steps.append(PathStep(line, rng.randrange(0, 30), dt.date(2027, 1, 1) + dt.timedelta(days=i % 40)))
        steps[7] = PathStep(steps[7].task, 0, dt.datetime(2027, 1, 1, 9, 30))  # a zero length, a moment
        steps[8].task.department = ""
        if odd_title is not None:
            steps[150].task.title = odd_title
        if odd_url is not None:
            steps[299].task.url = odd_url
        report = SimpleNamespace(critical_path=steps)
        assert str(_path_items(report)) == str(_old_path_items(steps))  # type: ignore[arg-type]
    assert '<a href="HTTP://x.test"' in str(_path_items(report))  # type: ignore[arg-type]
