"""Whether each environment's deploy role in pipeline/pipeline.yml provides for what template.yml declares.

CloudFormation deploys template.yml with the deploy role of pipeline/pipeline.yml, which allows
only what the generated template needs. A resource added later (a table, a queue, a schedule on
the function) needs actions that role does not have, and the deploy stops with AccessDenied,
after a push. This check finds it first:

- SAM's own transform (aws-sam-translator) gives the CloudFormation resources template.yml
  becomes, so a `Schedule` event counts as the `AWS::Events::Rule` it creates;
- CloudFormation's resource schemas, as cfn-lint ships them, list the actions each type's
  create, update and delete handlers use;
- a type is provided for when the role allows at least one of its creating actions: the create
  handler's actions in the type's own IAM namespace, other than reads and tagging.

- a resource is provided for when the statements allowing its type's main creating action
  (facts.CREATED_RESOURCE_ARNS) cover the ARN it will have, from its name property or the name
  CloudFormation makes of the stack name and its logical id.

It finds the types a role makes no provision for, and the resources named outside what the role
allows. It does not prove that every action a type may need is allowed.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from . import facts
from .template_file import resolve

# No account is reachable offline: one number stands for the deploying account on both sides.
ACCOUNT = "123456789012"

# What `sam package` would put in place of local paths: the transform only needs their form.
_UPLOADED = {"AWS::Serverless::Function": "CodeUri", "AWS::Serverless::LayerVersion": "ContentUri",
             "AWS::Serverless::Api": "DefinitionUri", "AWS::Serverless::HttpApi": "DefinitionUri",
             "AWS::Serverless::StateMachine": "DefinitionUri"}


class _NoManagedPolicies:
    """The transform asks IAM for managed policy ARNs by name; offline, there is nothing to ask."""

    def load(self) -> dict[str, str]:
        return {}


def sam_transform(template: Mapping[str, Any], parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The CloudFormation template SAM's own translator makes of `template`, offline."""
    import copy
    import logging

    from samtranslator.translator.transform import transform

    # The translator counts features into an in-memory metrics object and, as nobody publishes
    # it, warns about it on exit: nothing a user can act on.
    logging.getLogger("samtranslator.metrics.metrics").setLevel(logging.ERROR)
    fragment = copy.deepcopy(dict(template))
    for resource in (fragment.get("Resources") or {}).values():
        key = _UPLOADED.get(resource.get("Type", ""))
        properties = resource.get("Properties") or {}
        if key and isinstance(properties.get(key), str) and not properties[key].startswith("s3://"):
            properties[key] = "s3://bucket/key"
    os.environ.setdefault("AWS_DEFAULT_REGION", str(parameters.get("AWS::Region") or "us-east-1"))
    return transform(fragment, dict(parameters), _NoManagedPolicies())  # type: ignore[arg-type]


def handler_actions(resource_type: str, region: str) -> dict[str, list[str]]:
    """{"create": [...], "update": [...], "delete": [...]}: what CloudFormation's handlers use."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    try:
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, resource_type).schema
    except Exception:  # noqa: BLE001 - an unknown type or region: nothing to compare with
        return {}
    handlers = schema.get("handlers") or {}
    return {step: sorted(set((handlers.get(step) or {}).get("permissions") or []))
            for step in ("create", "update", "delete")}


def _namespace(action: str) -> str:
    return action.split(":", 1)[0].lower()


def own_namespace(handlers: Mapping[str, list[str]]) -> str | None:
    """The IAM namespace of a type: used by both its create and delete handlers, the most often."""
    create, delete = handlers.get("create") or [], handlers.get("delete") or []
    shared = {_namespace(a) for a in create} & {_namespace(a) for a in delete}
    counts = Counter(_namespace(a) for a in create + delete if _namespace(a) in shared)
    return max(sorted(counts), key=lambda name: counts[name]) if counts else None


def creating_actions(handlers: Mapping[str, list[str]]) -> list[str]:
    """The create handler's actions in the type's own namespace, other than reads and tagging."""
    namespace = own_namespace(handlers)
    reads = tuple(verb.lower() for verb in facts.DEPLOY_ROLE_NOT_CREATING)
    return [a for a in handlers.get("create") or [] if _namespace(a) == namespace
            and not a.split(":", 1)[1].lower().startswith(reads)]  # apigateway's verbs are GET, POST...


def allowed_actions(role: Mapping[str, Any]) -> list[str]:
    """The Action patterns of the role's Allow statements (inline policies)."""
    return [a for statement in policy_statements(role) if statement.get("Effect") == "Allow" for a in statement_actions(statement)]


