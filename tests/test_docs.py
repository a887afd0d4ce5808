"""The docs cannot drift from the CLI: every command and option is documented, and marked examples run."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from collabsync.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
#: A fenced block right after this comment is run by test_runnable_examples (bash/console/sh through bash, python).
MARKER = "<!-- runnable -->"
MARKER_LINE = re.compile(r"^<!-- runnable -->[ \t]*$", re.MULTILINE)
FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```\s*$", re.DOTALL | re.MULTILINE)
RUNNABLE = re.compile(r"^<!-- runnable -->[ \t]*\n```([\w-]*)[^\n]*\n(.*?)^```\s*$", re.DOTALL | re.MULTILINE)
SHELLS = {"bash", "sh", "console"}
#: Seconds one page's examples may take; far above the few seconds they need, so a hang fails instead of stalling.
PAGE_TIMEOUT = 120


def doc_files() -> list[Path]:
    """The README and every Markdown page under docs/."""
    return [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]


def docs_text() -> str:
    """All documentation as one text."""
    return "\n".join(path.read_text("utf-8") for path in doc_files())


def walk(cmd: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command of the click app with its path of names (the root has the empty path)."""
    yield path, cmd
    if isinstance(cmd, click.Group):
        ctx = click.Context(cmd)
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            assert sub is not None
            yield from walk(sub, (*path, name))


def options(cmd: click.Command) -> list[str]:
    """The options as typed: each long form, or the short form when an option has no long one."""
    ctx = click.Context(cmd)
    found: list[str] = []
    for param in cmd.get_params(ctx):
        if isinstance(param, click.Option):
            spelled = [*param.opts, *param.secondary_opts]
            longs = [o for o in spelled if o.startswith("--")]
            found += longs or spelled
    return found


def mentions(text: str, token: str) -> bool:
    """Whether the docs spell `token` as a whole word (`--out` does not count for `--output`)."""
    return re.search(rf"(?<![\w-]){re.escape(token)}(?![\w-])", text) is not None


COMMANDS = list(walk(main))


@pytest.mark.parametrize("path,cmd", COMMANDS, ids=[" ".join(p) or "collabsync" for p, _ in COMMANDS])
def test_every_command_and_option_is_documented(path: tuple[str, ...], cmd: click.Command) -> None:
    text = docs_text()
    spelled = " ".join(("collabsync", *path))
    assert mentions(text, spelled), f"`{spelled}` appears nowhere in README.md or docs/"
    undocumented = [opt for opt in options(cmd) if not mentions(text, opt)]
    assert not undocumented, f"options of `{spelled}` missing from README.md and docs/: {undocumented}"


def resolve(words: list[str]) -> tuple[click.Command, list[str]] | None:
    """The command that `collabsync WORDS...` names and the words after it, or None if it names none."""
    cmd: click.Command = main
    rest = list(words)
    while isinstance(cmd, click.Group) and rest and not rest[0].startswith("-"):
        sub = cmd.get_command(click.Context(cmd), rest[0])
        if sub is None:
            return None
        cmd, rest = sub, rest[1:]
    return cmd, rest


def command_lines() -> Iterator[tuple[Path, str]]:
    """Each `collabsync ...` command line inside the docs' fenced blocks (comments and prompts dropped)."""
    for path in doc_files():
        for lang, body in FENCE.findall(path.read_text("utf-8")):
            if lang not in SHELLS | {""}:
                continue
            for line in body.splitlines():
                if lang == "console" and not line.startswith("$ "):
                    continue  # console blocks show output too: only the `$ ` lines are commands
                line = line.strip().removeprefix("$ ")
                for part in re.split(r"&&|\|", line.split(" #")[0]):
                    part = part.strip()
                    if part.startswith("collabsync "):
                        yield path, part


def test_commands_in_examples_exist_with_their_options() -> None:
    problems: list[str] = []
    seen = 0
    for path, line in command_lines():
        seen += 1
        words = shlex.split(line.split(">")[0])[1:]
        globals_ok = {o for o in options(main)}
        while words and words[0] in globals_ok:
            words = words[2:] if words[0] == "--config" else words[1:]
        found = resolve(words)
        if found is None:
            problems.append(f"{path.relative_to(ROOT)}: `{line}` names no command")
            continue
        cmd, rest = found
        known = {
            o
            for p in cmd.get_params(click.Context(cmd))
            if isinstance(p, click.Option)
            for o in (*p.opts, *p.secondary_opts)
        }
        bad = [w.split("=")[0] for w in rest if w.startswith("-") and w.split("=")[0] not in known]
        if bad:
            problems.append(f"{path.relative_to(ROOT)}: `{line}` uses unknown options {bad}")
    assert seen > 20, "the docs' command examples were not found"
    assert not problems, "\n".join(problems)


def runnable_blocks(path: Path) -> list[tuple[str, str]]:
    """The blocks of a page marked runnable, in page order; a marker not followed by a fence is an error."""
    text = path.read_text("utf-8")
    blocks = RUNNABLE.findall(text)
    assert len(MARKER_LINE.findall(text)) == len(blocks), f"{path}: a {MARKER} line not directly followed by a fence"
    unknown = [lang for lang, _ in blocks if lang not in SHELLS | {"python"}]
    assert not unknown, f"{path}: runnable blocks must be bash, sh, console or python, not {unknown}"
    return blocks


