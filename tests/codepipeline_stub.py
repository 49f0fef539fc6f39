"""A local stand-in for CodePipeline's ListPipelineExecutions and GetPipelineState (AWS JSON protocol)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from local_server import AwsJsonHandler, LocalServer

STARTED = 1796342400  # 2026-12-04 00:00 UTC, as AWS's JSON protocol writes times: epoch seconds


def execution(execution_id: str, status: str, commit: str, started: int = STARTED) -> dict[str, Any]:
    """A pipelineExecutionSummaries entry, as CodePipeline answers it."""
    return {"pipelineExecutionId": execution_id, "status": status, "startTime": started, "lastUpdateTime": started + 60,
            "sourceRevisions": [{"actionName": "Source", "revisionId": commit, "revisionSummary": "a commit"}],
            "trigger": {"triggerType": "CloudWatchEvent"}}


def failed_build(execution_id: str, message: str, log_url: str) -> dict[str, Any]:
    """A GetPipelineState answer whose Build stage failed in the run `execution_id`."""
    return {"stageStates": [
        {"stageName": "Source", "latestExecution": {"pipelineExecutionId": execution_id, "status": "Succeeded"},
         "actionStates": [{"actionName": "Source", "latestExecution": {"status": "Succeeded"}}]},
        {"stageName": "Build", "latestExecution": {"pipelineExecutionId": execution_id, "status": "Failed"},
         "actionStates": [{"actionName": "TestBuildDeploy", "latestExecution": {
             "status": "Failed", "errorDetails": {"code": "JobFailed", "message": message},
             "externalExecutionUrl": log_url}}]},
    ]}


@dataclass
class CodePipelineState:
    """Pipelines by name: their executions, newest first, and their GetPipelineState answer."""

    executions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    states: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    on_request: Callable[[CodePipelineState], None] | None = None


class _Handler(AwsJsonHandler):
    state: CodePipelineState

    def answer(self, operation: str, body: dict[str, Any]) -> tuple[int, Any]:
        name = body.get("pipelineName") or body.get("name") or ""
        if name not in self.state.executions:
            return self.error("PipelineNotFoundException", f"{name} not found")
        if operation == "ListPipelineExecutions":
            return 200, {"pipelineExecutionSummaries": self.state.executions[name][:body.get("maxResults", 100)]}
        if operation == "GetPipelineState":
            return 200, {"pipelineName": name, **self.state.states.get(name, {"stageStates": []})}
        return super().answer(operation, body)


class CodePipelineStub(LocalServer):
    """`with CodePipelineStub(state) as url:` serves `state` on a free local port."""

    def __init__(self, state: CodePipelineState) -> None:
        super().__init__(type("Handler", (_Handler,), {"state": state}))
