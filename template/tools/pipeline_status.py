"""What each environment's pipeline last did, and whether your branch is deployed (`make status`).

    python tools/pipeline_status.py [--region REGION] [--wait SECONDS]

Each environment has its own pipeline in pipeline/pipeline.yml, started by a push to its branch.
For each one this prints the newest run: its state, the commit it ran and when, and for a run
that failed, the stage and action that failed with CodePipeline's message and the build's log.
It then compares the commit last deployed with your clone's branch (origin/BRANCH, else BRANCH),
so "has my push been deployed?" has an answer without the console.

Exit code: 0 when every pipeline's newest run succeeded, on your branch's head where the clone
has the branch; 1 otherwise (a run failed, stopped, is still running or never ran, a push has
not reached its pipeline, a pipeline does not exist); 2 when CodePipeline could not be asked.
--wait SECONDS asks again while a run is in progress, for at most that long.
It needs AWS credentials allowing codepipeline:ListPipelineExecutions and GetPipelineState.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lambda_rules.template_file import load_samconfig, load_template  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RUNS_READ = 20  # the newest runs read per pipeline, to find the last successful one
DEPLOYED, NOT_DEPLOYED, UNKNOWN = 0, 1, 2  # the exit codes


@dataclass
class Pipeline:
    environment: str
    name: str
    branch: str


@dataclass
class Run:
    status: str  # CodePipeline's: InProgress, Succeeded, Failed, Stopped, Stopping, Superseded...
    commit: str | None
    started: datetime | None
    execution_id: str


def read_pipelines(path: Path) -> list[Pipeline]:
    """The pipelines of pipeline/pipeline.yml: name, `environment` tag and source branch."""
    found = []
    for resource in (load_template(path).get("Resources") or {}).values():
        if resource.get("Type") != "AWS::CodePipeline::Pipeline":
            continue
        properties = resource.get("Properties") or {}
        tags = {t.get("Key"): t.get("Value") for t in properties.get("Tags") or []}
        source = properties["Stages"][0]["Actions"][0].get("Configuration") or {}
        found.append(Pipeline(str(tags.get("environment", "?")), str(properties["Name"]), str(source.get("BranchName"))))
    return found


def local_head(branch: str) -> str | None:
    """The commit of origin/BRANCH in this clone, else of BRANCH; None without either."""
    for ref in (f"refs/remotes/origin/{branch}", f"refs/heads/{branch}"):
        run = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd=ROOT,
                             capture_output=True, text=True)
        if run.returncode == 0:
            return run.stdout.strip()
    return None


def runs(client: Any, name: str) -> list[Run]:
    """The pipeline's newest runs, newest first."""
    summaries = client.list_pipeline_executions(pipelineName=name, maxResults=RUNS_READ)["pipelineExecutionSummaries"]
    return [Run(s["status"], next((r.get("revisionId") for r in s.get("sourceRevisions") or []), None),
                s.get("startTime"), s["pipelineExecutionId"]) for s in summaries]


def failure(client: Any, name: str, run: Run) -> str:
    """Where and why `run` failed, from the pipeline's state: 'in STAGE/ACTION: MESSAGE (log: URL)'."""
    for stage in client.get_pipeline_state(name=name).get("stageStates") or []:
        if (stage.get("latestExecution") or {}).get("pipelineExecutionId") != run.execution_id:
            continue
        for action in stage.get("actionStates") or []:
            latest = action.get("latestExecution") or {}
            if latest.get("status") == "Failed":
                message = (latest.get("errorDetails") or {}).get("message") or latest.get("summary") or "no message"
                log = f" (log: {latest['externalExecutionUrl']})" if latest.get("externalExecutionUrl") else ""
                return f"in {stage['stageName']}/{action['actionName']}: {message}{log}"
    return "CodePipeline gives no failed action for it"


def short(commit: str | None) -> str:
    return commit[:8] if commit else "-"


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z").strip() if moment else "-"


