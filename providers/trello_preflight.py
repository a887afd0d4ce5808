"""The Trello doctor: workspace or board, the token's membership there, lists for the status map, labels."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from collabsync.errors import NotFoundError, ProviderError
from collabsync.findings import Finding, Findings, Needs, Severity
from collabsync.model import Container

__all__ = ["preflight"]

B, D, I = Severity.BLOCKING, Severity.DEGRADE, Severity.INFO  # noqa: E741 - one-letter severities keep the add(...) calls short


def preflight(p: Any, destination: Mapping[str, Any], needs: Needs, container: Container | None) -> list[Finding]:
    """Read-only checks of one Trello destination; GETs only."""
    out = Findings(p.name)
    add = out.add

    me = p._fetch("GET", "/members/me", "member me", query={"fields": "username"})
    board_id = destination.get("board") or (container.extra.get("board") if container else None)
    workspace = destination.get("workspace")
    if workspace and not board_id:
        try:
            p._fetch("GET", f"/organizations/{workspace}", f"workspace {workspace}", query={"fields": "name"})
        except (NotFoundError, ProviderError) as exc:
            if isinstance(exc, ProviderError) and exc.status not in (400, 404):
                raise
            add(
                B,
                "workspace-missing",
                f"Trello workspace {workspace}",
                "no such workspace is visible to this token",
                f"set `workspace` of the departments routed to {p.name} to a workspace @{me.get('username')} belongs to",
            )
            return out
    if board_id:
        where = f"Trello board {board_id}"
        try:
            board = p._fetch("GET", f"/boards/{board_id}", f"board {board_id}", query={"fields": "name"})
        except ProviderError as exc:
            if exc.status not in (400, 404):
                raise
            add(
                B,
                "board-missing",
                where,
                "no such board is visible to this token",
                f"set `board` to a board @{me.get('username')} is a member of",
            )
            return out
        where = f"Trello board {board.get('name')} ({board_id})"
        members = p._fetch("GET", f"/boards/{board_id}/memberships", f"memberships of board {board_id}")
        kind = next((m.get("memberType") for m in members if m.get("idMember") == me.get("id")), None)
        if kind == "observer":
            add(
                B,
                "permission-observer",
                where,
                f"@{me.get('username')} is only an observer: Trello refuses every write",
                f"make @{me.get('username')} a normal member of the board (board menu > Share), or route to another board",
            )
        elif kind is None:
            add(
                B,
                "not-a-member",
                where,
                f"@{me.get('username')} is not a member of the board",
                f"add @{me.get('username')} to the board as a normal member (board menu > Share)",
            )
        lists = {
            str(x.get("name", "")).casefold()
            for x in p._fetch(
                "GET",
                f"/boards/{board_id}/lists",
                f"lists of board {board_id}",
                query={"filter": "open", "fields": "name"},
            )
        }
        mode = p._opt(destination, "mode", "columns")
        wanted = list(p._extra("", destination)["columns"]) if mode == "columns" else list(needs.sections)
        missing = [name for name in wanted if name.casefold() not in lists]
        if missing:
            add(
                I,
                "lists-missing",
                where,
                f"lists {', '.join(missing)} are not on the board",
                "nothing to change: the stamp creates them",
            )
        labels = {
            str(x.get("name", "")).casefold()
            for x in p._fetch(
                "GET", f"/boards/{board_id}/labels", f"labels of board {board_id}", query={"fields": "name"}
            )
        }
        new = [name for name in needs.labels if name.casefold() not in labels]
        if new:
            add(
                I,
                "labels-missing",
                where,
                f"labels {', '.join(new)} are not on the board",
                "nothing to change: the stamp creates them",
            )
    where = f"Trello {'board ' + str(board_id) if board_id else 'workspace ' + str(workspace or 'personal boards')}"
    if needs.estimate:
        add(
            D,
            "no-estimates",
            where,
            "Trello cards have no estimate field",
            "track estimates in another tool, or accept them being left out of Trello",
            "not written to Trello (they stay in the template and the plan)",
            "estimates",
        )
    if needs.dependencies:
        add(
            I,
            "dependencies-as-attachments",
            where,
            "Trello has no dependency links",
            "nothing to change: each blocked card gets the blocking card attached and a `Depends on:` line",
        )
    return out
