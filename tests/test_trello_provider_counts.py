"""Trello provider: requests per operation, resume after a failure at every write, no secret anywhere."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from collabsync.errors import CollabsyncError, RateLimitError
from collabsync.model import Container, Created, SectionSpec, Status
from collabsync.providers.trello import TrelloProvider
from collabsync.testing.core import Faults, RateLimit
from collabsync.testing.trello import DEFAULT_KEY, DEFAULT_TOKEN, TrelloEmulator
from trello_support import INSTANCE, make_provider, new, tasks

SECTIONS = [SectionSpec("one", "Phase one"), SectionSpec("two", "Phase two")]
CHECKLIST = ("prepare", "review")


def endpoints(emu: TrelloEmulator) -> list[str]:
    """The handler names of the logged requests, in order."""
    return [r.endpoint or "?" for r in emu.requests]


@pytest.fixture
def emu() -> Iterator[TrelloEmulator]:
    """An emulator with a workspace."""
    with TrelloEmulator() as emulator:
        emulator.add_organization("acme")
        yield emulator


def test_reading_1500_cards_takes_three_requests(emu: TrelloEmulator, tmp_path: Path) -> None:
    (board,) = emu.seed_bulk(1, 1500, seed=5)
    provider = make_provider(emu, tmp_path)
    container = Container(board["id"], board["name"], board["url"], {"board": board["id"], "mode": "columns"})
    emu.reset_log()
    read = provider.read_tasks(container)
    assert len(read) == len({t.ref for t in read}) == 1500
    assert endpoints(emu) == ["get_board_lists", "get_board_cards", "get_board_cards"]
    assert "before=" in emu.requests[2].query
    assert {t.status.value for t in read} == {"todo", "in_progress", "blocked", "done", "cancelled"}


def test_find_marked_is_one_request_per_1000_cards(emu: TrelloEmulator, tmp_path: Path) -> None:
    (board,) = emu.seed_bulk(1, 1001, seed=2)
    provider = make_provider(emu, tmp_path)
    emu.reset_log()
    found = provider.find_marked(Container(board["id"], "", "", {"board": board["id"]}), "seed-1")
    assert len(found) == 1001 and emu.count() == 2


@pytest.mark.parametrize("n", [1, 12])
def test_stamp_request_counts(emu: TrelloEmulator, tmp_path: Path, n: int) -> None:
    provider = make_provider(emu, tmp_path)
    emu.reset_log()
    container = provider.ensure_container(INSTANCE, "Board", "", {"workspace": "acme"})
    assert endpoints(emu) == ["get_org_boards", "post_board"] + ["post_list"] * 4  # one per column
    emu.reset_log()
    refs = provider.ensure_sections(container, SECTIONS)
    assert endpoints(emu) == ["post_label", "post_label"]  # one per section; a new board has no labels to read
    emu.reset_log()
    specs = tasks(n, checklist=CHECKLIST, deps=True)
    created = list(provider.create_tasks(container, [new(s, refs["one"]) for s in specs]))
    assert all(c.ref for c in created)
    # N cards + one per checklist; the first checklist's items once, later ones copy it
    assert endpoints(emu).count("post_card") == n
    assert endpoints(emu).count("post_card_checklist") == n
    assert endpoints(emu).count("post_check_item") == len(CHECKLIST)
    assert emu.count() == 2 * n + len(CHECKLIST)
    emu.reset_log()
    by_key = {c.key: c.ref for c in created}
    pairs = [(by_key[s.key], by_key[d]) for s in specs for d in s.depends_on]
    assert all(x.error is None for x in provider.link_dependencies(container, pairs))
    assert endpoints(emu) == ["post_card_attachment"] * (n - 1)  # one per link; lines were written with the cards


def test_429_from_trello_is_retried_and_the_card_created_once(tmp_path: Path) -> None:
    with TrelloEmulator(faults=Faults(status_at={4: 429})) as emu:
        emu.add_organization("acme")
        provider = make_provider(emu, tmp_path)
        container = provider.ensure_container(INSTANCE, "Board", "", {"workspace": "acme", "columns": ["To Do"]})
        (created,) = provider.create_tasks(container, [new(t) for t in tasks(1)])  # request 4 is the card's POST
        assert [(r.endpoint, r.status) for r in emu.requests][2:] == [
            ("post_list", 200),
            (None, 429),
            ("post_card", 200),
        ]
        assert created.ref and len(emu.cards_of(container.ref)) == 1


def test_a_token_kept_over_its_limit_ends_in_a_rate_limit_error(tmp_path: Path) -> None:
    with TrelloEmulator(rate_limits=[RateLimit(2, 10.0, scope="token")]) as emu:
        provider = make_provider(emu, tmp_path)
        provider.check()
        provider.check()
        with pytest.raises(RateLimitError, match="trello: GET /1/members/me: still rate limited after 3 retries"):
            provider.check()
        assert [r.status for r in emu.requests] == [200, 200, 429, 429, 429, 429]


def _run(provider: TrelloProvider, done: dict[str, Created], linked: set[tuple[str, str]]) -> Container:
    """A stamp as the stamper drives it, recording outcomes the moment they arrive."""
    container = provider.ensure_container(INSTANCE, "Board", "", {"workspace": "acme"})
    refs = provider.ensure_sections(container, SECTIONS)
    if not container.created:
        done.update({k: v for k, v in provider.find_marked(container, INSTANCE).items() if k not in done})
    specs = tasks(4, checklist=CHECKLIST, deps=True)
    todo = [new(s, refs["one" if i % 2 else "two"]) for i, s in enumerate(specs) if s.key not in done]
    for outcome in provider.create_tasks(container, todo):
        assert outcome.ref, outcome.error
        done[outcome.key] = outcome
    pairs = [(done[s.key].ref, done[d].ref) for s in specs for d in s.depends_on]
    for link in provider.link_dependencies(container, [p for p in pairs if p not in linked]):  # type: ignore[misc]
        linked.add((link.blocked_ref, link.blocking_ref))
    return container


def _writes_of_a_clean_stamp(tmp_path: Path) -> int:
    with TrelloEmulator() as emu:
        emu.add_organization("acme")
        _run(make_provider(emu, tmp_path), {}, set())
        return sum(r.method in ("POST", "PUT") for r in emu.requests)


@pytest.mark.parametrize("lose_reply", [False, True])
def test_resume_after_a_failure_at_every_write(tmp_path: Path, lose_reply: bool) -> None:
    total = _writes_of_a_clean_stamp(tmp_path)
    assert total == 1 + 4 + 2 + 4 + 4 + len(CHECKLIST) + 3  # board, columns, labels, cards, checklists, items, links
    for stop in range(total):
        with TrelloEmulator(faults=Faults(stop_after_writes=stop, lose_reply_after_stop=lose_reply)) as emu:
            emu.add_organization("acme")
            done: dict[str, Created] = {}
            linked: set[tuple[str, str]] = set()
            with pytest.raises(CollabsyncError):
                _run(make_provider(emu, tmp_path), done, linked)
            emu.faults.stop_after_writes = None
            container = _run(make_provider(emu, tmp_path), done, linked)  # a new process: nothing in memory
            boards = emu.boards_named("Board")
            assert len(boards) == 1, f"stop={stop}"
            cards = emu.cards_of(boards[0]["id"])
            assert sorted(c["desc"].splitlines()[-1] for c in cards) == [
                f"collabsync:{INSTANCE}/t{i}" for i in range(4)
            ]
            assert set(make_provider(emu, tmp_path).find_marked(container, INSTANCE)) == {"t0", "t1", "t2", "t3"}
            assert len(linked) == 3
            names = [x["name"] for x in emu.state.lists.values() if x["idBoard"] == boards[0]["id"]]
            assert names == ["To Do", "Doing", "Blocked", "Done"], f"stop={stop}"


def test_no_secret_in_logs_errors_cache_or_reports(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    with TrelloEmulator() as emu:
        emu.add_organization("acme")
        provider = make_provider(emu, tmp_path, use_cache=True)
        container = provider.ensure_container(INSTANCE, "Board", "", {"workspace": "acme"})
        refs = provider.ensure_sections(container, SECTIONS)
        created = list(provider.create_tasks(container, [new(s, refs["one"]) for s in tasks(3, deps=True)]))
        read = provider.read_tasks(container)
        read_again = provider.read_tasks(container)  # served from the cache
        assert [t.to_dict() for t in read] == [t.to_dict() for t in read_again]
        seen += [
            json.dumps([c.__dict__ for c in created]),
            json.dumps([t.to_dict() for t in read]),
            json.dumps(container.extra),
            provider.check(),
        ]
        for destination in ({"board": "f" * 24}, {"workspace": "nowhere"}):
            with pytest.raises(CollabsyncError) as err:
                provider.ensure_container(INSTANCE, "x", "", destination)
            seen.append(f"{err.value} {err.value!r}")
        emu.expire_token(DEFAULT_TOKEN)
        with pytest.raises(CollabsyncError) as err:
            make_provider(emu, tmp_path).check()
        seen.append(f"{err.value} {err.value!r}")
        provider.close()
    assert emu.count("GET", "/cards") >= 1 and "token=" in emu.requests[-1].query  # the secrets did travel
    caches = list((tmp_path / "cache").glob("trello-*"))
    assert caches, "use_cache wrote no cache file"
    blobs = [p.read_bytes() for p in caches]
    assert any(b"/cards" in b for b in blobs)  # the responses are in there
    for secret in (DEFAULT_KEY, DEFAULT_TOKEN):
        assert secret not in caplog.text
        assert all(secret not in text for text in seen)
        assert all(secret.encode() not in blob for blob in blobs)
    assert "key=***" in caplog.text or "token=***" in caplog.text  # urllib3's URL lines were redacted, not dropped


def test_cached_reads_are_reused_until_this_provider_writes(emu: TrelloEmulator, tmp_path: Path) -> None:
    provider = make_provider(emu, tmp_path, use_cache=True)
    container = provider.ensure_container(INSTANCE, "Board", "", {"workspace": "acme"})
    (created,) = provider.create_tasks(container, [new(t) for t in tasks(1)])
    emu.reset_log()
    assert provider.read_tasks(container)[0].status.value == "todo"
    assert provider.read_tasks(container)[0].status.value == "todo"
    assert emu.count() == 2  # the second read came from the cache file
    provider.set_status(container, created.ref, Status.DONE)  # type: ignore[arg-type]
    assert provider.read_tasks(container)[0].status is Status.DONE


def test_one_cache_file_per_credential(tmp_path: Path, emu: TrelloEmulator) -> None:
    make_provider(emu, tmp_path, use_cache=True).check()
    emu.add_token("another-token-123")
    make_provider(emu, tmp_path, use_cache=True, token="another-token-123").check()
    names = sorted(p.name for p in (tmp_path / "cache").glob("trello-*.sqlite"))
    assert len(names) == 2 and not any(DEFAULT_TOKEN[:12] in n for n in names)
