"""Read a SAM template and samconfig.toml, and resolve what differs per environment.

Only the few intrinsic functions this template family uses are resolved
(Ref to a parameter, Fn::FindInMap, Fn::Sub on parameters); anything else is
returned as `UNRESOLVED` so that a check can say what it could not measure.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Mapping

import yaml


class _Unresolved:
    def __repr__(self) -> str:
        return "UNRESOLVED"


UNRESOLVED = _Unresolved()


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()  # Ref AWS::NoValue: the key or item is left out


class CfnLoader(yaml.SafeLoader):
    """YAML loader that turns CloudFormation short tags (!Ref, !Sub...) into their long form."""


def _construct_tag(loader: CfnLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    key = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
    return {key: value}


CfnLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: Path) -> dict[str, Any]:
    """A CloudFormation/SAM template as plain data."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=CfnLoader) or {}


def load_samconfig(path: Path) -> dict[str, Any]:
    """samconfig.toml as data; an absent file is an empty config."""
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def environments(template: Mapping[str, Any]) -> list[str]:
    """The values the Environment parameter allows."""
    parameter = template.get("Parameters", {}).get("Environment", {})
    return [str(v) for v in parameter.get("AllowedValues", [])]


def condition(name: str, template: Mapping[str, Any], parameters: Mapping[str, str]) -> Any:
    """The truth of a named condition of the template, or UNRESOLVED."""
    return _truth(template.get("Conditions", {}).get(name, UNRESOLVED), template, parameters)


def _truth(expr: Any, template: Mapping[str, Any], parameters: Mapping[str, str]) -> Any:
    if not isinstance(expr, dict) or len(expr) != 1:
        return UNRESOLVED
    (fn, arg), = expr.items()
    if fn == "Condition":
        return condition(arg, template, parameters)
    if fn == "Fn::Equals":
        left, right = (resolve(a, template, parameters) for a in arg)
        return UNRESOLVED if UNRESOLVED in (left, right) else str(left) == str(right)
    values = [_truth(a, template, parameters) for a in arg] if isinstance(arg, list) else []
    if UNRESOLVED in values or not values:
        return UNRESOLVED
    return {"Fn::Not": lambda: not values[0], "Fn::And": lambda: all(values),
            "Fn::Or": lambda: any(values)}.get(fn, lambda: UNRESOLVED)()


def resolve(value: Any, template: Mapping[str, Any], parameters: Mapping[str, str]) -> Any:
    """`value` with parameters, mappings and conditions resolved; UNRESOLVED where impossible."""
    if isinstance(value, list):
        return [v for v in (resolve(v, template, parameters) for v in value) if v is not NO_VALUE]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (fn, arg), = value.items()
        if fn == "Ref":
            return NO_VALUE if arg == "AWS::NoValue" else parameters.get(arg, UNRESOLVED)
        if fn == "Fn::If":
            truth = condition(arg[0], template, parameters)
            if truth is UNRESOLVED:
                return UNRESOLVED
            return resolve(arg[1] if truth else arg[2], template, parameters)
        if fn == "Fn::FindInMap":
            name, top, second = (resolve(a, template, parameters) for a in arg)
            try:
                return template["Mappings"][name][top][second]
            except (KeyError, TypeError):
                return UNRESOLVED
        if fn == "Fn::Sub":
            text, local = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
            local = {k: resolve(v, template, parameters) for k, v in local.items()}
            scope = {**parameters, **local}

            def substitute(match: re.Match[str]) -> str:
                found = scope.get(match[1], UNRESOLVED)
                if found is UNRESOLVED:
                    raise LookupError(match[1])
                return str(found)

            try:
                return re.sub(r"\$\{([^!}][^}]*)\}", substitute, text)
            except LookupError:
                return UNRESOLVED
        if fn.startswith("Fn::") or fn == "Condition":
            return UNRESOLVED
    resolved = {k: resolve(v, template, parameters) for k, v in value.items()}
    return {k: v for k, v in resolved.items() if v is not NO_VALUE}


def functions(template: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Lambda functions by logical id, with SAM Globals merged under their properties."""
    found = {}
    globals_ = template.get("Globals", {}).get("Function", {})
    for logical_id, resource in (template.get("Resources") or {}).items():
        kind = resource.get("Type")
        if kind not in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            continue
        properties = dict(resource.get("Properties") or {})
        if kind == "AWS::Serverless::Function":
            for key, value in globals_.items():
                if key == "Environment":
                    merged = {**value.get("Variables", {}),
                              **properties.get("Environment", {}).get("Variables", {})}
                    properties["Environment"] = {"Variables": merged}
                else:
                    properties.setdefault(key, value)
        found[logical_id] = properties
    return found
