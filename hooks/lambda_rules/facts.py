"""AWS facts this template depends on: one place, read by every check.

The copier prompts, the JSON Schema of the answers, the generated repo's
`make check` and the docs all read these values; change a limit here and
every one of them follows. Sources are those of shared/reference/aws-facts.md.
"""

from __future__ import annotations

# --- Lambda environment variables -------------------------------------------
# Lambda guide, "Troubleshoot deployment issues": the Variables map, as compact
# JSON, in UTF-8 bytes, escapes included.
ENV_VARS_MAX_BYTES = 4096
# botocore Lambda model, EnvironmentVariableName.
ENV_VAR_NAME_PATTERN = r"^[a-zA-Z][a-zA-Z0-9_]+$"
# Lambda guide (reserved environment variables) united with cfn-lint E3663.
RESERVED_ENV_VARS = (
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
)
# Listed by the Lambda guide, not confirmed to be enforced: accepted with a warning.
DOUBTFUL_ENV_VARS = ("TZ",)
# CloudFormation dynamic references: resolved before Lambda stores the value.
DYNAMIC_REFERENCE_PATTERN = r"\{\{resolve:(ssm|ssm-secure|secretsmanager):[^}]+\}\}"

# --- Lambda function (standard functions) -----------------------------------
MEMORY_MB = (128, 10240)
TIMEOUT_S = (1, 900)
TIMEOUT_DEFAULT_S = 3  # Lambda's, when a function sets no Timeout
EPHEMERAL_STORAGE_MB = (512, 10240)
ARCHITECTURES = ("x86_64", "arm64")
MAX_LAYERS = 5
UNZIPPED_MAX_MB = 250
DESCRIPTION_MAX = 256
HANDLER_MAX = 128
LAYER_ARN_MAX = 2048
# botocore LayerVersionArn, abridged: partition, region, account, name, version.
LAYER_ARN_PATTERN = (
    r"^arn:(?P<partition>aws[a-zA-Z-]*):lambda:(?P<region>[a-z]{2,4}(-[a-z]+)?-[a-z]+-\d{1,2})"
    r":(?P<account>\d{12}):layer:(?P<name>[a-zA-Z0-9_-]+):(?P<version>[1-9][0-9]*)$"
)

# --- Regions and partitions -------------------------------------------------
REGION_PATTERN = r"^[a-z]{2,4}(-[a-z]+)?-[a-z]+-\d{1,2}$"
# Region prefix -> partition; the longest matching prefix wins, "aws" otherwise.
PARTITION_BY_REGION_PREFIX = {
    "cn-": "aws-cn",
    "us-gov-": "aws-us-gov",
    "us-iso-": "aws-iso",
    "us-isob-": "aws-iso-b",
    "eu-isoe-": "aws-iso-e",
    "us-isof-": "aws-iso-f",
    "eusc-": "aws-eusc",
}

# --- Runtimes ---------------------------------------------------------------
# Lifecycle dates from cfn-lint's runtime data (2026-06). `offered` is what
# this template can generate today.
# Warn this many days (6 months) before a runtime's deprecation, while answering and in `make check`.
RUNTIME_NOTICE_DAYS = 183
RUNTIMES = {
    "python3.10": {"language": "python", "version": "3.10", "offered": False,
                   "deprecated": "2026-10-31", "block_create": "2027-02-01", "block_update": "2027-03-03"},
    "python3.11": {"language": "python", "version": "3.11", "offered": True,
                   "deprecated": "2027-06-30", "block_create": "2027-07-31", "block_update": "2027-08-31"},
    "python3.12": {"language": "python", "version": "3.12", "offered": True,
                   "deprecated": "2028-10-31", "block_create": "2028-11-30", "block_update": "2029-01-10"},
    "python3.13": {"language": "python", "version": "3.13", "offered": True,
                   "deprecated": "2029-06-30", "block_create": "2029-07-31", "block_update": "2029-08-31"},
    "python3.14": {"language": "python", "version": "3.14", "offered": True,
                   "deprecated": "2029-06-30", "block_create": "2029-07-31", "block_update": "2029-08-31"},
    "nodejs20.x": {"language": "nodejs", "version": "20", "offered": False,
                   "deprecated": "2026-04-30", "block_create": "2027-02-01", "block_update": "2027-03-03"},
    "nodejs22.x": {"language": "nodejs", "version": "22", "offered": True,
                   "deprecated": "2027-04-30", "block_create": "2027-06-01", "block_update": "2027-07-01"},
    "nodejs24.x": {"language": "nodejs", "version": "24", "offered": True,
                   "deprecated": "2028-04-30", "block_create": "2028-06-01", "block_update": "2028-07-01"},
}

