"""`make check` of generated repos after the edits users make, after a build, and with AWS at hand."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
import yaml
from conftest import at_moto, without_credentials
from lambda_rules import rules

pytestmark = pytest.mark.slow

MB = 1024 * 1024
PANDAS = "arn:aws:lambda:eu-west-1:123456789012:layer:pandas:2"
TOOLS = "arn:aws:lambda:eu-west-1:123456789012:layer:tools:1"


def check(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`make limits` as the Makefile runs it."""
    return subprocess.run([sys.executable, "-m", "lambda_rules", *args], cwd=repo, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": "tools", "PYTHONDONTWRITEBYTECODE": "1"})


@pytest.fixture
def repo(generate, tmp_path) -> Path:
    """A fresh generated repo with one declared and one unknown layer, to edit."""
    source = generate(layers=[{"arn": PANDAS, "unzipped_mb": 120}, TOOLS], env_vars={"TABLE_NAME": "orders"})
    return Path(shutil.copytree(source, tmp_path / "repo"))


@pytest.fixture
def offline(monkeypatch, tmp_path):
    without_credentials(monkeypatch, tmp_path)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def sparse_file(path: Path, size: int) -> None:
    """A file of `size` bytes that takes no room on disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.truncate(size)


def test_fresh_repo_passes_and_says_what_it_could_not_measure(repo, offline):
    run = check(repo)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        f"warning: template.yml: Function Layers: {TOOLS}: not measured: no AWS credentials.",
        "info: template.yml: Function Layers: the function is not built yet: run `make build` to measure it "
        "against the 250 MB budget.",
        "Lambda limits: 0 error(s), 1 warning(s).",
    ]


def test_every_problem_of_a_later_edit_is_reported_at_once(repo, offline):
    template = repo / "template.yml"
    edit(template, "MemorySize: 256", "MemorySize: 20000")
    edit(template, "Timeout: 30", "Timeout: 0")
    edit(template, "Size: 512", "Size: 256")
    edit(template, "Handler: app.lambda_handler", "Handler: app lambda_handler")
    edit(template, 'TABLE_NAME: "orders"', f'TABLE_NAME: "orders"\n          AWS_REGION: "x"\n          BIG: "{"x" * 4000}"')
    run = check(repo)
    assert run.returncode == 1
    errors = [line for line in run.stderr.splitlines()]
    where = "error: template.yml: Function (dev)"
    assert errors[:6] == [
        f"{where} MemorySize: 20000 MB is outside the limit of 128 to 10240 MB. Use 128 to 10240 MB.",
        f"{where} Timeout: 0 seconds is outside the limit of 1 to 900 seconds. Use 1 to 900 seconds.",
        f"{where} EphemeralStorage.Size: 256 MB is outside the limit of 512 to 10240 MB. Use 512 to 10240 MB.",
        f"{where} Handler: 'app lambda_handler' is not of the form file.function. Use, for example, "
        "app.lambda_handler.",
        f"{where} Environment.Variables.AWS_REGION: AWS_REGION is reserved by Lambda and cannot be set. "
        "Use another name.",
        f"{where} Environment.Variables: 4108 bytes; the limit is 4096 (compact JSON, UTF-8). Biggest: BIG "
        "(4008 bytes), POWERTOOLS_SERVICE_NAME (38 bytes), TABLE_NAME (21 bytes). Shorten values or move them "
        "to SSM Parameter Store or Secrets Manager and pass '{{resolve:ssm:NAME}}'.",
    ]
    assert run.stdout.splitlines()[-1] == "Lambda limits: 18 error(s), 1 warning(s)."


@pytest.mark.parametrize(("total", "code"), [pytest.param(4096, 0, id="prod-at-4096"),
                                             pytest.param(4097, 1, id="prod-at-4097")])
def test_each_environment_map_is_measured_exactly(repo, offline, total, code):
    frame = rules.env_vars_size(rules.function_variables({"TABLE_NAME": ""}, "orders-api", "prod"))
    value = "é" * ((total - frame) // 2) + "x" * ((total - frame) % 2)  # two bytes a character, escapes none
    edit(repo / "template.yml", 'TABLE_NAME: "orders"', f'TABLE_NAME: !If [IsProd, "{value}", "orders"]')
    edit(repo / "template.yml", "Resources:\n", "Conditions:\n  IsProd: !Equals [!Ref Environment, prod]\n\nResources:\n")
    run = check(repo)
    assert run.returncode == code, run.stdout + run.stderr
    if code:
        assert run.stderr.startswith(f"error: template.yml: Function (prod) Environment.Variables: {total} bytes;")
        assert "(dev)" not in run.stderr and "(staging)" not in run.stderr


@pytest.mark.parametrize(
    ("function_mb", "code"),
    [pytest.param(130 - 20, 0, id="exactly-250-mb"), pytest.param(130 - 20 + 1, 1, id="251-mb")],
)
def test_budget_after_a_build_counts_function_built_and_declared_layers(repo, offline, function_mb, code):
    edit(repo / "layer-sizes.json", "}\n}", "},\n  \"%s\": {\"source\": \"measured\", \"unzipped_bytes\": %d, "
         "\"zip_bytes\": 1000}\n}" % (TOOLS, 20 * MB))
    sparse_file(repo / ".aws-sam" / "build" / "Function" / "app.py", (function_mb - 100) * MB)
    sparse_file(repo / ".aws-sam" / "build" / "Function" / "lib" / "deps.so", 100 * MB)
    run = check(repo)
    assert run.returncode == code, run.stdout + run.stderr
    if code:
        assert run.stderr.strip() == (
            "error: template.yml: Function Layers: 251.0 MB unzipped in all; the limit is 250 MB for the function "
            f"and its layers. Taking the room: {PANDAS} (declared) 120 MB, function (built) 111 MB, {TOOLS} "
            "(cache) 20 MB. Drop or slim a layer, or move dependencies out."
        )
    else:
        assert "warning:" not in run.stdout


def test_offline_flag_never_asks_aws(repo, monkeypatch, tmp_path, moto_endpoint):
    at_moto(monkeypatch, tmp_path, moto_endpoint)
    edit(repo / "template.yml", 'TABLE_NAME: "orders"', 'TABLE_NAME: "{{resolve:ssm:/orders/table}}"')
    run = check(repo, "--offline")
    assert run.returncode == 0
    assert "TABLE_NAME is a dynamic reference, measured as written" in run.stdout


def test_with_credentials_a_resolved_parameter_is_measured(repo, monkeypatch, tmp_path, moto_endpoint):
    at_moto(monkeypatch, tmp_path, moto_endpoint)
    ssm = boto3.client("ssm", region_name="eu-west-1")
    ssm.put_parameter(Name="/orders/big", Value="v" * 4000, Type="String", Overwrite=True)
    ssm.put_parameter(Name="/orders/small", Value="ok", Type="String", Overwrite=True)
    edit(repo / "template.yml", 'TABLE_NAME: "orders"',
         'TABLE_NAME: "{{resolve:ssm:/orders/big}}"\n          OTHER: "{{resolve:ssm:/orders/small}}"'
         '\n          GONE: "{{resolve:ssm:/orders/missing}}"')
    # Without AWS the references measure small; resolved, the map is over the limit in every environment.
    run = check(repo)
    assert run.returncode == 1, run.stdout
    assert run.stderr.splitlines()[0].startswith(
        "error: template.yml: Function (dev) Environment.Variables: 4130 bytes; the limit is 4096")
    assert ("warning: template.yml: Function Environment.Variables.GONE: measured as written: SSM parameter "
            "'/orders/missing' was not found in eu-west-1." in run.stdout)


def test_real_sam_build_is_measured(generate, tmp_path, offline):
    # sam build of a Python function needs an interpreter of its exact version: use this one's.
    runtime = f"python{sys.version_info.major}.{sys.version_info.minor}"
    repo = Path(shutil.copytree(generate(runtime=runtime), tmp_path / "repo"))
    sam = Path(sys.executable).with_name("sam")
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0", "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    build = subprocess.run([str(sam), "build"], cwd=repo, capture_output=True, text=True, env=env)
    assert build.returncode == 0, build.stdout + build.stderr
    built = repo / ".aws-sam" / "build" / "Function"
    assert (built / "app.py").exists() and (built / "aws_lambda_powertools").is_dir()
    run = check(repo)
    assert run.returncode == 0, run.stderr
    assert "not built yet" not in run.stdout
    assert run.stdout.splitlines()[-1] == "Lambda limits: 0 error(s), 0 warning(s)."


@pytest.mark.parametrize(("today", "code", "line"), [
    ("2026-12-01", 0, None),
    ("2027-02-01", 0, "warning: template.yml: Function Runtime: python3.11 will be deprecated on 2027-06-30; Lambda "
                      "refuses to update its functions from 2027-08-31. Move to python3.14: copier update --trust "
                      "--defaults --data runtime=python3.14."),
    ("2027-09-01", 1, "error: template.yml: Function Runtime: Lambda refuses updates of python3.11 functions since "
                      "2027-08-31: every deploy fails. Move to python3.14: copier update --trust --defaults --data "
                      "runtime=python3.14."),
], ids=["supported", "deprecated-soon", "updates-refused"])
def test_every_check_judges_the_runtime_on_lambda_s_schedule(repo, offline, today, code, line):
    edit(repo / "template.yml", "      Runtime: python3.13\n", "      Runtime: python3.11\n")
    run = check(repo, "--today", today)
    assert run.returncode == code, run.stderr
    assert [x for x in (run.stdout + run.stderr).splitlines() if "Runtime" in x] == ([line] if line else [])


def test_a_timeout_edited_by_hand_leaves_the_duration_alarm_behind_and_check_says_so(generate, tmp_path, offline):
    repo = Path(shutil.copytree(generate(alarms=True, timeout=30), tmp_path / "repo"))
    assert not [line for line in check(repo).stdout.splitlines() if "DurationAlarm" in line]
    edit(repo / "template.yml", "      Timeout: 30\n", "      Timeout: 120\n")
    run = check(repo)
    assert run.returncode == 0, run.stderr
    assert [line for line in run.stdout.splitlines() if "DurationAlarm" in line] == [
        "warning: template.yml: DurationAlarm Threshold: 27000 ms is 22% of Function's 120 s timeout, not 90%: the "
        "alarm fires on invocations far from the timeout. Set it to 108000, or set the timeout with copier update "
        "--trust --defaults --data timeout=120, which sets both."]


# --- the deploy roles of pipeline/pipeline.yml against what template.yml deploys ---

DEPLOY_ROLES = "DevDeployRole, StagingDeployRole, ProdDeployRole"
TABLE = """  OrdersTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]

