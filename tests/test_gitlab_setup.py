"""scripts/setup_gitlab.py of a generated repo, against a local stand-in for GitLab's REST API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from conftest import tool
from codecommit_stub import CodeCommitState, CodeCommitStub
from gitlab_stub import TOKEN, GitLabState, GitLabStub

pytestmark = pytest.mark.slow
PASSWORD = "a+b/c=d@e:f%g"  # every character that breaks a URL unless encoded
USERNAME = "orders-api-mirror-at-123456789012"
MIRROR = "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/orders-api-repo"


@pytest.fixture(scope="module")
def mirror_repo(generate) -> Path:
    return generate(gitlab_project="acme/orders-api")


def setup(repo: Path, url: str, tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the repo's tool with its settings pointed at the stub, as a user would, without a terminal."""
    settings = json.loads((repo / "scripts" / "gitlab-settings.json").read_text(encoding="utf-8"))
    settings["gitlab_url"] = url
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(settings), encoding="utf-8")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("GITLAB_", "CODECOMMIT_"))}
    environ.update({"GITLAB_TOKEN": TOKEN, "CODECOMMIT_GIT_USERNAME": USERNAME, "CODECOMMIT_GIT_PASSWORD": PASSWORD,
                    **env})
    return subprocess.run([sys.executable, str(repo / "scripts" / "setup_gitlab.py"), "--settings", str(path), *args],
                          capture_output=True, text=True, env=environ, stdin=subprocess.DEVNULL)


def test_first_run_creates_branches_protects_them_sets_default_and_mirrors(mirror_repo, tmp_path):
    state = GitLabState()
    with GitLabStub(state) as url:
        run = setup(mirror_repo, url, tmp_path)
    assert run.returncode == 0, run.stderr
    assert state.branches == {"main", "develop", "staging", "master"}
    assert [body for method, path, body in state.requests if path.endswith("/repository/branches")] == [
        {"branch": "develop", "ref": "main"}, {"branch": "staging", "ref": "main"}, {"branch": "master", "ref": "main"}]
    assert state.protected == {"develop": {"push": 30, "merge": 30}, "staging": {"push": 40, "merge": 40},
                               "master": {"push": 40, "merge": 40}}
    assert state.default_branch == "master"
    (mirror,) = state.mirrors
    assert (mirror["enabled"], mirror["only_protected_branches"], mirror["synced"]) == (True, True, 1)
    assert run.stdout.splitlines()[-1] == "Done: 9 change(s) on acme/orders-api."
    assert "  protected develop: push and merge for developers and maintainers" in run.stdout
    assert "  asked GitLab to sync the mirror now" in run.stdout


def test_mirror_url_carries_the_credentials_percent_encoded_and_never_prints_them(mirror_repo, tmp_path):
    state = GitLabState()
    with GitLabStub(state) as url:
        run = setup(mirror_repo, url, tmp_path)
    (mirror,) = state.mirrors
    assert mirror["url"] == ("https://orders-api-mirror-at-123456789012:a%2Bb%2Fc%3Dd%40e%3Af%25g"
                             "@git-codecommit.eu-west-1.amazonaws.com/v1/repos/orders-api-repo")
    parts = urlsplit(mirror["url"])
    assert (unquote(parts.username), unquote(parts.password), parts.hostname) == (
        USERNAME, PASSWORD, "git-codecommit.eu-west-1.amazonaws.com")
    assert PASSWORD not in run.stdout + run.stderr and "a%2Bb" not in run.stdout + run.stderr
    assert TOKEN not in run.stdout + run.stderr
    assert not [p for p in mirror_repo.rglob("*") if p.is_file() and PASSWORD in p.read_text(errors="ignore")]


def test_second_run_changes_nothing_and_says_so(mirror_repo, tmp_path):
    state = GitLabState()
    with GitLabStub(state) as url:
        setup(mirror_repo, url, tmp_path)
        before = len(state.writes())
        again = setup(mirror_repo, url, tmp_path, CODECOMMIT_GIT_PASSWORD="", CODECOMMIT_GIT_USERNAME="")
    assert again.returncode == 0, again.stderr
    assert len(state.writes()) == before  # no credentials needed either: the mirror exists
    assert again.stdout == "No change: acme/orders-api is already set up as the template says.\n"


def test_dry_run_prints_the_plan_and_sends_no_write(mirror_repo, tmp_path):
    state = GitLabState()
    with GitLabStub(state) as url:
        run = setup(mirror_repo, url, tmp_path, "--dry-run")
    assert run.returncode == 0, run.stderr
    assert state.writes() == []
    assert run.stdout.splitlines() == [
        "Plan for acme/orders-api (dry run, nothing sent):",
        "  would create branch develop from main",
        "  would create branch staging from main",
        "  would create branch master from main",
        "  would protect develop: push and merge for developers and maintainers",
        "  would protect staging: push and merge for maintainers only",
        "  would protect master: push and merge for maintainers only",
        "  would make master the default branch",
        f"  would create the push mirror to {MIRROR} (protected branches only) and sync it",
    ]


