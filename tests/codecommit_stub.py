"""A local stand-in for CodeCommit's GetBranch (AWS JSON protocol), for scripts/mirror_status.py."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable

from local_server import JsonHandler, LocalServer


@dataclass
class CodeCommitState:
    """Repositories by name, each {branch: head commit}; `on_request` may change them between calls."""

    repositories: dict[str, dict[str, str]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    on_request: Callable[[CodeCommitState], None] | None = None


class _Handler(JsonHandler):
    state: CodeCommitState
    content_type = "application/x-amz-json-1.1"
    _send = JsonHandler.send_json

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        state = self.state
        state.requests.append(body)
        if state.on_request:
            state.on_request(state)
        if self.headers.get("X-Amz-Target") != "CodeCommit_20150413.GetBranch":
            return self._send(400, {"__type": "UnknownOperationException", "message": "not in the stub"})
        repository = state.repositories.get(body.get("repositoryName", ""))
        if repository is None:
            return self._send(400, {"__type": "RepositoryDoesNotExistException",
                                    "message": f"{body.get('repositoryName')} does not exist"})
        branch = body.get("branchName", "")
        if branch not in repository:
            return self._send(400, {"__type": "BranchDoesNotExistException", "message": f"{branch} does not exist"})
        return self._send(200, {"branch": {"branchName": branch, "commitId": repository[branch]}})


class CodeCommitStub(LocalServer):
    """`with CodeCommitStub(state) as url:` serves `state` on a free local port."""

    def __init__(self, state: CodeCommitState) -> None:
        super().__init__(type("Handler", (_Handler,), {"state": state}))
