"""Dynamic references in environment variables, resolved against a local moto server."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import boto3
import botocore.client
import pytest
from lambda_rules import resolve
from conftest import REGION, at_moto, without_credentials

HOOKS = Path(__file__).resolve().parent.parent / "hooks"
ACCOUNT = "123456789012"  # moto's default account
SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/db-AbCdEf"
PARAMETER_ARN = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/shared/region"


# --- Finding references -------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "found"),
    [
        pytest.param("plain", [], id="no-reference"),
        pytest.param("", [], id="empty"),
        pytest.param("{{resolve:ssm:/app/url}}", ["{{resolve:ssm:/app/url}}"], id="whole-value"),
        pytest.param("https://{{resolve:ssm:host}}/v1", ["{{resolve:ssm:host}}"], id="inside-text"),
        pytest.param("{{resolve:ssm:a}}-{{resolve:ssm-secure:b:2}}-{{resolve:secretsmanager:c::k}}",
                     ["{{resolve:ssm:a}}", "{{resolve:ssm-secure:b:2}}", "{{resolve:secretsmanager:c::k}}"],
                     id="three-in-order"),
        pytest.param("{{ resolve:ssm:a}}", [], id="space-makes-it-literal"),
        pytest.param("{{resolve:s3:bucket}}", [], id="unknown-service"),
        pytest.param("{{resolve:ssm:}}", [], id="no-name"),
    ],
)
def test_references_finds_what_cloudformation_resolves(value, found):
    assert resolve.references(value) == found


def test_references_of_a_non_string_is_empty():
    assert resolve.references(5432) == []


# --- Taking references apart ----------------------------------------------------------

R = resolve.Reference  # text is filled in by the test


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("{{resolve:ssm:AppUrl}}", R("", "ssm", "AppUrl"), id="ssm-name"),
        pytest.param("{{resolve:ssm:/orders/prod/db.host-name_1}}", R("", "ssm", "/orders/prod/db.host-name_1"),
                     id="ssm-path"),
        pytest.param("{{resolve:ssm:/orders/url:3}}", R("", "ssm", "/orders/url", version="3"),
                     id="ssm-version"),
        pytest.param("{{resolve:ssm:/aws/service/global-infrastructure/regions/eu-west-1/longName}}",
                     R("", "ssm", "/aws/service/global-infrastructure/regions/eu-west-1/longName"),
                     id="ssm-public-parameter"),
        pytest.param("{{resolve:ssm:arn:aws:ssm:us-east-1:111122223333:parameter/shared/url}}",
                     R("", "ssm", "arn:aws:ssm:us-east-1:111122223333:parameter/shared/url"),
                     id="ssm-arn"),
        pytest.param("{{resolve:ssm:arn:aws:ssm:us-east-1:111122223333:parameter/shared/url:4}}",
                     R("", "ssm", "arn:aws:ssm:us-east-1:111122223333:parameter/shared/url", version="4"),
                     id="ssm-arn-version"),
        pytest.param("{{resolve:ssm-secure:/orders/password}}", R("", "ssm-secure", "/orders/password"),
                     id="ssm-secure"),
        pytest.param("{{resolve:ssm-secure:/orders/password:12}}",
                     R("", "ssm-secure", "/orders/password", version="12"), id="ssm-secure-version"),
        pytest.param("{{resolve:secretsmanager:MySecret}}", R("", "secretsmanager", "MySecret"),
                     id="secret-whole"),
        pytest.param("{{resolve:secretsmanager:MySecret:SecretString}}", R("", "secretsmanager", "MySecret"),
                     id="secret-secretstring"),
        pytest.param("{{resolve:secretsmanager:MySecret::password}}",
                     R("", "secretsmanager", "MySecret", json_key="password"), id="secret-key-empty-part"),
        pytest.param("{{resolve:secretsmanager:MySecret:SecretString:password}}",
                     R("", "secretsmanager", "MySecret", json_key="password"), id="secret-key"),
        pytest.param("{{resolve:secretsmanager:MySecret:SecretString:password:AWSPREVIOUS}}",
                     R("", "secretsmanager", "MySecret", json_key="password", version_stage="AWSPREVIOUS"),
                     id="secret-key-stage"),
        pytest.param("{{resolve:secretsmanager:MySecret:SecretString:password::a1b2-c3d4}}",
                     R("", "secretsmanager", "MySecret", json_key="password", version_id="a1b2-c3d4"),
                     id="secret-key-version-id"),
        pytest.param("{{resolve:secretsmanager:MySecret:::AWSPREVIOUS}}",
                     R("", "secretsmanager", "MySecret", version_stage="AWSPREVIOUS"), id="secret-stage-no-key"),
        pytest.param("{{resolve:secretsmanager:orders/prod/db}}", R("", "secretsmanager", "orders/prod/db"),
                     id="secret-path-name"),
        pytest.param(f"{{{{resolve:secretsmanager:{SECRET_ARN}}}}}", R("", "secretsmanager", SECRET_ARN),
                     id="secret-arn"),
        pytest.param(f"{{{{resolve:secretsmanager:{SECRET_ARN}::password}}}}",
                     R("", "secretsmanager", SECRET_ARN, json_key="password"), id="secret-arn-key"),
        pytest.param(f"{{{{resolve:secretsmanager:{SECRET_ARN}:SecretString:password:AWSCURRENT}}}}",
                     R("", "secretsmanager", SECRET_ARN, json_key="password", version_stage="AWSCURRENT"),
                     id="secret-arn-key-stage"),
    ],
)
def test_parse_takes_a_reference_apart(text, expected):
    ref = resolve.parse(text)
    assert ref == dataclasses.replace(expected, text=text)
    assert ref.service == {"ssm": "ssm", "ssm-secure": "ssm", "secretsmanager": "secretsmanager"}[ref.kind]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        pytest.param("{{resolve:ssm:/app/url:latest}}", "version 'latest', which is not a number",
                     id="ssm-word-version"),
        pytest.param("{{resolve:ssm:/app/url:1:2}}", "more than a version after the parameter name",
                     id="ssm-two-versions"),
        pytest.param("{{resolve:ssm:app url}}", "'app url', which is not an SSM parameter name", id="ssm-space"),
        pytest.param("{{resolve:ssm:arn:aws:s3:::bucket}}", "not an SSM parameter ARN", id="ssm-foreign-arn"),
        pytest.param("{{resolve:secretsmanager:MySecret:SecretBinary}}", "'SecretBinary' after the secret id",
                     id="secret-binary-part"),
        pytest.param("{{resolve:secretsmanager:MySecret:SecretString:k:AWSCURRENT:a1b2}}",
                     "both a version stage and a version id", id="secret-stage-and-id"),
        pytest.param("{{resolve:secretsmanager:MySecret:SecretString:k:::extra}}", "too many parts",
                     id="secret-too-many-parts"),
        pytest.param("{{resolve:secretsmanager::SecretString}}", "no secret id", id="secret-empty-id"),
        pytest.param("{{resolve:secretsmanager:arn:aws:secretsmanager:eu-west-1:1}}",
                     "not a Secrets Manager secret ARN", id="secret-short-arn"),
        pytest.param("postgres://{{resolve:ssm:a}}", "is not a dynamic reference", id="not-only-a-reference"),
    ],
)
def test_parse_says_what_is_wrong(text, says):
    with pytest.raises(resolve.ResolveError) as caught:
        resolve.parse(text)
    assert says in str(caught.value)


# --- Without boto3 or credentials -------------------------------------------------------

@pytest.fixture
def api_calls(monkeypatch):
    """Every AWS API call and client made in the test, still passed through: [("client", "ssm"), ...]."""
    seen: list[tuple[str, str]] = []
    make_api_call = botocore.client.BaseClient._make_api_call
    make_client = boto3.session.Session.client

    def spy_call(self, operation, params):
        seen.append((self.meta.service_model.service_name, operation))
        return make_api_call(self, operation, params)

    def spy_client(self, service, *args, **kwargs):
        seen.append(("client", service))
        return make_client(self, service, *args, **kwargs)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", spy_call)
    monkeypatch.setattr(boto3.session.Session, "client", spy_client)
    return seen


@pytest.fixture
def no_credentials(monkeypatch, tmp_path):
    without_credentials(monkeypatch, tmp_path)


MIXED = {
    "PLAIN": "hello",
    "DB_URL": "postgres://app:{{resolve:secretsmanager:orders/db:SecretString:password}}@db:5432",
    "API_URL": "{{resolve:ssm:/orders/api-url}}",
    "TOKEN": "{{resolve:ssm-secure:/orders/token:2}}",
}


def test_no_credentials_leaves_references_as_written(no_credentials, api_calls):
    assert not resolve.have_credentials()
    resolved, reasons = resolve.resolve_variables(MIXED, region=REGION)
    assert resolved == MIXED
    assert reasons == {"DB_URL": "no AWS credentials", "API_URL": "no AWS credentials",
                       "TOKEN": "no AWS credentials"}
    assert api_calls == []


def test_no_boto3_leaves_references_as_written(monkeypatch):
    monkeypatch.setitem(sys.modules, "boto3", None)  # `import boto3` now raises ImportError
    assert not resolve.have_credentials()
    assert resolve.resolve_variables(MIXED) == (MIXED, {key: "no AWS credentials" for key in MIXED
                                                        if key != "PLAIN"})


def test_values_without_references_cost_nothing(no_credentials, api_calls):
    variables = {"A": "plain", "B": "{ {resolve:ssm:x}}", "C": ""}
    assert resolve.resolve_variables(variables) == (variables, {})
    assert api_calls == []


def test_the_module_imports_without_boto3():
    code = ("import sys; sys.modules['boto3'] = sys.modules['botocore'] = None; "
            f"sys.path.insert(0, {str(HOOKS)!r}); "
            "from lambda_rules import resolve; "
            "print(resolve.resolve_variables({'A': '{{resolve:ssm:x}}'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "({'A': '{{resolve:ssm:x}}'}, {'A': 'no AWS credentials'})"


# --- Against moto ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seeded(moto_endpoint):
    """Parameters and secrets in the moto server; what only exists once made (version ids, ARNs)."""
    options = dict(endpoint_url=moto_endpoint, region_name=REGION,
                   aws_access_key_id="testing", aws_secret_access_key="testing")
    ssm = boto3.client("ssm", **options)
    secrets = boto3.client("secretsmanager", **options)
    try:
        ssm.put_parameter(Name="AppName", Value="orders", Type="String")
        ssm.put_parameter(Name="/orders/api-url", Value="https://api.example.com/v1", Type="String")
        ssm.put_parameter(Name="/orders/city", Value="Zürich-東京-🚀", Type="String")
        ssm.put_parameter(Name="/orders/hosts", Value="a.example.com,b.example.com", Type="StringList")
        ssm.put_parameter(Name="/orders/colour", Value="red", Type="String")
        ssm.put_parameter(Name="/orders/colour", Value="blue", Type="String", Overwrite=True)
        ssm.put_parameter(Name="/orders/token", Value="t0ken-one", Type="SecureString")
        ssm.put_parameter(Name="/orders/token", Value="t0ken-twö", Type="SecureString", Overwrite=True)
        ssm.put_parameter(Name="/shared/region", Value="Irlande", Type="String")
        first = secrets.create_secret(Name="orders/db", SecretString='{"user": "app", "password": "old-pw"}')
        secrets.put_secret_value(SecretId="orders/db",
                                 SecretString='{"user": "app", "password": "p@ss:wörd}", "port": 5432, '
                                              '"tls": true, "note": "密码"}')
        plain = secrets.create_secret(Name="orders/plain", SecretString="just text, ünïcode ✓")
        secrets.create_secret(Name="orders/list", SecretString='["not", "an", "object"]')
        secrets.create_secret(Name="orders/binary", SecretBinary=b"\x00\x01")
    finally:
        ssm.close()
        secrets.close()
    return {"db_first_version": first["VersionId"], "db_arn": first["ARN"], "plain_arn": plain["ARN"]}


@pytest.fixture
def aws(moto_endpoint, seeded, monkeypatch, tmp_path):
    at_moto(monkeypatch, tmp_path, moto_endpoint)
    return seeded


RESOLVED = [
    pytest.param("{{resolve:ssm:AppName}}", "orders", id="ssm-name"),
    pytest.param("{{resolve:ssm:/orders/api-url}}", "https://api.example.com/v1", id="ssm-path"),
    pytest.param("{{resolve:ssm:/orders/city}}", "Zürich-東京-🚀", id="ssm-multibyte"),
    pytest.param("{{resolve:ssm:/orders/hosts}}", "a.example.com,b.example.com", id="ssm-stringlist"),
    pytest.param("{{resolve:ssm:/orders/colour}}", "blue", id="ssm-latest"),
    pytest.param("{{resolve:ssm:/orders/colour:1}}", "red", id="ssm-version-1"),
    pytest.param("{{resolve:ssm:/orders/colour:2}}", "blue", id="ssm-version-2"),
    pytest.param(f"{{{{resolve:ssm:{PARAMETER_ARN}}}}}", "Irlande", id="ssm-arn"),
    pytest.param("{{resolve:ssm-secure:/orders/token}}", "t0ken-twö", id="ssm-secure"),
    pytest.param("{{resolve:ssm-secure:/orders/token:1}}", "t0ken-one", id="ssm-secure-version-1"),
    pytest.param("{{resolve:secretsmanager:orders/plain}}", "just text, ünïcode ✓", id="secret-plain"),
    pytest.param("{{resolve:secretsmanager:orders/db}}",
                 '{"user": "app", "password": "p@ss:wörd}", "port": 5432, "tls": true, "note": "密码"}',
                 id="secret-whole-json"),
    pytest.param("{{resolve:secretsmanager:orders/db::user}}", "app", id="secret-key-empty-part"),
    pytest.param("{{resolve:secretsmanager:orders/db:SecretString:note}}", "密码", id="secret-key-multibyte"),
    pytest.param("{{resolve:secretsmanager:orders/db::port}}", "5432", id="secret-key-number"),
    pytest.param("{{resolve:secretsmanager:orders/db::tls}}", "true", id="secret-key-boolean"),
    pytest.param("{{resolve:secretsmanager:orders/db:SecretString:password:AWSPREVIOUS}}", "old-pw",
                 id="secret-previous-stage"),
    pytest.param("{{resolve:secretsmanager:orders/db:SecretString:password:AWSCURRENT}}", "p@ss:wörd}",
                 id="secret-current-stage"),
    pytest.param("{{resolve:secretsmanager:orders/db:SecretString:password::{db_first_version}}}",
                 "old-pw", id="secret-version-id"),
    pytest.param("{{resolve:secretsmanager:{plain_arn}}}", "just text, ünïcode ✓", id="secret-arn"),
    pytest.param("{{resolve:secretsmanager:{db_arn}::user}}", "app", id="secret-arn-key"),
    pytest.param("postgres://{{resolve:secretsmanager:orders/db::user}}:"
                 "{{resolve:secretsmanager:orders/db:SecretString:password}}@db:5432/{{resolve:ssm:AppName}}",
                 "postgres://app:p@ss:wörd}@db:5432/orders", id="three-references-in-text"),
    pytest.param("{{resolve:ssm:/orders/city}}/{{resolve:ssm:/orders/city}}",
                 "Zürich-東京-🚀/Zürich-東京-🚀", id="same-reference-twice"),
    pytest.param("no reference here", "no reference here", id="plain"),
]


@pytest.fixture(scope="module")
def resolved_table(moto_endpoint, seeded, tmp_path_factory):
    """Every value of RESOLVED, keyed by its id, resolved in one call (a boto3 session costs ~0.1 s)."""
    variables = {}
    for row in RESOLVED:
        value = row.values[0]
        # Version ids and ARNs exist only once seeded: fill them in (the only `{name}`s in these values).
        for name, known in seeded.items():
            value = value.replace("{" + name + "}", known)
        variables[row.id] = value
    with pytest.MonkeyPatch.context() as monkeypatch:
        at_moto(monkeypatch, tmp_path_factory.mktemp("aws"), moto_endpoint)
        assert resolve.have_credentials()
        return resolve.resolve_variables(variables)


@pytest.mark.slow
@pytest.mark.parametrize(("value", "expected"), RESOLVED)
def test_resolve_variables_gives_what_cloudformation_would(resolved_table, request, value, expected):
    resolved, reasons = resolved_table
    key = request.node.callspec.id
    assert reasons.get(key) is None
    assert resolved[key] == expected


@pytest.mark.slow
def test_resolve_value_takes_clients_as_a_callable_or_a_mapping(aws):
    ssm = boto3.client("ssm")
    try:
        value = "{{resolve:ssm:AppName}}-{{resolve:ssm:/orders/colour:1}}"
        assert resolve.resolve_value(value, {"ssm": ssm}) == "orders-red"
        assert resolve.resolve_value(value, lambda service: {"ssm": ssm}[service]) == "orders-red"
    finally:
        ssm.close()


@pytest.mark.slow
def test_each_client_is_made_once_and_each_reference_read_once(aws, api_calls):
    variables = {
        "PLAIN": "hello",
        "A": "{{resolve:ssm:AppName}}",
        "B": "{{resolve:ssm:AppName}}/{{resolve:ssm:/orders/api-url}}",
        "C": "{{resolve:secretsmanager:orders/db::user}}",
        "D": "{{resolve:secretsmanager:orders/db::user}}",
        "E": "{{resolve:ssm:/orders/missing}}",
        "F": "{{resolve:ssm:/orders/missing}}",
    }
    resolved, reasons = resolve.resolve_variables(variables, region=REGION)
    assert resolved == {**variables, "A": "orders", "B": "orders/https://api.example.com/v1", "C": "app",
                        "D": "app"}
    assert set(reasons) == {"E", "F"}
    assert sorted(api_calls) == sorted([
        ("client", "ssm"), ("client", "secretsmanager"),
        ("ssm", "GetParameter"), ("ssm", "GetParameter"), ("ssm", "GetParameter"),
        ("secretsmanager", "GetSecretValue"),
    ])


@pytest.mark.slow
def test_errors_are_reasons_and_the_rest_still_resolves(aws):
    variables = {
        "PLAIN": "hello",
        "GOOD": "{{resolve:ssm:AppName}}",
        "NO_PARAMETER": "{{resolve:ssm:/orders/missing}}",
        "NO_VERSION": "{{resolve:ssm:/orders/colour:9}}",
        "SECURE_AS_STRING": "{{resolve:ssm:/orders/token}}",
        "NO_SECRET": "x-{{resolve:secretsmanager:orders/missing}}",
        "NO_KEY": "{{resolve:secretsmanager:orders/db::pasword}}",
        "NOT_JSON": "{{resolve:secretsmanager:orders/plain::password}}",
        "NOT_OBJECT": "{{resolve:secretsmanager:orders/list::password}}",
        "BINARY": "{{resolve:secretsmanager:orders/binary}}",
        "NO_STAGE": "{{resolve:secretsmanager:orders/db:::AWSPENDING}}",
        "MALFORMED": "{{resolve:ssm:/orders/colour:latest}}",
        "ONE_BAD_OF_TWO": "{{resolve:ssm:AppName}}-{{resolve:ssm:/orders/gone}}",
    }
    resolved, reasons = resolve.resolve_variables(variables, region=REGION)
    assert resolved == {**variables, "GOOD": "orders"}
    assert reasons == {
        "NO_PARAMETER": "SSM parameter '/orders/missing' was not found in eu-west-1.",
        "NO_VERSION": "SSM parameter '/orders/colour' version 9 was not found in eu-west-1: "
                      "the parameter has no version 9.",
        "SECURE_AS_STRING": "SSM parameter '/orders/token' is a SecureString, which '{{resolve:ssm:...}}' "
                            "cannot read. Use a String parameter or Secrets Manager.",
        "NO_SECRET": "Secrets Manager secret 'orders/missing' was not found in eu-west-1.",
        "NO_KEY": "Secrets Manager secret 'orders/db' has no key 'pasword'; "
                  "its keys are: note, password, port, tls, user.",
        "NOT_JSON": "Secrets Manager secret 'orders/plain' is not a JSON object, so it has no key 'password'. "
                    "Leave the key out to use the whole secret.",
        "NOT_OBJECT": "Secrets Manager secret 'orders/list' is not a JSON object, so it has no key 'password'. "
                      "Leave the key out to use the whole secret.",
        "BINARY": "Secrets Manager secret 'orders/binary' holds binary data, not text. "
                  "Store it as a SecretString.",
        "NO_STAGE": "Secrets Manager secret 'orders/db' at stage AWSPENDING was not found in eu-west-1.",
        "MALFORMED": "{{resolve:ssm:/orders/colour:latest}} has version 'latest', which is not a number. "
                     "Give the parameter version as a whole number, for example :2.",
        "ONE_BAD_OF_TWO": "SSM parameter '/orders/gone' was not found in eu-west-1.",
    }


@pytest.mark.slow
def test_the_region_given_is_the_region_read(aws, monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    variables = {"A": "{{resolve:ssm:AppName}}"}
    assert resolve.resolve_variables(variables, region=REGION) == ({"A": "orders"}, {})
    assert resolve.resolve_variables(variables, region="us-east-1") == (
        variables, {"A": "SSM parameter 'AppName' was not found in us-east-1."})
    assert resolve.resolve_variables(variables) == (
        variables, {"A": "no AWS region to read SSM parameter 'AppName' from. Set AWS_REGION or give the region."})


@pytest.mark.slow
def test_an_unreachable_endpoint_is_a_reason(aws, monkeypatch):
    # Nothing listens on port 9 of localhost: a reason, not a traceback.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    resolved, reasons = resolve.resolve_variables({"A": "{{resolve:ssm:AppName}}"}, region=REGION)
    assert resolved == {"A": "{{resolve:ssm:AppName}}"}
    assert reasons["A"].startswith("SSM parameter 'AppName' could not be read: Could not connect")
