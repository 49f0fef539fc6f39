"""IAM resources that pipeline/pipeline.yml grants from the answers, in CloudFormation `!Sub` form.

The pipeline's roles may read only what this repo uses: the SSM parameters and
Secrets Manager secrets its environment variables reference (CloudFormation
resolves them while deploying, and `make check` measures them), on top of the
`/<project>/` prefix the README recommends for new ones.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from .resolve import ResolveError, parse, references



def account_arn(service: str) -> str:
    """The ARN prefix of `service` in the stack's own partition, region and account, for `!Sub`."""
    return f"arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}"


def _values(env_vars: Mapping[str, Any] | None, env_overrides: Mapping[str, Any] | None) -> Iterable[Any]:
    yield from (env_vars or {}).values()
    for overrides in (env_overrides or {}).values():
        if isinstance(overrides, Mapping):
            yield from overrides.values()


def parameter_arn(name: str) -> str:
    """An SSM parameter name or ARN as an IAM resource: names without a leading '/' get one."""
    if name.startswith("arn:"):
        return name
    return account_arn("ssm") + ":parameter/" + name.lstrip("/")


def secret_arn(secret_id: str) -> str:
    """A secret name or ARN as an IAM resource; a name's ARN ends with '-' and 6 random characters."""
    if secret_id.startswith("arn:"):
        return secret_id
    return account_arn("secretsmanager") + ":secret:" + secret_id + "-??????"


def referenced_resources(env_vars: Mapping[str, Any] | None, env_overrides: Mapping[str, Any] | None,
                         project: str) -> dict[str, list[str]]:
    """{"ssm": [...], "secretsmanager": [...]}: the project's prefix, then each referenced one once."""
    found: dict[str, list[str]] = {"ssm": [parameter_arn(f"/{project}/*")],
                                   "secretsmanager": [account_arn("secretsmanager") + f":secret:{project}/*"]}
    for value in _values(env_vars, env_overrides):
        for text in references(value):
            try:
                ref = parse(text)
            except ResolveError:  # refused by the env_vars question already
                continue
            arn = parameter_arn(ref.name) if ref.service == "ssm" else secret_arn(ref.name)
            if arn not in found[ref.service]:
                found[ref.service].append(arn)
    return found
