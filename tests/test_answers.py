"""Answers given to copier itself: --data, --data-file and --defaults, good and bad."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, copier_cli, run_copy

pytestmark = pytest.mark.slow

ARN = "arn:aws:lambda:eu-west-1:123456789012:layer:{}:1"

# Each bad answer, with the end of the message copier shows: the question, the value, the rule, the fix.
INVALID = [
    pytest.param({"project_name": "x" * 65},
                 "question 'project_name': project_name: 65 characters; the limit is 64. Use a shorter name.",
                 id="project-name-too-long"),
    pytest.param({"project_slug": "Orders_API"},
                 "question 'project_slug': project_slug: 'Orders_API' is not a slug. Use lowercase letters, digits "
                 "and '-', starting with a letter, for example orders-api.", id="slug-with-underscore"),
    pytest.param({"description": "d" * 300},
                 "question 'description': description: 300 characters; the limit is 256. Shorten it.",
                 id="description-too-long"),
    pytest.param({"aws_region": "Ireland"},
                 "question 'aws_region': aws_region: 'Ireland' is not a region code. Use one such as eu-west-1 or "
                 "us-east-1.", id="region"),
    pytest.param({"environments": {"dev": "main", "prod": "main"}},
                 "question 'environments': environments.prod: branch 'main' is already used by dev. Give each "
                 "environment its own branch.", id="environments-share-a-branch"),
    pytest.param({"name_pattern": "{project}-{type}"},
                 "question 'name_pattern': name_pattern: '{project}-{type}' must hold each of {project}, {env} and "
                 "{type} once (check {env}), so that names differ by project, environment and resource.",
                 id="pattern-without-env"),
    pytest.param({"project_name": "a-very-long-project-name-for-the-orders-service-api",
                  "name_pattern": "acme-corp-{project}-{env}-{type}"},
                 "question 'name_pattern': name_pattern (dev): IAM role name "
                 "'acme-corp-a-very-long-project-name-for-the-orders-dev-deploy-role' has 65 characters; the limit "
                 "is 1 to 64. Shorten the project slug or environment names, or change the pattern.",
                 id="derived-name-checked"),
    pytest.param({"artifact_bucket": "Orders.Artifacts"},
                 "question 'artifact_bucket': artifact_bucket: S3 bucket name 'Orders.Artifacts' may only have "
                 "lowercase letters", id="bucket-uppercase"),
    pytest.param({"runtime": "python3.9"}, "Invalid choice for 'runtime': 'python3.9' is not in ['python3.13', "
                 "'python3.14', 'python3.12', 'python3.11', 'nodejs24.x', 'nodejs22.x']", id="runtime-not-offered"),
    pytest.param({"memory_size": 20000},
                 "question 'memory_size': memory_size: 20000 MB is outside the limit of 128 to 10240 MB. Use 128 to "
                 "10240 MB.", id="memory-too-big"),
    pytest.param({"timeout": 901},
                 "question 'timeout': timeout: 901 seconds is outside the limit of 1 to 900 seconds. Use 1 to 900 "
                 "seconds.", id="timeout-too-long"),
    pytest.param({"env_vars": {"AWS_REGION": "eu-west-1"}},
                 "question 'env_vars': env_vars.AWS_REGION: AWS_REGION is reserved by Lambda and cannot be set. "
                 "Use another name.", id="reserved-env-var"),
    pytest.param({"env_vars": {"BLOB": "x" * 4100}},
                 "question 'env_vars': env_vars (dev): 4170 bytes; the limit is 4096 (compact JSON, UTF-8). "
                 "Biggest: BLOB (4109 bytes)", id="env-vars-over-4kb"),
    pytest.param({"ephemeral_storage": 256},
                 "question 'ephemeral_storage': ephemeral_storage: 256 MB is outside the limit of 512 to 10240 MB. "
                 "Use 512 to 10240 MB.", id="ephemeral-storage-too-small"),
    pytest.param({"env_overrides": {"production": {"LOG_LEVEL": "WARN"}}},
                 "question 'env_overrides': env_overrides.production: 'production' is not an environment. Use one "
                 "of dev, staging, prod.", id="override-unknown-environment"),
    pytest.param({"env_vars": {"BLOB": "x" * 4000}, "env_overrides": {"prod": {"EXTRA": "y" * 60}}},
                 "question 'env_overrides': env_overrides (prod): 4142 bytes; the limit is 4096", id="override-over-4kb"),
    pytest.param({"env_vars": {"TOKEN": "{{resolve:ssm-secure:/orders/token}}"}},
                 "question 'env_vars': env_vars.TOKEN: CloudFormation does not resolve ssm-secure references in "
                 "Lambda environment variables.", id="ssm-secure-reference"),
    pytest.param({"layers": [ARN.format(f"l{i}") for i in range(6)]},
                 "question 'layers': layers: 6 layers; the limit is 5 per function. Merge layers or drop some.",
                 id="six-layers"),
    pytest.param({"layers": [ARN.format(f"l{i}") for i in range(5)], "dependencies_layer": True},
                 "question 'layers': layers: 6 layers (1 built by this repo); the limit is 5 per function. Merge "
                 "layers or drop some.", id="five-layers-and-the-dependencies-layer"),
    pytest.param({"typescript": True},
                 "question 'typescript': typescript: true needs a Node.js runtime, and runtime is python3.13. Set "
                 "typescript to false, or runtime to one of nodejs22.x, nodejs24.x.", id="typescript-with-python"),
    pytest.param({"source_provider": "codeconnections"},
                 "question 'gitlab_project': gitlab_project: '' is not a GitLab project path. Use group/project, as "
                 "in the project's URL, for example acme/orders-api (the connection needs it).",
                 id="connection-without-gitlab-project"),
    pytest.param({"source_provider": "github"},
                 "Invalid choice for 'source_provider': 'github' is not in ['gitlab-mirror', 'codeconnections', "
                 "'codecommit']", id="source-unknown"),
    pytest.param({"notifications": "email", "notification_email": "team.example.com"},
                 "question 'notification_email': notification_email: 'team.example.com' is not an e-mail address. "
                 "Use one such as team@example.com.", id="email-address"),
    pytest.param({"notifications": "slack", "slack_workspace_id": "acme", "slack_channel_id": "C0123ABCD"},
                 "question 'slack_workspace_id': slack_workspace_id: 'acme' is not a Slack workspace id.",
                 id="slack-workspace-by-name"),
    pytest.param({"api_gateway": True, "api_id": "a1b2c3d4e5", "api_path": "orders"},
                 "question 'api_path': api_path: 'orders' is not a resource path. Use '/' then segments of letters, "
                 "digits, '._-' or a {parameter}, for example /orders/{id}.", id="api-path"),
    pytest.param({"layers": ["arn:aws:lambda:us-east-1:123456789012:layer:x:1"]},
                 "question 'layers': layers[0]: layer is in aws/us-east-1, the function in aws/eu-west-1. Use the "
                 "layer's copy in eu-west-1.", id="layer-in-another-region"),
]


@pytest.mark.parametrize(("answers", "message"), INVALID)
def test_bad_answer_is_refused_and_nothing_is_written(template_dir, tmp_path, answers, message):
    dest = tmp_path / "out"
    with pytest.raises(ValueError) as caught:
        run_copy(template_dir, dest, {"project_name": "orders-api", **answers})
    assert message in str(caught.value)
    assert not dest.exists()


def test_cli_with_data_exits_non_zero_and_says_why_last(template_dir, tmp_path):
    run = copier_cli("copy", "--trust", "--defaults", "--data", "project_name=orders-api",
                     "--data", "memory_size=64", str(template_dir), str(tmp_path / "out"), cwd=tmp_path)
    assert run.returncode == 1
    shown = run.stderr.strip().splitlines()[-2:]
    assert shown == [
        "Nothing was written: an answer is refused (copier copy stops before writing).",
        "memory_size: 64 MB is outside the limit of 128 to 10240 MB. Use 128 to 10240 MB.",
    ]
    assert "```\n" + "\n".join(shown) + "\n```" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("data", "last_line"), [
    pytest.param(["runtime=python3.9"], "runtime: 'python3.9' is not in ['python3.13', 'python3.14', 'python3.12', "
                 "'python3.11', 'nodejs24.x', 'nodejs22.x']. Use one of those.", id="choice"),
    pytest.param(["source_provider=codeconnections"], "gitlab_project: '' is not a GitLab project path. Use "
                 "group/project, as in the project's URL, for example acme/orders-api (the connection needs it).",
                 id="answer-needed-by-another"),
    pytest.param(["deploy_statements=[{Action: 'dynamodb:*', Resource: 'arn:aws:dynamodb:*:*:table/{project}-*'}]"],
                 "deploy_statements[0].Action: 'dynamodb:*' is not one IAM action. Name each action, without "
                 "wildcards, for example dynamodb:CreateTable (make role-actions TYPE=... in a generated repo lists "
                 "a type's actions).", id="deploy-statement-wildcard"),
])
def test_cli_refusals_read_as_messages_not_crashes(template_dir, tmp_path, data, last_line):
    args = [arg for item in data for arg in ("--data", item)]
    run = copier_cli("copy", "--trust", "--defaults", "--data", "project_name=orders-api", *args,
                     str(template_dir), str(tmp_path / "out"), cwd=tmp_path)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines()[-1] == last_line


def test_cli_defaults_and_data_file_give_the_same_repo(template_dir, tmp_path):
    answers: dict[str, Any] = {
        "project_name": "orders-api",
        "memory_size": 512,
        "env_vars": {"TABLE_NAME": "orders", "GREETING": "héllo"},
        "layers": [{"arn": ARN.format("deps"), "unzipped_mb": 20}],
        "environments": {"dev": "develop", "prod": "main"},
    }
    data_file = tmp_path / "answers.yml"
    data_file.write_text(yaml.safe_dump(answers, allow_unicode=True, sort_keys=False), encoding="utf-8")
    by_file = copier_cli("copy", "--trust", "--defaults", "--data-file", str(data_file), str(template_dir),
                         str(tmp_path / "by-file"), cwd=tmp_path)
    assert by_file.returncode == 0, by_file.stderr
    by_data = copier_cli("copy", "--trust", "--defaults", "--data", "project_name=orders-api",
                         "--data", "memory_size=512", "--data", "env_vars={TABLE_NAME: orders, GREETING: héllo}",
                         "--data", f"layers=[{{arn: '{ARN.format('deps')}', unzipped_mb: 20}}]",
                         "--data", "environments={dev: develop, prod: main}",
                         str(template_dir), str(tmp_path / "by-data"), cwd=tmp_path)
    assert by_data.returncode == 0, by_data.stderr
    for name in ("template.yml", "samconfig.toml", "buildspec.yml", "README.md", ".copier-answers.yml"):
        assert (tmp_path / "by-file" / name).read_text() == (tmp_path / "by-data" / name).read_text(), name
    template = (tmp_path / "by-file" / "template.yml").read_text()
    assert "MemorySize: 512" in template and 'GREETING: "héllo"' in template


def test_defaults_need_only_a_project_name(template_dir, tmp_path):
    run = copier_cli("copy", "--trust", "--defaults", "--data", "project_name=Orders API", str(template_dir),
                     str(tmp_path / "out"), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    answers = yaml.safe_load((tmp_path / "out" / ".copier-answers.yml").read_text())
    assert answers["project_slug"] == "orders-api"
    assert answers["artifact_bucket"] == "orders-api-artifacts"


def test_warning_is_shown_but_does_not_block(template_dir, tmp_path):
    run = copier_cli("copy", "--trust", "--defaults", "--data", "project_name=orders-api",
                     "--data", "env_vars={TZ: Europe/Paris}", str(template_dir), str(tmp_path / "out"), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert ("warning: env_vars.TZ: TZ is listed as reserved by the Lambda guide; a deployment may refuse it."
            in run.stderr)


@pytest.mark.parametrize(("data", "lines"), [
    pytest.param([], ["orders-api is ready in {dest} (python3.13, 3 environments: dev, staging, prod).",
                      'Next, in that folder (README.md, "Working on it", lists what to install: Python 3.13 and SAM '
                      'CLI):',
                      "  python3.13 -m venv .venv && . .venv/bin/activate",
                      "  make pipeline                  # once, with AWS admin credentials: stack orders-api-cicd in "
                      "eu-west-1",
                      "  aws iam create-service-specific-credential --user-name orders-api-mirror --service-name "
                      "codecommit.amazonaws.com",
                      "A push to master deploys orders-api-prod-function; `make status` then says whether it did. "
                      "README.md has every name and step."],
                 id="gitlab-mirror"),
    pytest.param(["source_provider=codecommit", "environments={test: develop, live: main}"],
                 ["  git remote add aws https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/orders-api-repo",
                  "A push to main deploys orders-api-live-function; `make status` then says whether it did. "
                  "README.md has every name and step."],
                 id="codecommit"),
    pytest.param(["runtime=nodejs22.x"],
                 ['Next, in that folder (README.md, "Working on it", lists what to install: Node.js 22, Python 3 and '
                  'SAM CLI):',
                  "  python3 -m venv .venv && . .venv/bin/activate",
                  "  make install && make test      # npm install, then node --test: the handler's unit tests"],
                 id="nodejs"),
])
def test_after_copying_the_next_commands_carry_this_repo_s_names(template_dir, tmp_path, data, lines):
    dest = tmp_path / "out"
    args = [arg for item in data for arg in ("--data", item)]
    run = copier_cli("copy", "--trust", "--defaults", "--data", "project_name=orders-api", *args,
                     str(template_dir), str(dest), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    output = (run.stdout + run.stderr).splitlines()
    for line in lines:
        assert line.format(dest=dest) in output


def test_without_git_the_copy_succeeds_and_says_to_run_git_init(template_dir, tmp_path):
    run = copier_cli("copy", "--trust", "--defaults", "--quiet", "--data", "project_name=orders-api", str(template_dir),
                     str(tmp_path / "out"), env={**os.environ, "PATH": str(Path(sys.executable).parent)})
    assert run.returncode == 0, run.stderr
    assert run.stderr.strip().splitlines()[-1] == "warning: git is not installed: run git init yourself."
    assert (tmp_path / "out" / "template.yml").is_file() and not (tmp_path / "out" / ".git").exists()


def test_a_new_repo_is_a_git_repository_on_its_production_branch_unless_inside_one(template_dir, tmp_path):
    repo = run_copy(template_dir, tmp_path / "alone", {"project_name": "orders-api",
                                                       "environments": {"dev": "develop", "live": "main"}})
    head = subprocess.run(["git", "symbolic-ref", "--short", "HEAD"], cwd=repo, capture_output=True, text=True)
    assert head.stdout.strip() == "main"

    monorepo = tmp_path / "monorepo"
    subprocess.run(["git", "init", "--quiet", str(monorepo)], check=True)
    inner = run_copy(template_dir, monorepo / "functions" / "orders", {"project_name": "orders-api"})
    assert not (inner / ".git").exists()
