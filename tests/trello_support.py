"""Shared helpers for the Trello provider tests: a provider on an emulator, and task builders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import requests

from collabsync.model import NewTask, TaskSpec, marker
from collabsync.providers.base import ProviderContext
from collabsync.providers.trello import TrelloProvider
from collabsync.testing.trello import DEFAULT_KEY, DEFAULT_TOKEN, TrelloEmulator

INSTANCE = "acme-onboarding"
REAL_BASE = "https://api.trello.com/1"


def emulator_session(base_url: str) -> requests.Session:
    """A requests.Session that sends py-trello's hard-coded api.trello.com URLs to the emulator."""

    class EmulatorSession(requests.Session):
        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
            if url.startswith(REAL_BASE):
                url = base_url + url[len(REAL_BASE) :]
            kwargs.setdefault("timeout", 10)
            return super().request(method, url, *args, **kwargs)

    return EmulatorSession()


def make_provider(
    emu: TrelloEmulator,
    home: Path,
    *,
    use_cache: bool = False,
    people: dict[str, dict[str, str]] | None = None,
    **settings: Any,
) -> TrelloProvider:
    """A provider pointed at the emulator, with no real waiting on back-off."""
    base = {"api_key": DEFAULT_KEY, "token": DEFAULT_TOKEN, "base_url": emu.base_url, "backoff": 0.0}
    context = ProviderContext(home=home, use_cache=use_cache, people=people or {})
    provider = TrelloProvider("trello", {**base, **settings}, context)
    provider.session.sleep = lambda seconds: None  # type: ignore[attr-defined]
    provider.session.trust_env = False  # loopback only: skip proxy and netrc lookups per request
    return provider


def spec(key: str, **kw: Any) -> TaskSpec:
    """A task spec of the sales department."""
    return TaskSpec(key=key, title=kw.pop("title", f"Task {key}"), department="sales", **kw)


def new(task: TaskSpec, section_ref: str | None = None, instance: str = INSTANCE, notes: str = "") -> NewTask:
    """A NewTask as the stamper builds it."""
    return NewTask(task, marker(instance, task.key), section_ref, notes)


def tasks(n: int, *, checklist: tuple[str, ...] = (), deps: bool = False) -> list[TaskSpec]:
    """n tasks; with deps, each depends on the one before it."""
    return [
        spec(
            f"t{i}",
            due=dt.date(2026, 12, 1) + dt.timedelta(days=i),
            checklist=checklist,
            depends_on=(f"t{i - 1}",) if deps and i else (),
        )
        for i in range(n)
    ]


def route_sales_to(emu: TrelloEmulator, **settings: Any) -> Path:
    """A collabsync.toml in the cwd: sales on the emulator (keys from TRELLO_KEY/TRELLO_TOKEN), the rest local."""
    extra = "".join(f"{k} = {v}\n" for k, v in settings.items())
    path = Path("collabsync.toml")
    path.write_text(
        '[providers.trello]\ntype = "trello"\napi_key = "${TRELLO_KEY}"\ntoken = "${TRELLO_TOKEN}"\n'
        f'base_url = "{emu.base_url}"\n{extra}\n'
        '[departments.sales]\nprovider = "trello"\nworkspace = "acme-sales"\n'
    )
    return path
