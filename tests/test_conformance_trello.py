"""The provider conformance kit on Trello: the real py-trello over HTTP to the loopback emulator."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from collabsync.model import parse_marker
from collabsync.providers.trello_support import short_link
from collabsync.testing.conformance import ProviderConformance, Subject, describe_task
from collabsync.testing.trello import DEFAULT_KEY, DEFAULT_TOKEN, TrelloEmulator


def inventory(emu: TrelloEmulator, instance: str) -> Counter[str]:
    """Boards, lists, cards, checklists, items, labels and dependency attachments of one instance, by content."""
    out: Counter[str] = Counter()
    with emu.lock:
        boards = [b for b in emu.state.boards.values() if parse_marker(b["desc"]) == (instance, None)]
        for board in boards:
            out["container"] += 1
            out.update(f"list {x['name']}" for x in emu.state.lists.values() if x["idBoard"] == board["id"])
            cards = emu.cards_of(board["id"])
            keys = {c["id"]: (parse_marker(c["desc"]) or ("", f"?{c['id']}"))[1] for c in cards}
            by_link = {c["shortLink"]: keys[c["id"]] for c in cards}
            for card in cards:
                key = keys[card["id"]]
                checklists = emu.checklists_of(card["id"])
                out.update(f"checklist {key}: {cl['name']}" for cl in checklists)
                out.update(
                    describe_task(
                        key,
                        card["name"],
                        card["desc"],
                        items=[i["name"] for cl in checklists for i in cl["checkItems"]],
                        labels=[lb["name"] for lb in card["labels"]],
                    )
                )
                for attachment in emu.attachments_of(card["id"]):
                    target = by_link.get(short_link(attachment["url"]) or "", "elsewhere")
                    out[f"attachment {key} -> {target}: {attachment['name']}"] += 1
    return out


class TestTrelloConformance(ProviderConformance):
    @pytest.fixture
    def subject(self) -> Iterator[Subject]:
        with TrelloEmulator(rate_limits=[]) as emu:  # the kit makes hundreds of writes; limits are tested elsewhere
            emu.add_organization("kit-sales")
            yield Subject(
                settings_toml=(
                    f'type = "trello"\napi_key = "{DEFAULT_KEY}"\ntoken = "{DEFAULT_TOKEN}"\n'
                    f'base_url = "{emu.base_url}"\nmax_retries = 1\nbackoff = 0\nrequests_per_10s = 100'
                ),
                destination={"workspace": "kit-sales"},
                inventory=lambda instance: inventory(emu, instance),
                faults=emu,
            )
