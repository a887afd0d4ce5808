"""The chores every adapter shares live once in providers/base.py and collabsync/errors.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from collabsync.errors import AuthError, ConfigError, ProviderError, RateLimitError, TransportError, refused_item
from collabsync.providers.asana import AsanaProvider
from collabsync.providers.base import ProviderContext, credential_hash
from collabsync.providers.jira import JiraProvider
from collabsync.providers.trello import TrelloProvider
from collabsync.redact import redact


@pytest.mark.parametrize(
    ("error", "per_item"),
    [
        (ProviderError("t", "card", "invalid value", status=400), True),
        (ProviderError("t", "card", "no such list", status=404), True),
        (ProviderError("t", "card", "server error", status=502), False),
        (ProviderError("t", "card", "no answer"), False),
        (ProviderError("t", "task in a batch", "HTTP 401", status=401), False),
        (ProviderError("t", "task in a batch", "HTTP 429", status=429), False),
        (AuthError("t", "card", "token expired", status=401), False),
        (RateLimitError("t", "card", "limited", status=429), False),
        (TransportError("t", "card", "reset", status=400), False),
    ],
)
def test_one_rule_decides_what_is_one_items_refusal(error: ProviderError, per_item: bool) -> None:
    assert refused_item(error) is per_item


@pytest.mark.parametrize(
    ("cls", "settings", "needs"),
    [
        (TrelloProvider, {"api_key": "k"}, "trello needs token"),
        (AsanaProvider, {"workspace": "w"}, "asana needs token"),
        (JiraProvider, {"url": "http://127.0.0.1:1", "email": "a@b.c"}, "jira needs api_token"),
        (JiraProvider, {"url": "http://127.0.0.1:1"}, "jira needs token"),
    ],
)
def test_missing_settings_name_the_loaded_file_and_the_table(
    tmp_path: Path, cls: type, settings: dict[str, str], needs: str
) -> None:
    context = ProviderContext(home=tmp_path, config_file="/etc/ops/collabsync-prod.toml")
    with pytest.raises(ConfigError) as info:
        cls("work", settings, context)
    [problem] = info.value.problems
    assert problem.file == "/etc/ops/collabsync-prod.toml" and f"providers.work: {needs}" in problem.message


def test_credentials_are_hashed_once_and_redacted(tmp_path: Path) -> None:
    context = ProviderContext(home=tmp_path, use_cache=True)
    p = TrelloProvider(
        "boards",
        {"api_key": "key-123456789", "token": "tok-secret-987654321", "base_url": "http://127.0.0.1:9"},
        context,
    )
    try:
        assert p.credential == credential_hash("http://127.0.0.1:9", "key-123456789", "tok-secret-987654321")
        assert p.cache_file() == tmp_path / "cache" / f"boards-{p.credential}.sqlite"
        assert "tok-secret-987654321" not in redact("token=tok-secret-987654321")
    finally:
        p.close()


def test_a_write_without_an_open_cache_removes_the_stale_cache_files(tmp_path: Path) -> None:
    p = AsanaProvider(
        "work",
        {"token": "asana-token-0123456789", "workspace": "1", "base_url": "http://127.0.0.1:9"},
        ProviderContext(home=tmp_path),
    )
    stale = tmp_path / "cache" / f"work-{p.credential}.sqlite"
    stale.parent.mkdir()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{stale}{suffix}").write_bytes(b"old")
    p._invalidate_cache()
    assert list(stale.parent.iterdir()) == []
