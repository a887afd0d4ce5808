"""collabsync.toml: which provider accounts exist and where each department's work goes.

Found via --config, then ./collabsync.toml, then $COLLABSYNC_HOME/collabsync.toml; with none,
every department goes to the embedded `local` provider. Secrets are written as ${ENV_VAR}.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from collabsync.config_text import STARTER_CONFIG, _array_line, _key_line, _toml_line
from collabsync.errors import ConfigError, Problem
from collabsync.private import config_exposure_warning, private_dir
from collabsync.redact import register_secret
from collabsync.templating.roles import config_role_problems
from collabsync.textfile import UnreadableFile, read_utf8

__all__ = ["Config", "ProviderConfig", "DepartmentConfig", "home_dir", "load_config", "find_config", "STARTER_CONFIG"]

CONFIG_NAME = "collabsync.toml"
_ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SECRET_KEYS = ("token", "api_token", "api_key", "password", "secret")


def home_dir() -> Path:
    """Where the ledger, the local database, caches and history live (COLLABSYNC_HOME to isolate)."""
    env = os.environ.get("COLLABSYNC_HOME")
    return private_dir(_home_path(), what="COLLABSYNC_HOME" if env else "the collabsync data directory")


def _home_path() -> Path:
    """home_dir's path, without creating it."""
    env = os.environ.get("COLLABSYNC_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs  # only when COLLABSYNC_HOME is unset

    return Path(platformdirs.user_data_dir("collabsync", appauthor=False))


@dataclass(frozen=True)
class ProviderConfig:
    """One `[providers.NAME]` table."""

    name: str
    type: str
    settings: dict[str, Any]
    line: int | None = None


@dataclass(frozen=True)
class DepartmentConfig:
    """One `[departments.NAME]` table: a provider and a destination inside it."""

    name: str
    provider: str
    destination: dict[str, Any]
    line: int | None = None


@dataclass
class Config:
    """The validated configuration."""

    path: Path | None
    providers: dict[str, ProviderConfig]
    departments: dict[str, DepartmentConfig]
    default_provider: str = "local"
    people: dict[str, dict[str, str]] = field(default_factory=dict)
    cache_ttl: float = 300.0
    text: str = ""
    warnings: list[str] = field(default_factory=list)
    roles: dict[str, Any] = field(default_factory=dict)  # [roles] NAME = EMAIL and [roles.DEPT] tables
    email: dict[str, Any] = field(default_factory=dict)

    @property
    def source(self) -> str:
        """The file name used in error messages."""
        return str(self.path) if self.path else "(built-in default config)"

    def route(self, department: str) -> DepartmentConfig:
        """Where a department's tasks go; unlisted departments go to the default provider."""
        if department in self.departments:
            return self.departments[department]
        return DepartmentConfig(department, self.default_provider, {})

    def provider_settings(self, name: str) -> dict[str, Any]:
        """A provider's settings with ${ENV} expanded; missing variables are a ConfigError."""
        pc = self.providers[name]
        problems: list[Problem] = []
        expanded = _expand(pc.settings, f"providers.{name}", self, problems)
        if problems:
            raise ConfigError(problems)
        for key, value in expanded.items():
            if any(s in key.lower() for s in _SECRET_KEYS) and isinstance(value, str):
                register_secret(value)
        return expanded

    def email_settings(self) -> dict[str, Any]:
        """The `[email]` table with ${ENV} expanded (the password registered as a secret); ConfigError if absent."""
        if not self.email:
            raise ConfigError.single(
                self.source,
                "no [email] table: add one with host, from (and username, "
                'password = "${SMTP_PASSWORD}") to send the digest',
            )
        problems: list[Problem] = []
        expanded = _expand(self.email, "email", self, problems)
        if problems:
            raise ConfigError(problems)
        if expanded.get("password"):
            register_secret(str(expanded["password"]))
        return expanded

    def line_of(self, table: str, key: str | None = None) -> int | None:
        """Best-effort line of a table header or of a key inside it (tomllib keeps no positions)."""
        return _toml_line(self.text, table, key)


def find_config(explicit: str | Path | None = None) -> Path | None:
    """The config file to use, or None for the built-in default."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError.single(
                str(path), "config file not found; check the --config path or run `collabsync init`"
            )
        return path
    for candidate in (Path.cwd() / CONFIG_NAME, home_dir() / CONFIG_NAME):
        if candidate.is_file():
            return candidate
    return None


def load_config(explicit: str | Path | None = None, *, check_env: bool = False) -> Config:
    """Load and validate the config; ConfigError lists every problem with its line."""
    path = find_config(explicit)
    if path is None:
        return Config(None, {"local": ProviderConfig("local", "local", {})}, {})
    try:
        text = read_utf8(path, what="config")
    except UnreadableFile as exc:
        raise ConfigError.single(str(path), exc.message, exc.line) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise ConfigError.single(str(path), f"TOML syntax error: {exc}", int(m.group(1)) if m else None) from None
    config = parse_config(data, path, text, check_env=check_env)
    if warning := config_exposure_warning(path, text):
        config.warnings.append(warning)
    return config


def parse_config(data: Mapping[str, Any], path: Path, text: str, *, check_env: bool = False) -> Config:
    """Validate a parsed config against the provider schemas; all problems at once."""
    from collabsync.config_schema import SchemaChecks, schema_key  # late: it reads this module's home path
    from collabsync.providers.registry import provider_class  # late: providers import config helpers

    src = str(path)
    problems: list[Problem] = []

    def add(msg: str, table: str, key: str | None = None) -> None:
        problems.append(Problem(src, _toml_line(text, table, key), msg))

    for key in data:
        if key not in _TABLES:
            problems.append(
                Problem(
                    src,
                    _toml_line(text, key) or _key_line(text, key),
                    f"unknown top-level table {key!r}; allowed: {', '.join(_TABLES)}",
                )
            )
    data = dict(data)
    for key, example in _TABLES.items():  # a table of the wrong shape is reported, then treated as empty
        if key in data and not isinstance(data[key], dict):
            kind = "an array of tables" if isinstance(data[key], list) else _KINDS.get(type(data[key]), "a value")
            problems.append(
                Problem(
                    src,
                    _toml_line(text, key) or _key_line(text, key) or _array_line(text, key),
                    f"{key} must be a table like {example}, not {kind}",
                )
            )
            data[key] = {}
    providers: dict[str, ProviderConfig] = {"local": ProviderConfig("local", "local", {})}
    classes: dict[str, Any] = {}
    resolved: set[str] = set()  # providers whose type is known to exist
    checks = SchemaChecks()
    for name, table in (data.get("providers") or {}).items():
        if not isinstance(table, dict) or "type" not in table:
            add(f"provider {name!r} needs a `type` (local, jira, trello, asana, ...)", f"providers.{name}")
            continue
        settings = {k: v for k, v in table.items() if k != "type"}
        ptype = str(table["type"])
        providers[name] = ProviderConfig(name, ptype, settings, _toml_line(text, f"providers.{name}"))
        if checks.passed_before(f"{ptype}/settings", settings):
            resolved.add(name)  # the type and these settings were checked by an earlier run of this version
        else:
            try:
                cls = provider_class(ptype, source=src)
            except ConfigError as exc:
                add(exc.problems[0].message, f"providers.{name}", "type")
                continue
            classes[name] = cls
            resolved.add(name)
            for err in checks.errors(f"{ptype}/settings", cls.settings_schema, settings):
                add(f"providers.{name}: {err.message}", f"providers.{name}", schema_key(err))
        for key, value in settings.items():
            if (
                key in ("timezone", "time_zone")
                and isinstance(value, str)
                and "${" not in value
                and (msg := _zone_problem(value))
            ):
                add(f"providers.{name}.{key}: {msg}", f"providers.{name}", key)
            if key == "path" and isinstance(value, str) and "${" not in value and Path(value).expanduser().is_dir():
                add(
                    f"providers.{name}.path: {value!r} is a folder; give a file path such as {value.rstrip('/')}/local.sqlite",
                    f"providers.{name}",
                    key,
                )
    defaults = data.get("defaults") or {}
    default_provider = str(defaults.get("provider", "local"))
    if default_provider not in providers:
        add(
            f"defaults.provider {default_provider!r} is not a configured provider; known: {', '.join(providers)}",
            "defaults",
            "provider",
        )
    departments: dict[str, DepartmentConfig] = {}
    for name, table in (data.get("departments") or {}).items():
        if not isinstance(table, dict):
            problems.append(
                Problem(
                    src,
                    _toml_line(text, f"departments.{name}") or _toml_line(text, "departments", name),
                    f'departments.{name} must be a table like [departments.{name}] provider = "NAME"',
                )
            )
            continue
        pname = str(table.get("provider", default_provider))
        destination = {k: v for k, v in table.items() if k != "provider"}
        departments[name] = DepartmentConfig(name, pname, destination, _toml_line(text, f"departments.{name}"))
        if pname not in providers:
            add(
                f"department {name!r} routes to unknown provider {pname!r}; configured: {', '.join(providers)}",
                f"departments.{name}",
                "provider",
            )
        elif (pname in resolved or providers[pname].type == "local") and not checks.passed_before(
            f"{providers[pname].type}/destination", destination
        ):
            cls = classes.get(pname) or provider_class(providers[pname].type)
            for err in checks.errors(f"{providers[pname].type}/destination", cls.destination_schema, destination):
                add(f"departments.{name}: {err.message}", f"departments.{name}", schema_key(err))
    people = data.get("people") or {}
    for person, ids in people.items():
        if not isinstance(ids, dict) or not all(isinstance(v, str) for v in ids.values()):
            problems.append(
                Problem(
                    src,
                    _toml_line(text, f"people.{person}") or _toml_line(text, "people", person),
                    f"people.{person} must map provider names to user ids (strings), "
                    f'like [people.{person}] jira = "USER-ID"',
                )
            )
    ttl = (data.get("cache") or {}).get("ttl", 300)
    if not isinstance(ttl, (int, float)) or ttl < 0:
        add("cache.ttl must be a number of seconds >= 0", "cache", "ttl")
    problems += config_role_problems(data.get("roles"), src, lambda table: _toml_line(text, table))
    email = data.get("email") or {}
    if email:
        import jsonschema

        from collabsync.report.mail import EMAIL_SCHEMA

        for err in jsonschema.Draft202012Validator(EMAIL_SCHEMA).iter_errors(email):
            add(f"email: {err.message}", "email", schema_key(err))
        if isinstance(email.get("password"), str) and "${" not in email["password"]:
            add(
                'email.password: write it as "${SMTP_PASSWORD}" and export the variable, never literally',
                "email",
                "password",
            )
    config = Config(
        path,
        providers,
        departments,
        default_provider,
        dict(people),
        float(ttl) if isinstance(ttl, (int, float)) else 300.0,
        text,
        email=dict(email),
    )
    config.roles = dict(data.get("roles") or {})
    if check_env:
        for name, pc in providers.items():
            _expand(pc.settings, f"providers.{name}", config, problems)
    if problems:
        raise ConfigError(problems)
    checks.save()
    return config


#: The top-level tables of collabsync.toml, each with an example of its shape.
_TABLES = {
    "defaults": '[defaults] provider = "local"',
    "providers": '[providers.NAME] type = "jira"',
    "departments": '[departments.NAME] provider = "NAME"',
    "people": '[people.NAME] jira = "USER-ID"',
    "roles": '[roles] account_exec = "dana@acme.example"',
    "cache": "[cache] ttl = 300",
    "email": '[email] host = "smtp.example.com"',
}


_KINDS = {str: "a string", int: "a number", float: "a number", bool: "a boolean"}


def _zone_problem(name: str) -> str | None:
    """validate_zone, its module imported only for a config that names a zone (issue 17: the first request)."""
    from collabsync.dates import validate_zone

    return validate_zone(name)


def _expand(value: Any, where: str, config: Config, problems: list[Problem]) -> Any:
    """Replace ${VAR} with the environment's value; a missing variable is a problem to report."""
    if isinstance(value, dict):
        return {k: _expand(v, f"{where}.{k}", config, problems) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, where, config, problems) for v in value]
    if not isinstance(value, str):
        return value

    def sub(m: re.Match[str]) -> str:
        var = m.group(1)
        if var not in os.environ:
            table, _, key = where.rpartition(".")
            problems.append(
                Problem(
                    config.source,
                    config.line_of(table, key),
                    f"{where}: environment variable {var} is not set; export it or edit the config",
                )
            )
            return ""
        return os.environ[var]

    return _ENV_RE.sub(sub, value)
