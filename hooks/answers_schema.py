"""Build schema/answers.schema.json and README's table of questions from copier.yml and lambda_rules.facts.

Run `python hooks/answers_schema.py` after changing a fact; a test fails while
the committed schema differs from what this builds. Rules that JSON Schema cannot
express (the 4 KB size of each environment's map, layer regions, derived names)
are stated in the descriptions and enforced by hooks/lambda_rules.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "schema" / "answers.schema.json"
sys.path.insert(0, str(ROOT / "hooks"))

from lambda_rules import facts  # noqa: E402

import jinja2  # noqa: E402
import yaml  # noqa: E402

COPIER_YML = ROOT / "copier.yml"
# How copier derives the defaults that are Jinja expressions, in words for the README.
DERIVED = {"project_slug": "slug of project_name", "artifact_bucket": "name_pattern with {type}=artifacts, no {env}",
           "gitlab_url": f"`{facts.GITLAB_COM}`", "api_path": "`/` + project_slug",
           "template_updates": "`gitlab-schedule` with GitLab CI, else `none`"}
# Questions asked only when an earlier answer makes them apply (copier's `when`), in words.
ASKED_WHEN = {
    "typescript": "Asked only for a Node.js runtime",
    "gitlab_url": "Asked unless source_provider is codecommit",
    "gitlab_project": "Asked unless source_provider is codecommit",
    "gitlab_ci": "Asked unless source_provider is codecommit",
    "notification_email": "Asked when notifications is email",
    "slack_workspace_id": "Asked when notifications is slack",
    "slack_channel_id": "Asked when notifications is slack",
    "api_id": "Asked when api_gateway is true",
    "api_path": "Asked when api_gateway is true",
    "api_method": "Asked when api_gateway is true",
}
TABLE_START, TABLE_END = "<!-- questions:start -->", "<!-- questions:end -->"


def questions() -> dict[str, dict[str, Any]]:
    """The questions of copier.yml, in order (settings starting with '_', and values computed
    with `when: false`, left out)."""
    data = yaml.safe_load(COPIER_YML.read_text(encoding="utf-8"))
    return {name: spec for name, spec in data.items() if not name.startswith("_") and spec.get("when") is not False}


def _render(text: str) -> str:
    """A help text as copier shows it: its Jinja reads the same facts."""
    return jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(text).render(facts=facts)


GROUP = re.compile(r"^\[([A-Za-z]+)\] ")


def _group_and_help(help_text: str) -> tuple[str, str]:
    """'[Function] Memory in MB' -> ('Function', 'Memory in MB'): the prompt's group, then its help."""
    match = GROUP.match(help_text)
    return (match.group(1), help_text[match.end():]) if match else ("", help_text)


def _default(spec: dict[str, Any]) -> Any:
    """A question's default as data, or None when copier derives it from other answers."""
    default = spec.get("default")
    if not isinstance(default, str):
        return default
    if "{{" in default or "{%" in default:
        return None
    return yaml.safe_load(default) if spec.get("type") == "yaml" else default


