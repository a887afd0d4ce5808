"""Bad input never ends in an internal error, a hang or a write (issue 11 item 5).

Every file under tests/bad_inputs/ is fed to `collabsync stamp` (templates as the TEMPLATE, configs
as --config) with departments routed to the Jira, Trello and Asana emulators and the local tool.
Each must exit 1 with exactly the expected message, no traceback, no request to any tool, no
row in the ledger and no local database. Then paths, environment and corrupt state files.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from collabsync.cli import main
from collabsync.http import HttpPolicy, make_session
from collabsync.templating import sandbox
from collabsync.templating.template import MAX_TEMPLATE_BYTES
from collabsync.testing.stack import Stack, running_stack

CORPUS = Path(__file__).parent / "bad_inputs"
VARS = ["--var", "product=Nova", "--var", "launch=2027-03-01"]
#: Cases whose date variable comes from the template's default instead of --var.
DEFAULT_LAUNCH = {"date-beyond-9999.yaml", "date-before-year-1.yaml"}

#: (file, exit code, stderr with {file} for the file's path)
CASES: list[tuple[str, int, str]] = [
    (
        "alias-bomb.yaml",
        1,
        "error: {file}:12: YAML too complex: more than 20000 values once aliases are expanded (an alias bomb?); write the template out without nested aliases\n",
    ),
    (
        "alias-recursive-map.yaml",
        1,
        "error: {file}:12: YAML too complex: an alias refers to a node that contains it (a recursive alias); remove the alias\n",
    ),
    (
        "alias-recursive-seq.yaml",
        1,
        "error: {file}:12: YAML too complex: an alias refers to a node that contains it (a recursive alias); remove the alias\n",
    ),
    ("cache-is-a-number.toml", 1, "error: {file}:1: cache must be a table like [cache] ttl = 300, not a number\n"),
    ("cache-ttl-negative.toml", 1, "error: {file}:2: cache.ttl must be a number of seconds >= 0\n"),
    ("cache-ttl-string.toml", 1, "error: {file}:2: cache.ttl must be a number of seconds >= 0\n"),
    (
        "calendar-subdivision-of-country-without.yaml",
        1,
        "error: {file}:6: unknown calendar subdivision 'BY' of SG: SG has no subdivisions; remove it\n",
    ),
    (
        "calendar-subdivision-without-country.yaml",
        1,
        "error: {file}:6: calendar subdivision 'BY' needs a calendar country; add country\n",
    ),
    (
        "calendar-unknown-country.yaml",
        1,
        "error: {file}:6: unknown calendar country 'XX': use an ISO 3166 code such as US, GB, DE, FR\n",
    ),
    (
        "calendar-unknown-subdivision.yaml",
        1,
        "error: {file}:6: unknown calendar subdivision 'ZZ' of US: use one of AK, AL, AR, AS, AZ, CA, CO, CT, DC, DE, FL, GA, ...\n",
    ),
    ("config-not-utf8.toml", 1, "error: {file}:2: not UTF-8 text (byte 0xe4 at offset 26); save the file as UTF-8\n"),
    ("date-anchor-not-date.yaml", 1, "error: {file}:12: task 'bad': date anchor 'product' is not of type date\n"),
    (
        "date-bad-expression.yaml",
        1,
        "error: {file}:12: task 'bad': bad date expression 'next tuesday': write ANCHOR, ANCHOR + N UNIT or ANCHOR - N UNIT with UNIT d (days), bd (business days) or w (weeks), e.g. 'launch - 10bd'\n",
    ),
    (
        "date-before-year-1.yaml",
        1,
        "error: {file}:12: date 'launch - 3000d' falls outside the calendar (after 9999-12-31 or before 0001-01-01); check the offset and the variable's value\n",
    ),
    (
        "date-beyond-9999.yaml",
        1,
        "error: {file}:12: date 'launch + 3000d' falls outside the calendar (after 9999-12-31 or before 0001-01-01); check the offset and the variable's value\n",
    ),
    (
        "date-offset-business-days.yaml",
        1,
        "error: {file}:12: task 'bad': date offset 999999bd in 'launch + 999999bd' is too far: at most 2610bd (ten years); check the number\n",
    ),
    (
        "date-offset-days.yaml",
        1,
        "error: {file}:12: task 'bad': date offset 99999999d in 'launch + 99999999d' is too far: at most 3660d (ten years); check the number\n",
    ),
    (
        "date-offset-weeks.yaml",
        1,
        "error: {file}:12: task 'bad': date offset 99999w in 'launch - 99999w' is too far: at most 523w (ten years); check the number\n",
    ),
    (
        "date-start-after-due.yaml",
        1,
        "error: {file}:12: task 'bad': start is after due; move start earlier or due later\n",
    ),
    (
        "date-unknown-anchor.yaml",
        1,
        "error: {file}:12: task 'bad': date anchor 'kickoff' is not a declared variable; declare it with type: date\n",
    ),
    (
        "default-provider-unknown.toml",
        1,
        "error: {file}:2: defaults.provider 'jira' is not a configured provider; known: local\n",
    ),
    (
        "defaults-is-a-string.toml",
        1,
        'error: {file}:1: defaults must be a table like [defaults] provider = "local", not a string\n',
    ),
    (
        "department-not-a-table.toml",
        1,
        'error: {file}:2: departments.sales must be a table like [departments.sales] provider = "NAME"\n',
    ),
    (
        "department-unknown-provider.toml",
        1,
        "error: {file}:2: department 'sales' routes to unknown provider 'ghost'; configured: local\n",
    ),
    (
        "departments-array-of-tables.toml",
        1,
        'error: {file}:1: departments must be a table like [departments.NAME] provider = "NAME", not an array of tables\n',
    ),
    (
        "dependency-cycle.yaml",
        1,
        "error: {file}:8: dependency cycle: spec -> pitch -> spec; remove one of these dependencies\n",
    ),
    ("duplicate-key.yaml", 1, "error: {file}:3: duplicate key 'title' in top level (first at line 2); remove one\n"),
    ("duplicate-task-key.yaml", 1, "error: {file}:12: duplicate task key 'spec'; each must be unique\n"),
    (
        "empty-title-after-render.yaml",
        1,
        "error: {file}:12: task 'blank' (sales): title is empty after rendering; every tool needs one\n",
    ),
    ("empty.yaml", 1, "error: {file}:1: a template is a YAML mapping with template, title, departments, tasks\n"),
    ("estimate-not-a-number.yaml", 1, "error: {file}:12: tasks.4.estimate: 'lots' is not of type 'number'\n"),
    ("jinja-center-width.yaml", 1, "error: {file}:12: cannot render: filter center: a width above 100,000\n"),
    (
        "jinja-dunder.yaml",
        1,
        "error: {file}:12: cannot render: access to attribute '__class__' of 'str' object is unsafe.\n",
    ),
    (
        "jinja-float-division-zero.yaml",
        1,
        "error: {file}:12: cannot render: ZeroDivisionError: division by zero; fix the expression\n",
    ),
    ("jinja-format-width.yaml", 1, "error: {file}:12: cannot render: a format width above 100,000\n"),
    (
        "jinja-huge-power.yaml",
        1,
        "error: {file}:12: cannot render: power 9**9999999 is too large (exponent at most 256)\n",
    ),
    (
        "jinja-huge-repeat.yaml",
        1,
        "error: {file}:12: cannot render: repeating 4 items 1000000000 times exceeds 100,000 characters\n",
    ),
    (
        "jinja-modulo-zero.yaml",
        1,
        "error: {file}:12: cannot render: ZeroDivisionError: integer modulo by zero; fix the expression\n",
    ),
    (
        "jinja-nested-range.yaml",
        1,
        "error: {file}:12: cannot render: loops over range() exceed 10,000 steps in one field\n",
    ),
    ("jinja-output-size.yaml", 1, "error: {file}:12: cannot render: output exceeds 100,000 characters\n"),
    ("jinja-slow-loops.yaml", 1, "error: {file}:12: cannot render: rendering took longer than 0.3 s\n"),
    (
        "jinja-syntax.yaml",
        1,
        "error: {file}:12: template text syntax error: unexpected end of template, expected 'end of print statement'.\n",
    ),
    (
        "jinja-type-error.yaml",
        1,
        'error: {file}:12: cannot render: TypeError: can only concatenate str (not "int") to str; fix the expression\n',
    ),
    (
        "jinja-undeclared.yaml",
        1,
        "error: {file}:12: variable 'nobody' is used but not declared; add it under variables\n",
    ),
    (
        "jinja-zero-division.yaml",
        1,
        "error: {file}:12: cannot render: ZeroDivisionError: integer division or modulo by zero; fix the expression\n",
    ),
    (
        "jira-description-too-long.yaml",
        1,
        "error: {file}:8: task 'spec' (engineering): description would be 33221 characters with its checklist, 1 cross-tool link line and the collabsync marker; jira (provider 'jira') accepts at most 32767 (Jira REST API reference); shorten the notes\n",
    ),
    (
        "jira-epic-title-too-long.yaml",
        1,
        "error: {file}:2: project title is 300 characters; jira (provider 'jira') accepts at most 255 (Jira REST API reference); shorten it\n",
    ),
    (
        "jira-summary-too-long.yaml",
        1,
        "error: {file}:8: task 'spec' (engineering): title is 300 characters; jira (provider 'jira') accepts at most 255 (Jira REST API reference); shorten it\n",
    ),
    (
        "limits-in-three-tools.yaml",
        1,
        "error: 3 problems found; nothing was written\n  {file}:8: task 'spec' (engineering): title is 300 characters; jira (provider 'jira') accepts at most 255 (Jira REST API reference); shorten it\n  {file}:9: task 'pitch' (sales): title is 16385 characters; trello (provider 'trello') accepts at most 16384 (Trello REST API reference); shorten it\n  {file}:11: task 'budget' (finance): title is empty after rendering; every tool needs one\n",
    ),
    (
        "local-path-is-a-folder.toml",
        1,
        "error: {file}:3: providers.mine.path: '.' is a folder; give a file path such as ./local.sqlite\n",
    ),
    (
        "nesting-too-deep.yaml",
        1,
        "error: {file}:12: YAML too complex: nested deeper than 64 levels; flatten the document\n",
    ),
    ("not-utf8-latin1.yaml", 1, "error: {file}:8: not UTF-8 text (byte 0xe9 at offset 252); save the file as UTF-8\n"),
    ("not-utf8-utf16.yaml", 1, "error: {file}:1: not UTF-8 text (byte 0xff at offset 0); save the file as UTF-8\n"),
    ("nul-bytes.yaml", 1, "error: {file}:8: YAML cannot hold character #x0000 (position 237); remove it\n"),
    (
        "people-is-a-list.toml",
        1,
        'error: {file}:1: people must be a table like [people.NAME] jira = "USER-ID", not an array of tables\n',
    ),
    (
        "person-not-a-table.toml",
        1,
        'error: {file}:2: people.alice must map provider names to user ids (strings), like [people.alice] jira = "USER-ID"\n',
    ),
    (
        "provider-setting-unknown.toml",
        1,
        "error: {file}:3: providers.mine: Additional properties are not allowed ('colour' was unexpected)\n",
    ),
    (
        "provider-without-type.toml",
        1,
        "error: {file}:1: provider 'x' needs a `type` (local, jira, trello, asana, ...)\n",
    ),
    (
        "providers-is-a-string.toml",
        1,
        'error: {file}:1: providers must be a table like [providers.NAME] type = "jira", not a string\n',
    ),
    ("self-dependency.yaml", 1, "error: {file}:12: task 'bad' depends on itself; remove it\n"),
    (
        "tab-indent.yaml",
        1,
        "error: {file}:4: YAML syntax error: found character that cannot start any token; fix the indentation or quoting\n",
    ),
    ("task-without-title.yaml", 1, "error: {file}:12: tasks.4: 'title' is a required property; add it\n"),
    (
        "tasks-not-a-list.yaml",
        1,
        "error: 2 problems found; nothing was written\n  {file}:5: variable 'launch' is declared but never used; remove it or use it\n  {file}:7: tasks: 'none' is not of type 'array'\n",
    ),
    (
        "timezone-typo.toml",
        1,
        "error: {file}:5: providers.board.timezone: unknown time zone 'Europe/Berln': did you mean Europe/Berlin, Europe/Belfast, Europe/Helsinki?\n",
    ),
    (
        "toml-syntax.toml",
        1,
        "error: {file}:1: TOML syntax error: Expected ']' at the end of a table declaration (at line 1, column 10)\n",
    ),
    (
        "top-level-list.yaml",
        1,
        "error: {file}:1: a template is a YAML mapping with template, title, departments, tasks\n",
    ),
    (
        "top-level-scalar.yaml",
        1,
        "error: {file}:1: a template is a YAML mapping with template, title, departments, tasks\n",
    ),
    (
        "trello-checklist-item-too-long.yaml",
        1,
        "error: {file}:9: task 'pitch' (sales): a checklist item is 16385 characters; trello (provider 'trello') accepts at most 16384 (Trello REST API reference); shorten it\n",
    ),
    (
        "trello-description-too-long.yaml",
        1,
        "error: {file}:9: task 'pitch' (sales): description would be 16602 characters with its checklist, 1 cross-tool link line and the collabsync marker; trello (provider 'trello') accepts at most 16384 (Trello REST API reference); shorten the notes\n",
    ),
    (
        "trello-name-too-long.yaml",
        1,
        "error: {file}:9: task 'pitch' (sales): title is 16385 characters; trello (provider 'trello') accepts at most 16384 (Trello REST API reference); shorten it\n",
    ),
    (
        "unknown-department.yaml",
        1,
        "error: {file}:12: task 'bad': unknown department 'legal'; add it to departments or use one of: engineering, sales, marketing, finance\n",
    ),
    (
        "unknown-dependency.yaml",
        1,
        "error: {file}:12: task 'bad': unknown dependency 'ghost'; it must be the key of another task\n",
    ),
    (
        "unknown-provider-type.toml",
        1,
        "error: {file}:2: unknown provider type 'basecamp'; known types: asana, jira, local, trello\n",
    ),
    (
        "unknown-table.toml",
        1,
        "error: {file}:4: unknown top-level table 'reports'; allowed: defaults, providers, departments, people, roles, cache, email\n",
    ),
    (
        "unknown-top-level-key.toml",
        1,
        "error: {file}:1: unknown top-level table 'verbose'; allowed: defaults, providers, departments, people, roles, cache, email\n",
    ),
    (
        "yaml-syntax.yaml",
        1,
        "error: {file}:13: YAML syntax error: found unexpected end of stream; fix the indentation or quoting\n",
    ),
]


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with running_stack() as s:
        yield s


@pytest.fixture(autouse=True)
def short_render_alarm(monkeypatch: pytest.MonkeyPatch) -> None:
    """The render alarm at 0.3 s keeps the slow-template case quick."""
    monkeypatch.setattr(sandbox, "MAX_SECONDS", 0.3)


def requests_to(stack: Stack) -> int:
    return sum(e.count() for e in (stack.jira, stack.trello, stack.asana))


def assert_nothing_written(home: Path) -> None:
    assert not (home / "local.sqlite").exists()
    ledger = home / "ledger.sqlite"
    if ledger.exists():
        with sqlite3.connect(ledger) as db:
            assert db.execute("SELECT count(*) FROM instances").fetchone()[0] == 0
            assert db.execute("SELECT count(*) FROM objects").fetchone()[0] == 0


def test_the_corpus_is_large_and_every_file_has_a_case() -> None:
    files = {p.name for p in CORPUS.iterdir() if p.suffix in (".yaml", ".toml")}
    assert files == {name for name, _, _ in CASES}
    assert len(files) >= 60


@pytest.mark.parametrize(("name", "code", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_before_any_write(
    stack: Stack, isolated_home: Path, name: str, code: int, expected: str
) -> None:
    stack.write_config(Path("collabsync.toml"))
    for emulator in (stack.jira, stack.trello, stack.asana):
        emulator.reset_log()
    path = CORPUS / name
    variables = VARS[:2] if name in DEFAULT_LAUNCH else VARS
    if path.suffix == ".yaml":
        args = ["stamp", str(path), "--name", "bad", *variables, "--yes"]
    else:
        args = ["--config", str(path), "stamp", "product-launch", "--name", "bad", *variables, "--yes"]
    result = CliRunner().invoke(main, args)
    assert (result.exit_code, result.stderr) == (code, expected.replace("{file}", str(path)))
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert requests_to(stack) == 0
    assert_nothing_written(isolated_home)


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner(env=env).invoke(main, list(args))


def test_collabsync_home_that_is_a_file(tmp_path: Path) -> None:
    home = tmp_path / "home-file"
    home.write_text("x")
    result = run("status", env={"COLLABSYNC_HOME": str(home)})
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: {home}: COLLABSYNC_HOME is a file, not a directory; point it at a directory or move the file away\n",
    )
    nested = home / "sub"
    result = run("instances", env={"COLLABSYNC_HOME": str(nested)})
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: {nested}: cannot create COLLABSYNC_HOME: Not a directory; check the path and its permissions\n",
    )


def test_init_path_in_a_missing_folder_or_under_a_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "collabsync.toml"
    result = run("init", "--path", str(missing))
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: {missing.parent}: does not exist; --path must be a file in an existing folder\n",
    )
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run("init", "--path", str(blocker / "collabsync.toml"))
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: {blocker}: is a file; --path must be a file in an existing folder\n",
    )
    assert not missing.parent.exists()


def test_template_paths_that_are_folders_missing_or_too_large(isolated_home: Path, tmp_path: Path) -> None:
    result = run("stamp", str(CORPUS), "--name", "x", *VARS, "--yes")
    assert (result.exit_code, result.stderr) == (1, f"error: {CORPUS}: is a folder, not a template file; give a file\n")
    result = run("stamp", "missing.yaml", "--name", "x", *VARS, "--yes")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: missing.yaml: cannot read template: No such file or directory\n",
    )
    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * MAX_TEMPLATE_BYTES + "\n")
    result = run("stamp", str(big), "--name", "x", *VARS, "--yes")
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: {big}: template is {MAX_TEMPLATE_BYTES + 3:,} bytes; at most {MAX_TEMPLATE_BYTES:,} are read: "
        "split it or remove generated content\n",
    )
    result = run("--config", str(tmp_path), "status")
    assert result.exit_code == 2 and "is a directory" in result.stderr
    assert_nothing_written(isolated_home)


def test_bad_variable_values_and_today(isolated_home: Path) -> None:
    result = run("stamp", "product-launch", "--name", "x", "--var", "product=N", "--var", "launch=2027-13-45", "--yes")
    assert result.exit_code == 1 and result.stderr.startswith("error: ")
    assert "variable 'launch' must be a date (YYYY-MM-DD), got '2027-13-45'" in result.stderr
    result = run("status", "--today", "tomorrow")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: --today/COLLABSYNC_TODAY: 'tomorrow' is not a date; write YYYY-MM-DD\n",
    )
    assert_nothing_written(isolated_home)


def stamp_locally() -> None:
    result = run(
        "stamp",
        "customer-onboarding",
        "--name",
        "acme",
        "--var",
        "customer=Acme",
        "--var",
        "kickoff=2027-03-01",
        "--yes",
    )
    assert result.exit_code == 0, result.output


def test_corrupt_ledger_names_the_file_and_the_way_back(isolated_home: Path) -> None:
    shutil.copy(CORPUS / "corrupt.sqlite", isolated_home / "ledger.sqlite")
    result = run("status")
    ledger = isolated_home / "ledger.sqlite"
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: cannot open ledger {ledger}: file is not a database; restore it from a backup, or move it away "
        "and stamp again with the same --name (the tools' markers tell collabsync what already exists)\n",
    )


def test_corrupt_ledger_row_is_an_error_not_a_crash(isolated_home: Path) -> None:
    stamp_locally()
    with sqlite3.connect(isolated_home / "ledger.sqlite") as db:
        db.execute("UPDATE instances SET spec = '{not json'")
    result = run("status", "acme")
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: ledger {isolated_home / 'ledger.sqlite'}: the row of instance 'acme' is unreadable "
        "(JSONDecodeError); restore it from a backup, or move it away and stamp again with the same --name "
        "(the tools' markers tell collabsync what already exists)\n",
    )


def test_corrupt_local_tool_marks_its_departments_stale(isolated_home: Path, tmp_path: Path) -> None:
    stamp_locally()
    local = isolated_home / "local.sqlite"
    for extra in isolated_home.glob("local.sqlite-*"):
        extra.unlink()
    shutil.copy(CORPUS / "corrupt.sqlite", local)
    why = (
        f"local: {local}: not a readable local tool database (file is not a database); restore it from a "
        "backup, or move it away to start an empty one"
    )
    status = run("status", "acme")
    assert (
        status.exit_code == 3
        and "Traceback" not in status.output
        and "sales (stale, from no earlier read)" in status.stdout
    )
    as_json = run("status", "acme", "--format", "json")
    assert as_json.exit_code == 3 and json.loads(as_json.stdout)["departments"]["sales"]["stale"] == why
    tasks = run("tasks", "acme")
    assert (
        tasks.exit_code == 0
        and f"warning: acme: sales could not be read, shown from no earlier snapshot: {why}\n" in tasks.stderr
    )
    report = run("report", "acme", "--format", "md", "--no-save", "--today", "2027-03-01")
    assert report.exit_code == 3
    assert f"warning: acme: sales could not be read, shown from no earlier snapshot: {why}\n" in report.stderr


def test_corrupt_history_names_the_file(isolated_home: Path) -> None:
    stamp_locally()
    history = isolated_home / "history.sqlite"
    shutil.copy(CORPUS / "corrupt.sqlite", history)
    result = run("report", "acme", "--format", "md", "--today", "2027-03-01")
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: cannot open report history {history}: file is not a database; restore it from a backup, or "
        "move it away to start a new history (earlier snapshots and burn-up are then gone)\n",
    )


def test_corrupt_http_cache_is_moved_aside_with_a_warning(
    isolated_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = isolated_home / "cache" / "trello-abc.sqlite"
    cache.parent.mkdir()
    shutil.copy(CORPUS / "corrupt.sqlite", cache)
    with caplog.at_level(logging.WARNING, logger="collabsync.http"):
        make_session("trello", HttpPolicy(), cache_path=cache).close()
    assert (cache.parent / "trello-abc.sqlite.corrupt").exists()
    assert f"cache {cache} was unreadable (file is not a database); moved it to {cache}.corrupt" in caplog.text
    with sqlite3.connect(cache) as db:
        assert db.execute("PRAGMA schema_version").fetchone() is not None


def test_a_time_zone_from_the_environment_is_checked_too(
    stack: Stack, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack.write_config(Path("collabsync.toml"))
    config = Path("collabsync.toml")
    config.write_text(
        config.read_text().replace("[providers.trello]\n", '[providers.trello]\ntimezone = "${SALES_TZ}"\n')
    )
    monkeypatch.setenv("SALES_TZ", "Europe/Berln")
    for emulator in (stack.jira, stack.trello, stack.asana):
        emulator.reset_log()
    result = run("stamp", "product-launch", "--name", "tz", *VARS, "--yes")
    assert (result.exit_code, result.stderr) == (  # the file named is the one loaded, with its path
        1,
        f"error: {config.resolve()}: timezone: unknown time zone 'Europe/Berln': did you mean Europe/Berlin, "
        "Europe/Belfast, Europe/Helsinki?\n",
    )
    assert requests_to(stack) == 0
    assert_nothing_written(isolated_home)


def test_template_and_config_problems_are_listed_together(isolated_home: Path) -> None:
    template, config = CORPUS / "jinja-zero-division.yaml", CORPUS / "timezone-typo.toml"
    result = run("--config", str(config), "stamp", str(template), "--name", "both", *VARS, "--yes")
    assert (result.exit_code, result.stderr) == (
        1,
        (
            "error: 2 problems found; nothing was written\n"
            f"  {template}:12: cannot render: ZeroDivisionError: integer division or modulo by zero; fix the expression\n"
            f"  {config}:5: providers.board.timezone: unknown time zone 'Europe/Berln': did you mean Europe/Berlin, "
            "Europe/Belfast, Europe/Helsinki?\n"
        ),
    )
    assert_nothing_written(isolated_home)
