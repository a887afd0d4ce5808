"""Trello's card writes (cards with checklists, dependency attachments, notes above the marker) apart from trello.py."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from collabsync.errors import ProviderError, refused_item
from collabsync.model import Container, Created, Linked, NewTask, Status, TaskSpec, insert_above_marker, with_marker

from .trello_plumbing import TrelloPlumbing
from .trello_support import attached_pairs, checklist_gap, depends_line, write_date


class TrelloCardWrites(TrelloPlumbing):
    """Writes to cards: one POST each, then their checklists, links and description lines."""

    def create_tasks(self, container: Container, tasks: Sequence[NewTask]) -> Iterator[Created]:
        """One POST /cards per task with everything in it; checklists right after; yield each outcome."""
        if not tasks:
            return
        board, extra = self._board(container), container.extra
        sections_mode = extra.get("mode") == "sections"
        default_list = (
            None if sections_mode and all(t.section_ref for t in tasks) else self._list_for(board, extra, Status.TODO)
        )
        task_labels = self._task_labels(board, tasks)
        made: dict[str, dict[str, Any]] = {}
        for item in tasks:
            spec = item.spec
            labels = [task_labels[n] for n in spec.labels if n in task_labels]
            if extra.get("label"):
                labels.insert(0, extra["label"])
            if item.section_ref and not sections_mode:
                labels.insert(0, item.section_ref)
            desc = with_marker(item.description, item.marker)
            deps = [depends_line(made[k]["name"], made[k]["url"]) for k in spec.depends_on if k in made]
            if deps:
                desc = insert_above_marker(desc, deps)
            body: dict[str, Any] = {
                "name": spec.title,
                "desc": desc,
                "pos": "bottom",
                "idList": item.section_ref if sections_mode and item.section_ref else default_list,
                "idLabels": ",".join(dict.fromkeys(labels)),
            }
            member = self.person_id(spec.assignee)
            if member:
                body["idMembers"] = member
            if spec.due:
                body["due"] = write_date(spec.due, self.tz)
            if spec.start:
                body["start"] = write_date(spec.start, self.tz)
            try:
                card = self._fetch("POST", "/cards", f"card {spec.key!r}", body=body)
            except ProviderError as exc:
                if not refused_item(exc):
                    raise  # stop: outcome unknown or nothing more will work; the stamp resumes by marker
                yield Created(spec.key, error=exc.cause)
                continue
            made[spec.key] = self._remember(card, desc)
            error = self._add_checklist(card["id"], spec.key, spec.checklist) if spec.checklist else None
            yield Created(spec.key, card["id"], card.get("url", ""), error=error)

    def link_dependencies(self, container: Container, pairs: Sequence[tuple[str, str]]) -> Iterator[Linked]:
        """Per link an attachment to the blocking card on the blocked one, plus a `Depends on:` line."""
        board = self._board(container)
        if any(r not in self._cards for pair in pairs for r in pair):
            self._read_cards(board, "name,desc,url,shortUrl")
        for ref in dict.fromkeys(r for pair in pairs for r in pair if r not in self._cards):
            try:  # a card of another board of this account (another department on Trello)
                card = self._fetch("GET", f"/cards/{ref}", f"card {ref}", query={"fields": "name,desc,url,shortUrl"})
            except ProviderError as exc:
                if not refused_item(exc):
                    raise
                continue
            self._remember(card, card.get("desc", ""))
        pending: dict[str, list[str]] = {}
        for blocked, blocking in pairs:
            if blocked not in self._cards or blocking not in self._cards:
                yield Linked(blocked, blocking, error="no such card")
                continue
            other = self._cards[blocking]
            try:
                self._fetch(
                    "POST",
                    f"/cards/{blocked}/attachments",
                    f"link {blocked} -> {blocking}",
                    body={"url": other["url"], "name": f"Depends on: {other['name']}"},
                )
            except ProviderError as exc:
                if not refused_item(exc):
                    raise  # outcome unknown: the stamp records nothing and links again on resume
                yield Linked(blocked, blocking, error=exc.cause)
                continue
            line = depends_line(other["name"], other["url"])
            if line not in self._cards[blocked]["desc"].splitlines():
                pending.setdefault(blocked, []).append(line)
            yield Linked(blocked, blocking)
        for blocked, lines in pending.items():  # one description update per blocked card
            self.annotate(blocked, lines)

    def complete_task(self, container: Container, ref: str, task: TaskSpec) -> None:
        """Add the checklist items a card lacks (one GET; a POST per missing item), reusing its checklist."""
        if not task.checklist:
            return
        with self._fresh():
            have = self._fetch(
                "GET",
                f"/cards/{ref}/checklists",
                f"checklist of {task.key!r}",
                query={"fields": "name", "checkItems": "all", "checkItem_fields": "name"},
            )
        checklist, missing = checklist_gap(have, task.checklist)
        if not missing:
            return
        if checklist is None:
            checklist = self._fetch(
                "POST", f"/cards/{ref}/checklists", f"checklist of {task.key!r}", body={"name": "Checklist"}
            )["id"]
        for item in missing:
            self._fetch(
                "POST",
                f"/checklists/{checklist}/checkItems",
                f"checklist of {task.key!r}",
                body={"name": item, "pos": "bottom"},
            )

    def find_links(self, container: Container, refs: Sequence[str]) -> set[tuple[str, str]]:
        """Dependency attachments already on the board's cards (one read of cards with attachment URLs)."""
        with self._fresh():
            cards = self._read_cards(
                self._board(container),
                "name,desc,url,shortUrl",
                extra={"attachments": "true", "attachment_fields": "url"},
            )
        for ref in dict.fromkeys(r for r in refs if r not in self._cards):  # a card of another board of this account
            with self._fresh():
                card = self._fetch("GET", f"/cards/{ref}", f"card {ref}", query={"fields": "name,desc,url,shortUrl"})
            self._remember(card, card.get("desc", ""))
        wanted = {r for r in refs if r in self._cards}
        return {p for p in attached_pairs(cards, {r: self._cards[r]["url"] for r in wanted}) if p[0] in wanted}

    def annotate(self, ref: str, lines: Sequence[str]) -> None:
        """Insert lines above the marker (one PUT; one GET first unless this run knows the card)."""
        if ref not in self._cards:
            with self._fresh():
                card = self._fetch("GET", f"/cards/{ref}", f"card {ref}", query={"fields": "name,desc,url,shortUrl"})
            self._remember(card, card.get("desc", ""))
        desc = self._cards[ref]["desc"]
        new = insert_above_marker(desc, list(lines))
        if new != desc:
            self._fetch("PUT", f"/cards/{ref}", f"card {ref}", body={"desc": new})
            self._cards[ref]["desc"] = new
