"""What a team runs after a push: `make status` (tools/pipeline_status.py, against a local stand-in for
CodePipeline) and `make logs` (SAM CLI's own `sam logs`, reading samconfig.toml)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from codepipeline_stub import CodePipelineState, CodePipelineStub, execution, failed_build

pytestmark = pytest.mark.slow
PIPELINES = {"dev": "orders-api-dev-pipeline", "staging": "orders-api-staging-pipeline",
             "prod": "orders-api-prod-pipeline"}
LOG = "https://console.aws.amazon.com/codesuite/codebuild/projects/orders-api-dev-build/build/1/log"
GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": "/dev/null"}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True, env=GIT_ENV).stdout.strip()


@pytest.fixture
def clone(generate, tmp_path) -> tuple[Path, str, str]:
    """A generated repo with two commits: develop at the second, staging and master at the first."""
    repo = Path(shutil.copytree(generate(), tmp_path / "repo"))
    git(repo, "init", "--quiet", "--initial-branch=master")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "first")
    first = git(repo, "rev-parse", "HEAD")
    git(repo, "branch", "staging")
    git(repo, "switch", "--quiet", "-c", "develop")
    git(repo, "commit", "--quiet", "--allow-empty", "-m", "second")
    return repo, first, git(repo, "rev-parse", "HEAD")


def status(repo: Path, url: str | None, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environ.update(AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
                   AWS_EC2_METADATA_DISABLED="true", NO_PROXY="127.0.0.1", no_proxy="127.0.0.1")
    if url:
        environ.update(AWS_ENDPOINT_URL_CODEPIPELINE=url, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    return subprocess.run([sys.executable, str(repo / "tools" / "pipeline_status.py"), *args], capture_output=True,
                          text=True, env=environ, stdin=subprocess.DEVNULL)


def line(env: str, branch: str, text: str) -> str:
    return f"  {env:<7}  {branch}: {text}"


STARTED = "started 2026-12-04 00:00 UTC"


def test_every_environment_deployed_is_exit_0(clone, tmp_path):
    repo, first, second = clone
    state = CodePipelineState({PIPELINES["dev"]: [execution("d2", "Succeeded", second),
                                                  execution("d1", "Succeeded", first)],
                               PIPELINES["staging"]: [execution("s1", "Succeeded", first)],
                               PIPELINES["prod"]: [execution("p1", "Succeeded", first)]})
    with CodePipelineStub(state) as url:
        run = status(repo, url, tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "Pipelines in eu-west-1, newest run first:",
        line("dev", "develop", f"Succeeded at {second[:8]}, {STARTED}; your develop is deployed"),
        line("staging", "staging", f"Succeeded at {first[:8]}, {STARTED}; your staging is deployed"),
        line("prod", "master", f"Succeeded at {first[:8]}, {STARTED}; your master is deployed"),
    ]
    assert {operation for operation, _ in state.requests} == {"ListPipelineExecutions"}


def test_a_failed_run_names_its_stage_action_message_and_log(clone, tmp_path):
    repo, first, second = clone
    state = CodePipelineState({PIPELINES["dev"]: [execution("d2", "Failed", second),
                                                  execution("d1", "Succeeded", first)],
                               PIPELINES["staging"]: [execution("s1", "Succeeded", first)],
                               PIPELINES["prod"]: [execution("p1", "Succeeded", first)]},
                              states={PIPELINES["dev"]: failed_build("d2", "Build terminated with state: FAILED", LOG)})
    with CodePipelineStub(state) as url:
        run = status(repo, url, tmp_path)
    assert run.returncode == 1
    assert run.stdout.splitlines()[1] == line(
        "dev", "develop", f"Failed at {second[:8]}, {STARTED}, in Build/TestBuildDeploy: Build terminated with state: "
                          f"FAILED (log: {LOG}); your develop is not deployed: its run failed")


@pytest.mark.parametrize(("dev_runs", "expected", "code"), [
    pytest.param([], "never ran: push develop to start it", 1, id="never-ran"),
    pytest.param(None, "orders-api-dev-pipeline does not exist in eu-west-1: run make pipeline", 1, id="no-pipeline"),
    pytest.param([("d1", "Succeeded", "first")],
                 "Succeeded at {first8}, " + STARTED + "; your develop ({second8}) has not reached the pipeline: push it",
                 1, id="push-not-reached"),
    pytest.param([("d3", "Failed", "first"), ("d2", "Succeeded", "second")],
                 "Failed at {first8}, " + STARTED + ", CodePipeline gives no failed action for it; your develop is "
                 "deployed (the newest run, of {first8}, failed)", 1, id="newest-run-of-another-commit"),
])
def test_each_state_of_a_pipeline_is_said_plainly(clone, tmp_path, dev_runs, expected, code):
    repo, first, second = clone
    commits = {"first": first, "second": second}
    state = CodePipelineState({PIPELINES["staging"]: [execution("s1", "Succeeded", first)],
                               PIPELINES["prod"]: [execution("p1", "Succeeded", first)]})
    if dev_runs is not None:
        state.executions[PIPELINES["dev"]] = [execution(i, s, commits[c]) for i, s, c in dev_runs]
    with CodePipelineStub(state) as url:
        run = status(repo, url, tmp_path)
    assert run.returncode == code, run.stderr
    assert run.stdout.splitlines()[1] == line("dev", "develop", expected.format(first8=first[:8], second8=second[:8]))


def test_wait_asks_again_until_the_run_in_progress_ends(clone, tmp_path):
    repo, first, second = clone

    def finish(state: CodePipelineState) -> None:
        if len(state.requests) == 4:  # the second round: the run has ended
            state.executions[PIPELINES["dev"]][0]["status"] = "Succeeded"

    state = CodePipelineState({PIPELINES["dev"]: [execution("d2", "InProgress", second)],
                               PIPELINES["staging"]: [execution("s1", "Succeeded", first)],
                               PIPELINES["prod"]: [execution("p1", "Succeeded", first)]}, on_request=finish)
    with CodePipelineStub(state) as url:
        once = status(repo, url, tmp_path)
        state.requests.clear()
        state.executions[PIPELINES["dev"]][0]["status"] = "InProgress"
        waited = status(repo, url, tmp_path, "--wait", "5", "--interval", "0.1")
    assert once.returncode == 1
    assert once.stdout.splitlines()[1:] == [
        line("dev", "develop", f"InProgress at {second[:8]}, {STARTED}; your develop is being deployed"),
        line("staging", "staging", f"Succeeded at {first[:8]}, {STARTED}; your staging is deployed"),
        line("prod", "master", f"Succeeded at {first[:8]}, {STARTED}; your master is deployed"),
        "A run is in progress: WAIT=900 make status waits for it.",
    ]
    assert waited.returncode == 0, waited.stdout + waited.stderr
    assert waited.stdout.splitlines()[1] == line("dev", "develop", f"Succeeded at {second[:8]}, {STARTED}; "
                                                                   "your develop is deployed")
    assert len(state.requests) == 6


def test_without_credentials_it_says_so_and_exits_2(clone, tmp_path):
    repo, _, _ = clone
    run = status(repo, None, tmp_path)
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr.splitlines() == ["error: no AWS credentials: CodePipeline in eu-west-1 could not be asked."]


def test_make_status_asks_about_the_region_of_the_answers(generate):
    repo = generate(aws_region="us-east-2")
    run = subprocess.run(["make", "--no-print-directory", "-n", "status", "WAIT=60"], cwd=repo, capture_output=True,
                         text=True)
    assert run.stdout.splitlines() == ['python3 tools/pipeline_status.py --region us-east-2 --wait "60"']


def test_the_readme_shows_the_lines_make_status_prints(clone, tmp_path):
    repo, first, _ = clone
    state = CodePipelineState({name: [execution("x", "Succeeded", first)] for name in PIPELINES.values()})
    with CodePipelineStub(state) as url:
        printed = status(repo, url, tmp_path).stdout.splitlines()
    readme = (repo / "README.md").read_text(encoding="utf-8").splitlines()
    start = readme.index(printed[0])
    shown = readme[start:start + 1 + len(PIPELINES)]
    for example, real in zip(shown[1:], printed[1:], strict=True):
        assert example.endswith(": ...") and real.startswith(example.removesuffix("..."))
    assert readme[start + 1 + len(PIPELINES)] == "```"


# --- make logs: sam logs with the environment's table of samconfig.toml ---

@pytest.mark.parametrize(("tracing", "expanded"), [
    (False, "--stack_name=orders-api-staging-stack --start_time=10m ago"),
    (True, "--stack_name=orders-api-staging-stack --include_traces --start_time=10m ago"),
], ids=["logs", "logs-and-traces"])
def test_sam_logs_reads_the_environment_s_stack_from_samconfig(generate, tmp_path, tracing, expanded):
    """SAM CLI itself reads the table; without credentials it stops before any call, as here."""
    repo = generate(tracing=tracing)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environ.update(AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
                   AWS_EC2_METADATA_DISABLED="true", SAM_CLI_TELEMETRY="0")
    sam = Path(sys.executable).with_name("sam")
    run = subprocess.run([str(sam), "logs", "--config-env", "staging", "--debug"], cwd=repo, capture_output=True,
                         text=True, env=environ, stdin=subprocess.DEVNULL)
    output = run.stdout + run.stderr
    assert "Using config file: samconfig.toml, config environment: staging" in output
    [line] = [line for line in output.splitlines() if "--stack_name=" in line]
    assert line.strip().endswith(expanded)
    assert "Unable to locate credentials" in output and run.returncode == 1


def test_make_logs_follows_one_environment(generate):
    repo = generate()
    dry = subprocess.run(["make", "--no-print-directory", "-n", "logs", "ENVIRONMENT=prod", "SINCE=1h ago"], cwd=repo,
                         capture_output=True, text=True)
    assert dry.stdout.splitlines()[-1] == 'sam logs --config-env prod --tail --start-time "1h ago"'
    refused = subprocess.run(["make", "--no-print-directory", "logs"], cwd=repo, capture_output=True, text=True)
    assert (refused.returncode, refused.stderr.splitlines()[0]) == (2, "Set ENVIRONMENT to one of: dev staging prod")
