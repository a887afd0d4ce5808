"""The Asana emulator's people and conversation routes: users, stories (comments), status updates, fields.

Shapes follow the spec's ``StoryResponse``, ``StatusUpdateResponse``, ``UserResponse`` and
``CustomFieldResponse``; the store side (tables and representations) is ``AsanaSocialStore``, mixed
into ``AsanaStore`` so one store holds everything.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from typing import Any

from werkzeug.wrappers import Request

from .asana_tasks import parse_time
from .core import ApiError

__all__ = ["AsanaSocialMixin", "AsanaSocialStore", "PROJECT_STATUS_TYPES"]

PROJECT_STATUS_TYPES = ("on_track", "at_risk", "off_track", "on_hold", "complete")
GOAL_STATUS_TYPES = ("achieved", "partial", "missed", "dropped")
_TAG = re.compile(r"<[^>]+>")


def _reactions() -> dict[str, Any]:
    return {"hearted": False, "hearts": [], "num_hearts": 0, "liked": False, "likes": [], "num_likes": 0}


class AsanaSocialStore:
    """Stories and status updates of the emulator's store, with their JSON representations."""

    stories: dict[str, dict[str, Any]]
    status_updates: dict[str, dict[str, Any]]
    clock: Any
    stamp: Any
    gid: Any
    ref: Any
    fields: dict[str, dict[str, Any]]
    projects: dict[str, dict[str, Any]]
    field_json: Any
    field_setting: Any
    _get: Any

    def story(self, gid: str) -> dict[str, Any]:
        return self._get(self.stories, gid, "story")

    def status_update(self, gid: str) -> dict[str, Any]:
        return self._get(self.status_updates, gid, "status_update")

    def new_story(
        self, target: str, author: str, text: str, html_text: str | None = None, is_pinned: bool = False
    ) -> str:
        """A comment story on a task (html_text derived from text when not given)."""
        html_text = _markup(text) if html_text is None else html_text
        gid = self.gid()
        self.stories[gid] = {
            "gid": gid,
            "target": target,
            "author": author,
            "text": text,
            "html_text": html_text,
            "is_pinned": is_pinned,
            "is_edited": False,
            "created_at": self.clock(),
        }
        return gid

    def new_status_update(
        self, parent: str, author: str, status_type: str, title: str, text: str, html_text: str | None = None
    ) -> str:
        """A project status update (html_text derived from text when not given)."""
        html_text = _markup(text) if html_text is None else html_text
        gid = self.gid()
        now = self.clock()
        self.status_updates[gid] = {
            "gid": gid,
            "parent": parent,
            "author": author,
            "status_type": status_type,
            "title": title,
            "text": text,
            "html_text": html_text,
            "created_at": now,
            "modified_at": now,
        }
        return gid

    def current_status_update(self, project: str) -> dict[str, Any] | None:
        """The newest status update of a project, compact, as ``current_status_update`` shows it."""
        mine = [u for u in self.status_updates.values() if u["parent"] == project]
        if not mine:
            return None
        newest = mine[-1]
        return {
            "gid": newest["gid"],
            "resource_type": "status_update",
            "title": newest["title"],
            "resource_subtype": "project_status_update",
        }

    def _full_story(self, gid: str, base_url: str) -> dict[str, Any]:
        s = self.stories[gid]
        return {
            "gid": gid,
            "resource_type": "story",
            "created_at": self.stamp(s["created_at"]),
            "resource_subtype": "comment_added",
            "text": s["text"],
            "html_text": s["html_text"],
            "is_pinned": s["is_pinned"],
            "sticker_name": None,
            "created_by": self.ref("user", s["author"]),
            "type": "comment",
            "is_editable": True,
            "is_edited": s["is_edited"],
            **_reactions(),
            "previews": [],
            "source": "api",
            "target": self.ref("task", s["target"]),
        }

    def _full_status_update(self, gid: str, base_url: str) -> dict[str, Any]:
        u = self.status_updates[gid]
        return {
            "gid": gid,
            "resource_type": "status_update",
            "title": u["title"],
            "resource_subtype": "project_status_update",
            "text": u["text"],
            "html_text": u["html_text"],
            "status_type": u["status_type"],
            "author": self.ref("user", u["author"]),
            "created_at": self.stamp(u["created_at"]),
            "created_by": self.ref("user", u["author"]),
            "modified_at": self.stamp(u["modified_at"]),
            "reaction_summary": [],
            **_reactions(),
            "parent": self.ref("project", u["parent"]),
        }

    def _full_custom_field(self, gid: str, base_url: str) -> dict[str, Any]:
        return self.field_json(gid)

    def _full_custom_field_setting(self, gid: str, base_url: str) -> dict[str, Any]:
        """A setting by its gid (project gid + the field's last four digits), for paged listings."""
        for project, row in self.projects.items():
            for fgid in row["fields"]:
                if gid == f"{project}{fgid[-4:]}":
                    return self.field_setting(project, fgid)
        raise KeyError(gid)