def shell_script(lang: str, body: str) -> str:
    """A block as bash runs it: console blocks keep only their `$ ` lines."""
    if lang == "console":
        return "\n".join(line[2:] for line in body.splitlines() if line.startswith("$ "))
    return body


def clean_env(home: Path) -> dict[str, str]:
    """This Python's `collabsync` first on PATH, a fresh home, and nothing from the caller's config leaking in."""
    env = {k: v for k, v in os.environ.items() if k not in {"COLLABSYNC_CONFIG", "COLLABSYNC_TODAY"}}
    home.mkdir(exist_ok=True)
    env["COLLABSYNC_HOME"] = str(home)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def run_block(lang: str, body: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run one block through the real CLI (or this Python) as a subprocess."""
    if lang == "python":
        argv = [sys.executable, "-c", body]
    else:
        argv = ["bash", "-euo", "pipefail", "-c", shell_script(lang, body)]
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=PAGE_TIMEOUT, check=False)


PAGES = [p for p in doc_files() if MARKER_LINE.search(p.read_text("utf-8"))]


def test_runnable_examples_exist() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in PAGES}
    assert {"docs/getting-started.md", "docs/library.md"} <= names, names


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
def test_runnable_examples(page: Path, tmp_path: Path) -> None:
    """A page's marked blocks run in order in one fresh COLLABSYNC_HOME and working directory, each exiting 0."""
    env = clean_env(tmp_path / "docs-home")
    for lang, body in runnable_blocks(page):
        done = run_block(lang, body, tmp_path, env)
        assert done.returncode == 0, f"{page.name}: block exited {done.returncode}\n{body}\n{done.stderr}"


def readme_command_lines() -> list[str]:
    """The two command lines at the top of the README."""
    match = FENCE.search((ROOT / "README.md").read_text("utf-8"))
    assert match is not None and match.group(1) == "sh", "README.md must open with the sh block of two command lines"
    lines = [line for line in match.group(2).splitlines() if line.strip()]
    assert len(lines) == 2, lines
    return lines


def test_readme_first_line_installs_and_runs_the_main_job(tmp_path: Path) -> None:
    steps = [s.strip() for s in readme_command_lines()[0].split("&&")]
    assert "pip install ." in steps
    after = steps[steps.index("pip install .") + 1 :]
    assert [s.split()[:2] for s in after] == [["collabsync", "stamp"], ["collabsync", "status"]]
    done = run_block("bash", " && ".join(after), tmp_path, clean_env(tmp_path / "docs-home"))
    assert done.returncode == 0, done.stderr
    assert "nova" in done.stdout


def test_readme_test_line_is_what_ci_runs() -> None:
    steps = [s.strip() for s in readme_command_lines()[1].split("&&")]
    install = next(s for s in steps if s.startswith("pip install"))
    readme_extras = set(re.search(r"\.\[([\w,]+)\]", install).group(1).split(","))  # type: ignore[union-attr]
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    ci_install = re.search(r"pip install [^\n]*-e '\.\[([\w,]+)\]'", ci)
    assert ci_install is not None, ".ci/run does not install the project editable with extras"
    assert readme_extras <= set(ci_install.group(1).split(","))
    ci_pytest = [
        re.sub(r"^(\w+=\S+\s+)+", "", line.split("#")[0]).strip()
        for line in ci.splitlines()
        if "pytest" in line and not line.lstrip().startswith(("#", "if", "echo"))
    ]
    assert ci_pytest == [steps[-1]] == ["python -m pytest -q"], ci_pytest


def test_package_exports_the_verbs_its_docstring_promises() -> None:
    import collabsync

    for name in collabsync.__all__:
        assert getattr(collabsync, name) is not None
    for verb in re.findall(r"`(\w+)`", collabsync.__doc__ or ""):
        assert verb in collabsync.__all__, verb
    assert {"find_template", "build_plan", "apply_plan", "collect", "build_report"} <= set(collabsync.__all__)
    heavy = ("jinja2", "jsonschema", "asana", "jira")
    probe = f"import sys, collabsync; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", f"import collabsync loads heavy modules: {out}"


def tour_commands(text: str, heading: str) -> list[str]:
    """The command lines of the first fenced block after a heading, comments dropped."""
    after = text.split(heading, 1)[1]
    match = FENCE.search(after)
    assert match is not None, heading
    return [
        line.split(" #")[0].strip()
        for line in match.group(2).splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def test_readme_tour_is_the_tested_one() -> None:
    readme = tour_commands((ROOT / "README.md").read_text("utf-8"), "## Five-minute tour")
    tested = tour_commands((DOCS / "getting-started.md").read_text("utf-8"), "## Five-minute tour")
    assert readme == tested


def test_readme_is_a_short_front_door_linking_every_page() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert len(readme.splitlines()) < 200
    linked = {m for m in re.findall(r"\]\((docs/[^)#]+)", readme)}
    pages = {p.relative_to(ROOT).as_posix() for p in DOCS.rglob("*.md")} - {"docs/changelog.md"}
    assert pages <= linked, f"pages not linked from README.md: {sorted(pages - linked)}"
    assert "(CHANGELOG.md)" in readme
