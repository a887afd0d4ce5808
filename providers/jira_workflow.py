"""Jira workflows as graphs: which statuses a neutral status can reach, and walking there step by step.

Jira offers only the transitions available from an issue's current status, so a move from To Do to
Done may need several. The doctor reads the whole graph (when the account may) and reports what
no path reaches; `set_status` walks the shortest path, re-reading the transitions after each step.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from collabsync.errors import ProviderError

from .jira_support import json_body

__all__ = [
    "category_rank",
    "graph_of",
    "next_hop",
    "read_graph",
    "shortest_path",
    "status_info",
    "walk",
    "workflow_edges",
]

#: Status category order: a walk without a known graph moves forward through these.
_CATEGORY_RANK = {"new": 0, "indeterminate": 1, "done": 2}


def graph_of(workflow: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, set[str]]]:
    """(status id -> name, status id -> ids one transition away) from a /workflow/search entry."""
    names = {str(s["id"]): str(s.get("name", s["id"])) for s in workflow.get("statuses") or []}
    edges: dict[str, set[str]] = {sid: set() for sid in names}
    for t in workflow.get("transitions") or []:
        to = str(t.get("to"))
        sources = [str(s) for s in t.get("from") or []] or list(names)  # no `from`: a global transition
        for src in sources:
            if src != to:
                edges.setdefault(src, set()).add(to)
    return names, edges


def shortest_path(edges: Mapping[str, set[str]], start: str, goal: Callable[[str], bool]) -> list[str] | None:
    """Breadth-first: the fewest statuses from start to one satisfying goal (start excluded), or None."""
    if goal(start):
        return []
    seen = {start}
    queue: deque[tuple[str, list[str]]] = deque([(start, [])])
    while queue:
        node, path = queue.popleft()
        for nxt in sorted(edges.get(node, ())):
            if nxt in seen:
                continue
            if goal(nxt):
                return [*path, nxt]
            seen.add(nxt)
            queue.append((nxt, [*path, nxt]))
    return None


def next_hop(
    transitions: list[dict[str, Any]],
    visited: set[str],
    path: list[str] | None,
    target_rank: int,
    avoid: frozenset[str] = frozenset(),
) -> dict[str, Any] | None:
    """The transition to take when none reaches the target: the known path's next status, else forward.

    Without a known graph, prefer an unvisited status whose category is closest to the target's,
    so To Do -> In Progress -> Done is found even when Done is not offered from To Do; statuses
    named in `avoid` (cancelled ones) are never stepped through.
    """
    options = [t for t in transitions if str((t.get("to") or {}).get("id")) not in visited]
    if path:
        return next((t for t in options if str((t.get("to") or {}).get("id")) == path[0]), None)
    options = [t for t in options if str((t.get("to") or {}).get("name", "")).casefold() not in avoid]

    def rank(t: dict[str, Any]) -> tuple[int, str]:
        key = ((t.get("to") or {}).get("statusCategory") or {}).get("key", "new")
        return abs(target_rank - _CATEGORY_RANK.get(key, 0)), str(t.get("id"))

    return min(options, key=rank) if options else None


def category_rank(key: str) -> int:
    """Position of a status category on the way from new to done."""
    return _CATEGORY_RANK.get(key, 0)


MAX_STEPS = 8


def walk(
    provider: Any,
    ref: str,
    status: Any,
    current: Mapping[str, Any],
    transitions: list[dict[str, Any]],
    graph: tuple[Mapping[str, set[str]], Mapping[str, Any]] | None,
) -> dict[str, Any] | None:
    """Take intermediate transitions until one into `status` is offered; return it (None: unreachable).

    With the workflow graph (edges, status id -> status with category; read by the doctor) the walk
    follows the shortest path; without it, it moves forward by status category. Transitions are
    re-read after every step, so a graph that changed since is noticed, not trusted.
    """
    rank = {"todo": 0, "in_progress": 1, "done": 2}.get(str(getattr(status, "value", status)), 1)
    here = str(current.get("id"))
    visited = {here}
    info = graph[1] if graph is not None else {}

    def reached(sid: str) -> bool:
        """A status that is the wanted one (by id, name or category, as the provider decides)."""
        return bool(provider._target_matches(info.get(sid) or {}, status))

    for _ in range(MAX_STEPS):
        chosen = provider._transition_for(transitions, status)
        if chosen is not None:
            return chosen
        path = None
        if graph is not None:
            path = shortest_path(graph[0], here, reached)
            if path is None:
                return None
        avoid = frozenset() if str(getattr(status, "value", status)) == "cancelled" else frozenset(provider.cancelled)
        hop = next_hop(transitions, visited, path, rank, avoid)
        if hop is None:
            return None
        provider._take_transition(ref, hop)
        here = str((hop.get("to") or {}).get("id"))
        visited.add(here)
        transitions = provider._transitions_of(ref)
    return None


def status_info(p: Any, key: str, type_id: str) -> dict[str, Any]:
    """Status id -> status (with its category) of one issue type in a project: GET /project/{key}/statuses."""
    rows = json_body(p.name, f"statuses of {key}", p._send("GET", f"project/{key}/statuses")) or []
    row = next((r for r in rows if str(r.get("id")) == type_id), rows[0] if rows else {})
    return {str(s["id"]): s for s in row.get("statuses") or []}


def workflow_edges(p: Any, project_id: str, type_id: str) -> dict[str, set[str]]:
    """The issue type's workflow graph via its scheme (admin rights; ProviderError when refused or absent)."""
    scheme = (
        json_body(p.name, "workflow scheme", p._send("GET", "workflowscheme/project", params={"projectId": project_id}))
        or {}
    )
    ws = ((scheme.get("values") or [{}])[0]).get("workflowScheme") or {}
    name = (ws.get("issueTypeMappings") or {}).get(type_id) or ws.get("defaultWorkflow")
    found = (
        json_body(
            p.name,
            "workflow",
            p._send("GET", "workflow/search", params={"workflowName": name, "expand": "transitions,statuses"}),
        )
        or {}
    )
    for wf in found.get("values") or []:
        return graph_of(wf)[1]
    raise ProviderError(p.name, f"workflow {name!r}", "not found")


def read_graph(p: Any, extra: Mapping[str, Any]) -> tuple[dict[str, set[str]], dict[str, Any]] | None:
    """The graph for a walk when the doctor did not read it in this run: once per project, None if unreadable."""
    key, project_id, type_id = extra.get("project"), extra.get("project_id"), extra.get("issue_type_id")
    if not (key and project_id and type_id):
        return None  # a tracked source: no single project and issue type
    if key not in p.workflows:
        try:
            p.workflows[key] = (
                workflow_edges(p, str(project_id), str(type_id)),
                status_info(p, str(key), str(type_id)),
            )
        except ProviderError:
            p.workflows[key] = None
    return p.workflows[key]