def test_wrong_protection_is_corrected_and_a_disabled_mirror_enabled(mirror_repo, tmp_path):
    state = GitLabState(default_branch="master", branches={"master", "develop", "staging"},
                        protected={"develop": {"push": 40, "merge": 40}, "staging": {"push": 40, "merge": 40},
                                   "master": {"push": 30, "merge": 40}},
                        mirrors=[{"id": 100, "url": f"https://u:p@{MIRROR[8:]}", "enabled": False,
                                  "only_protected_branches": False, "synced": 0}])
    with GitLabStub(state) as url:
        run = setup(mirror_repo, url, tmp_path, CODECOMMIT_GIT_PASSWORD="")
    assert run.returncode == 0, run.stderr
    assert state.protected["develop"] == {"push": 30, "merge": 30}
    assert state.protected["master"] == {"push": 40, "merge": 40}
    assert (state.mirrors[0]["enabled"], state.mirrors[0]["only_protected_branches"]) == (True, True)
    assert state.mirrors[0]["url"] == "https://u:p@" + MIRROR[8:]  # credentials kept
    assert run.stdout.splitlines()[:2] == ["  changed protection of develop: push and merge for developers and maintainers",
                                           "  changed protection of master: push and merge for maintainers only"]


@pytest.mark.parametrize(("state", "token", "message"), [
    pytest.param(GitLabState(), "glpat-wrong-token", "error: GitLab at {url} refused the token (401): check "
                 "GITLAB_TOKEN, which needs the api scope and must not be expired.", id="401-bad-token"),
    pytest.param(GitLabState(path="acme/other"), TOKEN, "error: Project acme/orders-api was not found on {url} "
                 "(404): check the path, and that the token's user can see the project.", id="404-missing-project"),
    pytest.param(GitLabState(role=30), TOKEN, "error: Your role in acme/orders-api is not enough (403): protecting "
                 "branches and setting mirrors needs the Maintainer role.", id="403-developer-role"),
])
def test_api_errors_in_plain_words(mirror_repo, tmp_path, state, token, message):
    with GitLabStub(state) as url:
        run = setup(mirror_repo, url, tmp_path, GITLAB_TOKEN=token)
    assert run.returncode == 1
    assert run.stderr == message.format(url=url) + "\n"
    assert "Traceback" not in run.stderr


def test_missing_token_without_a_terminal_says_what_to_set(mirror_repo, tmp_path):
    with GitLabStub(GitLabState()) as url:
        run = setup(mirror_repo, url, tmp_path, GITLAB_TOKEN="")
    assert (run.returncode, run.stderr) == (1, "error: GITLAB_TOKEN is not set. Set it, or run this in a "
                                               "terminal to be asked.\n")


def test_old_gitlab_without_sync_gets_told_to_press_update_now(mirror_repo, tmp_path):
    state = GitLabState(sync_supported=False)
    with GitLabStub(state) as url:
        run = setup(mirror_repo, url, tmp_path)
    assert run.returncode == 0, run.stderr
    assert "This GitLab cannot be asked to sync (before 16.11): press 'Update now' on the mirror." in run.stdout


def test_codeconnections_sets_no_mirror_and_prints_the_console_step(generate, tmp_path):
    repo = generate(source_provider="codeconnections", gitlab_project="acme/orders-api")
    state = GitLabState()
    with GitLabStub(state) as url:
        run = setup(repo, url, tmp_path)
    assert run.returncode == 0, run.stderr
    assert state.mirrors == [] and not [r for r in state.requests if "remote_mirrors" in r[1]]
    assert ("CodePipeline reads GitLab through the connection orders-api-gitlab: if it is still PENDING, open the "
            "AWS console" in run.stdout)


def test_self_managed_url_and_two_environments_come_from_the_answers(generate):
    repo = generate(source_provider="codeconnections", gitlab_url="https://git.acme.example/gitlab",
                    gitlab_project="platform/orders-api", environments={"test": "develop", "live": "main"})
    settings = json.loads((repo / "scripts" / "gitlab-settings.json").read_text(encoding="utf-8"))
    assert settings["gitlab_url"] == "https://git.acme.example/gitlab"
    assert settings["default_branch"] == "main"
    assert settings["branches"] == [{"allowed": "developers", "branch": "develop", "environment": "test"},
                                    {"allowed": "maintainers", "branch": "main", "environment": "live"}]


def test_codecommit_alone_gets_no_gitlab_tooling(generate):
    repo = generate(source_provider="codecommit")
    assert not (repo / "scripts").exists()
    assert "python-gitlab" not in (repo / "requirements-dev.txt").read_text(encoding="utf-8")


