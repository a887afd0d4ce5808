"""The status entry of each tool exactly as the tool holds it after a nightly publish, for docs/publishing.md.

`python tests/publish_samples.py` prints the "Entries as each tool holds them" section; the test in
tests/test_publish_samples.py checks that the page shows what the emulators hold.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from collabsync.cli import main
from collabsync.ledger import Ledger
from collabsync.providers.base import ProviderContext
from collabsync.providers.local import LocalProvider
from collabsync.testing.jira import JiraEmulator
from collabsync.testing.jira_adf import adf_to_text
from collabsync.testing.stack import running_stack
from jira_support import datacenter_toml

DAY = "2026-12-16"
HEADING = "## Sample entries: as each tool holds them"
#: the launch of the docs: engineering on Jira Cloud, IT on Jira Data Center, sales on Trello, marketing on Asana
ROUTES = {"engineering": "jira", "sales": "trello", "marketing": "asana"}


def _cli(args: list[str], env: dict[str, str]) -> str:
    result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@contextmanager
def published(folder: Path) -> Iterator[dict[str, Any]]:
    """Stamp product-launch across four tools (and Jira Data Center), run the nightly publish, yield each entry."""
    with running_stack() as stack, JiraEmulator(deployment="Server") as dc:
        dc.add_project("OPS", "IT operations")
        home, config = folder / "home", folder / "collabsync.toml"
        env = {"COLLABSYNC_HOME": str(home), "COLLABSYNC_CONFIG": str(config), "COLLABSYNC_TODAY": ""}
        os.makedirs(home, exist_ok=True)
        config.write_text(
            stack.config_toml(ROUTES)
            + "\n"
            + datacenter_toml(dc, "jira_dc")
            + '\n[departments.it]\nprovider = "jira_dc"\nproject = "OPS"\n'
        )
        config.chmod(0o600)
        _cli(
            [
                "stamp",
                "product-launch",
                "--name",
                "nova",
                "--var",
                "product=Nova",
                "--var",
                "launch=2027-03-01",
                "--yes",
            ],
            env,
        )
        _cli(["update", "nova", "feature-complete", "--status", "blocked"], env)
        _cli(["report", "--all", "--out", str(folder / "out"), "--format", "md", "--publish", "--today", DAY], env)
        with Ledger(home / "ledger.sqlite") as ledger:
            ref = {dept: c.ref for dept, _p, c in ledger.containers("nova")}
            local = {c.ref: c for _d, p, c in ledger.containers("nova") if p == "local"}.values()  # one space
        with LocalProvider("local", {}, ProviderContext(home=home)) as tool:
            rows = [e for c in local for e in tool.status_entries(c)]
        yield {
            "jira": stack.jira.comments[stack.jira.store.issue(ref["engineering"]).id][0].body,
            "jira_dc": adf_to_text(dc.comments[dc.store.issue(ref["it"]).id][0].body),  # what REST v2 returns
            "trello": next(a for a in stack.trello.state.actions if a["type"] == "commentCard")["data"]["text"],
            "asana": next(iter(stack.asana.store.status_updates.values())),
            "local": next(r for r in rows if "/finance/" in r["text"]),
            "local_count": len(rows),
            "addresses": {
                stack.jira.root_url.rstrip("/"): "https://acme.atlassian.net",
                dc.root_url.rstrip("/"): "https://jira.acme.example",
            },
        }


def stable(text: str) -> str:
    """Trello's random card short links as one placeholder, so a new capture compares equal to the page."""
    return re.sub(r"https://trello\.com/c/[A-Za-z0-9]{8}/", "https://trello.com/c/SHORTLNK/", text)


def section(entries: dict[str, Any]) -> str:
    """The Markdown section of docs/publishing.md that shows each entry verbatim (emulator addresses renamed)."""
    text = _section(entries)
    for loopback, name in entries["addresses"].items():
        text = text.replace(loopback, name)
    return text


def _section(entries: dict[str, Any]) -> str:
    asana = entries["asana"]
    local = entries["local"]
    doc = entries["jira"]
    nodes = ",\n".join("  " + json.dumps(node, ensure_ascii=False) for node in doc["content"])
    jira = f'{{"type": "{doc["type"]}", "version": {doc["version"]}, "content": [\n{nodes}\n]}}'
    return f"""{HEADING}

Captured from the emulators by `python tests/publish_samples.py` (product launch *nova*, stamped
with no `--role`, one task blocked, published by the nightly `collabsync report --all --out DIR
--publish` on {DAY}); `tests/test_publish_samples.py` checks that this section is still what the tools
hold. Engineering is on Jira Cloud, IT on Jira Data Center, sales on Trello, marketing on Asana, and
finance, HR and support on the `local` tool. Only the emulators' loopback addresses are renamed
(`https://acme.atlassian.net`, `https://jira.acme.example`); links to the `local` tool are left out.

**Jira Cloud**: the comment's `body` (ADF, one top-level node a line) on the instance's epic:

```json
{jira}
```

**Jira Data Center**: the comment's `body` (wiki markup) on the epic:

```text
{entries["jira_dc"]}
```

**Trello**: the comment's `text` (Markdown) on the status card:

```markdown
{entries["trello"]}
```

**Asana**: the project status update (`status_type: {asana["status_type"]}`, `title: {asana["title"]}`), its
`html_text`:

```html
{asana["html_text"]}
```

**local**: the finance row of `status_entries` (`health: {local["health"]}`; HR and support have their own),
its `text`:

```markdown
{local["text"]}
```
"""


def main_() -> None:
    """Print the section (to paste into docs/publishing.md)."""
    with tempfile.TemporaryDirectory() as folder, published(Path(folder)) as entries:
        sys.stdout.write(section(entries))


if __name__ == "__main__":
    main_()
