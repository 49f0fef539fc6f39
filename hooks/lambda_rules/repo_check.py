"""`make check` of a generated repo: the same rules as the prompts, on the files as they are now.

Reads template.yml and samconfig.toml, resolves what each environment gets,
and measures it: environment variables exactly (dynamic references resolved
first when AWS credentials are at hand), and after `sam build` the unzipped
size of the function and of every layer against the 250 MB budget. Then each
environment's deploy role in pipeline/pipeline.yml against what template.yml deploys.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from . import facts, rules
from .rules import ERROR, INFO, WARNING, Problem
from .template_file import (UNRESOLVED, environments, functions, load_samconfig, load_template, resolve)

MB = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """Where the repo's files are, and whether AWS may be asked."""

    template: Path = Path("template.yml")
    samconfig: Path = Path("samconfig.toml")
    build_dir: Path = Path(".aws-sam/build")
    layer_cache: Path = Path("layer-sizes.json")
    use_aws: bool = True
    pipeline: Path = Path("pipeline/pipeline.yml")
    today: dt.date | None = None  # the date runtimes are judged on; None: today


def _has_unresolved(value: Any) -> bool:
    if value is UNRESOLVED:
        return True
    if isinstance(value, dict):
        return any(_has_unresolved(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_unresolved(v) for v in value)
    return False


def _relocate(problems: list[Problem], place: str) -> list[Problem]:
    """Problems found in an answer-shaped value, placed in the file instead."""
    return [Problem(place + re.sub(r"^[a-z_]+( \([^)]*\))?", "", p.location), p.message, p.severity)
            for p in problems]


def tree_size(path: Path) -> int:
    """Bytes of every file below `path`: what Lambda unpacks from a zip of it."""
    total = 0
    for folder, _, names in os.walk(path):
        for name in names:
            file = Path(folder, name)
            if not file.is_symlink():
                total += file.stat().st_size
    return total


def _aws_available(settings: Settings) -> bool:
    if not settings.use_aws:
        return False
    from . import resolve as dynamic  # boto3 is imported there, lazily

    return dynamic.have_credentials()


def check_scalars(where: str, properties: Mapping[str, Any]) -> list[Problem]:
    """Memory, timeout, /tmp, handler, name and description of one function."""
    problems: list[Problem] = []
    storage = (properties.get("EphemeralStorage") or {}).get("Size")
    for key, value, check in (("MemorySize", properties.get("MemorySize"), rules.check_memory_size),
                              ("Timeout", properties.get("Timeout"), rules.check_timeout),
                              ("EphemeralStorage.Size", storage, rules.check_ephemeral_storage),
                              ("Handler", properties.get("Handler"), rules.check_handler),
                              ("Description", properties.get("Description"), rules.check_description)):
        if value is not None and value is not UNRESOLVED:
            problems += _relocate(check(value), f"{where} {key}")
    name = properties.get("FunctionName")
    if isinstance(name, str):
        why = rules.name_problem(name, "function")
        if why:
            problems.append(Problem(f"{where} FunctionName", f"{why}. Change name_pattern or the name."))
    return problems


def check_variables(where: str, variables: Mapping[str, Any], region: str, aws: bool) -> list[Problem]:
    """Names and the exact 4 KB rule, on the values CloudFormation would hand to Lambda."""
    place = f"{where} Environment.Variables"
    unresolved = sorted(k for k, v in variables.items() if _has_unresolved(v))
    measurable = {k: v if isinstance(v, str) else str(v) for k, v in variables.items() if k not in unresolved}
    problems = _relocate(rules.check_env_var_names(measurable), place)
    notes: dict[str, str] = {}
    if aws and any(rules._is_dynamic_reference(v) for v in measurable.values()):
        from . import resolve as dynamic

        measurable, notes = dynamic.resolve_variables(measurable, region)
    size_problems = rules.check_env_vars_size(measurable, place)
    if aws:  # references left were reported below with their reason
        size_problems = [p for p in size_problems if p.severity == ERROR]
        problems += [Problem(f"{place}.{key}", f"measured as written: {why}.", WARNING)
                     for key, why in sorted(notes.items())]
    problems += size_problems
    if unresolved:
        problems.append(Problem(place, f"{', '.join(unresolved)} could not be resolved from the template "
                                       "alone and were not measured.", WARNING))
    return problems


def check_budget(where: str, function_dir: Path, built: list[str], arns: list[str], settings: Settings,
                 lambda_client: Any) -> list[Problem]:
    """The function and all its layers, unzipped, within 250 MB."""
    from . import layer_size

    parts: dict[str, float] = {}
    problems: list[Problem] = []
    if function_dir.is_dir():
        parts["function (built)"] = tree_size(function_dir) / MB
    for logical_id in built:
        layer_dir = settings.build_dir / logical_id
        if layer_dir.is_dir():
            parts[f"layer {logical_id} (built)"] = tree_size(layer_dir) / MB
    sizes, missing = layer_size.layer_sizes(arns, settings.layer_cache, lambda_client)
    for size in sizes:
        parts[f"{size.arn} ({size.source})"] = size.unzipped_bytes / MB
    for reason in missing:
        problems.append(Problem(f"{where} Layers", f"{reason}.", WARNING))
    total = sum(parts.values())
    if total > facts.UNZIPPED_MAX_MB:
        rounded = {name: round(size, 1) for name, size in parts.items()}
        problems.append(Problem(f"{where} Layers", f"{total:.1f} MB unzipped in all; the limit is "
                                                   f"{facts.UNZIPPED_MAX_MB} MB for the function and its layers. "
                                                   f"Taking the room: {rules.budget_table(rounded)}. "
                                                   "Drop or slim a layer, or move dependencies out."))
    elif not function_dir.is_dir():
        problems.append(Problem(f"{where} Layers", "the function is not built yet: run `make build` to "
                                                   "measure it against the 250 MB budget.", INFO))
    return problems


def check_repo(settings: Settings = Settings()) -> list[Problem]:
    """All problems of the repo, for every environment at once."""
    template = load_template(settings.template)
    samconfig = load_samconfig(settings.samconfig)
    default_region = samconfig.get("default", {}).get("global", {}).get("parameters", {}).get("region", "")
    resources = template.get("Resources") or {}
    aws = _aws_available(settings)
    envs = environments(template)
    problems: list[Problem] = []
    if not envs:
        problems.append(Problem("template.yml: Parameters.Environment", "has no AllowedValues. "
                                                                        "List the environments there."))
    budgets_done: set[tuple[str, tuple[str, ...]]] = set()
    regions: dict[str, str] = {}
    stacks: dict[str, str] = {}
    for env in envs:
        deploy = samconfig.get(env, {}).get("deploy", {}).get("parameters")
        if deploy is None:
            problems.append(Problem(f"samconfig.toml: [{env}.deploy.parameters]",
                                    "is missing. Add it, or run copier update."))
            deploy = {}
        region = regions[env] = deploy.get("region", default_region)
        stacks[env] = str(deploy.get("stack_name", ""))
        for key, rule in (("stack_name", "stack"), ("s3_bucket", "bucket")):
            if key in deploy:
                why = rules.name_problem(str(deploy[key]), rule)
                if why:
                    problems.append(Problem(f"samconfig.toml: [{env}.deploy.parameters] {key}", f"{why}."))
        for logical_id, raw in functions(template).items():
            where = f"template.yml: {logical_id} ({env})"
            built = [layer["Ref"] for layer in raw.get("Layers") or []
                     if isinstance(layer, dict) and layer.get("Ref") in resources]
            properties = resolve(raw, template, {"Environment": env, "AWS::Region": region})
            problems += check_scalars(where, properties)
            variables = (properties.get("Environment") or {}).get("Variables") or {}
            problems += check_variables(where, variables, region, aws)
            arns = [layer for layer in properties.get("Layers") or [] if isinstance(layer, str)]
            problems += _relocate(rules.check_layers(arns, region, built_layers=len(built)), f"{where} Layers")
            if (logical_id, tuple(arns)) not in budgets_done:
                budgets_done.add((logical_id, tuple(arns)))
                client = _lambda_client(region) if aws else None
                problems += check_budget(f"template.yml: {logical_id}", settings.build_dir / logical_id,
                                         built, arns, settings, client)
    for logical_id, raw in functions(template).items():  # the same runtime in every environment
        runtime = resolve(raw.get("Runtime"), template, {"Environment": envs[0] if envs else ""})
        problems += _relocate(rules.check_runtime_dates(runtime, settings.today), f"template.yml: {logical_id} Runtime")
    transformed = sam_transforms(template, regions)
    problems += check_deploy_roles(template, regions, settings.pipeline, transformed, stacks)
    problems += check_function_roles(transformed, regions, stacks)
    problems += check_alarms(transformed)
    return _dedupe(problems)


def sam_transforms(template: Mapping[str, Any], regions: Mapping[str, str]) -> dict[str, dict[str, Any]] | Problem:
    """What SAM's transform makes of template.yml in each environment, or why it refused it."""
    from . import deploy_role  # SAM's translator, only here

    try:
        return {env: deploy_role.sam_transform(template, {"Environment": env, "AWS::Region": region})
                for env, region in regions.items()}
    except Exception as error:  # noqa: BLE001 - the translator's refusals have many types
        return Problem("template.yml", f"SAM's transform refused it, so the deploy roles were not checked: "
                                       f"{_causes(error)} (`sam validate --lint` says more).", WARNING)


def check_alarms(transformed: dict[str, dict[str, Any]] | Problem) -> list[Problem]:
    """Each Duration alarm on a function of the template still fires near that function's timeout."""
    if isinstance(transformed, Problem) or not transformed:
        return []
    resources = next(iter(transformed.values()))["Resources"]  # timeouts are the same in every environment
    problems = []
    for logical_id, alarm in sorted(resources.items()):
        properties = alarm.get("Properties") or {}
        if alarm.get("Type") != "AWS::CloudWatch::Alarm" or properties.get("MetricName") != "Duration":
            continue
        targets = [d.get("Value", {}).get("Ref") for d in properties.get("Dimensions") or []
                   if d.get("Name") == "FunctionName" and isinstance(d.get("Value"), dict)]
        function = resources.get(targets[0] if targets else "", {})
        if function.get("Type") == "AWS::Lambda::Function":
            timeout = (function.get("Properties") or {}).get("Timeout", facts.TIMEOUT_DEFAULT_S)
            problems += _relocate(rules.check_duration_alarm(properties.get("Threshold"), timeout, targets[0]),
                                  f"template.yml: {logical_id} Threshold")
    return problems


def check_function_roles(transformed: dict[str, dict[str, Any]] | Problem, regions: Mapping[str, str],
                         stacks: Mapping[str, str] | None = None) -> list[Problem]:
    """The execution role lets Lambda read every queue and stream the function is mapped to, send its traces
    and write its logs."""
    from . import execution_role

    if isinstance(transformed, Problem) or not transformed:
        return []  # a refusal is reported with the deploy roles
    environment, template = next(iter(transformed.items()))  # the same role in every environment
    return execution_role.check_execution_roles(template, environment=environment, region=regions[environment],
                                                stack=(stacks or {}).get(environment))


def check_deploy_roles(template: Mapping[str, Any], regions: Mapping[str, str], pipeline_file: Path,
                       transformed: dict[str, dict[str, Any]] | Problem | None = None,
                       stacks: Mapping[str, str] | None = None) -> list[Problem]:
    """Each environment's deploy role provides for every resource template.yml deploys.

    `stacks` (environment: stack name) lets it foretell the names CloudFormation makes.
    """
    if not pipeline_file.is_file():
        return [Problem(str(pipeline_file), "is missing: what each environment's deploy role may deploy was not "
                                            "checked.", INFO)]
    from . import deploy_role  # cfn-lint's schemas, only here

    pipeline = load_template(pipeline_file)
    roles = deploy_role.deploy_roles(pipeline)
    transformed = sam_transforms(template, regions) if transformed is None else transformed
    problems: list[Problem] = []
    lacking: dict[str, tuple[str, list[str], list[str]]] = {}  # type: (example, logical ids, roles)
    misplaced: dict[tuple[str, str], list[tuple[str, str, Any]]] = {}  # (logical id, action): per environment
    for env, region in regions.items():
        if env not in roles:
            problems.append(Problem(str(pipeline_file), f"has no deploy role for {env} (an IAM role that "
                                                        f"{facts.CLOUDFORMATION_PRINCIPAL} assumes, tagged "
                                                        f"environment: {env}): run copier update.", WARNING))
            continue
        if isinstance(transformed, Problem):
            return problems + [transformed]
        resources = {logical_id: r["Type"] for logical_id, r in transformed[env]["Resources"].items()}
        role_id, role = roles[env]
        missing = deploy_role.unprovided_types(role, resources, region)
        if missing is None:
            problems.append(Problem(f"{pipeline_file}: {role_id}", "attaches managed policies, which cannot be read "
                                                                    "offline: what it may deploy was not checked.",
                                    INFO))
            continue
        for resource_type, (example, logical_ids) in missing.items():
            entry = lacking.setdefault(resource_type, (example, logical_ids, []))
            entry[2].append(role_id)
        for found in deploy_role.misplaced_resources(role, transformed[env], pipeline, env, region,
                                                     (stacks or {}).get(env)):
            misplaced.setdefault((found.logical_id, found.action), []).append((env, role_id, found))
    for resource_type, (example, logical_ids, role_ids) in sorted(lacking.items()):
        problems.append(Problem(f"{pipeline_file}: {', '.join(role_ids)}", (
            f"allow{'s' if len(role_ids) == 1 else ''} no action that creates {resource_type} (such as {example}), "
            f"and template.yml declares {', '.join(logical_ids)}: CloudFormation would stop the deploy with "
            f"AccessDenied. Add a statement for it, scoped to each environment's names, to the answer "
            f"deploy_statements (then copier update) or to each deploy role (`make role-actions "
            f"TYPE={resource_type}` lists the actions CloudFormation uses), then run `make pipeline`.")))
    for (logical_id, action), found in misplaced.items():
        problems.append((_unpassable_problem if action == "iam:PassRole" else _misplaced_problem)(
            logical_id, found, template))
    return problems


def _shown(arn: str) -> str:
    """An ARN as a statement would write it."""
    from .deploy_role import ACCOUNT

    return arn.replace(f":{ACCOUNT}:", ":${AWS::AccountId}:").replace(facts.GENERATED_NAME_SUFFIX, "<random>")


def _misplaced_problem(logical_id: str, found: list[tuple[str, str, Any]], template: Mapping[str, Any]) -> Problem:
    """One error per resource, its first environment as the example."""
    env, role_id, first = found[0]
    declared = template.get("Resources") or {}
    # SAM names what it makes after the resource it makes it for: SecondRole for Second.
    source = max((lid for lid in declared if logical_id.startswith(lid)), key=len, default="")
    key = first.name_property
    made = logical_id not in declared and source
    if first.generated:
        start = (f"SAM makes it for {source} with no {key}" if made else f"has no {key}") + \
            ", so CloudFormation names it after the stack: its"
    else:
        start = f"SAM makes it for {source}: its" if made else "its"
    fix = (f"Declare it in template.yml with a {key} the deploy roles allow and use it in {source}" if made
           else f"Give it a {key} the deploy roles allow")
    likewise = f" (likewise in {', '.join(other for other, _, _ in found[1:])})" if found[1:] else ""
    return Problem(f"template.yml: {logical_id}", (
        f"{start} ARN in {env} would be {_shown(first.arn)}, and {role_id} allows {first.action} only on "
        f"{', '.join(_shown(a) for a in first.allowed_on)}{likewise}: CloudFormation would stop the deploy with "
        f"AccessDenied. {fix}, or allow its ARN, with {{env}} for the environment, in the answer deploy_statements "
        f"(then copier update), then run `make pipeline`."))


def _unpassable_problem(logical_id: str, found: list[tuple[str, str, Any]], template: Mapping[str, Any]) -> Problem:
    """A function whose execution role no deploy role may pass to Lambda."""
    env, role_id, first = found[0]
    likewise = f" (likewise in {', '.join(other for other, _, _ in found[1:])})" if found[1:] else ""
    return Problem(f"template.yml: {logical_id}", (
        f"its execution role in {env} would be {_shown(first.arn)}, and {role_id} may pass to Lambda "
        f"(iam:PassRole) only {', '.join(_shown(a) for a in first.allowed_on)}{likewise}: CloudFormation would stop "
        f"the deploy with AccessDenied. Give it a role the deploy roles may pass, or allow iam:PassRole on its role, "
        f"with {{env}} for the environment, in the answer deploy_statements (then copier update), then run "
        f"`make pipeline`."))


def _causes(error: Exception) -> str:
    """The translator's own messages: it gathers them in `causes`."""
    causes = getattr(error, "causes", None) or [error]
    return " ".join(str(getattr(cause, "message", cause)) for cause in causes)


def _lambda_client(region: str) -> Any:
    import boto3

    return boto3.client("lambda", region_name=region)


def _dedupe(problems: list[Problem]) -> list[Problem]:
    """Each problem once; a warning or note repeated for several environments, once without them."""
    kept: dict[tuple[str, str], Problem] = {}
    for problem in problems:
        shared = re.sub(r" \([a-z0-9]+\)", "", problem.location) if problem.severity != ERROR else problem.location
        key = (shared, problem.message)
        if key in kept and kept[key].location != shared:
            kept[key] = Problem(shared, problem.message, problem.severity)
        kept.setdefault(key, problem)
    return list(kept.values())
