"""A local stand-in for the few GitLab REST endpoints scripts/setup_gitlab.py uses, recording requests."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from local_server import JsonHandler, LocalServer

TOKEN = "glpat-stub-token-0123456789"


@dataclass
class GitLabState:
    """One project on the stub; `role` is the token user's access level (40 Maintainer, 30 Developer)."""

    path: str = "acme/orders-api"
    project_id: int = 7
    default_branch: str | None = "main"
    branches: set[str] = field(default_factory=lambda: {"main"})
    heads: dict[str, str] = field(default_factory=dict)  # head commit by branch; else one derived from the name
    protected: dict[str, dict[str, int]] = field(default_factory=dict)
    mirrors: list[dict[str, Any]] = field(default_factory=list)
    role: int = 40
    sync_supported: bool = True
    requests: list[tuple[str, str, Any]] = field(default_factory=list)

    def writes(self) -> list[tuple[str, str, Any]]:
        return [r for r in self.requests if r[0] != "GET"]

    def head(self, branch: str) -> str:
        return self.heads.get(branch) or hashlib.sha1(branch.encode()).hexdigest()


class _Handler(JsonHandler):
    state: GitLabState  # set per server

    def _send(self, status: int, body: Any) -> None:
        self.send_json(status, body)  # 204 without a body, as GitLab answers a delete or a sync

    def _handle(self) -> None:
        state = self.state
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        path = urlsplit(self.path).path
        state.requests.append((self.command, path, body))
        if self.headers.get("PRIVATE-TOKEN") != TOKEN:
            return self._send(401, {"message": "401 Unauthorized"})
        route = path.removeprefix("/api/v4")
        project = re.match(r"^/projects/([^/]+)(/.*)?$", route)
        if not project or unquote(project.group(1)) not in (state.path, str(state.project_id)):
            return self._send(404, {"message": "404 Project Not Found"})
        rest = project.group(2) or ""
        if self.command != "GET" and state.role < 40:
            return self._send(403, {"message": "403 Forbidden"})
        return self._route(self.command, rest, body)

    def _project(self) -> dict[str, Any]:
        s = self.state
        return {"id": s.project_id, "path_with_namespace": s.path, "default_branch": s.default_branch,
                "web_url": f"http://gitlab.test/{s.path}"}

    def _route(self, method: str, rest: str, body: Any) -> None:
        s = self.state
        if rest == "":
            if method == "PUT":
                s.default_branch = body["default_branch"]
            return self._send(200, self._project())
        if match := re.fullmatch(r"/repository/branches/(.+)", rest):
            name = unquote(match.group(1))
            if name not in s.branches:
                return self._send(404, {"message": "404 Branch Not Found"})
            return self._send(200, {"name": name, "commit": {"id": s.head(name), "short_id": s.head(name)[:8]}})
        if rest == "/repository/branches" and method == "POST":
            s.branches.add(body["branch"])
            return self._send(201, {"name": body["branch"]})
        if match := re.fullmatch(r"/protected_branches/(.+)", rest):
            name = unquote(match.group(1))
            if name not in s.protected:
                return self._send(404, {"message": "404 Not found"})
            if method == "DELETE":
                del s.protected[name]
                return self._send(204, None)
            levels = s.protected[name]
            return self._send(200, {"name": name,
                                    "push_access_levels": [{"access_level": levels["push"]}],
                                    "merge_access_levels": [{"access_level": levels["merge"]}]})
        if rest == "/protected_branches" and method == "POST":
            s.protected[body["name"]] = {"push": body["push_access_level"], "merge": body["merge_access_level"]}
            return self._send(201, {"name": body["name"]})
        if rest == "/remote_mirrors":
            if method == "POST":
                mirror = {"id": 100 + len(s.mirrors), "url": body["url"], "enabled": body.get("enabled", False),
                          "only_protected_branches": body.get("only_protected_branches", False), "synced": 0}
                s.mirrors.append(mirror)
                return self._send(201, self._masked(mirror))
            return self._send(200, [self._masked(m) for m in s.mirrors])
        if match := re.fullmatch(r"/remote_mirrors/(\d+)(/sync)?", rest):
            mirror = next((m for m in s.mirrors if m["id"] == int(match.group(1))), None)
            if mirror is None:
                return self._send(404, {"message": "404 Not found"})
            if match.group(2):
                if not s.sync_supported:
                    return self._send(404, {"error": "404 Not Found"})
                mirror["synced"] += 1
                return self._send(204, None)
            if method == "DELETE":
                s.mirrors.remove(mirror)
                return self._send(204, None)
            mirror.update({k: v for k, v in (body or {}).items() if k in ("enabled", "only_protected_branches")})
            return self._send(200, self._masked(mirror))
        return self._send(404, {"error": "404 Not Found"})

    @staticmethod
    def _masked(mirror: dict[str, Any]) -> dict[str, Any]:
        """As GitLab shows a mirror: the credentials in its URL masked."""
        url = re.sub(r"//[^@/]+@", "//*****:*****@", mirror["url"])
        return {**{k: v for k, v in mirror.items() if k != "synced"}, "url": url}

    do_GET = do_POST = do_PUT = do_DELETE = _handle


class GitLabStub(LocalServer):
    """`with GitLabStub(state) as url:` serves `state` on a free local port."""

    def __init__(self, state: GitLabState) -> None:
        super().__init__(type("Handler", (_Handler,), {"state": state}))
