"""Checks of the answers against AWS's rules, as plain functions.

Each check returns a list of `Problem`s, every problem at once, each with the
place it is about (`env_vars.DB_URL`) and a message that gives the measured
value, the limit and the fix. Nothing here prints or raises: callers decide.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
import string
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from . import facts

ERROR = "error"
WARNING = "warning"
INFO = "info"  # a note: what was not checked, and why


@dataclass(frozen=True)
class Problem:
    """One finding: where, what, and how bad."""

    location: str
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


def errors(problems: Iterable[Problem]) -> list[Problem]:
    """The problems that block, leaving warnings out."""
    return [p for p in problems if p.severity == ERROR]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_range(location: str, value: Any, bounds: tuple[int, int], unit: str) -> list[Problem]:
    low, high = bounds
    if not _is_int(value):
        return [Problem(location, f"{value!r} is not a whole number. Use {low} to {high} {unit}.")]
    if not low <= value <= high:
        return [Problem(location, f"{value} {unit} is outside the limit of {low} to {high} {unit}. "
                                  f"Use {low} to {high} {unit}.")]
    return []


# --- Project ------------------------------------------------------------------

def check_project_name(value: Any) -> list[Problem]:
    """1 to 64 characters of anything printable."""
    if not isinstance(value, str) or not value.strip():
        return [Problem("project_name", "is empty. Give the function's name, for example orders-api.")]
    if len(value) > facts.PROJECT_NAME_MAX:
        return [Problem("project_name", f"{len(value)} characters; the limit is {facts.PROJECT_NAME_MAX}. "
                                        "Use a shorter name.")]
    return []


def slugify(value: str) -> str:
    """A slug from a free-form name: "Orders API v2" -> "orders-api-v2"."""
    slug = re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-")
    slug = slug.lstrip("0123456789-")
    return slug[: facts.PROJECT_SLUG_MAX].rstrip("-")


def check_project_slug(value: Any) -> list[Problem]:
    """Lowercase letters, digits and hyphens, starting with a letter."""
    if not isinstance(value, str) or not re.match(facts.PROJECT_SLUG_PATTERN, value):
        return [Problem("project_slug", f"{value!r} is not a slug. Use lowercase letters, digits and '-', "
                                        "starting with a letter, for example orders-api.")]
    problems = []
    if len(value) > facts.PROJECT_SLUG_MAX:
        problems.append(Problem("project_slug", f"{len(value)} characters; the limit is "
                                                f"{facts.PROJECT_SLUG_MAX}. Use a shorter slug."))
    if value.endswith("-") or "--" in value:
        problems.append(Problem("project_slug", f"{value!r} ends with '-' or has '--'. "
                                                "Use single hyphens between words."))
    return problems


def check_description(value: Any) -> list[Problem]:
    """Lambda descriptions hold at most 256 characters."""
    if value is None:
        return []
    if not isinstance(value, str):
        return [Problem("description", f"{value!r} is not text. Quote it.")]
    if len(value) > facts.DESCRIPTION_MAX:
        return [Problem("description", f"{len(value)} characters; the limit is {facts.DESCRIPTION_MAX}. "
                                       "Shorten it.")]
    return []


# --- Region, environments, branches -------------------------------------------

def partition_of(region: str) -> str:
    """The AWS partition a region belongs to (aws, aws-cn, aws-us-gov, ...)."""
    matches = [p for p in facts.PARTITION_BY_REGION_PREFIX if region.startswith(p)]
    return facts.PARTITION_BY_REGION_PREFIX[max(matches, key=len)] if matches else "aws"


def check_region(value: Any) -> list[Problem]:
    """A region code such as eu-west-1."""
    if not isinstance(value, str) or not re.match(facts.REGION_PATTERN, value):
        return [Problem("aws_region", f"{value!r} is not a region code. Use one such as eu-west-1 or us-east-1.")]
    return []


_BRANCH_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")


def branch_name_problem(name: Any) -> str | None:
    """Why `name` is not a valid git branch name (git check-ref-format), or None."""
    if not isinstance(name, str) or not name:
        return "is empty"
    if name == "HEAD" or name == "@":
        return f"{name!r} is reserved by git"
    if name.startswith("-"):
        return "starts with '-'"
    if _BRANCH_FORBIDDEN.search(name):
        return "has a space, control character or one of ~^:?*[\\"
    if ".." in name or "@{" in name or "//" in name:
        return "has '..', '@{' or '//'"
    if name.startswith("/") or name.endswith("/") or name.endswith("."):
        return "starts or ends with '/', or ends with '.'"
    if any(part.startswith(".") or part.endswith(".lock") for part in name.split("/")):
        return "has a part that starts with '.' or ends with '.lock'"
    return None


def check_environments(value: Any) -> list[Problem]:
    """A mapping of environment name to git branch, branches all different."""
    if not isinstance(value, Mapping) or not value:
        return [Problem("environments", "needs at least one entry, as a mapping of environment to branch, "
                                        "for example {dev: develop, prod: master}.")]
    problems = []
    seen: dict[str, str] = {}
    for env, branch in value.items():
        where = f"environments.{env}"
        if not isinstance(env, str) or not re.match(facts.ENVIRONMENT_NAME_PATTERN, env):
            problems.append(Problem(where, f"{env!r} is not an environment name. Use lowercase letters and "
                                           "digits, starting with a letter, for example dev or prod."))
        elif len(env) > facts.ENVIRONMENT_NAME_MAX:
            problems.append(Problem(where, f"{len(env)} characters; the limit is {facts.ENVIRONMENT_NAME_MAX}. "
                                           "Use a shorter name, for example prod."))
        why = branch_name_problem(branch)
        if why:
            problems.append(Problem(where, f"branch {branch!r} {why}. Use a valid git branch name, "
                                           "for example develop."))
        elif branch in seen:
            problems.append(Problem(where, f"branch {branch!r} is already used by {seen[branch]}. "
                                           "Give each environment its own branch."))
        else:
            seen[branch] = env
    return problems


# --- Names --------------------------------------------------------------------

def _pattern_fields(pattern: str) -> list[str | None]:
    return [field for _, field, _, _ in string.Formatter().parse(pattern) if field is not None]


def resource_name(pattern: str, project: str, environment: str | None, resource: str) -> str:
    """The name `pattern` gives `resource` of `project` in `environment`.

    Resources that exist once per project drop `{env}` with one separator next to it.
    """
    spec = facts.RESOURCES[resource]
    if not spec["per_environment"]:
        pattern = re.sub(r"[-_.]\{env\}|\{env\}[-_.]?", "", pattern, count=1)
        environment = None
    return pattern.format(project=project, env=environment or "", type=spec["type"])


def resource_names(pattern: str, project: str, environments: Iterable[str]) -> dict[str, Any]:
    """Every name the naming convention gives, per project and per environment."""
    per_project = {r: resource_name(pattern, project, None, r)
                   for r, spec in facts.RESOURCES.items() if not spec["per_environment"]}
    per_env = {env: {r: resource_name(pattern, project, env, r)
                     for r, spec in facts.RESOURCES.items() if spec["per_environment"]}
               for env in environments}
    return {"project": per_project, "environments": per_env}


def artifact_folder(pipeline: str) -> str:
    """The folder of the artifact bucket where CodePipeline keeps the artifacts of `pipeline`."""
    return pipeline[:facts.PIPELINE_ARTIFACT_FOLDER_CHARS]


def name_problem(name: str, rule: str) -> str | None:
    """Why `name` breaks the AWS name rule `rule` (a key of facts.NAME_RULES), or None."""
    spec = facts.NAME_RULES[rule]
    label = spec["label"]
    if not spec["min"] <= len(name) <= spec["max"]:
        return (f"{label} name {name!r} has {len(name)} characters; the limit is "
                f"{spec['min']} to {spec['max']}")
    if not re.match(spec["pattern"], name):
        return f"{label} name {name!r} may only have {spec['allowed']}"
    if rule == "repository" and name.endswith(".git"):
        return f"{label} name {name!r} ends with '.git'"
    if rule == "bucket":
        if ".." in name:
            return f"{label} name {name!r} has '..'"
        try:
            ipaddress.IPv4Address(name)
            return f"{label} name {name!r} is an IP address"
        except ValueError:
            pass
        for prefix in facts.S3_BUCKET_FORBIDDEN_PREFIXES:
            if name.startswith(prefix):
                return f"{label} name {name!r} starts with {prefix!r}, which S3 reserves"
        for suffix in facts.S3_BUCKET_FORBIDDEN_SUFFIXES:
            if name.endswith(suffix):
                return f"{label} name {name!r} ends with {suffix!r}, which S3 reserves"
    return None


def check_name_pattern(pattern: Any, project: str, environments: Mapping[str, str]) -> list[Problem]:
    """The naming convention is well formed and every name it gives obeys its AWS rule.

    The artifact bucket is left to its own question, which may override it.
    """
    where = "name_pattern"
    if not isinstance(pattern, str) or not pattern:
        return [Problem(where, "is empty. Use placeholders {project}, {env} and {type}, "
                               "for example {project}-{env}-{type}.")]
    try:
        fields = _pattern_fields(pattern)
    except ValueError as error:
        return [Problem(where, f"{pattern!r} is not a valid pattern ({error}). "
                               "Use {project}, {env} and {type} in single braces.")]
    unknown = sorted({f for f in fields if f not in facts.NAME_PATTERN_PLACEHOLDERS})
    if unknown:
        return [Problem(where, f"unknown placeholder(s) {', '.join('{' + f + '}' for f in unknown)}. "
                               "Use only {project}, {env} and {type}.")]
    missing = [f for f in facts.NAME_PATTERN_PLACEHOLDERS if fields.count(f) != 1]
    if missing:
        return [Problem(where, f"{pattern!r} must hold each of {{project}}, {{env}} and {{type}} once "
                               f"(check {', '.join('{' + f + '}' for f in missing)}), so that names differ "
                               "by project, environment and resource.")]
    problems = []
    names = resource_names(pattern, project, environments)
    scoped = [(None, names["project"])] + list(names["environments"].items())
    for env, by_resource in scoped:
        for resource, name in by_resource.items():
            if resource == "artifact_bucket" or "only" in facts.RESOURCES[resource]:
                continue
            why = name_problem(name, facts.RESOURCES[resource]["rule"])
            if why:
                place = f"{where} ({env})" if env else where
                problems.append(Problem(place, f"{why}. Shorten the project slug or environment names, "
                                               "or change the pattern."))
    pipelines: dict[str, list[str]] = {}
    for by_resource in names["environments"].values():
        pipelines.setdefault(artifact_folder(by_resource["pipeline"]), []).append(by_resource["pipeline"])
    for folder, shared in pipelines.items():
        if len(shared) > 1:
            problems.append(Problem(where, (
                f"the pipelines {', '.join(shared)} share their first {facts.PIPELINE_ARTIFACT_FOLDER_CHARS} "
                f"characters, {folder!r}, the folder where CodePipeline keeps their artifacts: each of these "
                "environments' pipeline and build roles can then read the others' source artifacts. Put {env} "
                "earlier in the pattern (for example {env}-{project}-{type}) or shorten the project slug."),
                WARNING))
    return problems


def check_bucket_name(value: Any) -> list[Problem]:
    """S3 bucket name rules."""
    if not isinstance(value, str):
        return [Problem("artifact_bucket", f"{value!r} is not a name. Use a bucket name such as orders-api-artifacts.")]
    why = name_problem(value, "bucket")
    return [Problem("artifact_bucket", f"{why}. Use a valid bucket name, for example orders-api-artifacts.")] if why else []


# --- Function configuration ---------------------------------------------------

def check_runtime(value: Any, today: dt.date | None = None) -> list[Problem]:
    """An offered runtime, not past its deprecation date; a warning within 6 months of it."""
    offered = [r for r, spec in facts.RUNTIMES.items() if spec["offered"]]
    if value not in offered:
        return [Problem("runtime", f"{value!r} is not offered. Use one of {', '.join(offered)}.")]
    today = today or dt.date.today()
    deprecated = dt.date.fromisoformat(facts.RUNTIMES[value]["deprecated"])
    if today >= deprecated:
        return [Problem("runtime", f"{value} was deprecated on {deprecated}. Use a newer runtime.")]
    if today >= deprecated - dt.timedelta(days=facts.RUNTIME_NOTICE_DAYS):
        return [Problem("runtime", f"{value} will be deprecated on {deprecated}, within 6 months. "
                                   "Plan a move to a newer runtime.", WARNING)]
    return []


def newest_runtime(language: str) -> str:
    """The offered runtime of `language` with the latest deprecation date."""
    offered = [r for r, spec in facts.RUNTIMES.items() if spec["offered"] and spec["language"] == language]
    return max(offered, key=lambda r: (facts.RUNTIMES[r]["deprecated"], r))


def check_runtime_dates(value: Any, today: dt.date | None = None) -> list[Problem]:
    """A deployed function's runtime against Lambda's deprecation schedule, on every `make check`.

    Deprecated: no more patches, a warning; creation blocked: a new environment's first deploy
    fails, a warning; update blocked: every deploy fails, an error. Within 6 months of the
    deprecation, a warning. A runtime this template does not know is left alone.
    """
    spec = facts.RUNTIMES.get(value) if isinstance(value, str) else None
    if spec is None:
        return []
    today = today or dt.date.today()
    deprecated, create, update = (dt.date.fromisoformat(spec[key]) for key in ("deprecated", "block_create",
                                                                                  "block_update"))
    newer = newest_runtime(spec["language"])
    move = f"Move to {newer}: copier update --trust --defaults --data runtime={newer}."
    if today >= update:
        return [Problem("runtime", f"Lambda refuses updates of {value} functions since {update}: every deploy fails. "
                                   f"{move}")]
    if today >= create:
        return [Problem("runtime", f"Lambda refuses to create {value} functions since {create} (a new environment's "
                                   f"first deploy fails), and will refuse updates from {update}. {move}", WARNING)]
    if today >= deprecated:
        return [Problem("runtime", f"{value} is deprecated since {deprecated} (no more security patches); Lambda "
                                   f"refuses to create its functions from {create} and to update them from {update}. "
                                   f"{move}", WARNING)]
    if today >= deprecated - dt.timedelta(days=facts.RUNTIME_NOTICE_DAYS):
        return [Problem("runtime", f"{value} will be deprecated on {deprecated}; Lambda refuses to update its "
                                   f"functions from {update}. {move}", WARNING)]
    return []


def check_architecture(value: Any, runtime: str | None = None) -> list[Problem]:
    """A Lambda architecture whose CodeBuild image can build and test `runtime`."""
    if value not in facts.ARCHITECTURES:
        return [Problem("architecture", f"{value!r} is not an architecture. Use {' or '.join(facts.ARCHITECTURES)}.")]
    spec = facts.RUNTIMES.get(runtime or "")
    if spec:
        image = facts.CODEBUILD_IMAGES[value]
        low, high = image[spec["language"]]
        version = _version_tuple(spec["version"])
        if not _version_tuple(low) <= version <= _version_tuple(high):
            others = [a for a in facts.ARCHITECTURES if a != value]
            return [Problem("architecture", f"CodeBuild's {value} image {image['image']} runs "
                                            f"{spec['language']} {low} to {high}, not {spec['version']}. "
                                            f"Use {' or '.join(others)}, or another runtime.")]
    return []


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def check_memory_size(value: Any) -> list[Problem]:
    return _check_range("memory_size", value, facts.MEMORY_MB, "MB")


def check_timeout(value: Any) -> list[Problem]:
    return _check_range("timeout", value, facts.TIMEOUT_S, "seconds")


def check_ephemeral_storage(value: Any) -> list[Problem]:
    return _check_range("ephemeral_storage", value, facts.EPHEMERAL_STORAGE_MB, "MB")


def check_handler(value: Any) -> list[Problem]:
    """file.method form, at most 128 characters, no white space."""
    if not isinstance(value, str) or not re.match(r"^[^\s]+\.[^\s.]+$", value):
        return [Problem("handler", f"{value!r} is not of the form file.function. Use, for example, "
                                   "app.lambda_handler.")]
    if len(value) > facts.HANDLER_MAX:
        return [Problem("handler", f"{len(value)} characters; the limit is {facts.HANDLER_MAX}. "
                                   "Use a shorter module path or function name.")]
    return []


# --- Environment variables ----------------------------------------------------

def env_vars_size(variables: Mapping[str, Any]) -> int:
    """Bytes Lambda counts for a Variables map: compact JSON, UTF-8, escapes included."""
    return len(json.dumps(dict(variables), separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def _entry_size(key: str, value: str) -> int:
    return env_vars_size({key: value}) - 2  # without the braces; the comma is left out too


def function_variables(env_vars: Mapping[str, str] | None, project: str, environment: str,
                       env_overrides: Mapping[str, Mapping[str, str | None]] | None = None) -> dict[str, str]:
    """The whole Variables map the function gets in `environment`.

    The template's own variables, then `env_vars`, then that environment's
    `env_overrides`, where a null value removes the variable.
    """
    merged = {"ENVIRONMENT": environment, "POWERTOOLS_SERVICE_NAME": project, **dict(env_vars or {}),
              **dict((env_overrides or {}).get(environment) or {})}
    return {k: v for k, v in merged.items() if v is not None}


def variables_by_environment(env_vars: Mapping[str, str] | None,
                             env_overrides: Mapping[str, Mapping[str, str | None]] | None,
                             environments: Iterable[str]) -> list[dict[str, Any]]:
    """The user's variables for template.yml: each key with its shared value (None when it has
    none) and the environments whose value differs, as [(environment, value or None)]."""
    env_vars, env_overrides = dict(env_vars or {}), dict(env_overrides or {})
    keys = list(env_vars) + [k for env in environments for k in (env_overrides.get(env) or {})]
    rows = []
    for key in dict.fromkeys(keys):
        base = env_vars.get(key)
        differing = [(env, (env_overrides.get(env) or {}).get(key, base)) for env in environments]
        differing = [(env, value) for env, value in differing if value != base]
        rows.append({"key": key, "base": base, "overrides": differing})
    return rows


def differing_environments(rows: Iterable[Mapping[str, Any]], environments: Iterable[str]) -> list[str]:
    """The environments, in order, in which some variable of `rows` differs from its shared value."""
    found = {env for row in rows for env, _ in row["overrides"]}
    return [env for env in environments if env in found]


def _is_dynamic_reference(value: str) -> bool:
    return bool(re.search(facts.DYNAMIC_REFERENCE_PATTERN, value))


def check_env_var_names(variables: Mapping[str, Any], where: str = "env_vars") -> list[Problem]:
    """Name pattern, reserved names, string values."""
    problems = []
    for key, value in variables.items():
        place = f"{where}.{key}"
        if key in facts.RESERVED_ENV_VARS:
            problems.append(Problem(place, f"{key} is reserved by Lambda and cannot be set. Use another name."))
        elif not isinstance(key, str) or not re.match(facts.ENV_VAR_NAME_PATTERN, key):
            problems.append(Problem(place, f"{key!r} is not a valid name. Use a letter, then at least one more "
                                           "letter, digit or '_'."))
        elif key in facts.DOUBTFUL_ENV_VARS:
            problems.append(Problem(place, f"{key} is listed as reserved by the Lambda guide; "
                                           "a deployment may refuse it.", WARNING))
        if not isinstance(value, str):
            problems.append(Problem(place, f"{value!r} is a {type(value).__name__}, not text. "
                                           f"Quote it: {key}: '{value}'."))
        elif "{{resolve:ssm-secure:" in value:
            problems.append(Problem(place, "CloudFormation does not resolve ssm-secure references in Lambda "
                                           "environment variables. Use {{resolve:secretsmanager:...}}, or "
                                           "read the parameter at run time."))
    return problems


def check_env_vars_size(variables: Mapping[str, str], where: str, top: int = 3) -> list[Problem]:
    """The 4 KB rule on one complete Variables map, naming the biggest entries when over."""
    size = env_vars_size(variables)
    problems = []
    if size > facts.ENV_VARS_MAX_BYTES:
        biggest = sorted(variables.items(), key=lambda kv: _entry_size(*kv), reverse=True)[:top]
        listing = ", ".join(f"{k} ({_entry_size(k, v)} bytes)" for k, v in biggest)
        problems.append(Problem(where, f"{size} bytes; the limit is {facts.ENV_VARS_MAX_BYTES} "
                                       f"(compact JSON, UTF-8). Biggest: {listing}. Shorten values or move "
                                       "them to SSM Parameter Store or Secrets Manager and pass "
                                       "'{{resolve:ssm:NAME}}'."))
    dynamic = sorted(k for k, v in variables.items() if _is_dynamic_reference(v))
    if dynamic:
        what = "is a dynamic reference" if len(dynamic) == 1 else "are dynamic references"
        problems.append(Problem(where, f"{', '.join(dynamic)} {what}, measured as written: its size is known "
                                       "once resolved, which `make check` does with AWS credentials.", WARNING))
    return problems


def check_env_vars(value: Any, project: str, environments: Iterable[str]) -> list[Problem]:
    """Every rule on env_vars, with the 4 KB rule on each environment's complete map."""
    if value is None:
        return []
    if not isinstance(value, Mapping):
        return [Problem("env_vars", f"{value!r} is not a mapping. Use NAME: value pairs, "
                                    "for example {TABLE_NAME: orders, LOG_LEVEL: INFO}.")]
    problems = check_env_var_names(value)
    problems += [Problem(f"env_vars.{key}", f"{key} is set by this template. Use another name.")
                 for key in value if key in function_variables({}, project, "")]
    if errors(problems):
        return problems
    for env in environments:
        problems += check_env_vars_size(function_variables(value, project, env), f"env_vars ({env})")
    return _merge_warnings(problems)


