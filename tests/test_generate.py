"""Generated repos, judged by the tools that will judge them in real life."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from cfnlint.api import ManualArgs, lint_file
from cfnlint.decode.cfn_yaml import loads as cfn_loads
from lambda_rules import rules
from lambda_rules.template_file import load_template, resolve
from samtranslator.public.translator import ManagedPolicyLoader
from samtranslator.translator.transform import transform

pytestmark = pytest.mark.slow
TEMPLATE = Path(__file__).resolve().parent.parent / "template"

LAYER = "arn:aws:lambda:{region}:123456789012:layer:{name}:3"
OVERRIDES = {"prod": {"TABLE_NAME": "orders-prod", "QUOTE": None, "SENTRY_DSN": "https://key@sentry.example/1"},
             "staging": {"TABLE_NAME": "orders-staging"}}
ENV_VARS = {"TABLE_NAME": "orders", "QUOTE": 'say "hi"', "UNICODE": "Größe €", "DB_URL": "{{resolve:ssm:/orders/db}}"}

# Supported answer combinations: every runtime by architecture, with and without env vars and layers.
COMBINATIONS = [
    pytest.param({"runtime": runtime, "architecture": arch}, id=f"{runtime}-{arch}")
    for runtime in ("python3.11", "python3.12", "python3.13", "python3.14")
    for arch in ("x86_64", "arm64")
] + [
    pytest.param({"env_vars": ENV_VARS}, id="env-vars"),
    pytest.param({"env_vars": ENV_VARS, "env_overrides": OVERRIDES, "ephemeral_storage": 10240}, id="env-overrides"),
    pytest.param({"layers": [LAYER.format(region="eu-west-1", name="deps"),
                             {"arn": LAYER.format(region="eu-west-1", name="tools"), "unzipped_mb": 12}]},
                 id="layers"),
    pytest.param({"aws_region": "us-gov-west-1", "layers": ["arn:aws-us-gov:lambda:us-gov-west-1:123456789012:layer:x:1"],
                  "environments": {"test": "develop", "live": "main"}, "name_pattern": "acme-{env}-{project}-{type}",
                  "description": 'Orders "API": ünïcode', "memory_size": 10240, "timeout": 900},
                 id="govcloud-custom-names"),
]


def files(repo: Path) -> list[Path]:
    return sorted(p for p in repo.rglob("*") if p.is_file() and ".pytest_cache" not in p.parts
                  and "__pycache__" not in p.parts)


def sam_transform(repo: Path, region: str) -> dict[str, Any]:
    """SAM's own transform, offline: code already uploaded, no managed policy looked up."""
    template = cfn_loads((repo / "template.yml").read_text(encoding="utf-8"))
    template["Resources"]["Function"]["Properties"]["CodeUri"] = "s3://bucket/key.zip"
    loader = ManagedPolicyLoader(iam_client=None)
    loader._policy_map = {}  # nothing to look up: the template names no managed policy by name
    os.environ.setdefault("AWS_DEFAULT_REGION", region)
    env = next(iter(template["Parameters"]["Environment"]["AllowedValues"]))
    return transform(template, {"Environment": env, "AWS::Region": region}, loader)