# --- Resource names ---------------------------------------------------------
# AWS name rules: label, allowed pattern, minimum and maximum length.
NAME_RULES = {
    "function": {"label": "Lambda function", "pattern": r"^[a-zA-Z0-9_-]+$", "min": 1, "max": 64,
                 "allowed": "letters, digits, '-' and '_'"},
    "stack": {"label": "CloudFormation stack", "pattern": r"^[a-zA-Z][-a-zA-Z0-9]*$", "min": 1, "max": 128,
              "allowed": "a letter, then letters, digits and '-'"},
    "bucket": {"label": "S3 bucket", "pattern": r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$", "min": 3, "max": 63,
               "allowed": "lowercase letters, digits, '.' and '-', starting and ending with a letter or digit"},
    "layer": {"label": "Lambda layer", "pattern": r"^[a-zA-Z0-9_-]+$", "min": 1, "max": 140,
              "allowed": "letters, digits, '-' and '_'"},
    "repository": {"label": "CodeCommit repository", "pattern": r"^[\w.-]+$", "min": 1, "max": 100,
                   "allowed": "letters, digits, '_', '.' and '-', not ending in '.git'"},
    "codebuild": {"label": "CodeBuild project", "pattern": r"^[A-Za-z0-9][A-Za-z0-9_-]*$", "min": 2, "max": 150,
                  "allowed": "a letter or digit, then letters, digits, '-' and '_'"},
    "pipeline": {"label": "CodePipeline pipeline", "pattern": r"^[A-Za-z0-9.@_-]+$", "min": 1, "max": 100,
                 "allowed": "letters, digits and '.@-_'"},
    "role": {"label": "IAM role", "pattern": r"^[\w+=,.@-]+$", "min": 1, "max": 64,
             "allowed": "letters, digits and '+=,.@-_'"},
    "user": {"label": "IAM user", "pattern": r"^[\w+=,.@-]+$", "min": 1, "max": 64,
             "allowed": "letters, digits and '+=,.@-_'"},
    "connection": {"label": "CodeConnections connection", "pattern": r"^[A-Za-z0-9_.-]+$", "min": 1, "max": 32,
                   "allowed": "letters, digits and '-_.'"},
    "host": {"label": "CodeConnections host", "pattern": r"^[A-Za-z0-9_.-]+$", "min": 1, "max": 64,
             "allowed": "letters, digits and '-_.'"},
    # SNS topic (1-256) and AWS Chatbot configuration (1-128): the stricter of the two.
    "topic": {"label": "SNS topic / Chatbot configuration", "pattern": r"^[A-Za-z0-9_-]+$", "min": 1, "max": 128,
              "allowed": "letters, digits, '-' and '_'"},
    "notification_rule": {"label": "notification rule", "pattern": r"^[A-Za-z0-9_ -]+$", "min": 1, "max": 64,
                          "allowed": "letters, digits, ' ', '-' and '_'"},
}
S3_BUCKET_FORBIDDEN_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
S3_BUCKET_FORBIDDEN_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3")

# The resources this template names, from the answer `name_pattern`:
# the {type} token, the AWS rule that applies, and whether there is one per
# environment or one per project (then {env} is dropped with its separator).
# `only` names the answer value that brings the resource; its name is then
# checked by that answer's question, not by name_pattern's.
RESOURCES = {
    "function": {"type": "function", "rule": "function", "per_environment": True},
    "stack": {"type": "stack", "rule": "stack", "per_environment": True},
    "function_role": {"type": "role", "rule": "role", "per_environment": True},
    "pipeline": {"type": "pipeline", "rule": "pipeline", "per_environment": True},
    # One build project per pipeline, so that each environment's build has its own role.
    "codebuild": {"type": "build", "rule": "codebuild", "per_environment": True},
    "pipeline_role": {"type": "pipe-role", "rule": "role", "per_environment": True},
    "build_role": {"type": "build-role", "rule": "role", "per_environment": True},
    # Assumed by CloudFormation for `sam deploy`: the only role that may change the function.
    "deploy_role": {"type": "deploy-role", "rule": "role", "per_environment": True},
    # Starts the pipeline on a push to its CodeCommit branch (sources gitlab-mirror, codecommit).
    "trigger_role": {"type": "events-role", "rule": "role", "per_environment": True},
    "notification_rule": {"type": "notify", "rule": "notification_rule", "per_environment": True},
    # Only with the answer dependencies_layer: the layer SAM builds from layers/dependencies/.
    "dependencies_layer": {"type": "deps", "rule": "layer", "per_environment": True},
    "artifact_bucket": {"type": "artifacts", "rule": "bucket", "per_environment": False},
    "repository": {"type": "repo", "rule": "repository", "per_environment": False},
    "pipeline_stack": {"type": "cicd", "rule": "stack", "per_environment": False},
    "mirror_user": {"type": "mirror", "rule": "user", "per_environment": False},
    "notifications": {"type": "alerts", "rule": "topic", "per_environment": False},
    # Only with the answer alarms: the topic the function's alarms publish to, in the pipeline stack.
    "alarm_topic": {"type": "alarms", "rule": "topic", "per_environment": True},
    "chatbot_role": {"type": "chatbot-role", "rule": "role", "per_environment": False},
    "connection": {"type": "gitlab", "rule": "connection", "per_environment": False,
                   "only": ("source_provider", "codeconnections")},
    "gitlab_host": {"type": "gitlab-host", "rule": "host", "per_environment": False,
                    "only": ("source_provider", "codeconnections")},
}
NAME_PATTERN_PLACEHOLDERS = ("project", "env", "type")

