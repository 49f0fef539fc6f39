"""Generated repos, judged by the tools that will judge them in real life."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from cfnlint.api import ManualArgs, lint_file
from cfnlint.decode.cfn_yaml import loads as cfn_loads
from conftest import run_copy
from lambda_rules import deploy_role, rules
from lambda_rules.template_file import load_template, resolve

pytestmark = pytest.mark.slow
TEMPLATE = Path(__file__).resolve().parent.parent / "template"

LAYER = "arn:aws:lambda:{region}:123456789012:layer:{name}:3"
OVERRIDES = {"prod": {"TABLE_NAME": "orders-prod", "QUOTE": None, "SENTRY_DSN": "https://key@sentry.example/1"},
             "staging": {"TABLE_NAME": "orders-staging"}}
ENV_VARS = {"TABLE_NAME": "orders", "QUOTE": 'say "hi"', "UNICODE": "Größe €", "DB_URL": "{{resolve:ssm:/orders/db}}"}

FOUR_LAYERS = [LAYER.format(region="eu-west-1", name=f"l{i}") for i in range(4)]

# Supported answer combinations: every runtime by architecture, both languages with and without
# TypeScript, Powertools and the dependencies layer, env vars and external layers.
COMBINATIONS = [
    pytest.param({"runtime": runtime, "architecture": arch}, id=f"{runtime}-{arch}")
    for runtime in ("python3.11", "python3.12", "python3.13", "python3.14", "nodejs22.x", "nodejs24.x")
    for arch in ("x86_64", "arm64")
] + [
    pytest.param({"runtime": "nodejs24.x", "typescript": True}, id="typescript"),
    pytest.param({"runtime": "nodejs22.x", "typescript": True, "architecture": "arm64", "powertools": False},
                 id="typescript-without-powertools"),
    pytest.param({"powertools": False}, id="python-without-powertools"),
    pytest.param({"runtime": "nodejs22.x", "powertools": False}, id="nodejs-without-powertools"),
    pytest.param({"dependencies_layer": True, "layers": FOUR_LAYERS}, id="python-dependencies-layer"),
    pytest.param({"runtime": "nodejs22.x", "dependencies_layer": True, "architecture": "arm64"},
                 id="nodejs-dependencies-layer"),
    pytest.param({"runtime": "nodejs24.x", "typescript": True, "dependencies_layer": True,
                  "env_vars": ENV_VARS, "env_overrides": OVERRIDES}, id="typescript-dependencies-layer"),
    pytest.param({"runtime": "nodejs24.x", "tracing": True}, id="nodejs-tracing"),
    pytest.param({"powertools": False, "tracing": True}, id="python-tracing-without-powertools"),
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
                  and "__pycache__" not in p.parts and ".git" not in p.relative_to(repo).parts)


def language(answers: dict[str, Any]) -> str:
    return "nodejs" if answers.get("runtime", "").startswith("nodejs") else "python"


def sam_transform(repo: Path, region: str) -> dict[str, Any]:
    """SAM's own transform, offline (the function's check uses the same), for the first environment."""
    template = cfn_loads((repo / "template.yml").read_text(encoding="utf-8"))
    env = next(iter(template["Parameters"]["Environment"]["AllowedValues"]))
    return deploy_role.sam_transform(template, {"Environment": env, "AWS::Region": region})


@pytest.mark.parametrize("answers", COMBINATIONS)
def test_generated_repo_is_complete_and_lints_clean(generate, answers):
    repo = generate(**answers)
    region = answers.get("aws_region", "eu-west-1")

    generated = [p for p in files(repo) if "tools" not in p.relative_to(repo).parts]
    assert len(generated) >= 14
    leftovers = [str(p.relative_to(repo)) for p in generated
                 if re.search(r"\{\{(?!resolve:)|\{%|%\}|\{#", p.read_text(encoding="utf-8"))
                 or re.search(r"[{}%]", p.name)]
    assert leftovers == []
    assert not [p for p in files(repo) if p.suffix == ".jinja"]
    for path in files(repo):
        if path.suffix in (".yml", ".yaml"):  # CloudFormation templates have their own tags
            text = path.read_text(encoding="utf-8")
            cfn_loads(text) if path.name in ("template.yml", "pipeline.yml") else yaml.safe_load(text)
        if path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
    tomllib.loads((repo / "samconfig.toml").read_text(encoding="utf-8"))
    json.loads((repo / "events" / "event.json").read_text(encoding="utf-8"))

    for template in ("template.yml", "pipeline/pipeline.yml"):
        matches = lint_file(repo / template, config=ManualArgs(regions=[region]))
        assert [str(m) for m in matches] == [], template

    transformed = sam_transform(repo, region)
    functions = [r for r in transformed["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    assert len(functions) == 1
    props = functions[0]["Properties"]
    assert props["Runtime"] == answers.get("runtime", "python3.13")
    assert props["Handler"] == {"python": "app.lambda_handler", "nodejs": "index.handler"}[language(answers)]
    assert props["Architectures"] == [answers.get("architecture", "x86_64")]
    assert props["MemorySize"] == answers.get("memory_size", 256)
    assert props["Timeout"] == answers.get("timeout", 30)
    built = answers.get("dependencies_layer", False)
    assert len(props.get("Layers", [])) == len(answers.get("layers", [])) + built
    layers = [r["Properties"] for r in transformed["Resources"].values() if r["Type"] == "AWS::Lambda::LayerVersion"]
    assert [(layer["CompatibleRuntimes"], layer["CompatibleArchitectures"]) for layer in layers] == (
        [([props["Runtime"]], props["Architectures"])] if built else [])


def run(command: list[str], repo: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=repo, capture_output=True, text=True,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **env})


def npm_install(repo: Path) -> None:
    """What `make install` does for the packages: one install at the root, for every workspace."""
    install = run(["npm", "install", "--prefer-offline", "--no-audit", "--no-fund"], repo)
    assert install.returncode == 0, install.stdout + install.stderr


@pytest.mark.parametrize("answers", COMBINATIONS)
def test_generated_repo_own_tests_and_checks_pass(generate, answers, tmp_path):
    repo = generate(**answers)
    if language(answers) == "python":
        tests = run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider"], repo)
        assert tests.returncode == 0, tests.stdout + tests.stderr
        assert re.search(r"\b4 passed\b", tests.stdout)
    else:
        repo = Path(shutil.copytree(repo, tmp_path / "repo"))  # npm writes node_modules: keep the cached repo clean
        npm_install(repo)
        tests = run(["npm", "test"], repo)
        assert tests.returncode == 0, tests.stdout + tests.stderr
        assert re.search(r"^# pass 4$", tests.stdout, re.MULTILINE) and re.search(r"^# fail 0$", tests.stdout, re.MULTILINE)
        if answers.get("typescript"):
            typecheck = run(["npm", "run", "typecheck"], repo)
            assert typecheck.returncode == 0, typecheck.stdout + typecheck.stderr
    limits = run([sys.executable, "-m", "lambda_rules"], repo, PYTHONPATH="tools")
    assert limits.returncode == 0, limits.stdout + limits.stderr
    assert limits.stdout.splitlines()[-1].startswith("Lambda limits: 0 error(s)")


def test_default_repo_has_the_expected_files_names_and_values(generate):
    repo = generate()
    assert [str(p.relative_to(repo)) for p in files(repo)] == [
        ".copier-answers.yml", ".gitignore", ".gitlab-ci.yml", ".pre-commit-config.yaml", "Makefile", "README.md",
        "buildspec.yml", "events/event.json",
        "layer-sizes.json", "pipeline/pipeline.yml", "pyproject.toml", "requirements-dev.txt", "samconfig.toml",
        "scripts/gitlab-settings.json", "scripts/mirror_status.py", "scripts/setup_gitlab.py", "src/app.py",
        "src/requirements.txt", "template.yml", "tests/conftest.py", "tests/test_app.py",
        "tools/lambda_rules/__init__.py", "tools/lambda_rules/__main__.py", "tools/lambda_rules/deploy_role.py",
        "tools/lambda_rules/execution_role.py", "tools/lambda_rules/facts.py", "tools/lambda_rules/iam.py",
        "tools/lambda_rules/layer_size.py", "tools/lambda_rules/repo_check.py", "tools/lambda_rules/resolve.py",
        "tools/lambda_rules/rules.py", "tools/lambda_rules/template_file.py", "tools/pipeline_status.py",
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


SAM_CLI_DOCS = "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/install-sam-cli.html"
AWS_CLI_DOCS = "https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html"


@pytest.mark.parametrize(("targets", "first_line"), [
    pytest.param(["lint"], f"make lint needs SAM CLI, and 'sam' is not on PATH: {SAM_CLI_DOCS}", id="lint"),
    pytest.param(["build"], f"make build needs SAM CLI, and 'sam' is not on PATH: {SAM_CLI_DOCS}", id="build"),
    pytest.param(["deploy", "ENVIRONMENT=dev"], f"make deploy needs SAM CLI, and 'sam' is not on PATH: {SAM_CLI_DOCS}",
                 id="deploy"),
    pytest.param(["pipeline"], f"make pipeline needs the AWS CLI, and 'aws' is not on PATH: {AWS_CLI_DOCS}",
                 id="pipeline"),
])
def test_a_target_names_the_missing_outside_tool_and_where_to_get_it(generate, targets, first_line):
    repo = generate()
    bare = {**os.environ, "PATH": os.pathsep.join(("/usr/bin", "/bin"))}
    assert shutil.which("sam", path=bare["PATH"]) is None and shutil.which("aws", path=bare["PATH"]) is None
    run = subprocess.run(["make", *targets], cwd=repo, capture_output=True, text=True, env=bare)
    assert run.returncode == 2
    assert run.stderr.splitlines()[0] == first_line


def test_make_targets_run_in_a_typescript_repo(generate, tmp_path):
    repo = Path(shutil.copytree(generate(runtime="nodejs24.x", typescript=True), tmp_path / "repo"))
    installed = run(["make", "install", f"PYTHON={sys.executable}", "NPM_INSTALL=npm install --prefer-offline"], repo)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert (repo / "package-lock.json").is_file()  # what the buildspec's npm ci installs from
    checked = run(["make", "test", "typecheck", "limits", f"PYTHON={sys.executable}"], repo)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "# pass 4" in checked.stdout and "tsc --noEmit" in checked.stdout

    (repo / "src" / "index.ts").write_text(
        (repo / "src" / "index.ts").read_text(encoding="utf-8").replace("statusCode: number", "statusCode: string"),
        encoding="utf-8")
    broken = run(["make", "typecheck"], repo)
    assert broken.returncode != 0
    assert "error TS2322" in broken.stdout + broken.stderr


def test_sam_validate_lint_accepts_the_template(generate, tmp_path):
    repo = generate()
    sam = Path(sys.executable).with_name("sam")
    run = subprocess.run([str(sam), "validate", "--lint"], cwd=repo, capture_output=True, text=True,
                         env={**os.environ, "SAM_CLI_TELEMETRY": "0", "HOME": str(tmp_path)})
    assert run.returncode == 0, run.stdout + run.stderr
    assert "is a valid SAM Template" in run.stdout + run.stderr


def test_make_lint_lints_the_pipeline_stack_too(generate, tmp_path):
    repo = Path(shutil.copytree(generate(), tmp_path / "repo"))
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0", "HOME": str(tmp_path),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    clean = subprocess.run(["make", "lint"], cwd=repo, capture_output=True, text=True, env=env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    pipeline = repo / "pipeline" / "pipeline.yml"
    pipeline.write_text(pipeline.read_text(encoding="utf-8").replace("      VersioningConfiguration:",
                                                                     "      VersioningConfig:", 1), encoding="utf-8")
    broken = subprocess.run(["make", "lint"], cwd=repo, capture_output=True, text=True, env=env)
    assert broken.returncode != 0
    assert re.search(r"E3002 Additional properties are not allowed \('VersioningConfig' was unexpected. Did you mean "
                     r"'VersioningConfiguration'\?\)\npipeline/pipeline.yml:\d+:7\n", broken.stdout), broken.stdout


def test_readme_names_every_resource_per_environment(generate):
    repo = generate()
    readme = (repo / "README.md").read_text(encoding="utf-8")
    names = rules.resource_names("{project}-{env}-{type}", "orders-api", ["dev", "staging", "prod"])
    listed = {"function", "stack", "function_role", "pipeline", "codebuild", "pipeline_role", "build_role",
              "deploy_role"}
    for per_env in names["environments"].values():
        for resource, name in per_env.items():
            assert (f"`{name}`" in readme) is (resource in listed), resource
    # The defaults: a GitLab push mirror, no notifications.
    for resource in ("artifact_bucket", "repository", "mirror_user", "pipeline_stack"):
        assert f"`{names['project'][resource]}`" in readme
    for resource in ("connection", "notifications"):
        assert f"`{names['project'][resource]}`" not in readme
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


@pytest.mark.parametrize(("answers", "expected"), [
    pytest.param({"runtime": "nodejs22.x"}, ["package.json", "src/index.mjs", "src/package.json",
                                             "tests/index.test.mjs"], id="javascript"),
    pytest.param({"runtime": "nodejs24.x", "typescript": True, "dependencies_layer": True},
                 ["layers/dependencies/package.json", "package.json", "src/index.ts", "src/package.json",
                  "tests/index.test.ts", "tsconfig.json"], id="typescript-with-layer"),
    pytest.param({"dependencies_layer": True},
                 ["layers/dependencies/requirements.txt", "pyproject.toml", "src/app.py", "src/requirements.txt",
                  "tests/conftest.py", "tests/test_app.py"], id="python-with-layer"),
])
def test_each_language_gets_its_own_files_and_no_other(generate, answers, expected):
    repo = generate(**answers)
    common = {".copier-answers.yml", ".gitignore", ".gitlab-ci.yml", ".pre-commit-config.yaml", "Makefile", "README.md",
              "scripts/gitlab-settings.json", "scripts/mirror_status.py", "scripts/setup_gitlab.py",
              "buildspec.yml", "events/event.json", "layer-sizes.json", "pipeline/pipeline.yml",
              "requirements-dev.txt", "samconfig.toml", "template.yml"}
    own = [str(p.relative_to(repo)) for p in files(repo)
           if str(p.relative_to(repo)) not in common and "tools" not in p.relative_to(repo).parts]
    assert own == expected


@pytest.mark.parametrize(("source", "scripts", "targets"), [
    pytest.param({"source_provider": "gitlab-mirror"}, ["gitlab-settings.json", "mirror_status.py", "setup_gitlab.py"],
                 {"gitlab", "gitlab-plan", "mirror-status"}, id="gitlab-mirror"),
    pytest.param({"source_provider": "codeconnections", "gitlab_project": "acme/orders-api"},
                 ["gitlab-settings.json", "setup_gitlab.py"], {"gitlab", "gitlab-plan"}, id="codeconnections"),
    pytest.param({"source_provider": "codecommit"}, [], set(), id="codecommit"),
])
def test_each_source_gets_its_gitlab_tools_and_targets_and_no_other(generate, source, scripts, targets):
    repo = generate(**source)
    assert sorted(p.name for p in (repo / "scripts").glob("*")) == scripts
    makefile = (repo / "Makefile").read_text(encoding="utf-8")
    assert set(re.findall(r"^(gitlab|gitlab-plan|mirror-status):", makefile, re.MULTILINE)) == targets


def test_node_buildspec_installs_with_npm_ci_on_the_runtime_s_node(generate):
    repo = generate(runtime="nodejs24.x", typescript=True)
    install = yaml.safe_load((repo / "buildspec.yml").read_text(encoding="utf-8"))["phases"]["install"]
    assert install["runtime-versions"] == {"nodejs": "24"}
    assert install["commands"] == ['make install NPM_INSTALL="npm ci"']
    makefile = (repo / "Makefile").read_text(encoding="utf-8")
    assert "check: limits lint typecheck ##" in makefile
    package = json.loads((repo / "package.json").read_text(encoding="utf-8"))
    assert package["scripts"] == {"test": "tsc && cd build && node --test", "typecheck": "tsc --noEmit"}
    assert package["devDependencies"]["@types/node"].startswith("24.")


@pytest.mark.parametrize(("answers", "pins"), [
    pytest.param({"runtime": "nodejs22.x"}, {"src/package.json": {"@aws-lambda-powertools/logger": "2.36.0"}},
                 id="in-the-function"),
    pytest.param({"runtime": "nodejs22.x", "dependencies_layer": True},
                 {"src/package.json": {}, "layers/dependencies/package.json": {"@aws-lambda-powertools/logger": "2.36.0"}},
                 id="in-the-layer"),
    pytest.param({"runtime": "nodejs22.x", "powertools": False}, {"src/package.json": {}}, id="without-powertools"),
])
def test_node_dependencies_are_pinned_where_sam_builds_them(generate, answers, pins):
    repo = generate(**answers)
    for path, dependencies in pins.items():
        assert json.loads((repo / path).read_text(encoding="utf-8"))["dependencies"] == dependencies
    workspaces = json.loads((repo / "package.json").read_text(encoding="utf-8"))["workspaces"]
    assert workspaces == ["src"] + (["layers/dependencies"] if answers.get("dependencies_layer") else [])


@pytest.mark.parametrize(("powertools", "dependencies_layer", "function", "layer"), [
    pytest.param(True, False, ["aws-lambda-powertools==3.37.0"], None, id="in-the-function"),
    pytest.param(True, True, [], ["aws-lambda-powertools==3.37.0"], id="in-the-layer"),
    pytest.param(False, False, [], None, id="without-powertools"),
])
def test_python_dependencies_are_pinned_where_sam_builds_them(generate, powertools, dependencies_layer,
                                                              function, layer):
    repo = generate(powertools=powertools, dependencies_layer=dependencies_layer)

    def requirements(path: Path) -> list[str] | None:
        if not path.exists():
            return None
        return [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]

    assert requirements(repo / "src" / "requirements.txt") == function
    assert requirements(repo / "layers" / "dependencies" / "requirements.txt") == layer
    log_format = cfn_loads((repo / "template.yml").read_text(encoding="utf-8"))[
        "Resources"]["Function"]["Properties"]["LoggingConfig"].get("LogFormat")
    assert log_format == (None if powertools else "JSON")


# sam build without Docker: Python needs an interpreter of the runtime's exact version (use this one's);
# Node.js needs node and npm (any recent version).
PYTHON_RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"


@pytest.mark.parametrize(("answers", "layer_content", "function_files"), [
    pytest.param({"runtime": PYTHON_RUNTIME, "dependencies_layer": True},
                 "python/aws_lambda_powertools/logging/logger.py", ["app.py", "requirements.txt"], id="python"),
    pytest.param({"runtime": "nodejs22.x", "dependencies_layer": True},
                 "nodejs/node_modules/@aws-lambda-powertools/logger/package.json", ["index.mjs", "package.json"],
                 id="javascript"),
    pytest.param({"runtime": "nodejs24.x", "typescript": True, "dependencies_layer": True, "architecture": "arm64"},
                 "nodejs/node_modules/@aws-lambda-powertools/logger/package.json", ["index.mjs"], id="typescript"),
])
def test_sam_build_puts_the_dependencies_layer_where_lambda_reads_it(generate, tmp_path, answers, layer_content,
                                                                     function_files):
    repo = Path(shutil.copytree(generate(**answers), tmp_path / "repo"))
    if language(answers) == "nodejs":
        npm_install(repo)
    path = f"{repo / 'node_modules' / '.bin'}:{Path(sys.executable).parent}:{os.environ['PATH']}"
    build = run([str(Path(sys.executable).with_name("sam")), "build"], repo, SAM_CLI_TELEMETRY="0", PATH=path)
    assert build.returncode == 0, build.stdout + build.stderr

    built = repo / ".aws-sam" / "build"
    assert (built / "DependenciesLayer" / layer_content).is_file()
    function = built / "Function"
    assert sorted(p.name for p in function.iterdir()) == function_files  # dependencies are in the layer only
    if answers.get("typescript"):
        bundle = (function / "index.mjs").read_text(encoding="utf-8")
        assert 'from "@aws-lambda-powertools/logger"' in bundle  # left to the layer, not bundled

    limits = run([sys.executable, "-m", "lambda_rules", "--offline"], repo, PYTHONPATH="tools")
    assert limits.returncode == 0, limits.stdout + limits.stderr
    assert "not built yet" not in limits.stdout


def test_answers_file_regenerates_the_same_repo_with_mapping_order_kept(generate, template_dir, tmp_path):
    # The first environment is the development one and the last the production one: order matters.
    repo = generate(environments={"qa": "develop", "live": "main"}, env_vars={"ZED": "1", "ALPHA": "2"})
    recorded = yaml.safe_load((repo / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert list(recorded["environments"]) == ["qa", "live"] and list(recorded["env_vars"]) == ["ZED", "ALPHA"]
    data = {k: v for k, v in recorded.items() if not k.startswith("_")}
    again = run_copy(template_dir, tmp_path / "again", data)
    for path in files(repo):
        relative = path.relative_to(repo)
        assert (again / relative).read_bytes() == path.read_bytes(), relative