def check_env_overrides(value: Any, env_vars: Mapping[str, str] | None, project: str,
                        environments: Iterable[str]) -> list[Problem]:
    """Overrides name known environments, follow the name rules, and every merged map fits in 4 KB."""
    if value is None:
        return []
    environments = list(environments)
    if not isinstance(value, Mapping):
        return [Problem("env_overrides", f"{value!r} is not a mapping. Use environment: {{NAME: value}}, "
                                         "for example {prod: {LOG_LEVEL: WARN}}.")]
    problems = []
    for env, variables in value.items():
        place = f"env_overrides.{env}"
        if env not in environments:
            problems.append(Problem(place, f"{env!r} is not an environment. Use one of "
                                           f"{', '.join(environments)}."))
            continue
        if not isinstance(variables, Mapping):
            problems.append(Problem(place, f"{variables!r} is not a mapping. Use NAME: value pairs."))
            continue
        set_vars = {k: v for k, v in variables.items() if v is not None}
        problems += check_env_var_names(set_vars, place)
        problems += [Problem(f"{place}.{key}", f"{key} is set by this template. Use another name.")
                     for key in variables if key in function_variables({}, project, env)]
    if errors(problems):
        return problems
    for env in environments:
        merged = function_variables(env_vars if isinstance(env_vars, Mapping) else {}, project, env, value)
        # env_vars' own question already noted its dynamic references: only errors here.
        problems += errors(check_env_vars_size(merged, f"env_overrides ({env})"))
    return _merge_warnings(problems)


