"""The rules module, called directly: every rule with the message a user reads."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lambda_rules import deploy_role, facts, rules

ENVS = {"dev": "develop", "staging": "staging", "prod": "master"}


def messages(problems: list[rules.Problem]) -> list[str]:
    return [str(p) for p in rules.errors(problems)]


# --- env var size: the exact rule --------------------------------------------

def reference_size(variables: dict[str, str]) -> int:
    """shared/reference/aws-facts.md, written out independently."""
    return len(json.dumps(variables, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def padded(total: int, extra: dict[str, str] | None = None) -> dict[str, str]:
    """A map of exactly `total` bytes: {"PAD":"xxx..."} plus `extra`."""
    base = dict(extra or {})
    base["PAD"] = ""
    base["PAD"] = "x" * (total - rules.env_vars_size(base))
    assert rules.env_vars_size(base) == total
    return base


@pytest.mark.parametrize(
    ("variables", "size"),
    [
        pytest.param({}, 2, id="empty-map"),
        pytest.param({"AB": "c"}, len('{"AB":"c"}'), id="one-pair"),
        pytest.param({"AB": "é"}, len('{"AB":"é"}'.encode()), id="two-byte-utf8"),
        pytest.param({"AB": "€"}, len('{"AB":"€"}'.encode()), id="three-byte-utf8"),
        pytest.param({"AB": "🙂"}, len('{"AB":"🙂"}'.encode()), id="four-byte-utf8"),
        pytest.param({"AB": 'say "hi"'}, len(r'{"AB":"say \"hi\""}'), id="quotes-escaped"),
        pytest.param({"AB": "a\\b"}, len(r'{"AB":"a\\b"}'), id="backslash-escaped"),
        pytest.param({"AB": "a\nb"}, len(r'{"AB":"a\nb"}'), id="newline-escaped"),
        pytest.param({"AB": "a", "CD": "b"}, len('{"AB":"a","CD":"b"}'), id="comma-counts"),
    ],
)
def test_env_vars_size_counts_what_lambda_counts(variables, size):
    assert rules.env_vars_size(variables) == size


@given(st.dictionaries(st.from_regex(r"[a-zA-Z][a-zA-Z0-9_]{1,20}", fullmatch=True), st.text(max_size=60),
                       max_size=40))
@settings(max_examples=300, deadline=None)
def test_env_vars_size_matches_the_reference_formula(variables):
    assert rules.env_vars_size(variables) == reference_size(variables)


@pytest.mark.parametrize(
    ("total", "accepted"),
    [pytest.param(4095, True, id="4095-bytes"), pytest.param(4096, True, id="4096-bytes-limit"),
     pytest.param(4097, False, id="4097-bytes")],
)
def test_env_vars_size_limit_is_inclusive(total, accepted):
    problems = rules.check_env_vars_size(padded(total), "env_vars")
    assert (not rules.errors(problems)) is accepted


def test_multibyte_value_refused_where_cfn_lint_would_count_characters():
    # 2000 characters of "é" are 4000 bytes: within cfn-lint's character count, over Lambda's limit.
    variables = {"GREETING": "é" * 2000, "PAD": "x" * 100}
    assert len("GREETING") + 2000 + len("PAD") + 100 < facts.ENV_VARS_MAX_BYTES
    problems = rules.check_env_vars_size(variables, "env_vars (dev)")
    assert messages(problems) == [
        "env_vars (dev): 4124 bytes; the limit is 4096 (compact JSON, UTF-8). Biggest: GREETING (4013 bytes), "
        "PAD (108 bytes). Shorten values or move them to SSM Parameter Store or Secrets Manager and pass "
        "'{{resolve:ssm:NAME}}'."
    ]


def test_many_small_variables_add_up():
    variables = {f"VAR_{i:03d}": "v" * 30 for i in range(100)}  # the seed's "around 40" is wrong both ways
    assert rules.env_vars_size(variables) == 100 * len('"VAR_000":"' + "v" * 30 + '"') + 99 + 2
    assert messages(rules.check_env_vars_size(variables, "env_vars"))[0].startswith("env_vars: 4301 bytes;")


def test_size_counts_the_variables_the_template_adds():
    # The template sets ENVIRONMENT and POWERTOOLS_SERVICE_NAME too: a map of 4096 bytes on its own fails.
    own = padded(4096)
    problems = rules.check_env_vars(own, "orders-api", ["dev"])
    assert messages(problems)[0].startswith("env_vars (dev): 4155 bytes; the limit is 4096")


def test_size_is_checked_for_the_longest_environment_name():
    near = padded(4096 - len('"ENVIRONMENT":"dev","POWERTOOLS_SERVICE_NAME":"orders-api",'))
    assert not messages(rules.check_env_vars(near, "orders-api", ["dev"]))
    assert messages(rules.check_env_vars(near, "orders-api", ["dev", "prodx"])) == [
        messages(rules.check_env_vars(near, "orders-api", ["prodx"]))[0]
    ]


# --- env var names ------------------------------------------------------------

@pytest.mark.parametrize("key", facts.RESERVED_ENV_VARS)
def test_every_reserved_name_is_refused(key):
    assert messages(rules.check_env_vars({key: "x"}, "p", ["dev"])) == [
        f"env_vars.{key}: {key} is reserved by Lambda and cannot be set. Use another name."
    ]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        pytest.param({"A": "x"}, "env_vars.A: 'A' is not a valid name. Use a letter, then at least one more "
                                 "letter, digit or '_'.", id="one-letter"),
        pytest.param({"1AB": "x"}, "env_vars.1AB: '1AB' is not a valid name. Use a letter, then at least one "
                                   "more letter, digit or '_'.", id="leading-digit"),
        pytest.param({"MY-VAR": "x"}, "env_vars.MY-VAR: 'MY-VAR' is not a valid name. Use a letter, then at "
                                      "least one more letter, digit or '_'.", id="hyphen"),
        pytest.param({"DEBUG": True}, "env_vars.DEBUG: True is a bool, not text. Quote it: DEBUG: 'True'.",
                     id="boolean-value"),
        pytest.param({"PORT": 8080}, "env_vars.PORT: 8080 is a int, not text. Quote it: PORT: '8080'.",
                     id="number-value"),
        pytest.param({"ENVIRONMENT": "x"}, "env_vars.ENVIRONMENT: ENVIRONMENT is set by this template. "
                                           "Use another name.", id="template-owned"),
        pytest.param("A=b", "env_vars: 'A=b' is not a mapping. Use NAME: value pairs, for example "
                            "{TABLE_NAME: orders, LOG_LEVEL: INFO}.", id="not-a-mapping"),
    ],
)
def test_env_var_mistakes_are_named(variables, message):
    assert message in messages(rules.check_env_vars(variables, "p", ["dev"]))


@pytest.mark.parametrize("key", ["AWS_LAMBDA_EXEC_WRAPPER", "ab", "A_", "Table_Name_2"])
def test_valid_names_pass(key):
    assert not rules.check_env_vars({key: "x"}, "p", ["dev"])


def test_tz_is_accepted_with_a_warning():
    problems = rules.check_env_vars({"TZ": "Europe/Paris"}, "p", ["dev"])
    assert not rules.errors(problems)
    assert [p.severity for p in problems] == [rules.WARNING]


def test_dynamic_reference_is_accepted_with_a_note_that_its_size_is_unknown():
    problems = rules.check_env_vars({"DB_URL": "{{resolve:ssm:/orders/db-url}}"}, "p", ["dev", "prod"])
    assert not rules.errors(problems)
    assert [str(p) for p in problems] == [
        "env_vars (dev): DB_URL is a dynamic reference, measured as written: its size is known once resolved, "
        "which `make check` does with AWS credentials."
    ]


# --- scalars --------------------------------------------------------------------

@pytest.mark.parametrize(
    ("question", "value", "message"),
    [
        pytest.param("memory_size", 127, "memory_size: 127 MB is outside the limit of 128 to 10240 MB. "
                                         "Use 128 to 10240 MB.", id="memory-127"),
        pytest.param("memory_size", 10241, "memory_size: 10241 MB is outside the limit of 128 to 10240 MB. "
                                           "Use 128 to 10240 MB.", id="memory-10241"),
        pytest.param("memory_size", True, "memory_size: True is not a whole number. Use 128 to 10240 MB.",
                     id="memory-bool"),
        pytest.param("timeout", 0, "timeout: 0 seconds is outside the limit of 1 to 900 seconds. "
                                   "Use 1 to 900 seconds.", id="timeout-0"),
        pytest.param("timeout", 901, "timeout: 901 seconds is outside the limit of 1 to 900 seconds. "
                                     "Use 1 to 900 seconds.", id="timeout-901"),
        pytest.param("architecture", "x86", "architecture: 'x86' is not an architecture. Use x86_64 or arm64.",
                     id="architecture"),
        pytest.param("runtime", "python3.9", "runtime: 'python3.9' is not offered. Use one of python3.11, "
                                             "python3.12, python3.13, python3.14, nodejs22.x, nodejs24.x.",
                     id="runtime-unknown"),
        pytest.param("project_name", "x" * 65, "project_name: 65 characters; the limit is 64. "
                                               "Use a shorter name.", id="name-65"),
        pytest.param("project_name", "", "project_name: is empty. Give the function's name, for example "
                                         "orders-api.", id="name-empty"),
        pytest.param("project_slug", "Orders", "project_slug: 'Orders' is not a slug. Use lowercase letters, "
                                               "digits and '-', starting with a letter, for example orders-api.",
                     id="slug-uppercase"),
        pytest.param("project_slug", "orders--api", "project_slug: 'orders--api' ends with '-' or has '--'. "
                                                    "Use single hyphens between words.", id="slug-double-hyphen"),
        pytest.param("description", "d" * 257, "description: 257 characters; the limit is 256. Shorten it.",
                     id="description-257"),
        pytest.param("aws_region", "Europe", "aws_region: 'Europe' is not a region code. Use one such as "
                                             "eu-west-1 or us-east-1.", id="region"),
        pytest.param("artifact_bucket", "Orders_Artifacts", "artifact_bucket: S3 bucket name 'Orders_Artifacts' "
                     "may only have lowercase letters, digits, '.' and '-', starting and ending with a letter or "
                     "digit. Use a valid bucket name, for example orders-api-artifacts.", id="bucket-chars"),
        pytest.param("artifact_bucket", "ab", "artifact_bucket: S3 bucket name 'ab' has 2 characters; the limit "
                     "is 3 to 63. Use a valid bucket name, for example orders-api-artifacts.", id="bucket-short"),
        pytest.param("artifact_bucket", "192.168.1.10", "artifact_bucket: S3 bucket name '192.168.1.10' is an "
                     "IP address. Use a valid bucket name, for example orders-api-artifacts.", id="bucket-ip"),
        pytest.param("artifact_bucket", "my..bucket", "artifact_bucket: S3 bucket name 'my..bucket' has '..'. "
                     "Use a valid bucket name, for example orders-api-artifacts.", id="bucket-double-dot"),
        pytest.param("artifact_bucket", "xn--bucket", "artifact_bucket: S3 bucket name 'xn--bucket' starts with "
                     "'xn--', which S3 reserves. Use a valid bucket name, for example orders-api-artifacts.",
                     id="bucket-prefix"),
        pytest.param("artifact_bucket", "data-s3alias", "artifact_bucket: S3 bucket name 'data-s3alias' ends "
                     "with '-s3alias', which S3 reserves. Use a valid bucket name, for example "
                     "orders-api-artifacts.", id="bucket-suffix"),
    ],
)
def test_scalar_answers_refused_with_the_fix(question, value, message):
    assert messages(rules.check_answer(question, value)) == [message]


@pytest.mark.parametrize(
    ("question", "value"),
    [("memory_size", 128), ("memory_size", 10240), ("timeout", 1), ("timeout", 900),
     ("aws_region", "us-gov-west-1"), ("aws_region", "cn-north-1"), ("aws_region", "ap-southeast-5"),
     ("artifact_bucket", "orders-api-artifacts"), ("artifact_bucket", "a.b-c"), ("project_slug", "a1-b2"),
     ("description", "d" * 256), ("project_name", "Orders API (v2)")],
)
def test_scalar_answers_at_the_limits_pass(question, value):
    assert not rules.check_answer(question, value)


@pytest.mark.parametrize(
    ("today", "severity"),
    [pytest.param(dt.date(2026, 12, 4), None, id="far-from-deprecation"),
     pytest.param(dt.date(2027, 1, 1), rules.WARNING, id="within-6-months"),
     pytest.param(dt.date(2027, 6, 30), rules.ERROR, id="on-deprecation-day")],
)
def test_runtime_lifecycle(today, severity):
    problems = rules.check_runtime("python3.11", today=today)
    assert [p.severity for p in problems] == ([severity] if severity else [])


def test_runtime_warning_names_the_date():
    (problem,) = rules.check_runtime("python3.11", today=dt.date(2027, 2, 1))
    assert str(problem) == ("runtime: python3.11 will be deprecated on 2027-06-30, within 6 months. "
                            "Plan a move to a newer runtime.")


# --- environments and branches ------------------------------------------------

@pytest.mark.parametrize(
    ("environments", "message"),
    [
        pytest.param({}, "environments: needs at least one entry, as a mapping of environment to branch, "
                         "for example {dev: develop, prod: master}.", id="empty"),
        pytest.param({"Prod": "master"}, "environments.Prod: 'Prod' is not an environment name. Use lowercase "
                     "letters and digits, starting with a letter, for example dev or prod.", id="uppercase"),
        pytest.param({"production1": "master"}, "environments.production1: 11 characters; the limit is 10. "
                     "Use a shorter name, for example prod.", id="too-long"),
        pytest.param({"dev": "my branch"}, "environments.dev: branch 'my branch' has a space, control character "
                     "or one of ~^:?*[\\. Use a valid git branch name, for example develop.", id="space"),
        pytest.param({"dev": "feat..x"}, "environments.dev: branch 'feat..x' has '..', '@{' or '//'. Use a valid "
                     "git branch name, for example develop.", id="double-dot"),
        pytest.param({"dev": "x.lock"}, "environments.dev: branch 'x.lock' has a part that starts with '.' or "
                     "ends with '.lock'. Use a valid git branch name, for example develop.", id="lock"),
        pytest.param({"dev": "-x"}, "environments.dev: branch '-x' starts with '-'. Use a valid git branch "
                     "name, for example develop.", id="leading-dash"),
        pytest.param({"dev": "main", "prod": "main"}, "environments.prod: branch 'main' is already used by dev. "
                     "Give each environment its own branch.", id="same-branch"),
    ],
)
def test_environment_mistakes(environments, message):
    assert message in messages(rules.check_environments(environments))


@pytest.mark.parametrize("branch", ["master", "release/2026.12", "feature/x_y-z", "v1"])
def test_valid_branches(branch):
    assert rules.branch_name_problem(branch) is None


# --- naming convention ------------------------------------------------------------

def test_default_pattern_names_every_resource():
    names = rules.resource_names("{project}-{env}-{type}", "orders-api", ["dev", "prod"])
    assert names == {
        "project": {"artifact_bucket": "orders-api-artifacts", "repository": "orders-api-repo",
                    "pipeline_stack": "orders-api-cicd", "mirror_user": "orders-api-mirror",
                    "notifications": "orders-api-alerts", "chatbot_role": "orders-api-chatbot-role",
                    "connection": "orders-api-gitlab", "gitlab_host": "orders-api-gitlab-host"},
        "environments": {
            env: {"function": f"orders-api-{env}-function", "stack": f"orders-api-{env}-stack",
                  "function_role": f"orders-api-{env}-role", "pipeline": f"orders-api-{env}-pipeline",
                  "codebuild": f"orders-api-{env}-build", "pipeline_role": f"orders-api-{env}-pipe-role",
                  "build_role": f"orders-api-{env}-build-role", "deploy_role": f"orders-api-{env}-deploy-role",
                  "trigger_role": f"orders-api-{env}-events-role", "notification_rule": f"orders-api-{env}-notify",
                  "dependencies_layer": f"orders-api-{env}-deps", "alarm_topic": f"orders-api-{env}-alarms"}
            for env in ("dev", "prod")
        },
    }


@pytest.mark.parametrize(
    ("pattern", "function", "repository"),
    [("{env}-{project}-{type}", "dev-orders-function", "orders-repo"),
     ("{type}_{project}.{env}", "function_orders.dev", "repo_orders"),
     ("acme-{project}-{type}-{env}", "acme-orders-function-dev", "acme-orders-repo")],
)
def test_project_wide_names_drop_env_and_its_separator(pattern, function, repository):
    assert rules.resource_name(pattern, "orders", "dev", "function") == function
    assert rules.resource_name(pattern, "orders", "dev", "repository") == repository


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        pytest.param("{project}-{type}", "name_pattern: '{project}-{type}' must hold each of {project}, {env} "
                     "and {type} once (check {env}), so that names differ by project, environment and resource.",
                     id="no-env"),
        pytest.param("{project}-{env}-{kind}", "name_pattern: unknown placeholder(s) {kind}. Use only {project}, "
                     "{env} and {type}.", id="unknown-placeholder"),
        pytest.param("{project}-{env", "name_pattern: '{project}-{env' is not a valid pattern (expected '}' "
                     "before end of string). Use {project}, {env} and {type} in single braces.", id="unbalanced"),
        pytest.param("{project}-{env}-{type}-with-a-very-long-company-suffix-vwxyz",
                     "name_pattern (staging): Lambda function name "
                     "'orders-api-staging-function-with-a-very-long-company-suffix-vwxyz' has 65 characters; the limit is "
                     "1 to 64. Shorten the project slug or environment names, or change the pattern.",
                     id="function-too-long"),
        pytest.param("{project}:{env}:{type}", "name_pattern (dev): Lambda function name 'orders-api:dev:function' "
                     "may only have letters, digits, '-' and '_'. Shorten the project slug or environment names, "
                     "or change the pattern.", id="colon"),
    ],
)
def test_name_pattern_mistakes(pattern, message):
    assert message in messages(rules.check_name_pattern(pattern, "orders-api", ENVS))


@pytest.mark.parametrize(("pattern", "project", "warnings"), [
    pytest.param("{project}-{env}-{type}", "orders-api", [], id="default-apart"),
    pytest.param("{project}-{env}-{type}", "customer-orders-api", [
        "name_pattern: the pipelines customer-orders-api-dev-pipeline, customer-orders-api-staging-pipeline, "
        "customer-orders-api-prod-pipeline share their first 20 characters, 'customer-orders-api-', the folder where "
        "CodePipeline keeps their artifacts: each of these environments' pipeline and build roles can then read the "
        "others' source artifacts. Put {env} earlier in the pattern (for example {env}-{project}-{type}) or shorten "
        "the project slug."], id="long-slug-shares-the-folder"),
    pytest.param("{env}-{project}-{type}", "customer-orders-api", [], id="env-first-apart"),
    pytest.param("{project}-{env}-{type}", "customer-orders", [], id="folders-differ-by-the-20th-character"),
])
def test_environments_whose_pipelines_share_an_artifact_folder_are_warned_of(pattern, project, warnings):
    problems = rules.check_name_pattern(pattern, project, ENVS)
    assert rules.errors(problems) == []
    assert [str(p) for p in problems if p.severity == rules.WARNING] == warnings


# --- layers ---------------------------------------------------------------------------

ARN = "arn:aws:lambda:eu-west-1:123456789012:layer:{}:{}"


@pytest.mark.parametrize(
    ("layers", "region", "message"),
    [
        pytest.param([ARN.format(f"l{i}", 1) for i in range(6)], "eu-west-1",
                     "layers: 6 layers; the limit is 5 per function. Merge layers or drop some.", id="six-layers"),
        pytest.param(["arn:aws:lambda:eu-west-1:123:layer:x:1"], "eu-west-1",
                     "layers[0]: 'arn:aws:lambda:eu-west-1:123:layer:x:1' is not a layer version ARN. Use the form "
                     "arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION.", id="short-account"),
        pytest.param([ARN.format("x", 0)], "eu-west-1",
                     "layers[0]: 'arn:aws:lambda:eu-west-1:123456789012:layer:x:0' is not a layer version ARN. "
                     "Use the form arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION.", id="version-0"),
        pytest.param([ARN.format("x", 1)], "us-east-1",
                     "layers[0]: layer is in aws/eu-west-1, the function in aws/us-east-1. Use the layer's copy in "
                     "us-east-1.", id="other-region"),
        pytest.param(["arn:aws:lambda:cn-north-1:123456789012:layer:x:1"], "cn-north-1",
                     "layers[0]: layer is in aws/cn-north-1, the function in aws-cn/cn-north-1. Use the layer's "
                     "copy in cn-north-1.", id="wrong-partition"),
        pytest.param([ARN.format("x", 1), ARN.format("x", 2)], "eu-west-1",
                     "layers[1]: layer x is already layers[0] (version 1). Keep one version of each layer.",
                     id="same-layer-twice"),
        pytest.param([{"arn": ARN.format("a", 1), "unzipped_mb": 200}, {"arn": ARN.format("b", 1),
                      "unzipped_mb": 51}], "eu-west-1",
                     "layers: 251 MB unzipped in all; the limit is 250 MB for the function and its layers. Taking "
                     "the room: layers[0] 200 MB, layers[1] 51 MB. Drop or slim a layer.", id="over-250-mb"),
        pytest.param([{"arn": ARN.format("a", 1), "size": 3}], "eu-west-1",
                     "layers[0]: unknown key(s) size. Use only arn and unzipped_mb.", id="unknown-key"),
        pytest.param([{"arn": ARN.format("a", 1), "unzipped_mb": -1}], "eu-west-1",
                     "layers[0]: unzipped_mb -1 is not a size from 0 to 250 MB. Give the layer's unzipped size in "
                     "MB.", id="negative-size"),
        pytest.param("arn", "eu-west-1", "layers: 'arn' is not a list. Use a YAML list of layer version ARNs, for "
                     "example [arn:aws:lambda:eu-west-1:123456789012:layer:deps:3].", id="not-a-list"),
    ],
)
def test_layer_mistakes(layers, region, message):
    assert message in messages(rules.check_layers(layers, region))


@pytest.mark.parametrize(
    "layers",
    [
        pytest.param([ARN.format(f"l{i}", 1) for i in range(5)], id="five-layers"),
        pytest.param([{"arn": ARN.format("a", 1), "unzipped_mb": 200}, {"arn": ARN.format("b", 1),
                      "unzipped_mb": 50}], id="exactly-250-mb"),
        pytest.param(["arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-x86_64:7"],
                     id="powertools-public-layer"),
    ],
)
def test_valid_layers(layers):
    assert not rules.check_layers(layers, "eu-west-1")


def test_every_problem_is_reported_at_once():
    layers = ["bad", ARN.format("x", 1), ARN.format("x", 2), "arn:aws:lambda:us-east-1:123456789012:layer:y:1"]
    assert [p.location for p in rules.errors(rules.check_layers(layers, "eu-west-1"))] == [
        "layers[0]", "layers[2]", "layers[3]"
    ]


# --- env_overrides -------------------------------------------------------------------------

def test_override_that_pushes_one_environment_over_4kb_names_it():
    base = padded(4000)
    problems = rules.check_env_overrides({"prod": {"EXTRA": "y" * 60}}, base, "orders-api", ENVS)
    assert [p.location for p in rules.errors(problems)] == ["env_overrides (prod)"]


def test_null_override_removes_a_variable_from_that_environment_only():
    merged = rules.function_variables({"DEBUG": "1"}, "p", "prod", {"prod": {"DEBUG": None}})
    assert "DEBUG" not in merged
    assert rules.function_variables({"DEBUG": "1"}, "p", "dev", {"prod": {"DEBUG": None}})["DEBUG"] == "1"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"qa": {"A1": "x"}}, "env_overrides.qa: 'qa' is not an environment. Use one of dev, staging, "
                                          "prod.", id="unknown-environment"),
        pytest.param({"prod": ["A1"]}, "env_overrides.prod: ['A1'] is not a mapping. Use NAME: value pairs.",
                     id="not-a-mapping"),
        pytest.param({"prod": {"AWS_REGION": "x"}}, "env_overrides.prod.AWS_REGION: AWS_REGION is reserved by "
                     "Lambda and cannot be set. Use another name.", id="reserved"),
        pytest.param({"prod": {"ENVIRONMENT": "x"}}, "env_overrides.prod.ENVIRONMENT: ENVIRONMENT is set by this "
                     "template. Use another name.", id="template-owned"),
    ],
)
def test_override_mistakes(overrides, message):
    assert message in messages(rules.check_env_overrides(overrides, {}, "orders-api", ENVS))


def test_function_estimate_counts_in_the_layer_budget():
    layers = [{"arn": ARN.format("big", 1), "unzipped_mb": 246}]
    assert not rules.check_layers(layers, "eu-west-1")
    assert messages(rules.check_layers_answer(layers, "eu-west-1", "python3.13")) == [
        "layers: 251 MB unzipped in all; the limit is 250 MB for the function and its layers. Taking the room: "
        "layers[0] 246 MB, function (estimate) 5 MB. Drop or slim a layer."
    ]


@pytest.mark.parametrize(("dependencies_layer", "external", "expected"), [
    pytest.param(False, 5, [], id="five-external"),
    pytest.param(True, 4, [], id="four-external-and-the-built-one"),
    pytest.param(True, 5, ["layers: 6 layers (1 built by this repo); the limit is 5 per function. Merge layers or "
                           "drop some."], id="five-external-and-the-built-one"),
])
def test_dependencies_layer_counts_toward_the_limit_of_layers(dependencies_layer, external, expected):
    layers = [ARN.format(f"l{i}", 1) for i in range(external)]
    assert messages(rules.check_layers_answer(layers, "eu-west-1", "nodejs22.x", dependencies_layer)) == expected


@pytest.mark.parametrize(("typescript", "runtime", "expected"), [
    pytest.param(True, "nodejs22.x", [], id="node"),
    pytest.param(False, "python3.13", [], id="python-without"),
    pytest.param(True, "python3.13", ["typescript: true needs a Node.js runtime, and runtime is python3.13. Set "
                                      "typescript to false, or runtime to one of nodejs22.x, nodejs24.x."],
                 id="python-with"),
])
def test_typescript_needs_a_node_runtime(typescript, runtime, expected):
    assert messages(rules.check_typescript(typescript, runtime)) == expected


@pytest.mark.parametrize(("question", "value", "args", "message"), [
    pytest.param("source_provider", "github", ("{project}-{env}-{type}", "orders-api", ["dev"]),
                 "source_provider: 'github' is not one of gitlab-mirror, codeconnections, codecommit. Use one of "
                 "them.", id="source-unknown"),
    pytest.param("source_provider", "codeconnections", ("{project}-{env}-{type}", "a" * 30, ["dev"]),
                 "source_provider: CodeConnections connection name '" + "a" * 30 + "-gitlab' has 37 characters; "
                 "the limit is 1 to 32. Shorten the project slug or change name_pattern, or use another source.",
                 id="connection-name-too-long"),
    pytest.param("gitlab_url", "https://gitlab.com/", (), "gitlab_url: 'https://gitlab.com/' is not a GitLab "
                 "address. Use https://gitlab.com or your GitLab's https:// address, without a trailing '/'.",
                 id="url-trailing-slash"),
    pytest.param("gitlab_url", "http://git.acme.io", (), "gitlab_url: 'http://git.acme.io' is not a GitLab address.",
                 id="url-not-https"),
    pytest.param("gitlab_project", "orders-api", ("gitlab-mirror",), "gitlab_project: 'orders-api' is not a GitLab "
                 "project path. Use group/project, as in the project's URL, for example acme/orders-api.",
                 id="project-without-group"),
    pytest.param("gitlab_project", "", ("codeconnections",), "gitlab_project: '' is not a GitLab project path. Use "
                 "group/project, as in the project's URL, for example acme/orders-api (the connection needs it).",
                 id="project-empty-with-connection"),
    pytest.param("notification_email", "team.example.com", (), "notification_email: 'team.example.com' is not an "
                 "e-mail address. Use one such as team@example.com.", id="email"),
    pytest.param("slack_workspace_id", "acme", (), "slack_workspace_id: 'acme' is not a Slack workspace id.",
                 id="workspace-by-name"),
    pytest.param("slack_channel_id", "#deploys", (), "slack_channel_id: '#deploys' is not a Slack channel id.",
                 id="channel-by-name"),
    pytest.param("api_id", "A1B2C3D4E5", (), "api_id: 'A1B2C3D4E5' is not a REST API id. Use the 10 lowercase "
                 "letters and digits API Gateway shows, for example a1b2c3d4e5.", id="api-id-uppercase"),
    pytest.param("api_path", "orders", (), "api_path: 'orders' is not a resource path. Use '/' then segments of "
                 "letters, digits, '._-' or a {parameter}, for example /orders/{id}.", id="path-without-slash"),
    pytest.param("api_path", "/a/{proxy+}/b", (), "api_path: '/a/{proxy+}/b' is not a resource path.",
                 id="greedy-not-last"),
    pytest.param("api_method", "FETCH", (), "api_method: 'FETCH' is not one of GET, POST, PUT, PATCH, DELETE, HEAD, "
                 "OPTIONS, ANY. Use one of them.", id="method"),
])
def test_pipeline_answer_mistakes(question, value, args, message):
    (found,) = messages(rules.check_answer(question, value, *args))
    assert found.startswith(message)


@pytest.mark.parametrize(("question", "value", "args"), [
    pytest.param("source_provider", "codeconnections", ("{project}-{env}-{type}", "orders-api", ["dev"]), id="source"),
    pytest.param("gitlab_url", "https://git.acme.io:8443/gitlab", (), id="self-managed-url"),
    pytest.param("gitlab_project", "", ("gitlab-mirror",), id="project-left-empty"),
    pytest.param("gitlab_project", "acme/platform/orders-api", ("codeconnections",), id="subgroup"),
    pytest.param("slack_workspace_id", "T0123ABCD", (), id="workspace"),
    pytest.param("api_path", "/", (), id="root"),
    pytest.param("api_path", "/v1/orders/{id}/items/{proxy+}", (), id="params"),
])
def test_pipeline_answers_accepted(question, value, args):
    assert rules.check_answer(question, value, *args) == []


def test_architecture_must_have_a_codebuild_image_for_the_runtime(monkeypatch):
    monkeypatch.setitem(facts.RUNTIMES, "nodejs18.x", {"language": "nodejs", "version": "18", "offered": True,
                                                        "deprecated": "2030-01-01"})
    assert rules.check_architecture("x86_64", "nodejs18.x") == []
    assert messages(rules.check_architecture("arm64", "nodejs18.x")) == [
        "architecture: CodeBuild's arm64 image aws/codebuild/amazonlinux-aarch64-standard:3.0 runs nodejs 20 to 24, "
        "not 18. Use x86_64, or another runtime."]


@pytest.mark.parametrize(("resource_type", "namespace", "example"), [
    ("AWS::Lambda::Function", "lambda", "lambda:CreateFunction"),
    ("AWS::Lambda::LayerVersion", "lambda", "lambda:PublishLayerVersion"),  # s3 reads outnumber it
    ("AWS::Lambda::Permission", "lambda", "lambda:AddPermission"),
    ("AWS::Logs::LogGroup", "logs", "logs:CreateLogGroup"),
    ("AWS::IAM::Role", "iam", "iam:CreateRole"),
    ("AWS::Events::Rule", "events", "events:PutRule"),
    ("AWS::StepFunctions::StateMachine", "states", "states:CreateStateMachine"),
    ("AWS::ApiGatewayV2::Api", "apigateway", "apigateway:POST"),
    ("AWS::Cognito::UserPool", "cognito-idp", "cognito-idp:CreateUserPool"),
    ("AWS::SSM::Parameter", "ssm", "ssm:PutParameter"),
    ("AWS::ApiGateway::RestApi", "apigateway", "apigateway:POST"),  # HTTP verbs: GET is a read
    ("AWS::Lambda::EventSourceMapping", "lambda", "lambda:CreateEventSourceMapping"),
], ids=lambda value: value if value.startswith("AWS::") else "")
def test_a_type_s_namespace_and_creating_action_come_from_cloudformation_s_schemas(resource_type, namespace, example):
    handlers = deploy_role.handler_actions(resource_type, "eu-west-1")
    assert deploy_role.own_namespace(handlers) == namespace
    creating = deploy_role.creating_actions(handlers)
    assert deploy_role.example_action(creating) == example
    assert not [a for a in creating
                if a.split(":", 1)[1].lower().startswith(("get", "describe", "list", "tag", "untag", "addtags"))]


@pytest.mark.parametrize(("patterns", "action", "allowed"), [
    (["dynamodb:CreateTable"], "dynamodb:CreateTable", True),
    (["DynamoDB:createtable"], "dynamodb:CreateTable", True),
    (["dynamodb:*"], "dynamodb:CreateTable", True),
    (["dynamodb:Create*"], "dynamodb:CreateTableReplica", True),
    (["dynamodb:Describe*"], "dynamodb:CreateTable", False),
    (["dynamo*:CreateTabl?"], "dynamodb:CreateTable", True),
    (["sqs:*"], "dynamodb:CreateTable", False),
], ids=["exact", "case", "service-star", "verb-star", "other-verb", "question-mark", "other-service"])
def test_actions_match_as_iam_matches_them(patterns, action, allowed):
    assert deploy_role.allows(patterns, action) is allowed


QUEUE_ARN = "arn:aws:sqs:eu-west-1:123456789012:orders-api-dev-jobs"


@pytest.mark.parametrize(("pattern", "arn", "matches"), [
    ("arn:aws:sqs:eu-west-1:123456789012:orders-api-dev-jobs", QUEUE_ARN, True),
    ("arn:aws:sqs:eu-west-1:123456789012:orders-api-*", QUEUE_ARN, True),
    ("arn:aws:sqs:eu-west-1:123456789012:orders-api-???-jobs", QUEUE_ARN, True),
    ("arn:aws:sqs:eu-west-1:444455556666:orders-api-dev-jobs", QUEUE_ARN, True),  # a literal account is the deploying one
    ("arn:aws:sqs:*:*:orders-api-dev-jobs", QUEUE_ARN, True),
    ("arn:aws:sqs:eu-west-1:123456789012:Orders-API-*", QUEUE_ARN, False),
    ("arn:aws:sqs:us-east-1:123456789012:orders-api-*", QUEUE_ARN, False),
    ("arn:aws:sqs:eu-west-1:123456789012:orders-api-dev-jobs-*", QUEUE_ARN, False),
    ("arn:aws:sns:eu-west-1:123456789012:orders-api-*", QUEUE_ARN, False),
    ("arn:aws:sqs:eu-west-1:123456789012:orders-[a-z]*", "arn:aws:sqs:eu-west-1:123456789012:orders-[a-z]-jobs", True),
    ("arn:aws:sqs:eu-west-1:123456789012:orders-[a-z]*", QUEUE_ARN, False),
], ids=["exact", "star", "question-marks", "literal-account", "any-region-and-account", "case-sensitive",
        "other-region", "longer-pattern", "other-service", "brackets-are-literal", "brackets-not-a-class"])
def test_resources_match_as_iam_matches_them(pattern, arn, matches):
    assert deploy_role.arn_matches(pattern, arn) is matches


STACK = {"Environment": "dev", "AWS::Region": "eu-west-1", "AWS::StackName": "orders-api-dev-stack"}
NAMES = {"Mappings": {"Names": {"dev": {"Queue": "orders-api-dev-jobs"}}}}


@pytest.mark.parametrize(("logical_id", "resource", "expected"), [
    ("Jobs", {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "jobs"}},
     ("arn:aws:sqs:eu-west-1:123456789012:jobs", False)),
    ("Jobs", {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::FindInMap": ["Names", {"Ref": "Environment"},
                                                                                          "Queue"]}}},
     ("arn:aws:sqs:eu-west-1:123456789012:orders-api-dev-jobs", False)),
    ("Jobs", {"Type": "AWS::SQS::Queue"},
     (f"arn:aws:sqs:eu-west-1:123456789012:orders-api-dev-stack-Jobs-{facts.GENERATED_NAME_SUFFIX}", True)),
    ("Role", {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "r", "Path": "/service/"}},
     ("arn:aws:iam::123456789012:role/service/r", False)),
    ("Role", {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "r"}}, ("arn:aws:iam::123456789012:role/r", False)),
    ("Rule", {"Type": "AWS::Events::Rule", "Properties": {"Name": "nightly", "EventBusName": "orders"}},
     ("arn:aws:events:eu-west-1:123456789012:rule/orders/nightly", False)),
    ("Rule", {"Type": "AWS::Events::Rule", "Properties": {"Name": "nightly"}},
     ("arn:aws:events:eu-west-1:123456789012:rule/nightly", False)),
    ("Files", {"Type": "AWS::S3::Bucket"}, (f"arn:aws:s3:::orders-api-dev-stack-files-"
                                            f"{facts.GENERATED_NAME_SUFFIX.lower()}", True)),
    ("AVeryLongLogicalIdForARoleThatCloudFormationShortens", {"Type": "AWS::IAM::Role"}, None),
    ("Jobs", {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::GetAtt": ["Other", "Name"]}}}, None),
    ("Permission", {"Type": "AWS::Lambda::Permission", "Properties": {}}, None),
], ids=["literal", "mapping", "generated", "role-path", "role-default-path", "rule-on-a-bus", "rule-on-default",
        "bucket-lower-case", "generated-too-long", "known-at-deploy-only", "type-not-known"])
def test_the_arn_a_resource_will_have_is_foretold_or_not_at_all(logical_id, resource, expected):
    assert deploy_role.created_arn(logical_id, resource, NAMES, STACK) == expected


@pytest.mark.parametrize(("timeout", "duration_ms", "description"), [
    (3, 2700, "Duration (maximum over 5 minutes) at or above 2700 ms (90% of the 3 s timeout)"),
    (900, 810000, "Duration (maximum over 5 minutes) at or above 810000 ms (90% of the 900 s timeout)"),
], ids=["default-timeout", "longest-timeout"])
def test_the_duration_alarm_follows_the_timeout(timeout, duration_ms, description):
    errors, throttles, duration = rules.function_alarms(timeout)
    assert (errors["metric"], errors["threshold"], throttles["metric"], throttles["threshold"]) == ("Errors", 1,
                                                                                                   "Throttles", 1)
    assert (duration["suffix"], duration["threshold"], duration["description"]) == ("duration", duration_ms,
                                                                                    description)


MOVE = "Move to nodejs24.x: copier update --trust --defaults --data runtime=nodejs24.x."


@pytest.mark.parametrize(("today", "severity", "message"), [
    ("2026-10-28", None, None),
    ("2026-10-29", "warning", "nodejs22.x will be deprecated on 2027-04-30; Lambda refuses to update its functions "
                              f"from 2027-07-01. {MOVE}"),
    ("2027-04-30", "warning", "nodejs22.x is deprecated since 2027-04-30 (no more security patches); Lambda refuses "
                              f"to create its functions from 2027-06-01 and to update them from 2027-07-01. {MOVE}"),
    ("2027-06-01", "warning", "Lambda refuses to create nodejs22.x functions since 2027-06-01 (a new environment's "
                              f"first deploy fails), and will refuse updates from 2027-07-01. {MOVE}"),
    ("2027-07-01", "error", f"Lambda refuses updates of nodejs22.x functions since 2027-07-01: every deploy fails. {MOVE}"),
], ids=["before-notice", "notice", "deprecated", "create-blocked", "update-blocked"])
def test_a_deployed_runtime_is_judged_on_lambda_s_schedule(today, severity, message):
    problems = rules.check_runtime_dates("nodejs22.x", dt.date.fromisoformat(today))
    assert [(p.severity, p.message) for p in problems] == ([(severity, message)] if severity else [])


@pytest.mark.parametrize("runtime", ["java21", None, {"Ref": "Runtime"}])
def test_a_runtime_this_template_does_not_know_is_left_alone(runtime):
    assert rules.check_runtime_dates(runtime, dt.date(2030, 1, 1)) == []


def test_the_runtime_to_move_to_is_the_newest_of_the_language():
    assert (rules.newest_runtime("python"), rules.newest_runtime("nodejs")) == ("python3.14", "nodejs24.x")


@pytest.mark.parametrize(("threshold", "timeout", "message"), [
    (2700, 3, None),
    (27000, 30, None),
    (27000, 10, "27000 ms is 270% of Function's 10 s timeout, not 90%: the alarm fires only once invocations time "
                "out. Set it to 9000, or set the timeout with copier update --trust --defaults --data timeout=10, "
                "which sets both."),
    (2700, 60, "2700 ms is 4% of Function's 60 s timeout, not 90%: the alarm fires on invocations far from the "
               "timeout. Set it to 54000, or set the timeout with copier update --trust --defaults --data timeout=60, "
               "which sets both."),
    ({"Ref": "Threshold"}, 3, None),
], ids=["as-rendered", "as-rendered-longer", "timeout-lowered", "timeout-raised", "not-a-number"])
def test_a_duration_alarm_left_behind_by_a_new_timeout_is_a_warning(threshold, timeout, message):
    problems = rules.check_duration_alarm(threshold, timeout)
    assert [(p.severity, p.message) for p in problems] == ([("warning", message)] if message else [])


GROUPS = {"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": {
    "Fn::Sub": "/orders/${Environment}"}}}}}


@pytest.mark.parametrize(("properties", "group"), [
    ({"FunctionName": "orders-api-dev-function"}, "/aws/lambda/orders-api-dev-function"),
    ({"FunctionName": "f", "LoggingConfig": {"LogGroup": "/shared/logs"}}, "/shared/logs"),
    ({"FunctionName": "f", "LoggingConfig": {"LogGroup": {"Ref": "Logs"}}}, "/orders/dev"),
    ({}, None),  # named by CloudFormation: not told here
    ({"FunctionName": {"Fn::GetAtt": ["Other", "Name"]}}, None),
], ids=["default-group", "named-group", "group-of-the-template", "generated-name", "known-at-deploy-only"])
def test_the_log_group_lambda_writes_a_function_s_logs_to(properties, group):
    from lambda_rules import execution_role

    function = {"Type": "AWS::Lambda::Function", "Properties": properties}
    assert execution_role.function_log_group(function, GROUPS, {"Environment": "dev"}) == group


def pass_role(condition: dict | None) -> dict:
    statement = {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/r"}
    return {"Properties": {"Policies": [{"PolicyDocument": {"Statement": [
        {**statement, **({"Condition": condition} if condition else {})}]}}]}}


@pytest.mark.parametrize(("condition", "allowed"), [
    (None, ["arn:aws:iam::123456789012:role/r"]),
    ({"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}, ["arn:aws:iam::123456789012:role/r"]),
    ({"StringEquals": {"iam:PassedToService": ["ecs-tasks.amazonaws.com", "lambda.amazonaws.com"]}},
     ["arn:aws:iam::123456789012:role/r"]),
    ({"StringLike": {"iam:PassedToService": "lambda.*"}}, ["arn:aws:iam::123456789012:role/r"]),
    ({"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}, []),
], ids=["no-condition", "to-lambda", "to-lambda-among-others", "like-lambda", "to-another-service"])
def test_a_role_passed_to_lambda_counts_only_statements_that_let_it_go_there(condition, allowed):
    assert deploy_role.allowed_resources(pass_role(condition), "iam:PassRole", {}, "eu-west-1") == allowed


STATEMENT = {"Sid": "OrdersTable", "Action": ["dynamodb:CreateTable"],
             "Resource": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/{project}-{env}-*"}


@pytest.mark.parametrize(("value", "message"), [
    pytest.param([{**STATEMENT, "Action": "dynamodb:*"}],
                 "deploy_statements[0].Action: 'dynamodb:*' is not one IAM action. Name each action, without wildcards, "
                 "for example dynamodb:CreateTable (make role-actions TYPE=... in a generated repo lists a type's "
                 "actions).", id="wildcard-action"),
    pytest.param([{**STATEMENT, "Resource": ["*"]}],
                 "deploy_statements[0].Resource: '*' is not a resource this role may be scoped to. Give the ARN of "
                 "the resources, with {project} and {env} for this environment's names.", id="star-resource"),
    pytest.param([{"Action": "sqs:CreateQueue"}],
                 "deploy_statements[0]: {'Action': 'sqs:CreateQueue'} is not a statement with Action and Resource. "
                 "Use a mapping, for example [{Sid: OrdersTable, Action: [dynamodb:CreateTable, "
                 "dynamodb:DescribeTable], Resource: 'arn:${AWS::Partition}:dynamodb:${AWS::Region}:"
                 "${AWS::AccountId}:table/{project}-{env}-*'}].", id="no-resource"),
    pytest.param([{**STATEMENT, "Effect": "Deny"}],
                 "deploy_statements[0]: has Effect; a statement here has only Sid, Action, Resource (Effect is "
                 "always Allow).", id="effect"),
    pytest.param([STATEMENT, STATEMENT],
                 "deploy_statements[1].Sid: 'OrdersTable' is used twice. Give each statement its own Sid.",
                 id="sid-twice"),
    pytest.param([{**STATEMENT, "Sid": "orders-table"}],
                 "deploy_statements[0].Sid: 'orders-table' is not a statement id. Use letters and digits, at most "
                 "64, for example OrdersTable.", id="sid-with-dash"),
])
def test_deploy_statements_mistakes(value, message):
    assert messages(rules.check_deploy_statements(value)) == [message]


def test_deploy_statements_are_filled_in_per_environment():
    value = [STATEMENT, {"Action": "sqs:CreateQueue", "Resource": ["arn:aws:sqs:eu-west-1:1:{project}-{env}-jobs"]}]
    assert rules.check_deploy_statements(value) == []
    assert rules.deploy_statements_for(value, "prod", "orders-api") == [
        {"sid": "OrdersTable", "actions": ["dynamodb:CreateTable"],
         "resources": [{"text": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/"
                                "orders-api-prod-*", "sub": True}]},
        {"sid": "Added2", "actions": ["sqs:CreateQueue"],
         "resources": [{"text": "arn:aws:sqs:eu-west-1:1:orders-api-prod-jobs", "sub": False}]},
    ]


def test_a_deploy_statement_shared_by_every_environment_is_a_warning():
    shared = [{"Action": "ssm:PutParameter", "Resource": "arn:aws:ssm:eu-west-1:123456789012:parameter/{project}/flag"}]
    problems = rules.check_deploy_statements(shared)
    assert rules.errors(problems) == []
    assert [str(p) for p in problems] == [
        "deploy_statements[0].Resource: 'arn:aws:ssm:eu-west-1:123456789012:parameter/{project}/flag' has no {env}: "
        "every environment's deploy role gets it, so a deploy of one environment may change another's resources. "
        "Put {env} in the name if the resources are per environment."]
