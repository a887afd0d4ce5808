"""The config's JSON Schema checks and their memo, imported only when a config is parsed (issue 17: start fast)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from collabsync.config import _SECRET_KEYS, _home_path
from collabsync.errors import ConfigError
from collabsync.private import private_file

if TYPE_CHECKING:  # imported only when a schema check is not already known to pass
    import jsonschema

__all__ = ["SCHEMA_MEMO", "SchemaChecks", "schema_key"]

#: Hashes of (collabsync version, provider type, settings) that passed their schema: a start with an unchanged
#: config imports neither jsonschema nor the provider modules (their SDKs), 0.3-0.8 s. Settings holding a
#: literal secret are never remembered, so no secret is hashed.
SCHEMA_MEMO = "schemas-ok.txt"


class SchemaChecks:
    """JSON Schema checks of one config load, answered from the memo when the same pair passed before."""

    def __init__(self) -> None:
        self.path = _home_path() / SCHEMA_MEMO
        try:
            self.known = set(self.path.read_text("ascii").split())
        except (OSError, UnicodeDecodeError):
            self.known = set()
        self.passed: set[str] = set()

    @staticmethod
    def _key(kind: str, instance: Mapping[str, Any]) -> str | None:
        """The memo's key of one check, or None when the settings hold a literal secret."""
        from collabsync import __version__

        if any(k in _SECRET_KEYS and not (isinstance(v, str) and v.startswith("${")) for k, v in instance.items()):
            return None
        text = json.dumps([__version__, kind, instance], sort_keys=True, default=repr)
        return hashlib.sha256(text.encode()).hexdigest()

    def passed_before(self, kind: str, instance: Mapping[str, Any]) -> bool:
        """True when this very check (e.g. "jira/settings" of these settings) passed in an earlier run."""
        key = self._key(kind, instance)
        return key is not None and key in self.known

    def errors(
        self, kind: str, schema: Mapping[str, Any], instance: Mapping[str, Any]
    ) -> list[jsonschema.ValidationError]:
        """The schema's errors for instance (none when this very check passed before)."""
        key = self._key(kind, instance)
        if key is not None and key in self.known:
            return []
        import jsonschema

        found = list(jsonschema.Draft202012Validator(schema).iter_errors(instance))
        if key is not None and not found:
            self.passed.add(key)
        return found

    def save(self) -> None:
        """Remember what passed, when collabsync's home exists (a check never creates it)."""
        if not self.passed or not self.path.parent.is_dir():
            return
        try:
            lines = sorted(self.known | self.passed)[-256:]
            private_file(self.path).write_text("\n".join(lines) + "\n", "ascii")
        except (OSError, ConfigError):
            pass  # a memo only saves time


def schema_key(err: jsonschema.ValidationError) -> str | None:
    """The setting a schema error is about, so its line can be found."""
    if err.absolute_path:
        return str(err.absolute_path[0])
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        known = err.schema.get("properties", {}) if isinstance(err.schema, Mapping) else {}
        extra = sorted(set(err.instance) - set(known))
        return extra[0] if extra else None
    return None