def _merge_warnings(problems: list[Problem]) -> list[Problem]:
    """Drop a warning that repeats an earlier one for another environment."""
    seen, merged = set(), []
    for problem in problems:
        key = (problem.severity, problem.message) if problem.severity == WARNING else id(problem)
        if key not in seen:
            seen.add(key)
            merged.append(problem)
    return merged


# --- Layers -------------------------------------------------------------------

def normalize_layers(value: Any) -> list[dict[str, Any]]:
    """Layers as a list of {arn, unzipped_mb} mappings (unzipped_mb may be None)."""
    items = value or []
    return [{"arn": item, "unzipped_mb": None} if isinstance(item, str)
            else {"arn": item.get("arn"), "unzipped_mb": item.get("unzipped_mb")}
            for item in items if isinstance(item, (str, Mapping))]


def budget_table(parts: Mapping[str, float]) -> str:
    """What takes the room of the 250 MB budget, biggest first, as 'name N MB' pairs."""
    ranked = sorted(parts.items(), key=lambda kv: kv[1], reverse=True)
    return ", ".join(f"{name} {size:g} MB" for name, size in ranked)


def check_layers(value: Any, region: str, function_mb: float = 0, built_layers: int = 0) -> list[Problem]:
    """At most 5 layers (built ones included), well-formed ARNs in the function's region and
    partition, no layer twice, and the declared unzipped sizes plus the function within 250 MB."""
    if value is None:
        return []
    if not isinstance(value, list):
        return [Problem("layers", f"{value!r} is not a list. Use a YAML list of layer version ARNs, "
                                  "for example [arn:aws:lambda:eu-west-1:123456789012:layer:deps:3].")]
    problems = []
    count = len(value) + built_layers
    if count > facts.MAX_LAYERS:
        built = f" ({built_layers} built by this repo)" if built_layers else ""
        problems.append(Problem("layers", f"{count} layers{built}; the limit is {facts.MAX_LAYERS} per function. "
                                          "Merge layers or drop some."))
    seen: dict[tuple[str, str], tuple[int, str]] = {}
    parts: dict[str, float] = {"function (estimate)": function_mb} if function_mb else {}
    for index, item in enumerate(value):
        place = f"layers[{index}]"
        if isinstance(item, Mapping):
            unknown = sorted(set(item) - {"arn", "unzipped_mb"})
            if unknown:
                problems.append(Problem(place, f"unknown key(s) {', '.join(map(str, unknown))}. "
                                               "Use only arn and unzipped_mb."))
            arn, size = item.get("arn"), item.get("unzipped_mb")
            if size is not None:
                if isinstance(size, bool) or not isinstance(size, (int, float)) or not 0 < size <= facts.UNZIPPED_MAX_MB:
                    problems.append(Problem(place, f"unzipped_mb {size!r} is not a size from 0 to "
                                                   f"{facts.UNZIPPED_MAX_MB} MB. Give the layer's unzipped size in MB."))
                else:
                    parts[f"layers[{index}]"] = size
        elif isinstance(item, str):
            arn = item
        else:
            problems.append(Problem(place, f"{item!r} is neither an ARN nor a mapping. Use an ARN or "
                                           "{arn: ..., unzipped_mb: ...}."))
            continue
        if not isinstance(arn, str):
            problems.append(Problem(place, "has no arn. Give the layer version ARN."))
            continue
        match = re.match(facts.LAYER_ARN_PATTERN, arn)
        if len(arn) > facts.LAYER_ARN_MAX or not match:
            problems.append(Problem(place, f"{arn!r} is not a layer version ARN. Use the form "
                                           "arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION."))
            continue
        if match["region"] != region or match["partition"] != partition_of(region):
            problems.append(Problem(place, f"layer is in {match['partition']}/{match['region']}, the function in "
                                           f"{partition_of(region)}/{region}. Use the layer's copy in {region}."))
        layer = (match["account"], match["name"])
        if layer in seen:
            first, version = seen[layer]
            problems.append(Problem(place, f"layer {match['name']} is already layers[{first}] (version {version}). "
                                           "Keep one version of each layer."))
        else:
            seen[layer] = (index, match["version"])
    total_mb = sum(parts.values())
    if total_mb > facts.UNZIPPED_MAX_MB:
        problems.append(Problem("layers", f"{total_mb:g} MB unzipped in all; the limit is {facts.UNZIPPED_MAX_MB} MB "
                                          f"for the function and its layers. Taking the room: "
                                          f"{budget_table(parts)}. Drop or slim a layer."))
    return problems