class AsanaSocialMixin:
    """Route handlers for users, stories, status updates and custom fields."""

    store: Any
    _data: Any
    _one: Any
    _list: Any
    _me: Any

    # -- users ---------------------------------------------------------------------------------------
    def get_user(self, request: Request, user_gid: str) -> Any:
        """A user by gid, ``me`` or e-mail address."""
        if user_gid != "me" and not user_gid.isdigit() and "@" not in user_gid:
            raise ApiError(400, f"user: Not a recognized ID: {user_gid}")
        if user_gid.isdigit():
            self.store.user(user_gid)
        gid = self.store.resolve_user(user_gid, self._me(request), "user")
        return self._one(request, "user", gid)

    def list_users(self, request: Request) -> Any:
        """Users of the caller's workspaces (or one workspace or team), sorted by gid."""
        workspace, team = request.args.get("workspace"), request.args.get("team")
        if workspace and team:
            raise ApiError(400, "Must specify at most one of workspace or team")
        if team:
            workspace = self.store.team(team)["workspace"]
        if workspace:
            self.store.workspace(workspace)
            wanted = {workspace}
        else:
            wanted = set(self.store.users[self._me(request)]["workspaces"])
        gids = sorted((g for g, u in self.store.users.items() if wanted & set(u["workspaces"])), key=int)
        return self._list(request, "user", gids, f"users:{workspace}")

    def list_workspace_users(self, request: Request, workspace_gid: str) -> Any:
        """Users of a workspace, sorted alphabetically by name (at most 2000, as documented)."""
        self.store.workspace(workspace_gid)
        gids = sorted(
            (g for g, u in self.store.users.items() if workspace_gid in u["workspaces"]),
            key=lambda g: (self.store.users[g]["name"].casefold(), int(g)),
        )[:2000]
        return self._list(request, "user", gids, f"wusers:{workspace_gid}")

    # -- custom fields -------------------------------------------------------------------------------
    def get_custom_field(self, request: Request, custom_field_gid: str) -> Any:
        self.store.field(custom_field_gid)
        return self._one(request, "custom_field", custom_field_gid)

    # -- stories -------------------------------------------------------------------------------------
    def list_task_stories(self, request: Request, task_gid: str) -> Any:
        """A task's stories, oldest first."""
        self.store.task(task_gid)
        gids = [g for g, s in self.store.stories.items() if s["target"] == task_gid]
        return self._list(request, "story", gids, f"stories:{task_gid}")

    def create_task_story(self, request: Request, task_gid: str) -> Any:
        task = self.store.task(task_gid)
        data = self._data(request)
        text, markup = _text_pair(data, required=True)
        pinned = _flag(data, "is_pinned", False)
        gid = self.store.new_story(task_gid, self._me(request), text, markup, pinned)
        self.store.touch(task)
        return self._one(request, "story", gid, 201)

    def get_story(self, request: Request, story_gid: str) -> Any:
        self.store.story(story_gid)
        return self._one(request, "story", story_gid)

    def update_story(self, request: Request, story_gid: str) -> Any:
        """Only the author may edit a comment's text, or pin it."""
        story = self.store.story(story_gid)
        data = self._data(request)
        if ("text" in data or "html_text" in data) and story["author"] != self._me(request):
            raise ApiError(403, "story: Only the author of a comment may edit it")
        if "text" in data or "html_text" in data:
            story["text"], story["html_text"] = _text_pair(data, required=True)
            story["is_edited"] = True
        story["is_pinned"] = _flag(data, "is_pinned", story["is_pinned"])
        return self._one(request, "story", story_gid)

    def delete_story(self, request: Request, story_gid: str) -> Any:
        story = self.store.story(story_gid)
        if story["author"] != self._me(request):
            raise ApiError(403, "story: Only the author of a comment may delete it")
        del self.store.stories[story_gid]
        return {"data": {}}

    # -- status updates ------------------------------------------------------------------------------
    def list_status_updates(self, request: Request) -> Any:
        """Status updates of a project, newest first; ``created_since`` filters."""
        parent = request.args.get("parent")
        if not parent:
            raise ApiError(400, "parent: Missing input")
        self.store.project(parent)
        gids = [g for g, u in self.store.status_updates.items() if u["parent"] == parent][::-1]
        since = request.args.get("created_since")
        if since:
            moment = parse_time(since, "created_since")
            gids = [g for g in gids if self.store.status_updates[g]["created_at"] >= moment]
        return self._list(request, "status_update", gids, f"status:{parent}:{since}")

    def create_status_update(self, request: Request) -> Any:
        data = self._data(request)
        parent = str(data.get("parent") or "")
        if not parent:
            raise ApiError(400, "parent: Missing input")
        self.store.project(parent)
        status_type = data.get("status_type")
        if not status_type:
            raise ApiError(400, "status_type: Missing input")
        if status_type not in PROJECT_STATUS_TYPES:
            allowed = ", ".join(PROJECT_STATUS_TYPES)
            goal_only = " (a goal's status type)" if status_type in GOAL_STATUS_TYPES else ""
            raise ApiError(
                400, f"status_type: {status_type}{goal_only} is not valid for a project; use one of {allowed}"
            )
        text, markup = _text_pair(data, required=True)
        title = str(data.get("title") or "")
        gid = self.store.new_status_update(parent, self._me(request), str(status_type), title, text, markup)
        return self._one(request, "status_update", gid, 201)

    def get_status_update(self, request: Request, status_update_gid: str) -> Any:
        self.store.status_update(status_update_gid)
        return self._one(request, "status_update", status_update_gid)

    def delete_status_update(self, request: Request, status_update_gid: str) -> Any:
        self.store.status_update(status_update_gid)
        del self.store.status_updates[status_update_gid]
        return {"data": {}}


def _flag(data: dict[str, Any], key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise ApiError(400, f"{key}: Not a boolean")
    return value


def _text_pair(data: dict[str, Any], *, required: bool) -> tuple[str, str]:
    """(text, html_text) from exactly one of them; html_text must be XML rooted at <body>."""
    if "text" in data and "html_text" in data:
        raise ApiError(400, "text, html_text: You may only provide one of text or html_text")
    if "html_text" in data:
        markup = str(data["html_text"] or "")
        try:
            root = ET.fromstring(markup)
        except ET.ParseError as err:
            raise ApiError(400, f"html_text: XML is invalid: {err}") from None
        if root.tag != "body":
            raise ApiError(400, "html_text: The root element must be <body>")
        return html.unescape(_TAG.sub("", markup)), markup
    if required and not str(data.get("text") or "").strip():
        raise ApiError(400, "text: Missing input")
    text = str(data.get("text") or "")
    return text, _markup(text)


def _markup(text: str) -> str:
    """Plain text as the html_text Asana derives from it."""
    return f"<body>{html.escape(text, quote=False)}</body>"