# --- Pipeline (pipeline/pipeline.yml) ----------------------------------------
SOURCE_PROVIDERS = ("gitlab-mirror", "codeconnections", "codecommit")
NOTIFICATIONS = ("none", "email", "slack")
TEMPLATE_UPDATES = ("gitlab-schedule", "renovate", "none")
# CodeBuild images by architecture (CodeBuild guide, "Docker images provided by CodeBuild"),
# with the language versions each one runs.
CODEBUILD_IMAGES = {
    "x86_64": {"image": "aws/codebuild/amazonlinux-x86_64-standard:5.0", "type": "LINUX_CONTAINER",
               "python": ("3.9", "3.14"), "nodejs": ("18", "24")},
    "arm64": {"image": "aws/codebuild/amazonlinux-aarch64-standard:3.0", "type": "ARM_CONTAINER",
              "python": ("3.9", "3.14"), "nodejs": ("20", "24")},
}
CODEBUILD_COMPUTE_TYPE = "BUILD_GENERAL1_SMALL"
# GitLab CI runs the same make targets in SAM's build image of the runtime (SAM CLI, the
# runtime, pip, npm and make), published by AWS on the ECR Public Gallery.
SAM_BUILD_IMAGE = "public.ecr.aws/sam/build-{runtime}:latest"
# Tools a generated repo needs from outside its requirements (its Makefile names them when missing).
OUTSIDE_TOOLS = {
    "sam": ("SAM CLI", "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/"
                       "install-sam-cli.html"),
    "aws": ("the AWS CLI", "https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html"),
}
# The deploy role (pipeline/pipeline.yml) is the role CloudFormation assumes: its trust principal.
CLOUDFORMATION_PRINCIPAL = "cloudformation.amazonaws.com"
# The service a deploy role passes the execution role to (iam:PassedToService).
LAMBDA_PRINCIPAL = "lambda.amazonaws.com"
# Verbs of a create handler's actions that read or tag: allowing one of them does not let
# CloudFormation create a resource of that type (CloudFormation registry schemas, `handlers`).
DEPLOY_ROLE_NOT_CREATING = ("Get", "Describe", "List", "Tag", "Untag", "AddTags", "RemoveTags")
# The verbs that name creation, by preference, to show one action of a type in a message.
CREATING_VERBS = ("Create", "Publish", "Post", "Put", "Add", "Subscribe")
# The ARN each type's creating action is authorized on, and the property that names the resource
# (Service Authorization Reference, "Resource types defined by" each service; CloudFormation
# resource reference for the name properties): (action, name property, ARN form). An IAM role's
# ARN holds its Path ("/" unless set); a rule on a bus other than "default" is "rule/BUS/NAME".
CREATED_RESOURCE_ARNS = {
    "AWS::Lambda::Function": ("lambda:CreateFunction", "FunctionName",
                              "arn:{partition}:lambda:{region}:{account}:function:{name}"),
    "AWS::Lambda::LayerVersion": ("lambda:PublishLayerVersion", "LayerName",
                                  "arn:{partition}:lambda:{region}:{account}:layer:{name}"),
    "AWS::IAM::Role": ("iam:CreateRole", "RoleName", "arn:{partition}:iam::{account}:role{path}{name}"),
    "AWS::Logs::LogGroup": ("logs:CreateLogGroup", "LogGroupName",
                            "arn:{partition}:logs:{region}:{account}:log-group:{name}"),
    "AWS::SQS::Queue": ("sqs:CreateQueue", "QueueName", "arn:{partition}:sqs:{region}:{account}:{name}"),
    "AWS::SNS::Topic": ("sns:CreateTopic", "TopicName", "arn:{partition}:sns:{region}:{account}:{name}"),
    "AWS::DynamoDB::Table": ("dynamodb:CreateTable", "TableName",
                             "arn:{partition}:dynamodb:{region}:{account}:table/{name}"),
    "AWS::Events::Rule": ("events:PutRule", "Name", "arn:{partition}:events:{region}:{account}:rule/{name}"),
    "AWS::Kinesis::Stream": ("kinesis:CreateStream", "Name",
                             "arn:{partition}:kinesis:{region}:{account}:stream/{name}"),
    "AWS::StepFunctions::StateMachine": ("states:CreateStateMachine", "StateMachineName",
                                         "arn:{partition}:states:{region}:{account}:stateMachine:{name}"),
    "AWS::S3::Bucket": ("s3:CreateBucket", "BucketName", "arn:{partition}:s3:::{name}"),
    "AWS::CloudWatch::Alarm": ("cloudwatch:PutMetricAlarm", "AlarmName",
                               "arn:{partition}:cloudwatch:{region}:{account}:alarm:{name}"),
}
# Without its name property, CloudFormation names a resource "STACK-LOGICALID-RANDOM" (lower case
# for S3 buckets), shortened to fit the type's limit (CloudFormation User Guide, "Name type").
# Where shortening applies, the name cannot be foretold: these types are the ones it applies to.
GENERATED_NAME_MAX = {"AWS::IAM::Role": 64, "AWS::Events::Rule": 64, "AWS::S3::Bucket": 63,
                      "AWS::SQS::Queue": 80, "AWS::Lambda::Function": 64, "AWS::SNS::Topic": 256,
                      "AWS::DynamoDB::Table": 255, "AWS::Kinesis::Stream": 128,
                      "AWS::StepFunctions::StateMachine": 80, "AWS::Logs::LogGroup": 512,
                      "AWS::Lambda::LayerVersion": 140, "AWS::CloudWatch::Alarm": 255}