# --- Dispatch for the prompts -------------------------------------------------

def check_layers_answer(value: Any, region: str, runtime: str, dependencies_layer: bool = False) -> list[Problem]:
    """The layers answer, with the function's own size estimated from its language; the layer
    this repo builds (answer dependencies_layer) counts toward the limit of 5."""
    language = facts.RUNTIMES.get(runtime, {}).get("language", "python")
    return check_layers(value, region, function_mb=facts.FUNCTION_ESTIMATE_MB[language],
                        built_layers=1 if dependencies_layer is True else 0)


def check_typescript(value: Any, runtime: str) -> list[Problem]:
    """TypeScript is a Node.js choice: refused with a Python runtime."""
    if value is not True or facts.RUNTIMES.get(runtime, {}).get("language") == "nodejs":
        return []
    nodes = [r for r, spec in facts.RUNTIMES.items() if spec["offered"] and spec["language"] == "nodejs"]
    return [Problem("typescript", f"true needs a Node.js runtime, and runtime is {runtime}. "
                                  f"Set typescript to false, or runtime to one of {', '.join(nodes)}.")]


# --- Pipeline answers -----------------------------------------------------------

def _check_choice(question: str, value: Any, choices: Iterable[str]) -> list[Problem]:
    choices = list(choices)
    if value not in choices:
        return [Problem(question, f"{value!r} is not one of {', '.join(choices)}. Use one of them.")]
    return []


