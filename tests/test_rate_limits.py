"""Zero 429s at the default budget (issue 11 item 8), with every window scaled down so the limits bite fast.

Several threads read at once, as `status` and `report` do across departments, through the real SDKs
against emulators whose limits are the published ones with shorter windows. The budget must pace
the requests so the emulator never answers 429, while more requests are sent than one window holds.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from collabsync import ratelimit
from collabsync.providers.asana import AsanaProvider
from collabsync.providers.base import Provider, ProviderContext
from collabsync.providers.jira import JiraProvider
from collabsync.providers.trello import TrelloProvider
from collabsync.ratelimit import Budget, Limit
from collabsync.testing.asana import AsanaEmulator
from collabsync.testing.core import Emulator, RateLimit
from collabsync.testing.jira import JiraEmulator
from collabsync.testing.trello import TrelloEmulator

SCALE = 0.02  # 10 s become 200 ms, a minute 1.2 s


@pytest.fixture(autouse=True)
def scaled_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ratelimit, "TIME_SCALE", SCALE)


def hammer(read: Callable[[], object], threads: int = 8, rounds: int = 6) -> None:
    """Read concurrently, like a report over several departments of one tool."""
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for future in [pool.submit(read) for _ in range(threads * rounds)]:
            future.result()


def read_under_load(emu: Emulator, provider: Provider, source: str, rounds: int) -> tuple[int, int]:
    """Requests sent and 429s answered while reading one source from 8 threads, `rounds` reads each."""
    container = provider.resolve_source(source)
    emu.reset_log()
    hammer(lambda: provider.read_tasks(container), rounds=rounds)
    return len(emu.requests), sum(1 for r in emu.requests if r.status == 429)


def test_asana_default_budget_never_meets_the_free_plan_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ratelimit, "TIME_SCALE", 0.03)  # a minute becomes 1.8 s: long enough to fill at loopback speed
    with AsanaEmulator(per_minute=None, rate_limits=[RateLimit(150, 60 * 0.03, scope="token")]) as emu:
        project = emu.seed_bulk(1, 120)[0]
        provider = AsanaProvider(
            "asana",
            {"token": emu.token, "workspace": emu.workspace_gid, "base_url": emu.base_url},
            ProviderContext(home=tmp_path),
        )
        sent, rejected = read_under_load(emu, provider, project, rounds=10)
    assert sent == 8 * 10 * 2 and sent > 150  # two pages per read: more than one window allows
    assert rejected == 0


def test_trello_default_budget_stays_under_token_and_key_limits(tmp_path: Path) -> None:
    limits = [RateLimit(100, 10 * SCALE, scope="token"), RateLimit(300, 10 * SCALE, scope="key")]
    with TrelloEmulator(rate_limits=limits) as emu:
        board = emu.seed_bulk(1, 50)[0]
        provider = TrelloProvider(
            "trello",
            {"api_key": emu.api_key, "token": emu.token, "base_url": emu.base_url},
            ProviderContext(home=tmp_path),
        )
        sent, rejected = read_under_load(emu, provider, board["id"], rounds=15)
    assert sent > 100 and rejected == 0


def test_jira_bounded_in_flight_and_burst_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ratelimit, "TIME_SCALE", 0.2)  # a second becomes 200 ms on both sides
    with JiraEmulator(rate_limits=[RateLimit(20, 0.2, scope="token")]) as emu:
        project = emu.seed_bulk(1, 40)[0]
        provider = JiraProvider(
            "jira",
            {
                "url": emu.root_url,
                "email": emu.email,
                "api_token": emu.api_token,
                "deployment": "cloud",
                "requests_per_second": 20,
            },
            ProviderContext(home=tmp_path),
        )
        sent, rejected = read_under_load(emu, provider, project["project"], rounds=4)
    assert sent > 20 and rejected == 0


def test_a_429_pauses_the_others_and_halves_an_adaptive_budget() -> None:
    budget = Budget([Limit(100, 1.0)], max_reads=2, adaptive=True)
    with budget.slot(write=False):
        pass
    budget.on_reject(0.0)
    assert (budget.sent, budget.rejected, budget.scale) == (1, 1, 0.5)
    for _ in range(20):
        budget.on_accept()
    assert budget.scale == pytest.approx(0.6)
    assert Budget([Limit(100, 1.0)]).scale == 1.0
    assert [Limit(150, 60.0).budget(), Limit(15, 1.0).budget(), Limit(1, 1.0).budget()] == [135, 13, 1]
