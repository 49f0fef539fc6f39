"""Shared fixtures: a clean copy of the template, and a cached generator of repos."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any, Callable

import copier
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))

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
