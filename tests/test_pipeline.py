"""pipeline/pipeline.yml and the delivery side of template.yml: lint, checkov, and least privilege."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from cfnlint.api import ManualArgs, lint_file
from cfnlint.decode.cfn_yaml import loads as cfn_loads
from conftest import tool
from lambda_rules import deploy_role, facts, rules
from lambda_rules.repo_check import check_deploy_roles
from lambda_rules.template_file import load_samconfig, load_template

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("dev", "staging", "prod")
LAYER = "arn:aws:lambda:eu-west-1:123456789012:layer:shared:4"
REFERENCES = {"DB_URL": "{{resolve:ssm:/orders/db-url}}", "API_KEY": "{{resolve:secretsmanager:orders/api:SecretString:key}}"}

SOURCES = {
    "gitlab-mirror": {"source_provider": "gitlab-mirror"},
    "codeconnections": {"source_provider": "codeconnections", "gitlab_project": "acme/orders-api"},
    "self-managed": {"source_provider": "codeconnections", "gitlab_url": "https://git.acme.example",
                     "gitlab_project": "platform/payments/orders-api"},
    "codecommit": {"source_provider": "codecommit"},
}
NOTIFICATIONS = {
    "none": {"notifications": "none"},
    "email": {"notifications": "email", "notification_email": "team@example.com"},
    "slack": {"notifications": "slack", "slack_workspace_id": "T0123ABCD", "slack_channel_id": "C0123ABCD"},
}
APIS = {
    "no-api": {"api_gateway": False},
    "api": {"api_gateway": True, "api_id": "a1b2c3d4e5", "api_path": "/orders/{id}", "api_method": "GET"},
}
# Every source by every kind of notification, with and without API Gateway; the extra answers that
# widen the roles (a built layer, an external layer, referenced parameters) ride along on half of them.
COMBINATIONS = {
    f"{s}-{n}-{a}": {**SOURCES[s], **NOTIFICATIONS[n], **APIS[a],
                     **({"dependencies_layer": True, "layers": [LAYER], "env_vars": REFERENCES, "tracing": True,
                         "alarms": True} if a == "api" else {})}
    for s, n, a in itertools.product(SOURCES, NOTIFICATIONS, APIS)
}
CHECKOV = tool("checkov")


# A team's additions to the deploy roles (the answer deploy_statements), judged with the rest by checkov.
STATEMENTS = [
    {"Sid": "OrdersTable", "Action": ["dynamodb:CreateTable", "dynamodb:DescribeTable", "dynamodb:DeleteTable"],
     "Resource": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/{project}-{env}-*"},
    {"Action": "sqs:CreateQueue", "Resource": ["arn:aws:sqs:eu-west-1:123456789012:{project}-{env}-jobs"]},
]


@pytest.fixture(scope="module")
def repos(generate) -> dict[str, Path]:
    return {**{name: generate(**answers) for name, answers in COMBINATIONS.items()},
            "with-deploy-statements": generate(deploy_statements=STATEMENTS)}


def load(path: Path) -> dict[str, Any]:
    return cfn_loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", COMBINATIONS)
def test_pipeline_and_template_lint_clean(repos, name):
    for path in (repos[name] / "pipeline" / "pipeline.yml", repos[name] / "template.yml"):
        assert [str(m) for m in lint_file(path, config=ManualArgs(regions=["eu-west-1"]))] == [], path.name


@pytest.fixture(scope="module")
def checkov_report(repos, tmp_path_factory) -> dict[str, Any]:
    """One checkov run over every combination's two templates (it takes seconds to start)."""
    files = [str(repo / f) for repo in repos.values() for f in ("pipeline/pipeline.yml", "template.yml")]
    out = tmp_path_factory.mktemp("checkov")
    run = subprocess.run([CHECKOV, "--framework", "cloudformation", "--skip-download", "--output", "json",
                          "--output-file-path", str(out), *sum((["-f", f] for f in files), [])],
                         capture_output=True, text=True)
    report = json.loads((out / "results_json.json").read_text(encoding="utf-8"))
    assert run.returncode in (0, 1), run.stderr  # 1: failed checks, judged by the tests
    return report if isinstance(report, dict) else report[0]