def check_source_provider(value: Any, pattern: str, project: str, environments: Iterable[str]) -> list[Problem]:
    """A known source; with codeconnections, the connection and host names fit their rules."""
    problems = _check_choice("source_provider", value, facts.SOURCE_PROVIDERS)
    if problems or not isinstance(pattern, str):
        return problems
    for resource, spec in facts.RESOURCES.items():
        if spec.get("only") == ("source_provider", value):
            why = name_problem(resource_name(pattern, project, None, resource), spec["rule"])
            if why:
                problems.append(Problem("source_provider", f"{why}. Shorten the project slug or change "
                                                           "name_pattern, or use another source."))
    return problems


def check_gitlab_url(value: Any) -> list[Problem]:
    """gitlab.com or a self-managed GitLab, as an https:// URL without a trailing '/'."""
    if not isinstance(value, str) or not re.match(facts.GITLAB_URL_PATTERN, value):
        return [Problem("gitlab_url", f"{value!r} is not a GitLab address. Use https://gitlab.com or your "
                                      "GitLab's https:// address, without a trailing '/'.")]
    return []


def check_gitlab_project(value: Any, source_provider: str = "codeconnections") -> list[Problem]:
    """group/project; it may stay empty unless CodePipeline reads GitLab through a connection."""
    if value == "" and source_provider != "codeconnections":
        return []
    if not isinstance(value, str) or not re.fullmatch(facts.GITLAB_PROJECT_PATTERN, value) or value.endswith(".git"):
        return [Problem("gitlab_project", f"{value!r} is not a GitLab project path. Use group/project, "
                                          "as in the project's URL, for example acme/orders-api"
                                          + (" (the connection needs it)." if value == "" else "."))]
    return []


