"""hooks/extension.py: what makes copies fast (compile cache, one git config read) never changes the result."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, run_copy


def tree(repo: Path) -> dict[str, bytes]:
    return {str(p.relative_to(repo)): p.read_bytes() for p in sorted(repo.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(repo).parts}


@pytest.mark.slow
def test_compile_cache_cold_warm_corrupt_or_off_renders_the_same_repo(template_dir, tmp_path, monkeypatch):
    answers = {"project_name": "orders-api", "runtime": "nodejs22.x", "dependencies_layer": True,
               "env_vars": {"TABLE": "orders"}}
    cache = tmp_path / "cache"
    monkeypatch.setenv("COPIER_LAMBDA_SAM_CACHE", str(cache))
    cold = tree(run_copy(template_dir, tmp_path / "cold", answers))
    entries = [p for p in cache.rglob("*") if p.is_file()]
    assert len(entries) > 50  # file templates, path parts, helps, defaults and validators
    warm = tree(run_copy(template_dir, tmp_path / "warm", answers))
    for entry in entries:
        entry.write_bytes(b"not a code object")
    corrupt = tree(run_copy(template_dir, tmp_path / "corrupt", answers))
    monkeypatch.setenv("COPIER_LAMBDA_SAM_CACHE", "off")
    off = tree(run_copy(template_dir, tmp_path / "off", answers))
    answers_file = ".copier-answers.yml"
    assert cold == warm == corrupt == off, [p for p in cold if p != answers_file and cold[p] != off.get(p)]


COPIER = str(Path(sys.executable).with_name("copier"))
REAL_GIT = shutil.which("git")


def logging_git(folder: Path) -> tuple[dict[str, str], Path]:
    """A `git` first on PATH that logs its arguments, then runs the real one."""
    log = folder / "git.log"
    script = folder / "bin" / "git"
    script.parent.mkdir(parents=True)
    script.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{REAL_GIT}" "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return {**os.environ, "PATH": f"{script.parent}{os.pathsep}{os.environ['PATH']}"}, log


def copier_cli(*args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run([COPIER, *args], check=True, env=env, capture_output=True, stdin=subprocess.DEVNULL)


def git(repo: Path, *args: str) -> str:
    return subprocess.run([REAL_GIT, "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def test_a_copy_asks_git_for_core_filemode_once_not_once_per_file(template_dir, tmp_path):
    env, log = logging_git(tmp_path)
    copier_cli("copy", "--trust", "--defaults", "--quiet", "--data", "project_name=orders-api", str(template_dir),
               str(tmp_path / "repo"), env=env)
    calls = log.read_text(encoding="utf-8").splitlines()
    written = [p for p in (tmp_path / "repo").rglob("*") if p.is_file() and ".git" not in p.parts]
    assert len(written) > 20
    assert calls.count("config --type=bool --get core.fileMode") == 1, calls


@pytest.mark.parametrize(("file_mode", "index_mode"), [("false", "100755"), ("true", "100644")],
                         ids=["fileMode-false-index-follows-template", "fileMode-true-left-to-git-add"])
def test_executable_bit_still_reaches_the_git_index_as_copier_does_it(tmp_path, file_mode, index_mode):
    """Reading core.fileMode once must not change what copier does with the executable bit."""
    template = tmp_path / "template"
    (template / "template").mkdir(parents=True)
    shutil.copytree(ROOT / "hooks", template / "hooks", ignore=shutil.ignore_patterns("__pycache__"))
    config = yaml.safe_load((ROOT / "copier.yml").read_text(encoding="utf-8"))
    (template / "copier.yml").write_text(yaml.safe_dump({
        "_subdirectory": "template", "_jinja_extensions": config["_jinja_extensions"],
        "name": {"type": "str", "default": "demo"}}), encoding="utf-8")
    (template / "template" / "README.md.jinja").write_text("# {{ name }}\n", encoding="utf-8")
    script = template / "template" / "run.sh"
    script.write_text("#!/bin/sh\necho run\n", encoding="utf-8")
    script.chmod(0o755)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "run.sh").write_text("#!/bin/sh\necho run\n", encoding="utf-8")
    git(repo, "init", "--quiet")
    git(repo, "config", "core.fileMode", file_mode)
    git(repo, "add", "run.sh")
    assert git(repo, "ls-files", "--stage", "run.sh").split()[0] == "100644"
    copier_cli("copy", "--trust", "--defaults", "--overwrite", "--quiet", str(template), str(repo))
    assert (repo / "run.sh").stat().st_mode & 0o111
    assert git(repo, "ls-files", "--stage", "run.sh").split()[0] == index_mode