def describe(client: Any, pipeline: Pipeline) -> tuple[str, bool, bool]:
    """(the pipeline's line, whether its newest run succeeded on your branch's head, whether one is running)."""
    head = local_head(pipeline.branch)
    history = runs(client, pipeline.name)
    if not history:
        return f"never ran: push {pipeline.branch} to start it", False, False
    newest = history[0]
    text = f"{newest.status} at {short(newest.commit)}, started {when(newest.started)}"
    if newest.status == "Failed":
        text += f", {failure(client, pipeline.name, newest)}"
    deployed = next((run.commit for run in history if run.status == "Succeeded"), None)
    branch = pipeline.branch
    if head is None:
        text += f"; no {branch} branch in this clone to compare"
    elif head == newest.commit:
        text += {"Succeeded": f"; your {branch} is deployed", "InProgress": f"; your {branch} is being deployed"}.get(
            newest.status, f"; your {branch} is not deployed: its run {newest.status.lower()}")
    elif head == deployed:
        text += f"; your {branch} is deployed (the newest run, of {short(newest.commit)}, {newest.status.lower()})"
    else:
        text += f"; your {branch} ({short(head)}) has not reached the pipeline: push it"
    deployed_here = newest.status == "Succeeded" and head in (None, newest.commit)
    return text, deployed_here, newest.status == "InProgress"


def report(client: Any, pipelines: list[Pipeline], region: str) -> tuple[list[str], int]:
    """The report's lines, and DEPLOYED, NOT_DEPLOYED or UNKNOWN."""
    from botocore import exceptions as aws_errors

    width = max(len(p.environment) for p in pipelines)
    lines = [f"Pipelines in {region}, newest run first:"]
    verdict, running = DEPLOYED, False
    for pipeline in pipelines:
        try:
            text, succeeded, in_progress = describe(client, pipeline)
        except client.exceptions.PipelineNotFoundException:
            text, succeeded, in_progress = f"{pipeline.name} does not exist in {region}: run make pipeline", False, False
        except aws_errors.NoCredentialsError:
            return [f"error: no AWS credentials: CodePipeline in {region} could not be asked."], UNKNOWN
        except aws_errors.ClientError as error:
            details = error.response.get("Error", {})
            return [f"error: CodePipeline answered {details.get('Code')}: {details.get('Message')}"], UNKNOWN
        except aws_errors.BotoCoreError as error:
            return [f"error: CodePipeline could not be asked: {error}"], UNKNOWN
        lines.append(f"  {pipeline.environment:<{width}}  {pipeline.branch}: {text}")
        verdict = verdict if succeeded else NOT_DEPLOYED
        running = running or in_progress
    if running:
        lines.append("A run is in progress: WAIT=900 make status waits for it.")
    return lines, verdict


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--region", help="the pipelines' region (default: samconfig.toml's)")
    parser.add_argument("--wait", type=float, default=0, metavar="SECONDS",
                        help="ask again while a run is in progress, for at most this long")
    parser.add_argument("--interval", type=float, default=30, help=argparse.SUPPRESS)
    parser.add_argument("--pipeline-file", type=Path, default=ROOT / "pipeline" / "pipeline.yml", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    samconfig = load_samconfig(ROOT / "samconfig.toml")
    region = args.region or samconfig.get("default", {}).get("global", {}).get("parameters", {}).get("region")
    pipelines = read_pipelines(args.pipeline_file)
    if not pipelines:
        print(f"error: {args.pipeline_file} declares no pipeline.", file=sys.stderr)
        return UNKNOWN

    import boto3

    client = boto3.client("codepipeline", region_name=region)
    deadline = time.monotonic() + args.wait
    lines, verdict = report(client, pipelines, region)
    while lines[-1].startswith("A run is in progress") and time.monotonic() + args.interval <= deadline:
        time.sleep(args.interval)
        lines, verdict = report(client, pipelines, region)
    print("\n".join(lines), file=sys.stderr if verdict == UNKNOWN else sys.stdout)
    return verdict


if __name__ == "__main__":
    sys.exit(main())