@pytest.mark.parametrize("answers", COMBINATIONS)
def test_generated_repo_is_complete_and_lints_clean(generate, answers):
    repo = generate(**answers)
    region = answers.get("aws_region", "eu-west-1")

    rendered = [repo / p.relative_to(TEMPLATE).with_suffix("") for p in TEMPLATE.rglob("*.jinja")]
    rendered = [p for p in rendered if p.exists()] + [repo / ".copier-answers.yml"]
    assert len(rendered) >= 8
    leftovers = [str(p.relative_to(repo)) for p in rendered
                 if re.search(r"\{\{(?!resolve:)|\{%|%\}|\{#", p.read_text(encoding="utf-8"))]
    assert leftovers == []
    assert not [p for p in files(repo) if p.suffix == ".jinja"]
    for path in files(repo):
        if path.suffix in (".yml", ".yaml") and path.name != "template.yml":
            yaml.safe_load(path.read_text(encoding="utf-8"))
    tomllib.loads((repo / "samconfig.toml").read_text(encoding="utf-8"))
    json.loads((repo / "events" / "event.json").read_text(encoding="utf-8"))

    matches = lint_file(repo / "template.yml", config=ManualArgs(regions=[region]))
    assert [str(m) for m in matches] == []

    transformed = sam_transform(repo, region)
    functions = [r for r in transformed["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    assert len(functions) == 1
    props = functions[0]["Properties"]
    assert props["Runtime"] == answers.get("runtime", "python3.13")
    assert props["Architectures"] == [answers.get("architecture", "x86_64")]
    assert props["MemorySize"] == answers.get("memory_size", 256)
    assert props["Timeout"] == answers.get("timeout", 30)
    assert len(props.get("Layers", [])) == len(answers.get("layers", []))


@pytest.mark.parametrize("answers", COMBINATIONS)
def test_generated_repo_own_tests_and_checks_pass(generate, answers):
    repo = generate(**answers)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    tests = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider"], cwd=repo, env=env,
                           capture_output=True, text=True)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert re.search(r"\b4 passed\b", tests.stdout)
    limits = subprocess.run([sys.executable, "-m", "lambda_rules"], cwd=repo, capture_output=True, text=True,
                            env={**env, "PYTHONPATH": "tools"})
    assert limits.returncode == 0, limits.stdout + limits.stderr
    assert limits.stdout.splitlines()[-1].startswith("Lambda limits: 0 error(s)")


def test_default_repo_has_the_expected_files_names_and_values(generate):
    repo = generate()
    assert [str(p.relative_to(repo)) for p in files(repo)] == [
        ".copier-answers.yml", ".gitignore", ".pre-commit-config.yaml", "Makefile", "README.md", "buildspec.yml", "events/event.json",
        "layer-sizes.json", "pyproject.toml", "requirements-dev.txt", "samconfig.toml", "src/app.py",
        "src/requirements.txt", "template.yml", "tests/conftest.py", "tests/test_app.py",
        "tools/lambda_rules/__init__.py", "tools/lambda_rules/__main__.py", "tools/lambda_rules/facts.py",
        "tools/lambda_rules/layer_size.py", "tools/lambda_rules/repo_check.py", "tools/lambda_rules/resolve.py",
        "tools/lambda_rules/rules.py", "tools/lambda_rules/template_file.py",
    ]
    template = cfn_loads((repo / "template.yml").read_text(encoding="utf-8"))
    assert template["Parameters"]["Environment"]["AllowedValues"] == ["dev", "staging", "prod"]
    assert template["Mappings"]["Names"]["prod"] == {"FunctionName": "orders-api-prod-function",
                                                     "RoleName": "orders-api-prod-role"}
    samconfig = tomllib.loads((repo / "samconfig.toml").read_text(encoding="utf-8"))
    assert samconfig["staging"]["deploy"]["parameters"] == {
        "stack_name": "orders-api-staging-stack", "region": "eu-west-1", "s3_bucket": "orders-api-artifacts",
        "s3_prefix": "orders-api/staging", "capabilities": "CAPABILITY_NAMED_IAM",
        "parameter_overrides": "Environment=staging", "tags": 'project="orders-api" environment="staging"',
        "confirm_changeset": False, "fail_on_empty_changeset": False,
    }
    answers = yaml.safe_load((repo / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert answers["project_slug"] == "orders-api" and answers["memory_size"] == 256


def test_buildspec_tests_and_lints_before_it_builds_and_deploys_only_a_good_build(generate):
    repo = generate()
    buildspec = yaml.safe_load((repo / "buildspec.yml").read_text(encoding="utf-8"))
    assert buildspec["version"] == 0.2
    phases = buildspec["phases"]
    assert list(phases) == ["install", "pre_build", "build", "post_build"]
    assert phases["install"]["runtime-versions"] == {"python": "3.13"}
    assert phases["pre_build"]["commands"] == ["make test", "make check"]
    assert phases["build"]["commands"] == ["make build"]
    assert phases["post_build"]["commands"] == ['test "$CODEBUILD_BUILD_SUCCEEDING" = 1',
                                                'make deploy ENVIRONMENT="$ENVIRONMENT"']
    assert all(phases[p]["on-failure"] == "ABORT" for p in ("install", "pre_build", "build"))
    makefile = (repo / "Makefile").read_text(encoding="utf-8")
    assert ('sam deploy --config-env "$(ENVIRONMENT)" --no-confirm-changeset --no-fail-on-empty-changeset'
            in makefile)
    assert "sam validate --lint" in makefile


def test_runtime_version_is_quoted_so_yaml_keeps_3_10_style_versions(generate):
    repo = generate(runtime="python3.12")
    assert 'python: "3.12"' in (repo / "buildspec.yml").read_text(encoding="utf-8")


def test_make_targets_run_in_the_generated_repo(generate):
    repo = generate()
    run = subprocess.run(["make", "test", "limits", f"PYTHON={sys.executable}"], cwd=repo, capture_output=True,
                         text=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert run.returncode == 0, run.stdout + run.stderr
    refused = subprocess.run(["make", "deploy", "ENVIRONMENT=qa"], cwd=repo, capture_output=True, text=True)
    assert refused.returncode != 0
    assert "Set ENVIRONMENT to one of: dev staging prod" in refused.stderr


def test_sam_validate_lint_accepts_the_template(generate, tmp_path):
    repo = generate()
    sam = Path(sys.executable).with_name("sam")
    run = subprocess.run([str(sam), "validate", "--lint"], cwd=repo, capture_output=True, text=True,
                         env={**os.environ, "SAM_CLI_TELEMETRY": "0", "HOME": str(tmp_path)})
    assert run.returncode == 0, run.stdout + run.stderr
    assert "is a valid SAM Template" in run.stdout + run.stderr


def test_readme_names_every_resource_per_environment(generate):
    repo = generate()
    readme = (repo / "README.md").read_text(encoding="utf-8")
    names = rules.resource_names("{project}-{env}-{type}", "orders-api", ["dev", "staging", "prod"])
    for per_env in names["environments"].values():
        for name in per_env.values():
            assert f"`{name}`" in readme
    for name in names["project"].values():
        assert name in readme
    assert "```mermaid" in readme
    assert 'repo -->|master| prod_pipeline["CodePipeline<br/>orders-api-prod-pipeline"]' in readme


def test_env_overrides_render_one_line_per_variable_with_conditions(generate):
    repo = generate(env_vars=ENV_VARS, env_overrides=OVERRIDES)
    text = (repo / "template.yml").read_text(encoding="utf-8")
    assert "  IsStaging: !Equals [!Ref Environment, staging]\n  IsProd: !Equals [!Ref Environment, prod]\n" in text
    assert ('          TABLE_NAME: !If [IsStaging, "orders-staging", !If [IsProd, "orders-prod", "orders"]]\n'
            in text)
    assert '          QUOTE: !If [IsProd, !Ref AWS::NoValue, "say \\"hi\\""]\n' in text
    assert '          SENTRY_DSN: !If [IsProd, "https://key@sentry.example/1", !Ref AWS::NoValue]\n' in text


@pytest.mark.parametrize("overrides", [pytest.param({}, id="shared-only"), pytest.param(OVERRIDES, id="overrides")])
def test_env_vars_in_template_resolve_to_what_the_rules_measured(generate, overrides):
    repo = generate(env_vars=ENV_VARS, env_overrides=overrides)
    template = load_template(repo / "template.yml")
    for env in ("dev", "staging", "prod"):
        properties = resolve(template["Resources"]["Function"]["Properties"], template, {"Environment": env})
        assert properties["Environment"]["Variables"] == rules.function_variables(ENV_VARS, "orders-api", env,
                                                                                   overrides)


def test_rules_in_generated_repo_are_the_template_s_own(generate):
    repo = generate()
    source = Path(__file__).resolve().parent.parent / "hooks" / "lambda_rules"
    for path in sorted(source.glob("*.py")):
        assert (repo / "tools" / "lambda_rules" / path.name).read_bytes() == path.read_bytes()