"""
QUEUE = """  JobsQueue:
    Type: AWS::SQS::Queue

"""
SCHEDULE = """      Events:
        Nightly:
          Type: Schedule
          Properties:
            Schedule: rate(1 day)
"""
FUNCTION_SID = "            Statement:\n              - Sid: Function\n"


def allow_in_deploy_roles(repo: Path, sid: str, actions: str, resource: str, roles: int = 3) -> None:
    """A statement added before the Function statement of the first `roles` deploy roles (3: all of them)."""
    pipeline = repo / "pipeline" / "pipeline.yml"
    text = pipeline.read_text(encoding="utf-8")
    assert text.count(FUNCTION_SID) == 3  # one deploy role per environment
    statement = (f"            Statement:\n              - Sid: {sid}\n                Effect: Allow\n"
                 f"                Action: [{actions}]\n                Resource: !Sub \"{resource}\"\n"
                 f"              - Sid: Function\n")
    pipeline.write_text(text.replace(FUNCTION_SID, statement, roles), encoding="utf-8")


TABLES = "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/orders-api-*"


def add_resource(repo: Path, snippet: str) -> None:
    edit(repo / "template.yml", "\nOutputs:", "\n" + snippet + "Outputs:")


def not_provided_for(resource_type: str, example: str, declared: str) -> str:
    return (f"error: pipeline/pipeline.yml: {DEPLOY_ROLES}: allow no action that creates {resource_type} (such as "
            f"{example}), and template.yml declares {declared}: CloudFormation would stop the deploy with "
            f"AccessDenied. Add a statement for it, scoped to each environment's names, to the answer "
            f"deploy_statements (then copier update) or to each deploy role (`make role-actions "
            f"TYPE={resource_type}` lists the actions CloudFormation uses), then run `make pipeline`.")


@pytest.mark.parametrize(("edit_template", "expected"), [
    pytest.param(lambda repo: add_resource(repo, TABLE),
                 [not_provided_for("AWS::DynamoDB::Table", "dynamodb:CreateTable", "OrdersTable")], id="table"),
    pytest.param(lambda repo: (add_resource(repo, TABLE), add_resource(repo, QUEUE)),
                 [not_provided_for("AWS::DynamoDB::Table", "dynamodb:CreateTable", "OrdersTable"),
                  not_provided_for("AWS::SQS::Queue", "sqs:CreateQueue", "JobsQueue")], id="table-and-queue"),
    # SAM turns a Schedule event into an EventBridge rule and a permission to invoke the function.
    pytest.param(lambda repo: edit(repo / "template.yml", "      Handler: app.lambda_handler\n",
                                   "      Handler: app.lambda_handler\n" + SCHEDULE),
                 [not_provided_for("AWS::Events::Rule", "events:PutRule", "FunctionNightly")], id="schedule-event"),
])
def test_a_resource_no_deploy_role_may_create_is_an_error_before_any_push(repo, offline, edit_template, expected):
    edit_template(repo)
    run = check(repo)
    assert run.returncode == 1
    assert run.stderr.splitlines() == expected


def test_the_readme_shows_the_error_make_check_prints(repo, offline):
    add_resource(repo, TABLE)
    [error] = check(repo).stderr.splitlines()
    readme = (repo / "README.md").read_text(encoding="utf-8")
    [example] = [line for line in readme.splitlines() if line.startswith("error: pipeline/pipeline.yml:")]
    assert example.endswith(", ...") and error.startswith(example.removesuffix("..."))


@pytest.mark.parametrize("action", ["dynamodb:CreateTable", "dynamodb:*", "DynamoDB:Create*"],
                         ids=["exact", "service-wildcard", "case-and-verb-wildcard"])
def test_a_statement_in_each_deploy_role_provides_for_the_new_type(repo, offline, action):
    add_resource(repo, TABLE)
    allow_in_deploy_roles(repo, "OrdersTable", action, TABLES)
    run = check(repo)
    assert run.returncode == 0, run.stderr
    assert "DeployRole" not in run.stdout + run.stderr


def test_one_role_left_without_the_statement_is_named_alone(repo, offline):
    add_resource(repo, TABLE)
    allow_in_deploy_roles(repo, "OrdersTable", "dynamodb:CreateTable", TABLES, roles=1)  # dev only
    run = check(repo)
    assert run.stderr.startswith("error: pipeline/pipeline.yml: StagingDeployRole, ProdDeployRole: allow no action "
                                 "that creates AWS::DynamoDB::Table")


SECOND_FUNCTION = """  Second:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.lambda_handler
      Runtime: python3.13