def _with_copier_facts(properties: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Help texts and literal defaults come from copier.yml, their one home; so does the order."""
    properties = {name: properties[name] for name in questions()}
    for name, spec in questions().items():
        prop = properties[name]
        rule = prop.pop("description", None)
        prop["description"] = _group_and_help(_render(spec["help"]))[1] + (f". {rule}" if rule else "")
        default = _default(spec)
        if default is not None:
            prop["default"] = default
    return properties


# The resource path rule of rules.check_api_path, as one JSON Schema pattern.
API_PATH = (rf"^(/|(/({facts.API_PATH_SEGMENT}))*(/({facts.API_PATH_SEGMENT}|{facts.API_PATH_GREEDY})))$")


def build() -> dict[str, Any]:
    """The schema, as data."""
    offered = [r for r, spec in facts.RUNTIMES.items() if spec["offered"]]
    node = [r for r in offered if facts.RUNTIMES[r]["language"] == "nodejs"]
    # JSON Schema regexes (ECMA 262) have no (?P<name>...) groups: drop the names.
    layer_arn = {"type": "string", "pattern": re.sub(r"\?P<\w+>", "", facts.LAYER_ARN_PATTERN),
                 "maxLength": facts.LAYER_ARN_MAX}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://copier-lambda-sam.invalid/schema/answers.schema.json",
        "title": "copier-lambda-sam answers",
        "description": "Answers accepted by `copier copy --data-file`. Generated from hooks/lambda_rules/facts.py.",
        "type": "object",
        "required": ["project_name"],
        "additionalProperties": True,
        "allOf": [
            {"if": {"required": ["typescript"], "properties": {"typescript": {"const": True}}},
             "then": {"required": ["runtime"], "properties": {"runtime": {"enum": node}}}},
            {"if": {"required": ["dependencies_layer"], "properties": {"dependencies_layer": {"const": True}}},
             "then": {"properties": {"layers": {"maxItems": facts.MAX_LAYERS - 1}}}},
            {"if": {"required": ["source_provider"], "properties": {"source_provider": {"const": "codeconnections"}}},
             "then": {"required": ["gitlab_project"], "properties": {"gitlab_project": {"minLength": 1}}}},
            {"if": {"required": ["notifications"], "properties": {"notifications": {"const": "email"}}},
             "then": {"required": ["notification_email"]}},
            {"if": {"required": ["notifications"], "properties": {"notifications": {"const": "slack"}}},
             "then": {"required": ["slack_workspace_id", "slack_channel_id"]}},
            {"if": {"required": ["api_gateway"], "properties": {"api_gateway": {"const": True}}},
             "then": {"required": ["api_id"]}},
        ],
        "properties": _with_copier_facts({
            "project_name": {"type": "string", "minLength": 1, "maxLength": facts.PROJECT_NAME_MAX},
            "project_slug": {"type": "string", "pattern": facts.PROJECT_SLUG_PATTERN,
                             "maxLength": facts.PROJECT_SLUG_MAX,
                             "description": "No '--' and no trailing '-'."},
            "description": {"type": "string", "maxLength": facts.DESCRIPTION_MAX},
            "aws_region": {"type": "string", "pattern": facts.REGION_PATTERN},
            "environments": {
                "type": "object", "minProperties": 1,
                "description": "Environment name to git branch; branches all different.",
                "propertyNames": {"pattern": facts.ENVIRONMENT_NAME_PATTERN,
                                  "maxLength": facts.ENVIRONMENT_NAME_MAX},
                "additionalProperties": {"type": "string", "minLength": 1},
            },
            "name_pattern": {"type": "string",
                             "description": "Holds {project}, {env} and {type} once each; every name it "
                                            "gives must obey that resource's AWS rule.",
                             "allOf": [{"pattern": r"\{" + field + r"\}"}
                                       for field in facts.NAME_PATTERN_PLACEHOLDERS]},
            "artifact_bucket": {"type": "string", "minLength": facts.NAME_RULES["bucket"]["min"],
                                "maxLength": facts.NAME_RULES["bucket"]["max"],
                                "pattern": facts.NAME_RULES["bucket"]["pattern"]},
            "runtime": {"enum": offered},
            "typescript": {"type": "boolean", "description": "Needs a Node.js runtime."},
            "architecture": {"enum": list(facts.ARCHITECTURES)},
            "memory_size": {"type": "integer", "minimum": facts.MEMORY_MB[0], "maximum": facts.MEMORY_MB[1]},
            "timeout": {"type": "integer", "minimum": facts.TIMEOUT_S[0], "maximum": facts.TIMEOUT_S[1]},
            "ephemeral_storage": {"type": "integer", "minimum": facts.EPHEMERAL_STORAGE_MB[0],
                                  "maximum": facts.EPHEMERAL_STORAGE_MB[1]},
            "env_vars": {
                "type": "object",
                "description": f"Each environment's whole map, as compact JSON in UTF-8, at most "
                               f"{facts.ENV_VARS_MAX_BYTES} bytes.",
                "propertyNames": {"pattern": facts.ENV_VAR_NAME_PATTERN,
                                  "not": {"enum": list(facts.RESERVED_ENV_VARS)}},
                "additionalProperties": {"type": "string"},
            },
            "env_overrides": {
                "type": "object",
                "description": "Keys are environments; the size rule holds for each environment's merged map.",
                "additionalProperties": {
                    "type": "object",
                    "propertyNames": {"pattern": facts.ENV_VAR_NAME_PATTERN,
                                      "not": {"enum": list(facts.RESERVED_ENV_VARS)}},
                    "additionalProperties": {"type": ["string", "null"]},
                },
            },
            "powertools": {"type": "boolean"},
            "tracing": {"type": "boolean"},
            "dependencies_layer": {"type": "boolean",
                                   "description": "The layer counts toward the limit of layers."},
            "layers": {
                "type": "array", "maxItems": facts.MAX_LAYERS,
                "description": "Layer version ARNs in the function's region and partition, no layer twice.",
                "items": {"oneOf": [
                    layer_arn,
                    {"type": "object", "required": ["arn"], "additionalProperties": False,
                     "properties": {"arn": layer_arn,
                                    "unzipped_mb": {"type": "number", "exclusiveMinimum": 0,
                                                    "maximum": facts.UNZIPPED_MAX_MB}}},
                ]},
            },
            "source_provider": {"enum": list(facts.SOURCE_PROVIDERS)},
            "gitlab_url": {"type": "string", "pattern": facts.GITLAB_URL_PATTERN},
            "gitlab_project": {"type": "string", "anyOf": [{"const": ""},
                                                           {"pattern": facts.GITLAB_PROJECT_PATTERN}]},
            "gitlab_ci": {"type": "boolean"},
            "template_updates": {"enum": list(facts.TEMPLATE_UPDATES),
                                 "description": "gitlab-schedule needs gitlab_ci and a GitLab source."},
            "notifications": {"enum": list(facts.NOTIFICATIONS)},
            "alarms": {"type": "boolean"},
            "notification_email": {"type": "string", "pattern": facts.EMAIL_PATTERN},
            "slack_workspace_id": {"type": "string", "pattern": facts.SLACK_WORKSPACE_ID_PATTERN},
            "slack_channel_id": {"type": "string", "pattern": facts.SLACK_CHANNEL_ID_PATTERN},
            "api_gateway": {"type": "boolean"},
            "api_id": {"type": "string", "pattern": facts.API_ID_PATTERN},
            "api_path": {"type": "string", "pattern": API_PATH,
                         "description": "Segments of letters, digits, '._-' or {parameter}; {name+} only last."},
            "api_method": {"enum": list(facts.API_METHODS)},
            "deploy_statements": {
                "type": "array",
                "description": "Each: Action (IAM actions, no wildcard) and Resource (ARNs, not '*'), Sid optional; "
                               "Effect is Allow. Added to every environment's deploy role.",
                "items": {
                    "type": "object", "required": ["Action", "Resource"], "additionalProperties": False,
                    "properties": {
                        "Sid": {"type": "string", "pattern": facts.IAM_SID_PATTERN},
                        "Action": {"oneOf": [{"type": "string", "pattern": facts.IAM_ACTION_PATTERN},
                                             {"type": "array", "minItems": 1,
                                              "items": {"type": "string", "pattern": facts.IAM_ACTION_PATTERN}}]},
                        "Resource": {"oneOf": [{"type": "string", "minLength": 1, "not": {"const": "*"}},
                                               {"type": "array", "minItems": 1,
                                                "items": {"type": "string", "minLength": 1, "not": {"const": "*"}}}]},
                    },
                },
            },
        }),
    }


def render() -> str:
    return json.dumps(build(), indent=2) + "\n"


def questions_table() -> str:
    """The README's table of questions: name, type, default and rule, from copier.yml and the schema."""
    props = build()["properties"]
    rows = ["| group | question | type | default | what it is, and its rule |", "| --- | --- | --- | --- | --- |"]
    for name, spec in questions().items():
        default = _default(spec)
        if default is None:
            shown = DERIVED.get(name, "(asked)")
        else:
            shown = f"`{json.dumps(default, ensure_ascii=False)}`"
        text = props[name]["description"]
        if name in ASKED_WHEN:
            text = text.rstrip(".") + f". {ASKED_WHEN[name]}"
        if "choices" in spec:
            text = text.rstrip(".") + ". One of " + ", ".join(f"`{c}`" for c in spec["choices"])
        text = text.replace("|", "\\|")
        group = _group_and_help(spec["help"])[0]
        rows.append(f"| {group} | `{name}` | {spec['type']} | {shown.replace('|', chr(92) + '|')} | {text} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    SCHEMA_PATH.parent.mkdir(exist_ok=True)
    SCHEMA_PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH.relative_to(ROOT)}")
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(TABLE_START) + len(TABLE_START), text.index(TABLE_END)
    readme.write_text(text[:start] + "\n" + questions_table() + text[end:], encoding="utf-8")
    print("wrote the questions table of README.md")