GENERATED_NAME_SUFFIX = "RANDOMSUFFIX1"
# CodePipeline keeps a pipeline's artifacts in the artifact bucket under a folder "based on the
# name of the pipeline" (CodePipeline API, ArtifactStore): its first 20 characters, as observed.
PIPELINE_ARTIFACT_FOLDER_CHARS = 20
# What Lambda needs in the function's execution role to poll an event source, by service (Lambda
# guide, "Execution role permissions" of SQS, Kinesis and DynamoDB Streams; the AWS managed
# policies below grant the same). CreateEventSourceMapping is refused without them.
EVENT_SOURCE_ACTIONS = {
    "sqs": ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
    "kinesis": ("kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
                "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:ListStreams"),
    "dynamodb": ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                 "dynamodb:ListStreams"),
}
EVENT_SOURCE_MANAGED_POLICIES = {"sqs": "AWSLambdaSQSQueueExecutionRole", "kinesis": "AWSLambdaKinesisExecutionRole",
                                 "dynamodb": "AWSLambdaDynamoDBExecutionRole"}
EVENT_SOURCE_TYPES = {"AWS::SQS::Queue": "sqs", "AWS::Kinesis::Stream": "kinesis", "AWS::DynamoDB::Table": "dynamodb",
                      "AWS::DynamoDB::GlobalTable": "dynamodb"}