"""
ACCOUNT = "${AWS::AccountId}"


def out_of_reach(logical_id: str, start: str, arn: str, action: str, allowed: str, fix: str) -> str:
    return (f"error: template.yml: {logical_id}: {start} ARN in dev would be {arn}, and DevDeployRole allows {action} "
            f"only on {allowed} (likewise in staging, prod): CloudFormation would stop the deploy with AccessDenied. "
            f"{fix}, or allow its ARN, with {{env}} for the environment, in the answer deploy_statements (then "
            f"copier update), then run `make pipeline`.")


SECOND_ERRORS = [
    out_of_reach("Second", "has no FunctionName, so CloudFormation names it after the stack: its",
                 f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:orders-api-dev-stack-Second-<random>", "lambda:CreateFunction",
                 f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:orders-api-dev-function",
                 "Give it a FunctionName the deploy roles allow"),
    out_of_reach("SecondRole", "SAM makes it for Second with no RoleName, so CloudFormation names it after the stack: its",
                 f"arn:aws:iam::{ACCOUNT}:role/orders-api-dev-stack-SecondRole-<random>", "iam:CreateRole",
                 f"arn:aws:iam::{ACCOUNT}:role/orders-api-dev-role",
                 "Declare it in template.yml with a RoleName the deploy roles allow and use it in Second"),
]
NAMED_QUEUE = """  JobsQueue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: {name}