def check_template_updates(value: Any, source_provider: str, gitlab_ci: bool) -> list[Problem]:
    """A known way; a GitLab CI schedule needs GitLab and its .gitlab-ci.yml."""
    problems = _check_choice("template_updates", value, facts.TEMPLATE_UPDATES)
    if not problems and value == "gitlab-schedule" and (source_provider == "codecommit" or gitlab_ci is not True):
        problems.append(Problem("template_updates", "gitlab-schedule needs GitLab CI (a GitLab source and "
                                                    "gitlab_ci true). Use renovate or none, or turn gitlab_ci on."))
    return problems


def check_notifications(value: Any) -> list[Problem]:
    return _check_choice("notifications", value, facts.NOTIFICATIONS)


def _check_pattern(question: str, value: Any, pattern: str, what: str, fix: str) -> list[Problem]:
    """`value` is text matching `pattern`, or one problem: '<value> is not <what>. <fix>'."""
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        return [Problem(question, f"{value!r} is not {what}. {fix}")]
    return []


def check_notification_email(value: Any) -> list[Problem]:
    return _check_pattern("notification_email", value, facts.EMAIL_PATTERN, "an e-mail address",
                          "Use one such as team@example.com.")


def check_slack_workspace_id(value: Any) -> list[Problem]:
    return _check_pattern("slack_workspace_id", value, facts.SLACK_WORKSPACE_ID_PATTERN, "a Slack workspace id",
                          "Use the id AWS Chatbot shows for the workspace, capital letters and digits such as "
                          "T0123ABCD.")


