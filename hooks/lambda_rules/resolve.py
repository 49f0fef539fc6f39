"""CloudFormation dynamic references in Lambda environment variables, resolved as CloudFormation would.

CloudFormation replaces every `{{resolve:ssm:...}}`, `{{resolve:ssm-secure:...}}`
and `{{resolve:secretsmanager:...}}` in a value before Lambda stores it, so the
4 KB limit applies to what the references stand for, not to their text. This
module reads those values from SSM Parameter Store and Secrets Manager.

boto3 is imported inside functions only: copier imports this package when it
generates a repo, where boto3 may be absent. Nothing here raises for a value
it cannot resolve: `resolve_variables` leaves it as written, with the reason.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from . import facts

NO_CREDENTIALS = "no AWS credentials"

SERVICE_OF = {"ssm": "ssm", "ssm-secure": "ssm", "secretsmanager": "secretsmanager"}

_REFERENCE = re.compile(facts.DYNAMIC_REFERENCE_PATTERN)
# SSM parameter names: letters, digits and _.-/ (cfn-lint E1050 agrees).
_PARAMETER_NAME = re.compile(r"^[a-zA-Z0-9_.\-/]+$")
# AWS error codes that mean "who you are may not read this".
_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}
_BAD_CREDENTIALS = {"UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException",
                    "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException"}


class ResolveError(Exception):
    """A reference that cannot be resolved; the message says why in plain words."""


@dataclass(frozen=True)
class Reference:
    """One dynamic reference, taken apart.

    kind is "ssm", "ssm-secure" or "secretsmanager"; name is the parameter name
    or the secret id (an ARN included). version is the SSM parameter version;
    json_key, version_stage and version_id are the Secrets Manager parts.
    """

    text: str
    kind: str
    name: str
    version: str | None = None
    json_key: str | None = None
    version_stage: str | None = None
    version_id: str | None = None

    @property
    def service(self) -> str:
        """The boto3 service name that holds the value: "ssm" or "secretsmanager"."""
        return SERVICE_OF[self.kind]

    def describe(self) -> str:
        """The reference in words: SSM parameter '/app/url' version 2."""
        if self.kind == "secretsmanager":
            words = f"Secrets Manager secret {self.name!r}"
            if self.version_stage:
                words += f" at stage {self.version_stage}"
            if self.version_id:
                words += f" version {self.version_id}"
            return words
        words = f"SSM {'SecureString ' if self.kind == 'ssm-secure' else ''}parameter {self.name!r}"
        return words + (f" version {self.version}" if self.version else "")


def references(value: Any) -> list[str]:
    """The dynamic references in `value`, in order, as written: ['{{resolve:ssm:/app/url}}', ...]."""
    if not isinstance(value, str):
        return []
    return [m.group(0) for m in _REFERENCE.finditer(value)]


def _split_arn(rest: str, parts_in_arn: int) -> tuple[str, list[str]]:
    """(id, the parts after it): an ARN id keeps its own ':'s, a plain name has none."""
    parts = rest.split(":")
    if rest.startswith("arn:"):
        return ":".join(parts[:parts_in_arn]), parts[parts_in_arn:]
    return parts[0], parts[1:]


def parse(text: str) -> Reference:
    """One reference as written (with its braces) taken apart; ResolveError if it is malformed."""
    match = _REFERENCE.fullmatch(text)
    if not match:
        raise ResolveError(f"{text!r} is not a dynamic reference. Write '{{{{resolve:ssm:NAME}}}}' "
                           "or '{{resolve:secretsmanager:SECRET}}'.")
    kind = match.group(1)
    rest = text[len("{{resolve:") + len(kind) + 1:-2]
    if kind in ("ssm", "ssm-secure"):
        return _parse_ssm(text, kind, rest)
    return _parse_secret(text, rest)


def _parse_ssm(text: str, kind: str, rest: str) -> Reference:
    # arn:partition:ssm:region:account:parameter/name, then :version.
    name, tail = _split_arn(rest, 6)
    if name.startswith("arn:"):
        arn = name.split(":")
        if len(arn) < 6 or arn[2] != "ssm" or not arn[5].startswith("parameter/"):
            raise ResolveError(f"{text} has {name!r}, which is not an SSM parameter ARN. "
                               "Use arn:aws:ssm:REGION:ACCOUNT:parameter/NAME.")
    elif not _PARAMETER_NAME.match(name):
        raise ResolveError(f"{text} has {name!r}, which is not an SSM parameter name. "
                           "Use letters, digits and '_.-/'.")
    if len(tail) > 1:
        raise ResolveError(f"{text} has more than a version after the parameter name. "
                           f"Use '{{{{resolve:{kind}:NAME}}}}' or '{{{{resolve:{kind}:NAME:VERSION}}}}'.")
    version = tail[0] if tail else None
    if version is not None and not version.isdigit():
        raise ResolveError(f"{text} has version {version!r}, which is not a number. "
                           "Give the parameter version as a whole number, for example :2.")
    return Reference(text, kind, name, version=version)


def _parse_secret(text: str, rest: str) -> Reference:
    # arn:partition:secretsmanager:region:account:secret:name, then
    # :SecretString:json-key:version-stage:version-id, every part optional.
    secret_id, tail = _split_arn(rest, 7)
    if secret_id.startswith("arn:"):
        arn = secret_id.split(":")
        if len(arn) < 7 or arn[2] != "secretsmanager" or arn[5] != "secret" or not arn[6]:
            raise ResolveError(f"{text} has {secret_id!r}, which is not a Secrets Manager secret ARN. "
                               "Use arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME.")
    elif not secret_id:
        raise ResolveError(f"{text} has no secret id. Use '{{{{resolve:secretsmanager:SECRET}}}}'.")
    if len(tail) > 4:
        raise ResolveError(f"{text} has too many parts. Use '{{{{resolve:secretsmanager:"
                           "SECRET:SecretString:JSON_KEY:VERSION_STAGE:VERSION_ID}}' with parts left empty.")
    secret_string, json_key, stage, version_id = (tail + ["", "", "", ""])[:4]
    if secret_string not in ("", "SecretString"):
        raise ResolveError(f"{text} has {secret_string!r} after the secret id. Write SecretString "
                           "or leave it empty, as in '{{resolve:secretsmanager:SECRET::KEY}}'.")
    if stage and version_id:
        raise ResolveError(f"{text} gives both a version stage and a version id. Give one of them.")
    return Reference(text, "secretsmanager", secret_id, json_key=json_key or None,
                     version_stage=stage or None, version_id=version_id or None)


# --- Reading the values ---------------------------------------------------------

def _client(clients: Any, service: str) -> Any:
    return clients[service] if isinstance(clients, Mapping) else clients(service)


def _region_of(client: Any) -> str:
    region = getattr(getattr(client, "meta", None), "region_name", None)
    return f" in {region}" if region else ""


def _explain(ref: Reference, client: Any, code: str, message: str) -> str:
    where = _region_of(client)
    if code == "ParameterNotFound":
        return f"{ref.describe()} was not found{where}."
    if code == "ParameterVersionNotFound":
        return f"{ref.describe()} was not found{where}: the parameter has no version {ref.version}."
    if code == "ResourceNotFoundException":
        return f"{ref.describe()} was not found{where}."
    if code in _DENIED:
        return f"access to {ref.describe()}{where} was denied. Allow these credentials to read it."
    if code in _BAD_CREDENTIALS:
        return f"the AWS credentials were refused reading {ref.describe()}{where}. Refresh them."
    return f"{ref.describe()}{where} could not be read: {message or code}."


def _fetch(ref: Reference, clients: Any) -> str:
    """What CloudFormation puts in place of `ref`."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

    client = None
    try:
        client = _client(clients, ref.service)
        if ref.service == "ssm":
            name = f"{ref.name}:{ref.version}" if ref.version else ref.name
            parameter = client.get_parameter(Name=name, WithDecryption=ref.kind == "ssm-secure")["Parameter"]
        else:
            request = {"SecretId": ref.name}
            if ref.version_stage:
                request["VersionStage"] = ref.version_stage
            if ref.version_id:
                request["VersionId"] = ref.version_id
            secret = client.get_secret_value(**request)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise ResolveError(_explain(ref, client, error.get("Code", ""), error.get("Message", ""))) from None
    except NoCredentialsError:
        raise ResolveError(NO_CREDENTIALS) from None
    except NoRegionError:
        raise ResolveError(f"no AWS region to read {ref.describe()} from. "
                           "Set AWS_REGION or give the region.") from None
    except BotoCoreError as exc:
        raise ResolveError(f"{ref.describe()} could not be read: {exc}") from None

    if ref.service == "ssm":
        if ref.kind == "ssm" and parameter.get("Type") == "SecureString":
            raise ResolveError(f"{ref.describe()} is a SecureString, which '{{{{resolve:ssm:...}}}}' "
                               "cannot read. Use a String parameter or Secrets Manager.")
        return parameter["Value"]
    if "SecretString" not in secret:
        raise ResolveError(f"{ref.describe()} holds binary data, not text. Store it as a SecretString.")
    text = secret["SecretString"]
    if ref.json_key is None:
        return text
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ResolveError(f"{ref.describe()} is not a JSON object, so it has no key {ref.json_key!r}. "
                           "Leave the key out to use the whole secret.")
    if ref.json_key not in data:
        keys = ", ".join(sorted(map(str, data))) or "none"
        raise ResolveError(f"{ref.describe()} has no key {ref.json_key!r}; its keys are: {keys}.")
    value = data[ref.json_key]
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def resolve_value(value: str, clients: Callable[[str], Any] | Mapping[str, Any],
                  cache: dict[str, Any] | None = None) -> str:
    """`value` with every dynamic reference replaced by what CloudFormation would put there.

    clients gives a boto3 client by service name ("ssm", "secretsmanager"): a
    callable or a mapping. cache, if given, keeps each reference's value (or
    its error) so a reference used twice is read once. Raises ResolveError.
    """
    if not references(value):
        return value
    cache = {} if cache is None else cache

    def replace(match: re.Match[str]) -> str:
        text = match.group(0)
        if text not in cache:
            try:
                cache[text] = _fetch(parse(text), clients)
            except ResolveError as exc:
                cache[text] = exc
        if isinstance(cache[text], ResolveError):
            raise cache[text]
        return cache[text]

    return _REFERENCE.sub(replace, value)