"""
@pytest.mark.parametrize(("edit_template", "expected"), [
    pytest.param(lambda repo: add_resource(repo, SECOND_FUNCTION), SECOND_ERRORS, id="second-function-and-its-role"),
    pytest.param(lambda repo: add_resource(repo, SECOND_FUNCTION.replace(
        "      Handler:", "      FunctionName: !Sub ${AWS::StackName}-second\n      Role: !GetAtt FunctionRole.Arn\n"
                          "      LoggingConfig:\n        LogGroup: !Ref LogGroup\n      Handler:")),
                 [out_of_reach("Second", "its", f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:orders-api-dev-stack-second",
                               "lambda:CreateFunction", f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:orders-api-dev-function",
                               "Give it a FunctionName the deploy roles allow")], id="second-function-named"),
])
def test_a_resource_named_outside_the_deploy_role_s_resources_is_an_error(repo, offline, edit_template, expected):
    edit_template(repo)
    run = check(repo)
    assert run.returncode == 1
    assert run.stderr.splitlines() == expected


@pytest.mark.parametrize(("name", "account", "errors"), [
    pytest.param("!Sub ${AWS::StackName}-jobs", "${AWS::AccountId}", 0, id="named-after-the-stack"),
    pytest.param("!Sub orders-api-${Environment}-jobs", "${AWS::AccountId}", 0, id="named-after-the-environment"),
    pytest.param("!Sub orders-api-${Environment}-jobs", "111122223333", 0, id="literal-account"),
    pytest.param("jobs", "${AWS::AccountId}", 1, id="fixed-name"),
    pytest.param("!Sub Orders-Api-${Environment}-jobs", "${AWS::AccountId}", 1, id="case-differs"),
])
def test_a_statement_s_resources_decide_which_queue_names_deploy(repo, offline, name, account, errors):
    add_resource(repo, NAMED_QUEUE.format(name=name))
    allow_in_deploy_roles(repo, "Jobs", "sqs:CreateQueue, sqs:GetQueueAttributes, sqs:DeleteQueue",
                          f"arn:${{AWS::Partition}}:sqs:${{AWS::Region}}:{account}:orders-api-*")
    run = check(repo)
    assert run.returncode == (1 if errors else 0), run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == errors
    if errors:
        assert lines[0].startswith("error: template.yml: JobsQueue: its ARN in dev would be arn:aws:sqs:eu-west-1:")
        assert f"allows sqs:CreateQueue only on arn:aws:sqs:eu-west-1:{ACCOUNT}:orders-api-*" in lines[0]


def not_passable(role_arn: str) -> str:
    return (f"error: template.yml: Second: its execution role in dev would be {role_arn}, and DevDeployRole may pass "
            f"to Lambda (iam:PassRole) only arn:aws:iam::{ACCOUNT}:role/orders-api-dev-role (likewise in staging, "
            f"prod): CloudFormation would stop the deploy with AccessDenied. Give it a role the deploy roles may pass, "
            f"or allow iam:PassRole on its role, with {{env}} for the environment, in the answer deploy_statements "
            f"(then copier update), then run `make pipeline`.")


@pytest.mark.parametrize(("role", "expected"), [
    pytest.param("!GetAtt FunctionRole.Arn", [], id="the-function-s-role"),
    pytest.param("arn:aws:iam::111122223333:role/shared-lambda",
                 [not_passable(f"arn:aws:iam::{ACCOUNT}:role/shared-lambda")], id="a-role-outside-the-template"),
    pytest.param("!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:role/orders-api-${Environment}-role", [],
                 id="the-function-s-role-by-arn"),
])
def test_a_function_s_role_must_be_one_the_deploy_role_may_pass(repo, offline, role, expected):
    add_resource(repo, SECOND_FUNCTION.replace("      Handler:", f"      FunctionName: !Sub ${{AWS::StackName}}-second\n"
                                                                f"      Role: {role}\n      LoggingConfig:\n"
                                                                f"        LogGroup: !Ref LogGroup\n      Handler:"))
    allow_in_deploy_roles(repo, "MoreFunctions", "lambda:CreateFunction, lambda:GetFunction, lambda:DeleteFunction",
                          "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:orders-api-*")
    run = check(repo)
    assert run.stderr.splitlines() == expected
    assert run.returncode == (1 if expected else 0)


def test_the_readme_shows_the_error_of_a_second_function(repo, offline):
    add_resource(repo, SECOND_FUNCTION)
    first = check(repo).stderr.splitlines()[0]
    readme = (repo / "README.md").read_text(encoding="utf-8")
    [example] = [line for line in readme.splitlines() if line.startswith("error: template.yml: Second:")]
    assert example.endswith(" ...") and first.startswith(example.removesuffix("..."))


def test_managed_policies_cannot_be_read_offline_and_say_so(repo, offline):
    add_resource(repo, TABLE)
    pipeline = repo / "pipeline" / "pipeline.yml"
    text = pipeline.read_text(encoding="utf-8")
    marker = "      Policies:\n        - PolicyName: deploy-"
    assert text.count(marker) == 3
    pipeline.write_text(text.replace(marker, "      ManagedPolicyArns:\n        - !Sub arn:${AWS::Partition}:iam::aws:"
                                             "policy/AmazonDynamoDBFullAccess\n" + marker), encoding="utf-8")
    run = check(repo)
    assert run.returncode == 0, run.stderr
    notes = [line for line in run.stdout.splitlines() if "DeployRole" in line]
    assert notes == [f"info: pipeline/pipeline.yml: {role}: attaches managed policies, which cannot be read offline: "
                     "what it may deploy was not checked." for role in DEPLOY_ROLES.split(", ")]


def test_a_template_sam_refuses_is_left_to_sam_validate(repo, offline):
    add_resource(repo, "  Broken:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n"
                       "        Odd:\n          Type: NotAnEvent\n\n")
    run = check(repo)
    assert run.returncode == 0, run.stderr
    [warning] = [line for line in run.stdout.splitlines() if "transform" in line]
    assert warning.startswith("warning: template.yml: SAM's transform refused it, so the deploy roles were not "
                              "checked: ")
    assert "Resource with id [Broken] is invalid." in warning
    assert warning.endswith("(`sam validate --lint` says more).")


def test_role_actions_lists_what_cloudformation_uses_for_a_type(repo):
    run = check(repo, "--actions", "AWS::SQS::Queue", "--region", "eu-west-1")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == ("AWS::SQS::Queue, as CloudFormation's handlers use it in eu-west-1 (its own namespace: sqs; "
                        "some actions are needed only for some properties):")
    assert [line.split(":", 1)[0] for line in lines[1:4]] == ["  create", "  update", "  delete"]
    assert "sqs:CreateQueue" in lines[1] and "sqs:DeleteQueue" in lines[3]
    snippet = yaml.safe_load("\n".join(lines[lines.index("deploy_statements:"):]))["deploy_statements"]
    assert snippet[0]["Sid"] == "SQSQueue" and {"sqs:CreateQueue", "sqs:DeleteQueue"} <= set(snippet[0]["Action"])
    assert rules.errors(rules.check_deploy_statements(snippet))  # its Resource is left for the user to write
    snippet[0]["Resource"] = "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:{project}-{env}-jobs"
    assert rules.check_deploy_statements(snippet) == []
    unknown = check(repo, "--actions", "AWS::SQS::Queu")
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == ("error: AWS::SQS::Queu: CloudFormation's schemas for us-east-1 list no handler "
                                      "permissions for it. Check the type's spelling, for example AWS::SQS::Queue.")


# --- the function's execution role against the queues and streams it is mapped to ---

SQS_EVENT = """      Events:
        Jobs:
          Type: SQS
          Properties:
            Queue: {queue}
