"""A local stand-in for CodeCommit's GetBranch (AWS JSON protocol), for scripts/mirror_status.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from local_server import AwsJsonHandler, LocalServer


@dataclass
class CodeCommitState:
    """Repositories by name, each {branch: head commit}; `on_request` may change them between calls."""

    repositories: dict[str, dict[str, str]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    on_request: Callable[[CodeCommitState], None] | None = None


class _Handler(AwsJsonHandler):
    state: CodeCommitState

    def record(self, operation: str, body: dict[str, Any]) -> None:
        self.state.requests.append(body)

    def answer(self, operation: str, body: dict[str, Any]) -> tuple[int, Any]:
        if operation != "GetBranch":
            return super().answer(operation, body)
        repository = self.state.repositories.get(body.get("repositoryName", ""))
        if repository is None:
            return self.error("RepositoryDoesNotExistException", f"{body.get('repositoryName')} does not exist")
        branch = body.get("branchName", "")
        if branch not in repository:
            return self.error("BranchDoesNotExistException", f"{branch} does not exist")
        return 200, {"branch": {"branchName": branch, "commitId": repository[branch]}}


class CodeCommitStub(LocalServer):
    """`with CodeCommitStub(state) as url:` serves `state` on a free local port."""

    def __init__(self, state: CodeCommitState) -> None:
        super().__init__(type("Handler", (_Handler,), {"state": state}))