# --- .gitlab-ci.yml ---------------------------------------------------------------------------

CI_COMBINATIONS = {
    "python-mirror": {},
    "python-connection-two-envs": {"source_provider": "codeconnections", "gitlab_project": "acme/orders-api",
                                   "environments": {"test": "feature/next", "live": "main"}},
    "javascript": {"runtime": "nodejs22.x"},
    "typescript": {"runtime": "nodejs24.x", "typescript": True, "architecture": "arm64"},
}


@pytest.fixture(scope="module")
def ci_repos(generate) -> dict[str, Path]:
    return {name: generate(**answers) for name, answers in CI_COMBINATIONS.items()}


def test_gitlab_ci_is_valid_against_gitlab_s_schema(ci_repos):
    files = [str(repo / ".gitlab-ci.yml") for repo in ci_repos.values()]
    run = subprocess.run([tool("check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", *files],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "ok -- validation done" in run.stdout


@pytest.mark.parametrize("name", CI_COMBINATIONS)
def test_gitlab_ci_runs_tests_limits_and_sam_validate_on_merge_requests_and_environment_branches(ci_repos, name):
    answers = CI_COMBINATIONS[name]
    ci = yaml.safe_load((ci_repos[name] / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    branches = list(answers.get("environments", {"dev": "develop", "staging": "staging", "prod": "master"}).values())
    conditions = [rule["if"] for rule in ci["workflow"]["rules"] if rule.get("when") != "never"]
    assert conditions == ['$CI_PIPELINE_SOURCE == "merge_request_event"', '$CI_PIPELINE_SOURCE == "schedule"',
                          *(f'$CI_COMMIT_BRANCH == "{branch}"' for branch in branches)]
    jobs = {job: spec["script"] for job, spec in ci.items() if isinstance(spec, dict) and "script" in spec}
    expected = {"unit-tests": ["make test"], "lambda-limits": ["make limits"], "sam-validate": ["make lint"],
                "template-update": ["copier check-update", "copier check-update --quiet"]}
    if answers.get("typescript"):
        expected["typecheck"] = ["make typecheck"]
    assert jobs == expected
    node = answers.get("runtime", "").startswith("nodejs")
    assert ci["default"]["before_script"] == ['make install NPM_INSTALL="npm ci"' if node else "make install"]
    assert ci["default"]["image"] == f"public.ecr.aws/sam/build-{answers.get('runtime', 'python3.13')}:latest"
    assert ci["cache"]["paths"] == [".cache/pip", *([".cache/npm"] if node else [])]


@pytest.mark.parametrize("answers", [pytest.param({"gitlab_ci": False}, id="declined"),
                                     pytest.param({"source_provider": "codecommit"}, id="no-gitlab")])
def test_no_gitlab_ci_when_declined_or_without_gitlab(generate, answers):
    assert not (generate(**answers) / ".gitlab-ci.yml").exists()


# --- scripts/mirror_status.py: GitLab's side against CodeCommit's ---

TARGET = MIRROR
UPDATED = "2026-12-04T10:02:00Z"


def mirrored_state(**mirror: Any) -> GitLabState:
    """A project set up by make gitlab, its mirror as GitLab reports it after an update."""
    state = GitLabState(branches={"main", "develop", "staging", "master"}, default_branch="master")
    state.mirrors.append({"id": 100, "url": f"https://{USERNAME}:secret-password@{TARGET.removeprefix('https://')}",
                          "enabled": True, "only_protected_branches": True, "synced": 0, "update_status": "finished",
                          "last_successful_update_at": UPDATED, "last_error": None, **mirror})
    return state


def mirror_status(repo: Path, gitlab_url: str, codecommit_url: str | None, tmp_path: Path,
                  *args: str) -> subprocess.CompletedProcess[str]:
    settings = json.loads((repo / "scripts" / "gitlab-settings.json").read_text(encoding="utf-8"))
    settings.update(gitlab_url=gitlab_url, project="acme/orders-api")
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(settings), encoding="utf-8")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("GITLAB_", "AWS_"))}
    environ.update(GITLAB_TOKEN=TOKEN, AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_EC2_METADATA_DISABLED="true",
                   AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"), NO_PROXY="127.0.0.1", no_proxy="127.0.0.1")
    if codecommit_url:
        environ.update(AWS_ENDPOINT_URL_CODECOMMIT=codecommit_url, AWS_ACCESS_KEY_ID="testing",
                       AWS_SECRET_ACCESS_KEY="testing")
    return subprocess.run([sys.executable, str(repo / "scripts" / "mirror_status.py"), "--settings", str(path), *args],
                          capture_output=True, text=True, env=environ, stdin=subprocess.DEVNULL)


def head_line(branch: str, state: str) -> str:
    return f"  {branch:<7}  {state}"


def test_mirror_status_says_each_branch_is_in_sync(mirror_repo, tmp_path):
    gitlab_state = mirrored_state()
    codecommit = CodeCommitState({"orders-api-repo": {b: gitlab_state.head(b) for b in ("develop", "staging", "master")}})
    with GitLabStub(gitlab_state) as gitlab_url, CodeCommitStub(codecommit) as codecommit_url:
        run = mirror_status(mirror_repo, gitlab_url, codecommit_url, tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        f"Push mirror to {TARGET}: enabled, last update finished, last successful update {UPDATED}.",
        *[head_line(b, f"in sync at {gitlab_state.head(b)[:8]}") for b in ("develop", "staging", "master")],
    ]
    assert [r["repositoryName"] for r in codecommit.requests] == ["orders-api-repo"] * 3


def test_mirror_status_names_the_branches_codecommit_has_not_got(mirror_repo, tmp_path):
    gitlab_state = mirrored_state(update_status="failed", last_error=f"push to https://{USERNAME}:secret-password@"
                                                                     "git-codecommit.example/ failed: 403")
    old = "0123456789abcdef0123456789abcdef01234567"
    codecommit = CodeCommitState({"orders-api-repo": {"develop": gitlab_state.head("develop"), "staging": old}})
    with GitLabStub(gitlab_state) as gitlab_url, CodeCommitStub(codecommit) as codecommit_url:
        run = mirror_status(mirror_repo, gitlab_url, codecommit_url, tmp_path)
    assert run.returncode == 1
    assert run.stdout.splitlines() == [
        f"Push mirror to {TARGET}: enabled, last update failed, last successful update {UPDATED}.",
        "  last error: push to https://*****:*****@git-codecommit.example/ failed: 403",
        head_line("develop", f"in sync at {gitlab_state.head('develop')[:8]}"),
        head_line("staging", f"not mirrored yet: GitLab {gitlab_state.head('staging')[:8]}, CodeCommit 01234567"),
        head_line("master", f"not in CodeCommit yet (GitLab {gitlab_state.head('master')[:8]})"),
        "2 of 3 branches are not in CodeCommit as on GitLab. GitLab updates a push mirror at most every 5 minutes: "
        "--wait 600 waits for it, and make gitlab asks for a sync.",
    ]
    assert "secret-password" not in run.stdout + run.stderr


def test_mirror_status_waits_until_the_mirror_catches_up(mirror_repo, tmp_path):
    gitlab_state = mirrored_state()
    heads = {b: gitlab_state.head(b) for b in ("develop", "staging", "master")}

    def catch_up(state: CodeCommitState) -> None:
        if len(state.requests) == 4:  # the second poll: the mirror has pushed master by now
            state.repositories["orders-api-repo"]["master"] = heads["master"]

    codecommit = CodeCommitState({"orders-api-repo": {"develop": heads["develop"], "staging": heads["staging"]}},
                                 on_request=catch_up)
    with GitLabStub(gitlab_state) as gitlab_url, CodeCommitStub(codecommit) as codecommit_url:
        run = mirror_status(mirror_repo, gitlab_url, codecommit_url, tmp_path, "--wait", "5", "--interval", "0.1")
    assert run.returncode == 0, run.stdout + run.stderr
    assert len(codecommit.requests) == 6
    assert run.stdout.splitlines()[-1] == head_line("master", f"in sync at {heads['master'][:8]}")


@pytest.mark.parametrize(("codecommit", "reason"), [
    pytest.param(None, "no AWS credentials", id="no-credentials"),
    pytest.param({}, "repository orders-api-repo does not exist in eu-west-1: run make pipeline", id="no-repository"),
])
def test_mirror_status_without_codecommit_shows_gitlab_s_side_and_exits_2(mirror_repo, tmp_path, codecommit, reason):
    gitlab_state = mirrored_state()
    with GitLabStub(gitlab_state) as gitlab_url, CodeCommitStub(CodeCommitState(codecommit or {})) as codecommit_url:
        run = mirror_status(mirror_repo, gitlab_url, codecommit_url if codecommit is not None else None, tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert run.stdout.splitlines()[1:] == [
        f"CodeCommit not compared: {reason}.",
        *[head_line(b, f"at {gitlab_state.head(b)[:8]} on GitLab (CodeCommit not compared)")
          for b in ("develop", "staging", "master")],
    ]


def test_mirror_status_without_a_mirror_says_to_run_make_gitlab(mirror_repo, tmp_path):
    gitlab_state = mirrored_state()
    gitlab_state.mirrors.clear()
    with GitLabStub(gitlab_state) as gitlab_url:
        run = mirror_status(mirror_repo, gitlab_url, None, tmp_path)
    assert run.returncode == 1
    assert run.stdout.strip() == f"No push mirror to {TARGET} on acme/orders-api: run make gitlab."