"""
READ_QUEUE = """                Resource: !GetAtt LogGroup.Arn
              - Effect: Allow
                Action:
                  - {actions}
                Resource: !GetAtt JobsQueue.Arn
"""
ALL_SQS = "sqs:ReceiveMessage\n                  - sqs:DeleteMessage\n                  - sqs:GetQueueAttributes"
SQS_POLICY = """  ReadJobs:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: read-jobs
      Roles: [!Ref FunctionRole]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
            Resource: !GetAtt JobsQueue.Arn

"""


def map_queue(repo: Path, queue: str = "!GetAtt JobsQueue.Arn") -> None:
    add_resource(repo, QUEUE)
    edit(repo / "template.yml", "      Handler: app.lambda_handler\n",
         "      Handler: app.lambda_handler\n" + SQS_EVENT.format(queue=queue))


def function_role_lines(run: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in (run.stdout + run.stderr).splitlines() if "FunctionRole" in line]


@pytest.mark.parametrize(("change", "expected"), [
    pytest.param(lambda repo: map_queue(repo), [
        "error: template.yml: FunctionRole: does not allow sqs:ReceiveMessage, sqs:DeleteMessage, "
        "sqs:GetQueueAttributes, which Lambda needs to read JobsQueue (sqs) for FunctionJobs: CloudFormation would "
        "fail to create the event source mapping. Add them to FunctionRole, on that source only."], id="sqs-event"),
    pytest.param(lambda repo: (map_queue(repo), edit(repo / "template.yml", "                Resource: !GetAtt "
                                                     "LogGroup.Arn\n", READ_QUEUE.format(actions="sqs:ReceiveMessage"))),
                 ["error: template.yml: FunctionRole: does not allow sqs:DeleteMessage, sqs:GetQueueAttributes, which "
                  "Lambda needs to read JobsQueue (sqs) for FunctionJobs: CloudFormation would fail to create the "
                  "event source mapping. Add them to FunctionRole, on that source only."], id="one-of-three"),
    pytest.param(lambda repo: (map_queue(repo), edit(repo / "template.yml", "                Resource: !GetAtt "
                                                     "LogGroup.Arn\n", READ_QUEUE.format(actions=ALL_SQS))),
                 [], id="inline-statement"),
    pytest.param(lambda repo: (map_queue(repo), add_resource(repo, SQS_POLICY)), [], id="policy-resource"),
    pytest.param(lambda repo: (map_queue(repo), edit(repo / "template.yml", "      Policies:\n        # Only its own",
                                                     "      ManagedPolicyArns:\n        - !Sub arn:${AWS::Partition}:"
                                                     "iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole\n"
                                                     "      Policies:\n        # Only its own")),
                 [], id="managed-policy-for-sqs"),
    pytest.param(lambda repo: (map_queue(repo), edit(repo / "template.yml", "      Policies:\n        # Only its own",
                                                     "      ManagedPolicyArns:\n        - arn:aws:iam::123456789012:"
                                                     "policy/team-policy\n      Policies:\n        # Only its own")),
                 ["info: template.yml: FunctionRole: attaches a managed policy this check cannot read: whether "
                  "Lambda may read the source of FunctionJobs was not checked."], id="unknown-managed-policy"),
    pytest.param(lambda repo: edit(repo / "template.yml", "      Handler: app.lambda_handler\n",
                                   "      Handler: app.lambda_handler\n      Events:\n        Clicks:\n"
                                   "          Type: Kinesis\n          Properties:\n            Stream: arn:aws:kinesis:"
                                   "eu-west-1:123456789012:stream/clicks\n            StartingPosition: LATEST\n"),
                 ["error: template.yml: FunctionRole: does not allow kinesis:DescribeStream, "
                  "kinesis:DescribeStreamSummary, kinesis:GetRecords, kinesis:GetShardIterator, kinesis:ListShards, "
                  "kinesis:ListStreams, which Lambda needs to read arn:aws:kinesis:eu-west-1:123456789012:stream/clicks "
                  "(kinesis) for FunctionClicks: "
                  "CloudFormation would fail to create the event source mapping. Add them to FunctionRole, on that "
                  "source only."], id="kinesis-by-arn"),
])
def test_an_event_source_the_execution_role_cannot_read_is_an_error(repo, offline, change, expected):
    change(repo)
    assert function_role_lines(check(repo)) == expected


TRACES_POLICY = """        - PolicyName: write-traces
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action:
                  - xray:PutTraceSegments
                  - xray:PutTelemetryRecords
                Resource: "*"