# With active tracing (Tracing: Active), Lambda sends the function's trace segments to X-Ray with its
# execution role (Lambda guide, "Visualize Lambda function invocations using AWS X-Ray": the role
# needs these, as the managed policy below grants them). X-Ray's Service Authorization Reference
# lists no resource type for them: "*" is the only Resource they take.
TRACING_ACTIONS = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")
TRACING_MANAGED_POLICY = "AWSXRayDaemonWriteAccess"
# Managed policies that only let a function write its logs: nothing to read for this check.
BASIC_EXECUTION_POLICIES = ("AWSLambdaBasicExecutionRole",)
# What those policies allow, on every log group: what Lambda writes a function's logs with.
LOG_WRITING_ACTIONS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")
# deploy_statements: IAM statements a team adds to every environment's deploy role for what it adds
# to template.yml. Actions are written one by one in IAM's service:Action form, and no resource is
# "*", as in the generated roles; {project} and {env} in a resource are filled per environment.
IAM_ACTION_PATTERN = r"^[a-z0-9-]+:[A-Za-z0-9]+$"
IAM_SID_PATTERN = r"^[A-Za-z0-9]{1,64}$"
DEPLOY_STATEMENT_KEYS = ("Sid", "Action", "Resource")
# The answer alarms: CloudWatch alarms on the function's metrics (namespace AWS/Lambda, Lambda
# guide "Types of metrics for Lambda functions"), each over one period: (name suffix, metric,
# statistic, threshold). A Duration threshold of None stands for ALARM_TIMEOUT_SHARE of the timeout.
ALARMS = (("errors", "Errors", "Sum", 1), ("throttles", "Throttles", "Sum", 1), ("duration", "Duration", "Maximum", None))
ALARM_PERIOD_S = 300
ALARM_TIMEOUT_SHARE = 0.9
# Days before a pipeline artifact, or an old version of any object, expires from the bucket.
ARTIFACT_EXPIRY_DAYS = 30
GITLAB_COM = "https://gitlab.com"
# GitLab access levels (REST API, protected branches): who may push and merge.
GITLAB_ACCESS_LEVELS = {"developers": 30, "maintainers": 40}
# gitlab.com or a self-managed GitLab: https://, a host, maybe a port and a path, no trailing '/'.
GITLAB_URL_PATTERN = r"^https://[A-Za-z0-9.-]+(:\d{1,5})?(/[A-Za-z0-9._~-]+)*$"
# A GitLab project path: group[/subgroup...]/project.
GITLAB_PROJECT_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)+$"
# AWS Chatbot: SlackWorkspaceId (team id, e.g. T0123ABCD) and SlackChannelId (e.g. C0123ABCD).
SLACK_WORKSPACE_ID_PATTERN = r"^[0-9A-Z]{1,255}$"
SLACK_CHANNEL_ID_PATTERN = r"^[A-Za-z0-9]{1,256}$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"
# API Gateway REST API ids are 10 lowercase letters and digits; a method or ANY.
API_ID_PATTERN = r"^[a-z0-9]{10}$"
API_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY")
# A resource path: '/' or segments of letters, digits, '._-' or one {parameter} (greedy {name+} last).
API_PATH_SEGMENT = r"[A-Za-z0-9._-]+|\{[A-Za-z0-9_]+\}"
API_PATH_GREEDY = r"\{[A-Za-z0-9_]+\+\}"

# --- This template's own conventions ----------------------------------------
PROJECT_NAME_MAX = 64
PROJECT_SLUG_PATTERN = r"^[a-z][a-z0-9-]*$"
PROJECT_SLUG_MAX = 40
ENVIRONMENT_NAME_PATTERN = r"^[a-z][a-z0-9]*$"
ENVIRONMENT_NAME_MAX = 10
# The function's own unzipped size before anything is known of it, in MB, by language:
# aws-lambda-powertools 3.37.0 with its dependencies unpacks to 4.0 MB, and
# @aws-lambda-powertools/logger 2.36.0 with its dependencies to less; src/ adds little.
# With the answer dependencies_layer, this moves from the function to its layer.
FUNCTION_ESTIMATE_MB = {"python": 5, "nodejs": 5}
# Where a layer's content must sit for the runtime to find it (Lambda guide, "Layer paths").
LAYER_CONTENT_DIR = {"python": "python", "nodejs": "nodejs/node_modules"}
# Where SAM's build method for a language reads a layer's or function's dependencies from.
DEPENDENCY_MANIFEST = {"python": "requirements.txt", "nodejs": "package.json"}
# The Node.js handler's file in src/, and the ECMAScript version esbuild compiles TypeScript to.
NODE_HANDLER_FILE = {False: "index.mjs", True: "index.ts"}
ESBUILD_TARGET = "es2022"
# Log retention of the function's log group, in days.
LOG_RETENTION_DAYS = 30

# Versions the generated repo pins (pip), so its tests run the same everywhere.
PINS = {
    "aws-lambda-powertools": "3.37.0",
    "pytest": "9.2.0",
    "cfn-lint": "1.58.0",
    "pyyaml": "6.0.4",
    "boto3": "1.43.108",
    "python-gitlab": "8.6.0",
    # The scheduled template check (template_updates: gitlab-schedule) runs this copier.
    "copier": "9.19.1",
    "copier-template-extensions": "0.3.4",
    "questionary": "2.1.1",
}
# The same for Node.js repos, exact versions in package.json; @types/node follows the runtime's
# major version.
NPM_PINS = {
    "@aws-lambda-powertools/logger": "2.36.0",
    "typescript": "5.9.3",
    "esbuild": "0.28.2",
    "@types/aws-lambda": "8.10.164",
    "@types/node@22": "22.20.7",
    "@types/node@24": "24.19.4",
}
