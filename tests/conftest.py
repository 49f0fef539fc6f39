"""Shared fixtures: a clean copy of the template, and a cached generator of repos."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any, Callable

import copier
import pytest
import yaml
from moto.server import ThreadedMotoServer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))

# checkov and check-jsonschema live in a venv of their own (`make install`); TOOLS_BIN overrides it.
TOOLS_BIN = Path(os.environ.get("TOOLS_BIN") or ROOT / ".venv" / "tools" / "bin")


def tool(name: str) -> str:
    return str(TOOLS_BIN / name)


# The defaults of every question, as a user who accepts them all gets them.
DEFAULT_NAME = "orders-api"


def copy_template(dest: Path) -> Path:
    """The template as files on disk, without git: copier then renders the working tree as it is."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "copier.yml", dest / "copier.yml")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("template", "hooks"):
        shutil.copytree(ROOT / folder, dest / folder, symlinks=True, ignore=ignore)
    return dest


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_template(tmp_path_factory.mktemp("template"))


def copier_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`copier ARGS` as a user runs it, this venv's copier, without a terminal."""
    copier = Path(sys.executable).with_name("copier")
    return subprocess.run([str(copier), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)


def run_copy(template: Path, dest: Path, data: dict[str, Any]) -> Path:
    """`copier copy --trust --defaults --data ...`, in process."""
    copier.run_copy(str(template), dest, data=data, defaults=True, unsafe=True, quiet=True)
    return dest


@pytest.fixture(scope="session")
def generate(template_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """Generate a repo from answers (project_name defaults to orders-api); one per distinct answer set."""
    cache: dict[str, Path] = {}

    def _generate(**data: Any) -> Path:
        data = {"project_name": DEFAULT_NAME, **data}
        key = yaml.safe_dump(data, sort_keys=True)
        if key not in cache:
            cache[key] = run_copy(template_dir, tmp_path_factory.mktemp("repo") / "out", data)
        return cache[key]

    return _generate


# --- A local stand-in for AWS ------------------------------------------------------------

REGION = "eu-west-1"
AWS_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
                 "AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL_SECRETS_MANAGER",
                 "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                 "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN")


def without_credentials(monkeypatch: pytest.MonkeyPatch, nowhere: Path) -> None:
    """An environment where boto3 finds no credentials anywhere (`nowhere` is an empty folder)."""
    for name in AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(nowhere / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(nowhere / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)


def at_moto(monkeypatch: pytest.MonkeyPatch, nowhere: Path, endpoint: str) -> None:
    """boto3, as the module uses it, pointed at the moto server by the standard variables."""
    without_credentials(monkeypatch, nowhere)
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


@pytest.fixture(scope="module")
def moto_endpoint():
    """A moto server of this test worker only, on a free port, its state (global in moto) reset."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    with urllib.request.urlopen(urllib.request.Request(f"http://{host}:{port}/moto-api/reset", method="POST")):
        pass
    yield f"http://{host}:{port}"
    server.stop()
    server._server.server_close()  # stop() leaves the listening socket open