# --- Credentials and clients ------------------------------------------------------

def _session(region: str | None = None) -> Any:
    """A boto3 session that has credentials, or None without boto3 or credentials."""
    try:
        import boto3
        from botocore.exceptions import BotoCoreError
    except ImportError:
        return None
    try:
        session = boto3.Session(region_name=region)
        return session if session.get_credentials() is not None else None
    except BotoCoreError:  # a named profile that does not exist, a broken config file
        return None


def have_credentials() -> bool:
    """Whether boto3 is installed and finds AWS credentials."""
    return _session() is not None


class _Clients:
    """boto3 clients made on first use, one per service, closed together."""

    def __init__(self, session: Any, region: str | None):
        self._session = session
        self._region = region
        self._made: dict[str, Any] = {}

    def __call__(self, service: str) -> Any:
        if service not in self._made:
            self._made[service] = self._session.client(service, region_name=self._region)
        return self._made[service]

    def close(self) -> None:
        for client in self._made.values():
            client.close()
        self._made.clear()


def resolve_variables(variables: Mapping[str, Any], region: str | None = None
                      ) -> tuple[dict[str, Any], dict[str, str]]:
    """(the variables with references resolved, {key: reason} for values left as written).

    Values without references pass through untouched and cost no API call.
    Without boto3 or AWS credentials, every value holding a reference is left
    as written with the reason 'no AWS credentials'. region=None uses boto3's
    default region.
    """
    resolved = dict(variables)
    pending = [key for key, value in variables.items() if references(value)]
    if not pending:
        return resolved, {}
    session = _session(region)
    if session is None:
        return resolved, {key: NO_CREDENTIALS for key in pending}
    reasons: dict[str, str] = {}
    clients = _Clients(session, region)
    cache: dict[str, Any] = {}
    try:
        for key in pending:
            try:
                resolved[key] = resolve_value(variables[key], clients, cache)
            except ResolveError as exc:
                reasons[key] = str(exc)
    finally:
        clients.close()
    return resolved, reasons
