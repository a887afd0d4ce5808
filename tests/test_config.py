"""collabsync.toml: lookup order, validation with lines, ${ENV} secrets, the registry's errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from collabsync.config import STARTER_CONFIG, load_config
from collabsync.errors import ConfigError
from collabsync.providers.registry import provider_class, provider_types


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text))
    return path


def test_no_config_routes_everything_to_local() -> None:
    cfg = load_config()
    assert cfg.path is None
    assert cfg.route("sales").provider == "local"
    assert cfg.providers["local"].type == "local"


def test_lookup_order_cwd_then_home(isolated_home: Path) -> None:
    write(isolated_home / "collabsync.toml", '[defaults]\nprovider = "local"\n[departments.sales]\nspace = "home"\n')
    assert load_config().route("sales").destination == {"space": "home"}
    write(Path.cwd() / "collabsync.toml", '[departments.sales]\nspace = "cwd"\n')
    assert load_config().route("sales").destination == {"space": "cwd"}
    explicit = write(Path.cwd() / "other.toml", '[departments.sales]\nspace = "explicit"\n')
    assert load_config(explicit).route("sales").destination == {"space": "explicit"}


def test_explicit_missing_file() -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config("nope.toml")


def test_starter_config_is_valid(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path / "c.toml", STARTER_CONFIG))
    assert cfg.cache_ttl == 300 and cfg.default_provider == "local"


def test_every_problem_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "c.toml",
        """\
        [defaults]
        provider = "nowhere"

        [providers.weird]
        type = "smoke-signals"

        [providers.box]
        type = "local"
        colour = "red"

        [departments.sales]
        provider = "ghost"

        [departments.hr]
        provider = "box"
        shelf = 3

        [cache]
        ttl = -1
        """,
    )
    with pytest.raises(ConfigError) as err:
        load_config(path)
    got = {(p.line, p.message.split(";")[0]) for p in err.value.problems}
    assert (2, "defaults.provider 'nowhere' is not a configured provider") in got
    assert any(line == 5 and "unknown provider type 'smoke-signals'" in m for line, m in got)
    assert any(line == 9 and "colour" in m for line, m in got)
    assert (12, "department 'sales' routes to unknown provider 'ghost'") in got
    assert any(line == 16 and "shelf" in m for line, m in got)
    assert (19, "cache.ttl must be a number of seconds >= 0") in got


def test_unknown_type_lists_known_types() -> None:
    with pytest.raises(ConfigError, match="known types: .*local"):
        provider_class("smoke-signals")
    assert "local" in provider_types()


def test_toml_syntax_error_has_line(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", '[defaults]\nprovider = "local\n')
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert err.value.problems[0].line == 2 and "TOML syntax error" in err.value.problems[0].message


def test_env_secrets_expand_and_missing_ones_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(
        tmp_path / "c.toml",
        """\
        [providers.box]
        type = "local"
        path = "${BOX_PATH}"
        """,
    )
    monkeypatch.delenv("BOX_PATH", raising=False)
    cfg = load_config(path)
    with pytest.raises(ConfigError) as err:
        cfg.provider_settings("box")
    assert err.value.problems[0].line == 3
    assert "environment variable BOX_PATH is not set" in err.value.problems[0].message
    with pytest.raises(ConfigError, match="BOX_PATH"):
        load_config(path, check_env=True)
    monkeypatch.setenv("BOX_PATH", str(tmp_path / "box.sqlite"))
    assert cfg.provider_settings("box") == {"path": str(tmp_path / "box.sqlite")}


def test_people_must_map_to_strings(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", "[people.alice]\njira = 42\n")
    with pytest.raises(ConfigError, match="people.alice must map provider names to user ids"):
        load_config(path)