"""
NOT_TRACED = ("error: template.yml: FunctionRole: does not allow {missing}, which Lambda needs to send the trace "
              "segments of Function (Tracing: Active): they would never reach X-Ray, and nothing would fail to say "
              "so. Add them to FunctionRole (Resource \"*\", the only one they take), or attach "
              "AWSXRayDaemonWriteAccess.")
MANAGED = "      ManagedPolicyArns:\n        - {arn}\n      Policies:\n        # Only its own"


@pytest.mark.parametrize(("change", "expected"), [
    pytest.param(lambda repo: None, [], id="as-generated"),
    pytest.param(lambda repo: edit(repo / "template.yml", TRACES_POLICY, ""),
                 [NOT_TRACED.format(missing="xray:PutTraceSegments, xray:PutTelemetryRecords")], id="policy-removed"),
    pytest.param(lambda repo: edit(repo / "template.yml", "                  - xray:PutTelemetryRecords\n", ""),
                 [NOT_TRACED.format(missing="xray:PutTelemetryRecords")], id="one-of-two"),
    pytest.param(lambda repo: (edit(repo / "template.yml", TRACES_POLICY, ""),
                               edit(repo / "template.yml", "      Policies:\n        # Only its own", MANAGED.format(
                                   arn="!Sub arn:${AWS::Partition}:iam::aws:policy/AWSXRayDaemonWriteAccess"))),
                 [], id="managed-policy"),
    pytest.param(lambda repo: (edit(repo / "template.yml", TRACES_POLICY, ""),
                               edit(repo / "template.yml", "      Policies:\n        # Only its own", MANAGED.format(
                                   arn="arn:aws:iam::123456789012:policy/team-policy"))),
                 ["info: template.yml: FunctionRole: attaches a managed policy this check cannot read: whether "
                  "Function may send traces was not checked."], id="unknown-managed-policy"),
])
def test_a_traced_function_s_role_must_write_traces(generate, tmp_path, offline, change, expected):
    repo = Path(shutil.copytree(generate(tracing=True), tmp_path / "repo"))
    change(repo)
    assert function_role_lines(check(repo)) == expected


LOST_LOGS = ("error: template.yml: Second: logs to /aws/lambda/orders-api-dev-stack-second in dev, and its role "
             "FunctionRole allows logs:PutLogEvents only on arn:aws:logs:eu-west-1:${AWS::AccountId}:log-group:/aws/"
             "lambda/orders-api-dev-function:*: Lambda would drop its logs without an error. Give it a role of its "
             "own, or a LoggingConfig.LogGroup its role may write to, or allow logs:CreateLogStream and "
             "logs:PutLogEvents on its group in FunctionRole.")


@pytest.mark.parametrize(("properties", "expected"), [
    pytest.param("      Role: !GetAtt FunctionRole.Arn\n", [LOST_LOGS], id="reuses-function-role"),
    pytest.param("      Role: !GetAtt FunctionRole.Arn\n      LoggingConfig:\n        LogGroup: !Ref LogGroup\n", [],
                 id="logs-to-the-function-s-group"),
    pytest.param("", [], id="role-made-by-sam"),  # SAM gives it AWSLambdaBasicExecutionRole: any log group
])
def test_a_function_whose_role_cannot_write_its_log_group_is_an_error(repo, offline, properties, expected):
    add_resource(repo, SECOND_FUNCTION.replace("      Handler:", "      FunctionName: !Sub ${AWS::StackName}-second\n"
                                                                + properties + "      Handler:"))
    assert [line for line in check(repo).stderr.splitlines() if " logs to " in line] == expected


def test_a_table_with_its_deploy_statements_answer_passes(generate, tmp_path, offline):
    statements = [{"Sid": "OrdersTable", "Action": ["dynamodb:CreateTable", "dynamodb:DescribeTable"],
                   "Resource": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/{project}-{env}-*"}]
    repo = Path(shutil.copytree(generate(deploy_statements=statements), tmp_path / "repo"))
    add_resource(repo, TABLE)
    run = check(repo)
    assert run.returncode == 0, run.stderr
    assert "DeployRole" not in run.stdout + run.stderr
