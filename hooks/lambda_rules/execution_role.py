"""Whether the function's execution role allows what Lambda does with it for the function.

- Event sources: an event source mapping (an SQS, Kinesis or DynamoDB stream event on the function) makes Lambda
poll the source with the function's execution role, and Lambda refuses to create the mapping when
that role cannot read it ("The provided execution role does not have permissions..."). SAM adds
those permissions only to a role it creates itself; this template's role is explicit, so a team
adding such an event must add them. `make check` says so before the deploy does.
- Tracing: with `Tracing: Active`, Lambda's X-Ray daemon sends the function's trace segments with
  the execution role; without facts.TRACING_ACTIONS they never reach X-Ray, and no deploy or
  invocation fails to say so.
- Logs: Lambda writes a function's logs to its log group (LoggingConfig.LogGroup, else
  /aws/lambda/FUNCTION) with the execution role; a role scoped to another function's group, as
  when a second function reuses FunctionRole, loses them without an error.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from . import facts
from .deploy_role import (ACCOUNT, allows, arn_matches, created_arn, policy_statements, statement_actions,
                          statements_allow_on)
from .rules import INFO, Problem
from .template_file import resolve


def _logical_id(value: Any, attribute: str | None = None) -> str | None:
    """The logical id a Ref or Fn::GetAtt (of `attribute`, when given) points to."""
    if isinstance(value, dict):
        if "Ref" in value and attribute is None:
            return value["Ref"]
        target = value.get("Fn::GetAtt")
        if isinstance(target, list) and len(target) == 2 and (attribute is None or target[1] == attribute):
            return target[0]
    return None


def source_service(arn: Any, resources: Mapping[str, Any]) -> str | None:
    """sqs, kinesis or dynamodb: the service of an EventSourceArn, written or referenced."""
    target = _logical_id(arn)
    if target in resources:
        return facts.EVENT_SOURCE_TYPES.get(resources[target].get("Type", ""))
    text = arn.get("Fn::Sub") if isinstance(arn, dict) else arn
    if isinstance(text, list):
        text = text[0]
    match = re.match(r"^arn:[^:]+:([a-z0-9-]+):", text) if isinstance(text, str) else None
    return match.group(1) if match and match.group(1) in facts.EVENT_SOURCE_ACTIONS else None


def role_actions(role_id: str, resources: Mapping[str, Any]) -> list[str] | None:
    """The actions a role of the template allows, inline, through AWS::IAM::Policy resources and the
    managed policies this module knows; None when another managed policy is attached."""
    statements = role_statements(role_id, resources)
    return None if statements is None else [a for s in statements for a in statement_actions(s)]


def check_event_sources(transformed: Mapping[str, Any], place: str = "template.yml") -> list[Problem]:
    """Each event source mapping's source is readable with its function's execution role."""
    resources = transformed.get("Resources") or {}
    problems: list[Problem] = []
    for mapping_id, mapping in sorted(resources.items()):
        if mapping.get("Type") != "AWS::Lambda::EventSourceMapping":
            continue
        properties = mapping.get("Properties") or {}
        service = source_service(properties.get("EventSourceArn"), resources)
        function = resources.get(_logical_id(properties.get("FunctionName")) or "", {})
        role_id = _logical_id((function.get("Properties") or {}).get("Role"), "Arn")
        if service is None or role_id not in resources:
            continue  # a source or a role from outside the template: nothing to read here
        patterns = role_actions(role_id, resources)
        if patterns is None:
            problems.append(Problem(f"{place}: {role_id}", f"attaches a managed policy this check cannot read: "
                                                           f"whether Lambda may read the source of {mapping_id} "
                                                           "was not checked.", INFO))
            continue
        missing = [action for action in facts.EVENT_SOURCE_ACTIONS[service] if not allows(patterns, action)]
        if missing:
            arn = properties.get("EventSourceArn")
            source = _logical_id(arn) or (arn if isinstance(arn, str) else "its source")
            problems.append(Problem(f"{place}: {role_id}", (
                f"does not allow {', '.join(missing)}, which Lambda needs to read {source} ({service}) for "
                f"{mapping_id}: CloudFormation would fail to create the event source mapping. Add them to "
                f"{role_id}, on that source only.")))
    return problems


def check_tracing(transformed: Mapping[str, Any], place: str = "template.yml") -> list[Problem]:
    """Each function with active tracing has an execution role that may write to X-Ray."""
    resources = transformed.get("Resources") or {}
    problems: list[Problem] = []
    for function_id, function in sorted(resources.items()):
        properties = function.get("Properties") or {}
        if function.get("Type") != "AWS::Lambda::Function" or \
                (properties.get("TracingConfig") or {}).get("Mode") != "Active":
            continue
        role_id = _logical_id(properties.get("Role"), "Arn")
        if role_id not in resources:
            continue  # a role from outside the template: nothing to read here
        patterns = role_actions(role_id, resources)
        if patterns is None:
            problems.append(Problem(f"{place}: {role_id}", f"attaches a managed policy this check cannot read: "
                                                           f"whether {function_id} may send traces was not checked.",
                                    INFO))
            continue
        missing = [action for action in facts.TRACING_ACTIONS if not allows(patterns, action)]
        if missing:
            problems.append(Problem(f"{place}: {role_id}", (
                f"does not allow {', '.join(missing)}, which Lambda needs to send the trace segments of "
                f"{function_id} (Tracing: Active): they would never reach X-Ray, and nothing would fail to say so. "
                f"Add them to {role_id} "
                f"(Resource \"*\", the only one they take), or attach {facts.TRACING_MANAGED_POLICY}.")))
    return problems


def _managed_policy_actions(arn: Any) -> tuple[str, ...] | None:
    """What a managed policy this module knows allows (on every resource); None for any other."""
    text = arn.get("Fn::Sub", "") if isinstance(arn, dict) else str(arn)
    name = text.rsplit("/", 1)[-1] if isinstance(text, str) else ""
    known = {facts.EVENT_SOURCE_MANAGED_POLICIES[source]: actions for source, actions in facts.EVENT_SOURCE_ACTIONS.items()}
    known[facts.TRACING_MANAGED_POLICY] = facts.TRACING_ACTIONS
    known.update(dict.fromkeys(facts.BASIC_EXECUTION_POLICIES, facts.LOG_WRITING_ACTIONS))
    return known.get(name)


def role_statements(role_id: str, resources: Mapping[str, Any]) -> list[Mapping[str, Any]] | None:
    """The Allow statements of a role of the template: inline, from AWS::IAM::Policy resources, and
    those of the managed policies this module knows; None when another one is attached (it cannot be
    read offline)."""
    role = resources[role_id]
    policies = list((role.get("Properties") or {}).get("Policies") or [])
    for resource in resources.values():
        if resource.get("Type") in ("AWS::IAM::Policy", "AWS::IAM::RolePolicy"):
            properties = resource.get("Properties") or {}
            attached = [_logical_id(r) for r in properties.get("Roles") or []] + [_logical_id(properties.get("RoleName"))]
            policies += [properties] if role_id in attached else []
    statements = [s for s in policy_statements({"Properties": {"Policies": policies}}) if s.get("Effect") == "Allow"]
    for arn in (role.get("Properties") or {}).get("ManagedPolicyArns") or []:
        actions = _managed_policy_actions(arn)
        if actions is None:
            return None
        statements.append({"Effect": "Allow", "Action": list(actions), "Resource": "*"})
    return statements


def _log_group_arn(value: Any, template: Mapping[str, Any], parameters: Mapping[str, str]) -> str | None:
    """A statement's Resource as an ARN pattern: `!GetAtt LogGroup.Arn` (the group's ARN and ":*")
    included; None when it cannot be told."""
    target = value.get("Fn::GetAtt") if isinstance(value, dict) else None
    resources = template.get("Resources") or {}
    if isinstance(target, list) and target[1:] == ["Arn"] and target[0] in resources:
        created = created_arn(target[0], resources[target[0]], template, parameters)
        return f"{created[0]}:*" if created and resources[target[0]].get("Type") == "AWS::Logs::LogGroup" else None
    resolved = resolve(value, template, parameters)
    return resolved if isinstance(resolved, str) else None


def function_log_group(function: Mapping[str, Any], template: Mapping[str, Any],
                       parameters: Mapping[str, str]) -> str | None:
    """The log group Lambda writes the function's logs to; None when it cannot be told."""
    properties = function.get("Properties") or {}
    group = (properties.get("LoggingConfig") or {}).get("LogGroup")
    target = _logical_id(group) if group is not None else None
    if target in (template.get("Resources") or {}):
        group = ((template["Resources"][target].get("Properties") or {}).get("LogGroupName"))
    if group is not None:
        name = resolve(group, template, parameters)
        return name if isinstance(name, str) else None
    function_name = resolve(properties.get("FunctionName"), template, parameters)
    return f"/aws/lambda/{function_name}" if isinstance(function_name, str) else None


