"""Jira's form of a published status: a comment on the instance's epic (ADF on REST v3 for Cloud, wiki on v2)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from collabsync.errors import UnsupportedError
from collabsync.model import Container

from .jira_support import json_body

if TYPE_CHECKING:
    from collabsync.providers.published import Published
    from collabsync.report.publish_entry import StatusEntry

    from .jira import JiraProvider

__all__ = ["edit_status", "find_status", "publish_status"]


def publish_status(provider: JiraProvider, container: Container, entry: StatusEntry) -> Published:
    """POST /issue/{key}/comment with the body the deployment's API version wants."""
    key, version = _issue(provider, container), _version(provider, container)
    answer = json_body(
        provider.name,
        f"comment on {key}",
        _request(provider, "POST", version, f"issue/{key}/comment", json={"body": _body(entry, version)}),
    )
    return _published(provider, key, answer)


def edit_status(provider: JiraProvider, container: Container, ref: str, entry: StatusEntry) -> Published:
    """PUT /issue/{key}/comment/{id}: the day's comment is edited in place."""
    key, _, cid = ref.partition("/")
    version = _version(provider, container)
    answer = json_body(
        provider.name,
        f"comment {cid} on {key}",
        _request(provider, "PUT", version, f"issue/{key}/comment/{cid}", json={"body": _body(entry, version)}),
    )
    return _published(provider, key, answer)


def find_status(provider: JiraProvider, container: Container, entry: StatusEntry) -> Published | None:
    """The newest comments of the issue (one page, newest first) searched for the entry's marker."""
    key, version = _issue(provider, container), _version(provider, container)
    page = (
        json_body(
            provider.name,
            f"comments of {key}",
            _request(
                provider, "GET", version, f"issue/{key}/comment", params={"orderBy": "-created", "maxResults": 100}
            ),
        )
        or {}
    )
    for comment in page.get("comments") or []:
        if entry.marker in json.dumps(comment.get("body")):
            return _published(provider, key, comment)
    return None


def _issue(provider: JiraProvider, container: Container) -> str:
    """The epic of a stamped instance, the issue of one tracked by issue key, or the configured status_issue."""
    extra = container.extra
    chosen = extra.get("status_issue") or provider.settings.get("status_issue")
    if chosen:
        return str(chosen)
    if extra.get("mode") == "epic":
        return str(extra.get("epic_key") or container.ref)
    if extra.get("mode") == "tracked" and "-" in container.ref and not container.ref.startswith("jql:"):
        return container.ref
    raise UnsupportedError(
        provider.name,
        f"status of {container.name}",
        "a tracked project or query has no issue to comment on; track it by an issue key "
        "(collabsync track INSTANCE --source KEY-1) or set status_issue in the provider settings",
    )


def _version(provider: JiraProvider, container: Container) -> str:
    hint = container.extra.get("deployment")
    return "3" if provider._deployment_type(str(hint) if hint else None) == "Cloud" else "2"


def _body(entry: StatusEntry, version: str) -> Any:
    return entry.adf() if version == "3" else entry.wiki()


def _request(provider: JiraProvider, method: str, version: str, path: str, **kwargs: Any) -> Any:
    if method != "GET":
        provider._invalidate_cache()
    return provider.client._session.request(method, f"{provider.url}/rest/api/{version}/{path}", **kwargs)


def _published(provider: JiraProvider, key: str, comment: Any) -> Published:
    from collabsync.providers.published import Published

    cid = str((comment or {}).get("id") or "")
    anchor = f"?focusedCommentId={cid}" if cid else ""
    return Published(f"{key}/{cid}", f"{provider.url}/browse/{key}{anchor}")
