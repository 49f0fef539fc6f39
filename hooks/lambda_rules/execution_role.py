"""Whether the function's execution role allows what Lambda does with it for the function.

- Event sources: an event source mapping (an SQS, Kinesis or DynamoDB stream event on the function) makes Lambda
poll the source with the function's execution role, and Lambda refuses to create the mapping when
that role cannot read it ("The provided execution role does not have permissions..."). SAM adds
those permissions only to a role it creates itself; this template's role is explicit, so a team
adding such an event must add them. `make check` says so before the deploy does.
- Tracing: with `Tracing: Active`, Lambda's X-Ray daemon sends the function's trace segments with
  the execution role; without facts.TRACING_ACTIONS they never reach X-Ray, and no deploy or
  invocation fails to say so.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from . import facts
from .deploy_role import allowed_actions, allows
from .rules import INFO, Problem


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
    """The actions a role of the template allows, inline and through AWS::IAM::Policy resources.

    None when a managed policy this check does not know is attached: it cannot be read offline.
    """
    role = resources[role_id]
    patterns = allowed_actions(role)
    for arn in (role.get("Properties") or {}).get("ManagedPolicyArns") or []:
        text = arn.get("Fn::Sub", "") if isinstance(arn, dict) else str(arn)
        name = text.rsplit("/", 1)[-1] if isinstance(text, str) else ""
        known = [actions for source, actions in facts.EVENT_SOURCE_ACTIONS.items()
                 if name == facts.EVENT_SOURCE_MANAGED_POLICIES[source]]
        known += [facts.TRACING_ACTIONS] if name == facts.TRACING_MANAGED_POLICY else []
        if name in facts.BASIC_EXECUTION_POLICIES:
            continue
        if not known:
            return None
        patterns += known[0]
    for resource in resources.values():
        if resource.get("Type") in ("AWS::IAM::Policy", "AWS::IAM::RolePolicy"):
            properties = resource.get("Properties") or {}
            attached = [_logical_id(r) for r in properties.get("Roles") or []]
            attached.append(_logical_id(properties.get("RoleName")))
            if role_id in attached:
                patterns += allowed_actions({"Properties": {"Policies": [properties]}})
    return patterns


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


def check_execution_roles(transformed: Mapping[str, Any], place: str = "template.yml") -> list[Problem]:
    """Everything this module checks of the execution roles."""
    return check_event_sources(transformed, place) + check_tracing(transformed, place)
