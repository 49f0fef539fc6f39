"""`make check` of a generated repo: the same rules as the prompts, on the files as they are now."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Mapping

from . import rules
from .rules import Problem
from .template_file import UNRESOLVED, environments, functions, load_samconfig, load_template, resolve


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


def check_function(logical_id: str, properties: Mapping[str, Any], env: str, region: str) -> list[Problem]:
    """Every rule on one function as deployed to `env`."""
    where = f"template.yml: {logical_id} ({env})"
    problems: list[Problem] = []
    for key, check in (("MemorySize", rules.check_memory_size), ("Timeout", rules.check_timeout)):
        if key in properties:
            problems += _relocate(check(properties[key]), f"{where} {key}")
    name = properties.get("FunctionName")
    if isinstance(name, str):
        why = rules.name_problem(name, "function")
        if why:
            problems.append(Problem(f"{where} FunctionName", f"{why}. Change name_pattern or the name."))
    variables = (properties.get("Environment") or {}).get("Variables") or {}
    unmeasured = sorted(k for k, v in variables.items() if _has_unresolved(v))
    measurable = {k: v for k, v in variables.items() if k not in unmeasured}
    place = f"{where} Environment.Variables"
    problems += _relocate(rules.check_env_var_names(measurable), place)
    if not rules.errors(problems):
        problems += [Problem(place, p.message, p.severity) for p in rules.check_env_vars_size(measurable, place)]
    if unmeasured:
        problems.append(Problem(place, f"{', '.join(unmeasured)} could not be resolved here and "
                                       "were not measured.", rules.WARNING))
    layers = properties.get("Layers") or []
    problems += _relocate(rules.check_layers([l for l in layers if isinstance(l, str)], region), f"{where} Layers")
    return problems


def check_repo(template_path: Path, samconfig_path: Path) -> list[Problem]:
    """All problems of the repo, for every environment at once."""
    template = load_template(template_path)
    samconfig = load_samconfig(samconfig_path)
    default_region = samconfig.get("default", {}).get("global", {}).get("parameters", {}).get("region", "")
    envs = environments(template)
    problems: list[Problem] = []
    if not envs:
        problems.append(Problem("template.yml: Parameters.Environment", "has no AllowedValues. "
                                "List the environments there."))
    for env in envs:
        deploy = samconfig.get(env, {}).get("deploy", {}).get("parameters")
        if deploy is None:
            problems.append(Problem(f"samconfig.toml: [{env}.deploy.parameters]",
                                    "is missing. Add it, or run copier update."))
            deploy = {}
        region = deploy.get("region", default_region)
        for key, rule in (("stack_name", "stack"), ("s3_bucket", "bucket")):
            if key in deploy:
                why = rules.name_problem(str(deploy[key]), rule)
                if why:
                    problems.append(Problem(f"samconfig.toml: [{env}.deploy.parameters] {key}", f"{why}."))
        for logical_id, properties in functions(template).items():
            resolved = resolve(properties, template, {"Environment": env, "AWS::Region": region})
            problems += check_function(logical_id, resolved, env, region)
    return _dedupe(problems)


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen, kept = set(), []
    for problem in problems:
        key = (problem.location, problem.message)
        if key not in seen:
            seen.add(key)
            kept.append(problem)
    return kept