def policy_statements(role: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    """Every statement of a role's inline policies (its Properties.Policies)."""
    for policy in (role.get("Properties") or {}).get("Policies") or []:
        statements = (policy.get("PolicyDocument") or {}).get("Statement") or []
        yield from statements if isinstance(statements, list) else [statements]


def statement_actions(statement: Mapping[str, Any]) -> list[str]:
    action = statement.get("Action") or []
    return [action] if isinstance(action, str) else [a for a in action if isinstance(a, str)]


def allows(patterns: Iterable[str], action: str) -> bool:
    """IAM's action matching: case-insensitive, with * and ? wildcards."""
    return any(fnmatch.fnmatchcase(action.lower(), pattern.lower()) for pattern in patterns)


def deploy_roles(pipeline: Mapping[str, Any]) -> dict[str, tuple[str, Mapping[str, Any]]]:
    """{environment: (logical id, role)}: roles CloudFormation assumes, by their `environment` tag."""
    roles: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for logical_id, resource in (pipeline.get("Resources") or {}).items():
        if resource.get("Type") != "AWS::IAM::Role":
            continue
        properties = resource.get("Properties") or {}
        trust = str((properties.get("AssumeRolePolicyDocument") or {}).get("Statement"))
        tags = {t.get("Key"): t.get("Value") for t in properties.get("Tags") or [] if isinstance(t, dict)}
        if facts.CLOUDFORMATION_PRINCIPAL in trust and isinstance(tags.get("environment"), str):
            roles[tags["environment"]] = (logical_id, resource)
    return roles


def example_action(creating: list[str]) -> str:
    """The action a reader recognises as creating the type: the shortest of the first verb found."""
    for verb in facts.CREATING_VERBS:
        named = [a for a in creating if a.split(":", 1)[1].lower().startswith(verb.lower())]
        if named:
            return min(named, key=len)
    return creating[0]


def unprovided_types(role: Mapping[str, Any], resources: Mapping[str, str],
                     region: str) -> dict[str, tuple[str, list[str]]] | None:
    """{type: (example creating action, logical ids)} the role allows no creating action of.

    None when the role attaches managed policies: their actions cannot be read offline.
    """
    if (role.get("Properties") or {}).get("ManagedPolicyArns"):
        return None
    patterns = allowed_actions(role)
    missing: dict[str, tuple[str, list[str]]] = {}
    for logical_id, resource_type in sorted(resources.items()):
        if resource_type in missing:
            missing[resource_type][1].append(logical_id)
            continue
        creating = creating_actions(handler_actions(resource_type, region))
        if creating and not any(allows(patterns, action) for action in creating):
            missing[resource_type] = (example_action(creating), [logical_id])
    return missing


def describe_actions(resource_type: str, region: str) -> str:
    """What CloudFormation's handlers of `resource_type` use, one line per step, for a statement."""
    handlers = handler_actions(resource_type, region)
    if not any(handlers.values()):
        raise LookupError(f"{resource_type}: CloudFormation's schemas for {region} list no handler permissions for "
                          "it. Check the type's spelling, for example AWS::SQS::Queue.")
    lines = [f"{resource_type}, as CloudFormation's handlers use it in {region} (its own namespace: "
             f"{own_namespace(handlers)}; some actions are needed only for some properties):"]
    for step in ("create", "update", "delete"):
        lines.append(f"  {step}: {', '.join(handlers[step]) or '(none)'}")
    namespace = own_namespace(handlers)
    own = sorted({a for step in handlers.values() for a in step if _namespace(a) == namespace})
    sid = "".join(resource_type.split("::")[1:])
    arn = f"arn:${{AWS::Partition}}:{namespace}:${{AWS::Region}}:${{AWS::AccountId}}:...{{project}}-{{env}}..."
    lines += ["", "A start for the answer deploy_statements (keep the actions your resource needs, write its ARN",
              "with {project} and {env}, then copier update --trust --defaults --data-file FILE):",
              "deploy_statements:", f"  - Sid: {sid}", f"    Action: [{', '.join(own)}]", f'    # Resource: "{arn}"']
    return "\n".join(lines)


@dataclass(frozen=True)
class Misplaced:
    """A resource the deploy role may create a resource of its type, but not this one."""

    logical_id: str
    name_property: str
    action: str
    arn: str  # the ARN it would have, ACCOUNT for the account
    allowed_on: tuple[str, ...]  # what the role allows `action` on
    generated: bool  # named by CloudFormation, not by template.yml


def _parameters(region: str, stack: str | None = None) -> dict[str, str]:
    found = {"AWS::Partition": "aws", "AWS::Region": region, "AWS::AccountId": ACCOUNT, "AWS::URLSuffix": "amazonaws.com"}
    return {**found, "AWS::StackName": stack} if stack else found


def created_arn(logical_id: str, resource: Mapping[str, Any], template: Mapping[str, Any],
                parameters: Mapping[str, str]) -> tuple[str, bool] | None:
    """The ARN the creating action of the resource is authorized on, and whether CloudFormation names it.

    None when it cannot be foretold: a type not in facts.CREATED_RESOURCE_ARNS, a name made of values
    known only at deploy time, or a generated name CloudFormation would shorten.
    """
    known = facts.CREATED_RESOURCE_ARNS.get(resource.get("Type", ""))
    if not known:
        return None
    _, key, form = known
    properties = resource.get("Properties") or {}
    generated = key not in properties
    if generated:
        stack = parameters.get("AWS::StackName")
        name = f"{stack}-{logical_id}-{facts.GENERATED_NAME_SUFFIX}"
        if not stack or len(name) > facts.GENERATED_NAME_MAX.get(resource["Type"], 0):
            return None
        name = name.lower() if resource["Type"] == "AWS::S3::Bucket" else name
    else:
        name = resolve(properties[key], template, parameters)
        if not isinstance(name, str):
            return None
    bus = resolve(properties.get("EventBusName", "default"), template, parameters)
    path = resolve(properties.get("Path", "/"), template, parameters)
    if not isinstance(bus, str) or not isinstance(path, str):
        return None
    if resource["Type"] == "AWS::Events::Rule" and bus != "default":
        name = f"{bus.rsplit('/', 1)[-1]}/{name}"
    return form.format(partition="aws", region=parameters["AWS::Region"], account=ACCOUNT, name=name,
                       path=path), generated


def _passes_to(statement: Mapping[str, Any], service: str) -> bool:
    """Whether the statement's iam:PassedToService condition, if any, lets the role go to `service`."""
    for operator, keys in (statement.get("Condition") or {}).items():
        for key, values in (keys or {}).items() if isinstance(keys, dict) else []:
            if key.lower() == "iam:passedtoservice" and operator.startswith("String"):
                values = [values] if isinstance(values, str) else values
                if not any(fnmatch.fnmatchcase(service, str(v)) for v in values):
                    return False
    return True


def statements_allow_on(statements: Iterable[Mapping[str, Any]], action: str,
                        pattern_of: Callable[[Any], str | None]) -> list[str] | None:
    """The resources the Allow statements allow `action` on, each made an ARN pattern by `pattern_of`;
    None if one cannot be told. For iam:PassRole, only statements that let the role go to Lambda count."""
    found: list[str] = []
    for statement in statements:
        if statement.get("Effect") != "Allow" or not allows(statement_actions(statement), action):
            continue
        if action == "iam:PassRole" and not _passes_to(statement, facts.LAMBDA_PRINCIPAL):
            continue
        if "Resource" not in statement:
            return None  # NotResource: what it allows is everything but a list
        resources = statement["Resource"]
        for value in resources if isinstance(resources, list) else [resources]:
            pattern = pattern_of(value)
            if pattern is None:
                return None
            found.append(pattern)
    return found


def allowed_resources(role: Mapping[str, Any], action: str, pipeline: Mapping[str, Any],
                      region: str) -> list[str] | None:
    """The resources the role's statements allow `action` on, resolved in the pipeline stack."""
    parameters = _parameters(region)

    def resolved(value: Any) -> str | None:
        text = resolve(value, pipeline, parameters)
        return text if isinstance(text, str) else None

    return statements_allow_on(policy_statements(role), action, resolved)


def arn_matches(pattern: str, arn: str) -> bool:
    """IAM's resource matching: case-sensitive, * and ? wildcards; any literal account stands for ours."""
    return fnmatch.fnmatchcase(arn, arn_with_account(pattern).replace("[", "[[]"))


def misplaced_resources(role: Mapping[str, Any], transformed: Mapping[str, Any], pipeline: Mapping[str, Any],
                        environment: str, region: str, stack: str | None) -> list[Misplaced]:
    """The resources of `transformed` whose ARN no statement allowing their creating action covers."""
    if (role.get("Properties") or {}).get("ManagedPolicyArns"):
        return []
    defaults = {name: str(spec["Default"]) for name, spec in (transformed.get("Parameters") or {}).items()
                if isinstance(spec, dict) and "Default" in spec}
    parameters = {**defaults, "Environment": environment, **_parameters(region, stack)}
    misplaced = []
    for logical_id, resource in sorted((transformed.get("Resources") or {}).items()):
        created = created_arn(logical_id, resource, transformed, parameters)
        if created is None:
            continue
        action = facts.CREATED_RESOURCE_ARNS[resource["Type"]][0]
        allowed_on = allowed_resources(role, action, pipeline, region)
        if allowed_on and not any(arn_matches(pattern, created[0]) for pattern in allowed_on):
            key = facts.CREATED_RESOURCE_ARNS[resource["Type"]][1]
            misplaced.append(Misplaced(logical_id, key, action, created[0], tuple(allowed_on), created[1]))
    return misplaced + unpassable_roles(role, transformed, pipeline, parameters, {m.logical_id for m in misplaced})


def function_role_arn(function: Mapping[str, Any], template: Mapping[str, Any],
                      parameters: Mapping[str, str]) -> tuple[str, str | None] | None:
    """(ARN, logical id or None) of the execution role a function is created with, when it can be told."""
    role = (function.get("Properties") or {}).get("Role")
    target = role.get("Fn::GetAtt") if isinstance(role, dict) else None
    if isinstance(target, list) and len(target) == 2 and target[1] == "Arn":
        resource = (template.get("Resources") or {}).get(target[0])
        created = created_arn(target[0], resource, template, parameters) if resource else None
        return (created[0], target[0]) if created else None
    resolved = resolve(role, template, parameters)
    if isinstance(resolved, str) and resolved.startswith("arn:"):
        return arn_with_account(resolved), None
    return None


def arn_with_account(arn: str) -> str:
    """The ARN with ACCOUNT for a literal account, as created_arn writes it."""
    parts = arn.split(":", 5)
    if len(parts) == 6 and re.fullmatch(r"\d{12}", parts[4]):
        parts[4] = ACCOUNT
    return ":".join(parts)


def unpassable_roles(role: Mapping[str, Any], transformed: Mapping[str, Any], pipeline: Mapping[str, Any],
                     parameters: Mapping[str, str], misplaced: set[str]) -> list[Misplaced]:
    """Functions whose execution role the deploy role may not pass to Lambda (iam:PassRole).

    A role already out of the deploy role's reach to create (`misplaced`) is reported there only.
    """
    found = []
    for logical_id, resource in sorted((transformed.get("Resources") or {}).items()):
        if resource.get("Type") != "AWS::Lambda::Function":
            continue
        passed = function_role_arn(resource, transformed, parameters)
        if passed is None or passed[1] in misplaced:
            continue
        allowed_on = allowed_resources(role, "iam:PassRole", pipeline, parameters["AWS::Region"])
        if allowed_on is not None and not any(arn_matches(pattern, passed[0]) for pattern in allowed_on):
            found.append(Misplaced(logical_id, "Role", "iam:PassRole", passed[0], tuple(allowed_on), False))
    return found