def check_slack_channel_id(value: Any) -> list[Problem]:
    return _check_pattern("slack_channel_id", value, facts.SLACK_CHANNEL_ID_PATTERN, "a Slack channel id",
                          "Use the id in the channel's link (not its name), letters and digits such as C0123ABCD.")


def check_api_id(value: Any) -> list[Problem]:
    return _check_pattern("api_id", value, facts.API_ID_PATTERN, "a REST API id",
                          "Use the 10 lowercase letters and digits API Gateway shows, for example a1b2c3d4e5.")


def check_api_path(value: Any) -> list[Problem]:
    """'/' or segments of letters, digits, '._-' or one {parameter}; a greedy {name+} only last."""
    segment, greedy = facts.API_PATH_SEGMENT, facts.API_PATH_GREEDY
    if isinstance(value, str) and (value == "/" or re.fullmatch(rf"(/({segment}))*(/({segment}|{greedy}))",
                                                                 value)):
        return []
    return [Problem("api_path", f"{value!r} is not a resource path. Use '/' then segments of letters, digits, "
                                "'._-' or a {parameter}, for example /orders/{id}.")]


def check_api_method(value: Any) -> list[Problem]:
    return _check_choice("api_method", value, facts.API_METHODS)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def check_deploy_statements(value: Any) -> list[Problem]:
    """Statements for the deploy roles: Sid, one IAM action after another, resources other than '*'."""
    where = "deploy_statements"
    example = ("for example [{Sid: OrdersTable, Action: [dynamodb:CreateTable, dynamodb:DescribeTable], "
               "Resource: 'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/{project}-{env}-*'}]")
    if value is None:
        return []
    if not isinstance(value, list):
        return [Problem(where, f"{value!r} is not a list of statements. Use a list, {example}.")]
    problems: list[Problem] = []
    sids: list[str] = []
    for index, statement in enumerate(value):
        place = f"{where}[{index}]"
        if not isinstance(statement, dict) or not {"Action", "Resource"} <= set(statement):
            problems.append(Problem(place, f"{statement!r} is not a statement with Action and Resource. Use a "
                                           f"mapping, {example}."))
            continue
        unknown = sorted(set(statement) - set(facts.DEPLOY_STATEMENT_KEYS))
        if unknown:
            problems.append(Problem(place, f"has {', '.join(unknown)}; a statement here has only "
                                           f"{', '.join(facts.DEPLOY_STATEMENT_KEYS)} (Effect is always Allow)."))
        sid = statement.get("Sid")
        if sid is not None and not (isinstance(sid, str) and re.match(facts.IAM_SID_PATTERN, sid)):
            problems.append(Problem(f"{place}.Sid", f"{sid!r} is not a statement id. Use letters and digits, "
                                                    "at most 64, for example OrdersTable."))
        elif sid in sids:
            problems.append(Problem(f"{place}.Sid", f"{sid!r} is used twice. Give each statement its own Sid."))
        elif sid:
            sids.append(sid)
        actions = _as_list(statement["Action"])
        for action in actions or [None]:
            if not (isinstance(action, str) and re.match(facts.IAM_ACTION_PATTERN, action)):
                problems.append(Problem(f"{place}.Action", f"{action!r} is not one IAM action. Name each action, "
                                                           "without wildcards, for example dynamodb:CreateTable "
                                                           "(make role-actions TYPE=... in a generated repo lists "
                                                           "a type's actions)."))
        for resource in _as_list(statement["Resource"]) or [None]:
            if not isinstance(resource, str) or not resource or resource.strip() == "*":
                problems.append(Problem(f"{place}.Resource", f"{resource!r} is not a resource this role may be "
                                                             "scoped to. Give the ARN of the resources, with "
                                                             "{project} and {env} for this environment's names."))
            elif "{env}" not in resource:
                problems.append(Problem(f"{place}.Resource", f"{resource!r} has no {{env}}: every environment's "
                                                             "deploy role gets it, so a deploy of one environment "
                                                             "may change another's resources. Put {env} in the "
                                                             "name if the resources are per environment.", WARNING))
    return problems