def check_log_groups(transformed: Mapping[str, Any], environment: str, region: str, place: str = "template.yml",
                     stack: str | None = None) -> list[Problem]:
    """Each function's execution role may write to the function's log group."""
    resources = transformed.get("Resources") or {}
    parameters = {"Environment": environment, "AWS::Region": region, "AWS::Partition": "aws",
                  "AWS::AccountId": ACCOUNT, **({"AWS::StackName": stack} if stack else {})}
    problems: list[Problem] = []
    for function_id, function in sorted(resources.items()):
        role_id = _logical_id((function.get("Properties") or {}).get("Role"), "Arn")
        group = function_log_group(function, transformed, parameters)
        if function.get("Type") != "AWS::Lambda::Function" or role_id not in resources or group is None:
            continue
        statements = role_statements(role_id, resources)
        if statements is None:
            continue  # the tracing and event source checks say so
        allowed = statements_allow_on(statements, "logs:PutLogEvents",
                                      lambda value: _log_group_arn(value, transformed, parameters))
        stream = f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{group}:log-stream:2026/01/01/[$LATEST]0"
        if allowed is not None and not any(arn_matches(pattern, stream) for pattern in allowed):
            shown = ", ".join(a.replace(f":{ACCOUNT}:", ":${AWS::AccountId}:") for a in allowed) or "nothing"
            problems.append(Problem(f"{place}: {function_id}", (
                f"logs to {group} in {environment}, and its role {role_id} allows logs:PutLogEvents only on "
                f"{shown}: Lambda would drop its logs without an error. Give it a role of its own, or a "
                f"LoggingConfig.LogGroup its role may write to, or allow logs:CreateLogStream and "
                f"logs:PutLogEvents on its group in {role_id}.")))
    return problems


def check_execution_roles(transformed: Mapping[str, Any], place: str = "template.yml", environment: str = "",
                          region: str = "", stack: str | None = None) -> list[Problem]:
    """Everything this module checks of the execution roles (the log groups: with an environment and region)."""
    logs = check_log_groups(transformed, environment, region, place, stack) if environment and region else []
    return check_event_sources(transformed, place) + check_tracing(transformed, place) + logs