def test_checkov_finds_no_failed_check(checkov_report):
    failed = [(c["check_id"], c["resource"], c["file_path"]) for c in checkov_report["results"]["failed_checks"]]
    assert failed == []
    assert checkov_report["summary"]["passed"] > 100


def test_every_checkov_skip_says_why(checkov_report):
    skipped = checkov_report["results"]["skipped_checks"]
    assert skipped
    for check in skipped:
        assert len(check["check_result"].get("suppress_comment", "")) > 30, check["check_id"]


# --- least privilege, read from the templates -------------------------------------------

def statements(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(logical id, statement) for every statement of every IAM policy in the template."""
    for logical_id, resource in template["Resources"].items():
        props = resource.get("Properties", {})
        documents = [p["PolicyDocument"] for p in props.get("Policies", [])]
        if "PolicyDocument" in props:
            documents.append(props["PolicyDocument"])
        for document in documents:
            for statement in document["Statement"]:
                yield logical_id, statement


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def text(resource: Any) -> str:
    """A Resource entry as text: a literal, a !Sub string, or the target of a !GetAtt / !Ref."""
    if isinstance(resource, str):
        return resource
    (function, argument), = resource.items()
    if function == "Fn::Sub":
        return argument if isinstance(argument, str) else argument[0]
    if function == "Fn::GetAtt":
        return "GetAtt:" + (argument if isinstance(argument, str) else ".".join(argument))
    return f"{function}:{argument}"


@pytest.mark.parametrize("name", COMBINATIONS)
def test_no_allow_has_a_wildcard_action_or_resource(repos, name):
    """Resource "*" only for X-Ray's writes, which have no resource type to name."""
    for path in (repos[name] / "pipeline" / "pipeline.yml", repos[name] / "template.yml"):
        for logical_id, statement in statements(load(path)):
            if statement["Effect"] == "Deny":  # a deny's wildcards only take away
                continue
            assert not [a for a in as_list(statement["Action"]) if "*" in a], (logical_id, statement)
            if "*" in as_list(statement.get("Resource")):
                assert (path.name, logical_id, as_list(statement["Action"])) == (
                    "template.yml", "FunctionRole", list(facts.TRACING_ACTIONS)), statement
            assert "NotAction" not in statement and "NotResource" not in statement


@pytest.mark.parametrize("name", COMBINATIONS)
def test_pass_role_only_passes_this_repo_s_roles_to_one_service(repos, name):
    template = load(repos[name] / "pipeline" / "pipeline.yml")
    passes = [(lid, s) for lid, s in statements(template) if "iam:PassRole" in as_list(s["Action"])]
    assert len(passes) == 2 * len(ENVIRONMENTS)
    for logical_id, statement in passes:
        env = re.match(r"[A-Z][a-z0-9]*", logical_id).group(0).lower()
        assert as_list(statement["Action"]) == ["iam:PassRole"]
        (resource,) = as_list(statement["Resource"])
        service = statement["Condition"]["StringEquals"]["iam:PassedToService"]
        if logical_id.endswith("BuildRole"):
            assert (text(resource), service) == (f"GetAtt:{env.capitalize()}DeployRole.Arn",
                                                  "cloudformation.amazonaws.com")
        else:
            assert logical_id.endswith("DeployRole")
            assert text(resource).endswith(f":role/orders-api-{env}-role")
            assert service == "lambda.amazonaws.com"


def allowed_targets(env: str) -> list[str]:
    """What a role of `env` may name: its own resources by the convention, or shared ones."""
    names = rules.resource_names("{project}-{env}-{type}", "orders-api", ENVIRONMENTS)
    own = names["environments"][env]
    return [*own.values(), f"/aws/lambda/{own['function']}", rules.artifact_folder(own["pipeline"]), f"cache/{env}/",
            f"orders-api/{env}/", f"{env.capitalize()}BuildLogGroup", f"{env.capitalize()}BuildProject",
            f"{env.capitalize()}DeployRole", f"{env.capitalize()}Pipeline", "GetAtt:Repository.Arn",
            "GetAtt:GitLabConnection.ConnectionArn", "GetAtt:ArtifactBucket.Arn", ":parameter/orders-api/*",
            ":parameter/orders/db-url", ":secret:orders-api/*", ":secret:orders/api-??????", LAYER,
            ":aws:transform/Serverless-2016-10-31"]


@pytest.mark.parametrize("name", COMBINATIONS)
def test_each_environment_s_roles_reach_only_that_environment(repos, name):
    template = load(repos[name] / "pipeline" / "pipeline.yml")
    checked = 0
    for logical_id, statement in statements(template):
        if statement["Effect"] == "Deny" or template["Resources"][logical_id]["Type"] != "AWS::IAM::Role":
            continue
        env = re.match(r"[A-Z][a-z0-9]*", logical_id).group(0).lower()
        if env not in ENVIRONMENTS:  # the Chatbot role has no statement
            continue
        others = [e for e in ENVIRONMENTS if e != env]
        for resource in as_list(statement["Resource"]):
            target = text(resource)
            if statement["Action"] == ["logs:DescribeLogGroups"]:  # the one account-wide read: names only
                assert target.endswith(":log-group:*")
                continue
            assert any(t in target for t in allowed_targets(env)), (logical_id, target)
            assert not any(f"-{o}-" in target or f"/{o}/" in target or target.startswith(f"GetAtt:{o.capitalize()}")
                           for o in others), (logical_id, target)
            checked += 1
    assert checked > 20 * len(ENVIRONMENTS)


@pytest.mark.parametrize("name", COMBINATIONS)
def test_each_deploy_role_provides_for_every_type_template_yml_deploys(repos, name):
    repo = repos[name]
    template = load_template(repo / "template.yml")
    transformed = deploy_role.sam_transform(template, {"Environment": "dev", "AWS::Region": "eu-west-1"})
    resources = {logical_id: r["Type"] for logical_id, r in transformed["Resources"].items()}
    assert {"AWS::Lambda::Function", "AWS::IAM::Role", "AWS::Logs::LogGroup"} <= set(resources.values())
    regions = dict.fromkeys(ENVIRONMENTS, "eu-west-1")
    samconfig = load_samconfig(repo / "samconfig.toml")
    stacks = {env: samconfig[env]["deploy"]["parameters"]["stack_name"] for env in ENVIRONMENTS}
    transformed = {env: deploy_role.sam_transform(template, {"Environment": env, "AWS::Region": "eu-west-1"})
                   for env in ENVIRONMENTS}
    pipeline = load_template(repo / "pipeline" / "pipeline.yml")
    roles = deploy_role.deploy_roles(pipeline)
    for env in ENVIRONMENTS:  # every resource with a foretold ARN is measured against the role's statements
        measured = [lid for lid, r in transformed[env]["Resources"].items()
                    if deploy_role.created_arn(lid, r, transformed[env], {"Environment": env, "AWS::Region": "eu-west-1",
                                                                         "AWS::StackName": stacks[env]})]
        assert {"Function", "FunctionRole", "LogGroup"} <= set(measured)
        assert deploy_role.misplaced_resources(roles[env][1], transformed[env], pipeline, env, "eu-west-1",
                                               stacks[env]) == []
    assert check_deploy_roles(template, regions, repo / "pipeline" / "pipeline.yml", transformed, stacks) == []


def test_deploy_statements_reach_each_environment_s_deploy_role_with_its_names(repos):
    pipeline = repos["with-deploy-statements"] / "pipeline" / "pipeline.yml"
    assert [str(m) for m in lint_file(pipeline, config=ManualArgs(regions=["eu-west-1"]))] == []
    resources = load(pipeline)["Resources"]
    for env in ENVIRONMENTS:
        policies = {p["PolicyName"]: p["PolicyDocument"]["Statement"]
                    for p in resources[f"{env.capitalize()}DeployRole"]["Properties"]["Policies"]}
        assert [(s["Sid"], s["Action"], [text(r) for r in s["Resource"]]) for s in policies[f"deploy-{env}-added"]] == [
            ("OrdersTable", ["dynamodb:CreateTable", "dynamodb:DescribeTable", "dynamodb:DeleteTable"],
             [f"arn:${{AWS::Partition}}:dynamodb:${{AWS::Region}}:${{AWS::AccountId}}:table/orders-api-{env}-*"]),
            ("Added2", ["sqs:CreateQueue"], [f"arn:aws:sqs:eu-west-1:123456789012:orders-api-{env}-jobs"]),
        ]


def test_function_role_writes_only_its_own_log_group(generate):
    template = load(generate() / "template.yml")
    (statement,) = [s for lid, s in statements(template) if lid == "FunctionRole"]
    assert statement["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert text(statement["Resource"]) == "GetAtt:LogGroup.Arn"


def test_with_tracing_the_function_is_traced_and_its_role_writes_traces_only(generate):
    template = load(generate(tracing=True) / "template.yml")
    assert template["Resources"]["Function"]["Properties"]["Tracing"] == "Active"
    logs, traces = [s for lid, s in statements(template) if lid == "FunctionRole"]
    assert logs["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert (traces["Action"], traces["Resource"]) == (["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*")
    assert "Tracing" not in load(generate() / "template.yml")["Resources"]["Function"]["Properties"]


@pytest.mark.parametrize(("notifications", "answers"), [
    ("email", {"notification_email": "team@example.com"}),
    ("slack", {"slack_workspace_id": "T0123ABCD", "slack_channel_id": "C0123ABCD"}),
    ("none", {}),
])
def test_alarms_publish_to_each_environment_s_topic_that_notifications_subscribe_to(generate, notifications, answers):
    repo = generate(alarms=True, timeout=20, notifications=notifications, **answers)
    template = load(repo / "template.yml")
    alarms = {lid: r["Properties"] for lid, r in template["Resources"].items() if r["Type"] == "AWS::CloudWatch::Alarm"}
    assert {lid: (a["MetricName"], a["Statistic"], a["Threshold"], a["Period"], a["ComparisonOperator"])
            for lid, a in alarms.items()} == {
        "ErrorsAlarm": ("Errors", "Sum", 1, 300, "GreaterThanOrEqualToThreshold"),
        "ThrottlesAlarm": ("Throttles", "Sum", 1, 300, "GreaterThanOrEqualToThreshold"),
        "DurationAlarm": ("Duration", "Maximum", 18000, 300, "GreaterThanOrEqualToThreshold"),
    }
    for alarm in alarms.values():
        assert alarm["AlarmActions"] == alarm["OKActions"]
        assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": "Function"}}]
    assert [template["Mappings"]["Names"][env]["AlarmTopic"] for env in ENVIRONMENTS] == [
        f"orders-api-{env}-alarms" for env in ENVIRONMENTS]
    pipeline = load(repo / "pipeline" / "pipeline.yml")["Resources"]
    topics = {env: pipeline[f"{env.capitalize()}AlarmTopic"]["Properties"] for env in ENVIRONMENTS}
    assert [t["TopicName"] for t in topics.values()] == [f"orders-api-{env}-alarms" for env in ENVIRONMENTS]
    subscriptions = [t.get("Subscription") for t in topics.values()]
    assert subscriptions == [[{"Protocol": "email", "Endpoint": "team@example.com"}] if notifications == "email"
                             else None] * 3
    slack = pipeline.get("SlackChannel", {}).get("Properties", {}).get("SnsTopicArns")
    assert slack == ([{"Ref": f"{env.capitalize()}AlarmTopic"} for env in ENVIRONMENTS] if notifications == "slack"
                     else None)
    (statement,) = [s for lid, s in statements(load(repo / "pipeline" / "pipeline.yml"))
                    if lid == "DevDeployRole" and s.get("Sid") == "FunctionAlarms"]
    assert text(statement["Resource"]) == ("arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:"
                                           "alarm:orders-api-dev-function-*")


def test_no_alarms_unless_asked(generate):
    assert "AWS::CloudWatch::Alarm" not in (generate() / "template.yml").read_text(encoding="utf-8")
    assert "AlarmTopic" not in (generate() / "pipeline" / "pipeline.yml").read_text(encoding="utf-8")


def test_mirror_user_may_only_pull_and_push_its_repository(generate):
    template = load(generate(source_provider="gitlab-mirror") / "pipeline" / "pipeline.yml")
    (statement,) = [s for lid, s in statements(template) if lid == "MirrorUser"]
    assert (statement["Action"], text(statement["Resource"])) == (["codecommit:GitPull", "codecommit:GitPush"],
                                                                   "GetAtt:Repository.Arn")
    assert template["Resources"]["MirrorUser"]["Properties"]["UserName"] == "orders-api-mirror"
    assert not [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::AccessKey"]  # no secret made


# --- what the stack builds ------------------------------------------------------------------

def test_artifact_bucket_is_private_encrypted_versioned_tls_only_and_expires_artifacts(generate):
    template = load(generate() / "pipeline" / "pipeline.yml")
    bucket = template["Resources"]["ArtifactBucket"]["Properties"]
    assert bucket["BucketName"] == "orders-api-artifacts"
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    expiring = {r.get("Prefix"): r.get("ExpirationInDays") for r in bucket["LifecycleConfiguration"]["Rules"]}
    assert expiring["orders-api-dev-pipel/"] == 30 and expiring["cache/prod/"] == 30
    (deny,) = template["Resources"]["ArtifactBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert (deny["Effect"], deny["Condition"]) == ("Deny", {"Bool": {"aws:SecureTransport": "false"}})


@pytest.mark.parametrize(("source", "provider"), [("gitlab-mirror", "CodeCommit"), ("codecommit", "CodeCommit"),
                                                  ("codeconnections", "CodeStarSourceConnection")])
def test_one_v2_pipeline_per_environment_on_its_branch_passing_environment(generate, source, provider):
    template = load(generate(**SOURCES[source]) / "pipeline" / "pipeline.yml")
    for env, branch in (("dev", "develop"), ("staging", "staging"), ("prod", "master")):
        pipeline = template["Resources"][f"{env.capitalize()}Pipeline"]["Properties"]
        assert (pipeline["Name"], pipeline["PipelineType"]) == (f"orders-api-{env}-pipeline", "V2")
        source_action, build_action = (stage["Actions"][0] for stage in pipeline["Stages"])
        assert source_action["ActionTypeId"]["Provider"] == provider
        assert source_action["Configuration"]["BranchName"] == branch
        assert json.loads(build_action["Configuration"]["EnvironmentVariables"]) == [
            {"name": "ENVIRONMENT", "value": env, "type": "PLAINTEXT"}]
        project = template["Resources"][f"{env.capitalize()}BuildProject"]["Properties"]
        assert project["Name"] == f"orders-api-{env}-build"
        if provider == "CodeStarSourceConnection":
            assert pipeline["Triggers"][0]["GitConfiguration"]["Push"] == [{"Branches": {"Includes": [branch]}}]
        else:
            rule = template["Resources"][f"{env.capitalize()}Trigger"]["Properties"]
            assert rule["EventPattern"]["detail"]["referenceName"] == [branch]


@pytest.mark.parametrize(("architecture", "image", "kind"), [
    ("x86_64", "aws/codebuild/amazonlinux-x86_64-standard:5.0", "LINUX_CONTAINER"),
    ("arm64", "aws/codebuild/amazonlinux-aarch64-standard:3.0", "ARM_CONTAINER"),
])
def test_build_image_matches_the_architecture(generate, architecture, image, kind):
    template = load(generate(architecture=architecture, runtime="nodejs22.x") / "pipeline" / "pipeline.yml")
    environment = template["Resources"]["ProdBuildProject"]["Properties"]["Environment"]
    assert (environment["Image"], environment["Type"]) == (image, kind)
    assert {"Name": "ENVIRONMENT", "Value": "prod"} in environment["EnvironmentVariables"]


def test_self_managed_gitlab_gets_a_host(generate):
    template = load(generate(**SOURCES["self-managed"]) / "pipeline" / "pipeline.yml")
    host = template["Resources"]["GitLabHost"]["Properties"]
    assert host == {"Name": "orders-api-gitlab-host", "ProviderType": "GitLabSelfManaged",
                    "ProviderEndpoint": "https://git.acme.example"}
    connection = template["Resources"]["GitLabConnection"]["Properties"]
    assert connection["ConnectionName"] == "orders-api-gitlab" and "ProviderType" not in connection


@pytest.mark.parametrize(("notifications", "target_type"), [("email", "SNS"), ("slack", "AWSChatbotSlack")])
def test_notifications_on_failure_and_success(generate, notifications, target_type):
    template = load(generate(**NOTIFICATIONS[notifications]) / "pipeline" / "pipeline.yml")
    rule = template["Resources"]["StagingNotifications"]["Properties"]
    assert rule["EventTypeIds"] == ["codepipeline-pipeline-pipeline-execution-failed",
                                    "codepipeline-pipeline-pipeline-execution-succeeded"]
    assert rule["Targets"][0]["TargetType"] == target_type


@pytest.mark.parametrize(("method", "path", "source_arn"), [
    ("GET", "/orders/{id}", "a1b2c3d4e5/*/GET/orders/*"),
    ("ANY", "/orders", "a1b2c3d4e5/*/*/orders"),
    ("POST", "/", "a1b2c3d4e5/*/POST/"),
    ("GET", "/files/{proxy+}", "a1b2c3d4e5/*/GET/files/*"),
])
def test_api_permission_is_scoped_to_the_api_method_and_path(generate, method, path, source_arn):
    repo = generate(api_gateway=True, api_id="a1b2c3d4e5", api_path=path, api_method=method)
    permission = load(repo / "template.yml")["Resources"]["ApiPermission"]["Properties"]
    assert permission["Principal"] == "apigateway.amazonaws.com"
    assert text(permission["SourceArn"]).endswith(":${AWS::AccountId}:" + source_arn)
    readme = (repo / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("dev:\n\n```yaml\n") + len("dev:\n\n```yaml\n"):]
    openapi = yaml.safe_load(block[:block.index("```")])
    method_key = "x-amazon-apigateway-any-method" if method == "ANY" else method.lower()
    integration = openapi["paths"][path][method_key]["x-amazon-apigateway-integration"]
    assert (integration["type"], integration["httpMethod"]) == ("aws_proxy", "POST")
    assert integration["uri"]["Fn::Sub"].endswith(":function:orders-api-dev-function/invocations")


def test_make_pipeline_and_deploy_use_the_stack_and_the_deploy_role(generate):
    makefile = (generate() / "Makefile").read_text(encoding="utf-8")
    assert ('aws cloudformation deploy --template-file pipeline/pipeline.yml --stack-name "$(PIPELINE_STACK)"'
            in makefile)
    assert "PIPELINE_STACK := orders-api-cicd" in makefile
    assert '$(if $(DEPLOY_ROLE_ARN),--role-arn "$(DEPLOY_ROLE_ARN)")' in makefile
    dry = subprocess.run(["make", "-n", "deploy", "ENVIRONMENT=dev", "DEPLOY_ROLE_ARN=arn:aws:iam::1:role/x"],
                         cwd=generate(), capture_output=True, text=True)
    assert '--role-arn "arn:aws:iam::1:role/x"' in dry.stdout


@pytest.mark.parametrize(("target", "last_option"), [("pipeline", "--tags project=orders-api"),
                                                     ("pipeline-plan", "--no-execute-changeset")])
def test_make_pipeline_plan_creates_the_same_change_set_without_applying_it(generate, target, last_option):
    # --no-print-directory: under `make test`, a make started here would name its folder around the output.
    dry = subprocess.run(["make", "--no-print-directory", "-n", target], cwd=generate(), capture_output=True,
                         text=True)
    command = " ".join(dry.stdout.replace("\\\n", " ").split())
    assert command.endswith(
        'aws cloudformation deploy --template-file pipeline/pipeline.yml --stack-name "orders-api-cicd" --region '
        f'"eu-west-1" --capabilities CAPABILITY_NAMED_IAM --no-fail-on-empty-changeset --tags project=orders-api'
        f'{"" if target == "pipeline" else " " + last_option}')
    assert command.endswith(last_option)
