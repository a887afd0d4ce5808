"""The text side of collabsync.toml: where a table or key sits (for file:line messages) and the starter file.

Kept apart from collabsync/config.py, which validates the parsed config.
"""

from __future__ import annotations

import re

__all__ = ["STARTER_CONFIG"]


def _key_line(text: str, key: str) -> int | None:
    """The line of a top-level `key = ...` (before the first table header)."""
    for i, line in enumerate(text.splitlines()):
        if line.lstrip().startswith("["):
            return None
        if re.match(r"^\s*[\"']?" + re.escape(key) + r"[\"']?\s*=", line):
            return i + 1
    return None


def _array_line(text: str, key: str) -> int | None:
    """The line of the first `[[key]]` header."""
    for i, line in enumerate(text.splitlines()):
        if re.match(r"^\s*\[\[\s*" + re.escape(key) + r"\s*\]\]", line):
            return i + 1
    return None


def _toml_line(text: str, table: str, key: str | None = None) -> int | None:
    """Find `[table]` (or a dotted/inline equivalent) and optionally `key =` after it."""
    if not text:
        return None
    lines = text.splitlines()
    header = re.compile(
        r"^\s*\[\s*" + r"\s*\.\s*".join(re.escape(p).replace(r"\-", "-") for p in table.split(".")) + r"\s*\]\s*(#.*)?$"
    )
    start = next((i for i, line in enumerate(lines) if header.match(line)), None)
    if start is None:
        return None
    if key is None:
        return start + 1
    key_re = re.compile(r"^\s*[\"']?" + re.escape(key) + r"[\"']?\s*=")
    for i in range(start + 1, len(lines)):
        if lines[i].lstrip().startswith("["):
            break
        if key_re.match(lines[i]):
            return i + 1
    return start + 1


STARTER_CONFIG = """\
# collabsync.toml: where each department's share of a joint project lives.
# Looked up via --config, then ./collabsync.toml, then $COLLABSYNC_HOME/collabsync.toml.
# Secrets are never written here: use ${ENV_VAR} and export the variable.

[defaults]
provider = "local"            # departments not listed below go here (the embedded SQLite tool)

[providers.local]
type = "local"                # no account needed; data in $COLLABSYNC_HOME/local.sqlite

# [providers.jira]
# type = "jira"
# url = "https://acme.atlassian.net"
# email = "pm@acme.example"
# api_token = "${JIRA_API_TOKEN}"

# [providers.trello]
# type = "trello"
# api_key = "${TRELLO_API_KEY}"
# token = "${TRELLO_TOKEN}"

# [providers.asana]
# type = "asana"
# token = "${ASANA_TOKEN}"
# workspace = "1200000000000000"

# [departments.engineering]
# provider = "jira"
# project = "ENG"

# [departments.sales]
# provider = "trello"
# workspace = "acme-sales"

# [departments.marketing]
# provider = "asana"
# team = "1200000000000001"

# [people.alice]              # optional: one person's id in each tool, for assignees
# jira = "5b10ac8d82e05b22cc7d4ef5"
# trello = "5c3f..."
# asana = "1200000000000002"

[cache]
ttl = 300                     # seconds CLI queries may reuse a tool's answers (never for stamp or report)
"""