def deploy_statements_for(value: Any, env: str, project: str) -> list[dict[str, Any]]:
    """The deploy_statements answer as one environment's role gets it: placeholders filled, and each
    resource marked for `!Sub` when it holds ${...}."""
    statements = []
    for index, statement in enumerate(value or [], start=1):
        resources = [r.replace("{project}", project).replace("{env}", env) for r in _as_list(statement["Resource"])]
        statements.append({"sid": statement.get("Sid") or f"Added{index}", "actions": _as_list(statement["Action"]),
                           "resources": [{"text": r, "sub": "${" in r} for r in resources]})
    return statements


def function_alarms(timeout: int) -> list[dict[str, Any]]:
    """The alarms of the answer alarms, for a function with this timeout (s): name suffix, metric,
    statistic and threshold (the Duration one in milliseconds, a share of the timeout)."""
    alarms = []
    for suffix, metric, statistic, threshold in facts.ALARMS:
        limit = threshold if threshold is not None else int(timeout * 1000 * facts.ALARM_TIMEOUT_SHARE)
        unit = f" ms ({facts.ALARM_TIMEOUT_SHARE:.0%} of the {timeout} s timeout)" if threshold is None else ""
        alarms.append({"suffix": suffix, "metric": metric, "statistic": statistic, "threshold": limit,
                       "description": f"{metric} ({statistic.lower()} over {facts.ALARM_PERIOD_S // 60} minutes) at "
                                      f"or above {limit}{unit}"})
    return alarms


def check_duration_alarm(threshold: Any, timeout: Any, function: str = "Function") -> list[Problem]:
    """A Duration alarm's threshold (ms) still at ALARM_TIMEOUT_SHARE of the function's timeout (s).

    The answer alarms renders it from the answer timeout; a Timeout edited in template.yml leaves
    it behind, and the alarm then fires on ordinary invocations, or only once they time out.
    """
    if not isinstance(threshold, (int, float)) or not isinstance(timeout, int) or timeout <= 0:
        return []
    share = threshold / (timeout * 1000)
    expected = function_alarms(timeout)[-1]["threshold"]
    if abs(share - facts.ALARM_TIMEOUT_SHARE) <= 0.01:
        return []
    effect = "only once invocations time out" if share >= 1 else "on invocations far from the timeout"
    return [Problem("threshold", f"{threshold:g} ms is {share:.0%} of {function}'s {timeout} s timeout, not "
                                 f"{facts.ALARM_TIMEOUT_SHARE:.0%}: the alarm fires {effect}. Set it to {expected}, "
                                 f"or set the timeout with copier update --trust --defaults --data timeout={timeout}, "
                                 f"which sets both.", WARNING)]


def branch_protections(environments: Mapping[str, str]) -> list[dict[str, str]]:
    """Who may push and merge to each environment's branch, in the answers' order.

    The first environment is the development one (developers and maintainers) when there are
    two or more; every other branch, production and staging alike, is for maintainers only.
    """
    envs = list(environments)
    return [{"environment": env, "branch": environments[env],
             "allowed": "developers" if index == 0 and len(envs) > 1 else "maintainers"}
            for index, env in enumerate(envs)]


def production_branch(environments: Mapping[str, str]) -> str:
    """The last environment's branch: production, and the project's default branch."""
    return list(environments.values())[-1]


def api_source_arn_path(method: str, path: str) -> str:
    """The METHOD/path part of an execute-api ARN: ANY is '*', and each {parameter} is '*'."""
    return ("*" if method == "ANY" else method) + re.sub(r"\{[^}]+\}", "*", path)


CHECKS = {
    "project_name": check_project_name,
    "project_slug": check_project_slug,
    "description": check_description,
    "aws_region": check_region,
    "environments": check_environments,
    "name_pattern": check_name_pattern,
    "artifact_bucket": check_bucket_name,
    "runtime": check_runtime,
    "typescript": check_typescript,
    "architecture": check_architecture,
    "memory_size": check_memory_size,
    "timeout": check_timeout,
    "ephemeral_storage": check_ephemeral_storage,
    "env_vars": check_env_vars,
    "env_overrides": check_env_overrides,
    "source_provider": check_source_provider,
    "gitlab_url": check_gitlab_url,
    "gitlab_project": check_gitlab_project,
    "template_updates": check_template_updates,
    "notifications": check_notifications,
    "notification_email": check_notification_email,
    "slack_workspace_id": check_slack_workspace_id,
    "slack_channel_id": check_slack_channel_id,
    "api_id": check_api_id,
    "api_path": check_api_path,
    "api_method": check_api_method,
    "deploy_statements": check_deploy_statements,
    "layers": check_layers_answer,
}


def check_answer(question: str, value: Any, *args: Any) -> list[Problem]:
    """Run the check of `question`, passing the earlier answers it needs."""
    return CHECKS[question](value, *args)
